/* thread_clocks.c: CPU-time clocks per thread: CLOCK_THREAD_CPUTIME_ID, pthread_getcpuclockid of
 * another thread, clock_getcpuclockid of the process; a spinning thread's clock runs while the
 * waiting one's does not; clock_getres on them; a clock of no thread; a fork child's own. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int spun, may_end;

static double secs(clockid_t clock)
{
    struct timespec t;
    return clock_gettime(clock, &t) < 0 ? -1 : t.tv_sec + t.tv_nsec / 1e9;
}

/* Spins until its own clock says 200 ms, says so, and waits until it may end. */
static void *spinner(void *arg)
{
    while (secs(CLOCK_THREAD_CPUTIME_ID) < 0.2)
        ;
    pthread_mutex_lock(&m);
    spun = 1;
    pthread_cond_broadcast(&c);
    while (!may_end)
        pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    return arg;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    double t0 = secs(CLOCK_THREAD_CPUTIME_ID), p0 = secs(CLOCK_PROCESS_CPUTIME_ID);
    printf("one thread: its clock is the process's: %d\n", t0 >= 0 && t0 <= p0 && p0 - t0 < 0.05);
    pthread_t t;
    pthread_create(&t, NULL, spinner, NULL);
    pthread_mutex_lock(&m);
    while (!spun)
        pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    clockid_t tc, pc;
    int r1 = pthread_getcpuclockid(t, &tc), r2 = clock_getcpuclockid(getpid(), &pc);
    double mine = secs(CLOCK_THREAD_CPUTIME_ID), its = secs(tc), proc = secs(CLOCK_PROCESS_CPUTIME_ID);
    printf("clock ids: %d %d\n", r1, r2);
    printf("the spinner's clock ran 200 ms: %d\n", its >= 0.2 && its < 1.0);
    printf("the waiting thread's barely: %d\n", mine >= 0 && mine - t0 < 0.1);
    printf("the process's is at least both: %d, by pid: %d\n", proc >= its + mine - 0.01, secs(pc) >= proc);
    struct timespec res;
    printf("resolution of the spinner's clock: %d\n", clock_getres(tc, &res) == 0 && res.tv_sec == 0);
    clockid_t none = ((~(clockid_t)999999) << 3) | 6; /* a thread that is not this process's */
    struct timespec x;
    int e = clock_gettime(none, &x) < 0 ? errno : 0;
    printf("a thread of no one: %s\n", e == EINVAL ? "EINVAL" : strerror(e));
    pthread_mutex_lock(&m);
    may_end = 1;
    pthread_cond_broadcast(&c);
    pthread_mutex_unlock(&m);
    pthread_join(t, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        double ct = secs(CLOCK_THREAD_CPUTIME_ID), cp = secs(CLOCK_PROCESS_CPUTIME_ID);
        printf("fork child: its clocks start again: %d\n", ct >= 0 && ct < 0.1 && cp < 0.1);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    return 0;
}
