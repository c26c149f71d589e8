/* threadbench.c: thread costs. Usage: threadbench pingpong N | mutex N | create N | spin2 N
 *   pingpong: two threads hand a token back and forth N times through futexes (two wakes a round)
 *   mutex:    four threads each take one mutex N/4 times around a tiny critical section
 *   create:   N pthread_create + pthread_join of a thread that does nothing
 *   spin2:    two threads each count to N (CPU-bound: what parallel vCPUs would halve) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static atomic_int token;
static long rounds;

static void futex_wait(atomic_int *w, int v) { syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0); }
static void futex_wake(atomic_int *w) { syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

/* Player me waits for the token to be me, then passes it to the other. */
static void *player(void *arg)
{
    int me = (int)(long)arg;
    for (long i = 0; i < rounds; i++) {
        int t;
        while ((t = atomic_load(&token)) != me)
            futex_wait(&token, t);
        atomic_store(&token, 1 - me);
        futex_wake(&token);
    }
    return NULL;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long shared;

static void *locker(void *arg)
{
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&mu);
        shared++;
        pthread_mutex_unlock(&mu);
    }
    return arg;
}

static void *nothing(void *arg) { return arg; }

static void *spin(void *arg)
{
    volatile long n = 0;
    for (long i = 0; i < rounds; i++)
        n += i;
    return arg;
}

static void run(void *(*fn)(void *), int n)
{
    pthread_t t[4];
    for (long i = 0; i < n; i++)
        pthread_create(&t[i], NULL, fn, (void *)i);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    long n = atol(argv[2]);
    if (!strcmp(argv[1], "pingpong")) {
        rounds = n;
        run(player, 2);
    } else if (!strcmp(argv[1], "mutex")) {
        rounds = n / 4;
        run(locker, 4);
        if (shared != rounds * 4)
            return 1;
    } else if (!strcmp(argv[1], "create")) {
        for (long i = 0; i < n; i++) {
            pthread_t t;
            pthread_create(&t, NULL, nothing, NULL);
            pthread_join(t, NULL);
        }
    } else if (!strcmp(argv[1], "spin2")) {
        rounds = n;
        run(spin, 2);
    } else {
        return 2;
    }
    printf("%s %ld done\n", argv[1], n);
    return 0;
}
