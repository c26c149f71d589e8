/* thread_cputimer.c: POSIX timers on CPU-time clocks with several threads. A timer on a thread's
 * own clock (CLOCK_THREAD_CPUTIME_ID, or its pthread_getcpuclockid) fires once that thread has run
 * its time, however long the others ran meanwhile; one on the process's clock (also by
 * clock_getcpuclockid) once all of them together have. Two threads spin side by side, so each
 * thread's clock runs at about half the process's (the judgements below need only that the other
 * thread ran a quarter as much): they hold natively (on two CPUs) and on one vCPU alike. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL

static volatile int fired, stop;
static volatile long long at_thread, at_process;

static long long ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void on_timer(int sig, siginfo_t *si, void *uc)
{
    at_thread = ns(CLOCK_THREAD_CPUTIME_ID);
    at_process = ns(CLOCK_PROCESS_CPUTIME_ID);
    fired = 1;
    (void)sig, (void)si, (void)uc;
}

static void *spinner(void *arg)
{
    while (!stop)
        ;
    return arg;
}

/* A timer of ms on clock c, its signal to the calling thread (which spins until it comes). */
static int run_timer(clockid_t c, long long ms, long long *thread0, long long *process0)
{
    timer_t t;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR1;
#ifdef sigev_notify_thread_id
    ev.sigev_notify_thread_id = gettid();
#else
    ev._sigev_un._tid = gettid();
#endif
    if (timer_create(c, &ev, &t))
        return errno;
    struct itimerspec its = {{0, 0}, {0, ms * MS}};
    fired = 0;
    *thread0 = ns(CLOCK_THREAD_CPUTIME_ID), *process0 = ns(CLOCK_PROCESS_CPUTIME_ID);
    timer_settime(t, 0, &its, NULL);
    while (!fired)
        ;
    timer_delete(t);
    return 0;
}

static void report(const char *what, clockid_t c, long long ms)
{
    long long t0, p0;
    int err = run_timer(c, ms, &t0, &p0);
    if (err) {
        printf("%s: timer_create: %s\n", what, strerror(err));
        return;
    }
    long long th = at_thread - t0, pr = at_process - p0;
    /* a thread clock's timer: the thread ran its time, the process about twice that; the
     * process clock's: the process ran its time, the thread about half */
    printf("%s: the thread ran its time %d, the process ran its time %d, the process more than the "
           "thread by a quarter %d\n", what, th >= ms * MS, pr >= ms * MS, pr > th + th / 4);
}

int main(void)
{
    pthread_t other;
    clockid_t mine, proc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_timer;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_create(&other, NULL, spinner, NULL);
    report("CLOCK_THREAD_CPUTIME_ID, 100 ms", CLOCK_THREAD_CPUTIME_ID, 100);
    pthread_getcpuclockid(pthread_self(), &mine);
    report("pthread_getcpuclockid of itself, 100 ms", mine, 100);
    report("CLOCK_PROCESS_CPUTIME_ID, 100 ms", CLOCK_PROCESS_CPUTIME_ID, 100);
    clock_getcpuclockid(0, &proc);
    report("clock_getcpuclockid(0), 100 ms", proc, 100);
    stop = 1;
    pthread_join(other, NULL);
    /* the clock id of a thread that does not exist (glibc's encoding: ~tid << 3, a thread's, CPU time) */
    clockid_t none = (clockid_t)((~(clockid_t)0x3ffffff0 << 3) | 4 | 2);
    timer_t t;
    printf("a timer on no thread's clock: %s\n", timer_create(none, NULL, &t) ? strerror(errno) : "made");
    return 0;
}
