/* deadlock.c: two threads each holding the mutex the other wants, and the main thread joining one:
 * every thread waits forever, as natively, until a signal from outside (tests/programs/run.sh,
 * kind "signals") ends the program with its default action. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both;

static void *second(void *arg)
{
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both);
    pthread_mutex_lock(&a);
    return arg;
}

static void *first(void *arg)
{
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&both);
    pthread_mutex_lock(&b);
    return arg;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_barrier_init(&both, NULL, 3);
    pthread_create(&t1, NULL, first, NULL);
    pthread_create(&t2, NULL, second, NULL);
    pthread_barrier_wait(&both);
    printf("stage 1\n");
    fflush(stdout);
    pthread_join(t1, NULL);
    printf("not reached\n");
    return 0;
}
