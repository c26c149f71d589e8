/* thread_error.c: a heap error in a second thread (run_formats.sh): memcheck names the thread
 * ("Thread 2:", <tid>2</tid>); then one in the first thread again ("Thread 1:"). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *worker(void *arg)
{
    volatile char *p = arg;
    p[4096] = 1; /* one past the end of a 4096-byte block (against its guard page: seen on kvm too) */
    return NULL;
}

int main(void)
{
    pthread_t t;
    char *p = malloc(4096);
    pthread_create(&t, NULL, worker, p);
    pthread_join(t, NULL);
    volatile char *q = malloc(2048);
    q[2048] = 2; /* and one in the first thread */
    free(p);
    free((void *)q);
    puts("done");
    return 0;
}
