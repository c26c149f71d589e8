/* threads.c: threads for the gdb tests (tests/gdb/threads.gdb): two workers, one after the other,
 * each calling worker_mark while the first thread waits in pthread_join. */
#include <pthread.h>
#include <stdio.h>

int worker_hits;

void worker_mark(int id)
{
    worker_hits += id;
}

static void *worker(void *arg)
{
    worker_mark((int)(long)arg);
    return NULL;
}

int main(void)
{
    for (long i = 1; i <= 2; i++) {
        pthread_t t;
        pthread_create(&t, NULL, worker, (void *)i);
        pthread_join(t, NULL);
    }
    printf("hits %d\n", worker_hits);
    return 0;
}
