/* sig_timer.c: timers that send signals: alarm, setitimer (real and CPU time), POSIX timers with
 * values and overruns, SIGEV_NONE, absolute sleeps, and a blocked read cut short (or restarted)
 * by a timer's signal. Times are checked as ranges, so the output is the same on every run. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sig_common.h"

static volatile int alarms, vtalrms, rt_count, rt_value, rt_code, rt_overrun, rt_first_overrun;
static int pipefd[2];
static volatile int write_on_alarm;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_alarm(int sig)
{
    alarms++;
    if (write_on_alarm && write(pipefd[1], "t", 1) != 1)
        alarms += 1000;
    (void)sig;
}

static void on_vtalrm(int sig) { vtalrms++, (void)sig; }

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    if (++rt_count == 1)
        rt_first_overrun = si->si_overrun;
    rt_value = si->si_value.sival_int;
    rt_code = si->si_code;
    rt_overrun = si->si_overrun;
    (void)sig, (void)uc;
}

static void alarms_and_itimers(void)
{
    sig_set(SIGALRM, on_alarm, NULL, 0);
    double t0 = now();
    alarm(1);
    int r = pause();
    double dt = now() - t0;
    printf("alarm: pause %d errno %d alarms %d after ~1s %d\n", r, errno, alarms, dt > 0.9 && dt < 3.0);
    alarm(5);
    printf("alarm(0) returns %u\n", alarm(0));

    struct itimerval it = {{0, 50000}, {0, 50000}}, got;
    setitimer(ITIMER_REAL, &it, NULL);
    sigset_t none;
    sigemptyset(&none);
    alarms = 0;
    t0 = now();
    while (alarms < 5)
        sigsuspend(&none);
    dt = now() - t0;
    getitimer(ITIMER_REAL, &got);
    printf("itimer: 5 ticks in ~0.25s %d, interval %ld.%06ld, value <= interval %d\n", dt > 0.2 && dt < 3.0,
           (long)got.it_interval.tv_sec, (long)got.it_interval.tv_usec,
           got.it_value.tv_sec == 0 && got.it_value.tv_usec <= 50000);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);

    sig_set(SIGVTALRM, on_vtalrm, NULL, 0);
    struct itimerval v = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_VIRTUAL, &v, NULL);
    volatile unsigned long spin = 0;
    t0 = now();
    while (!vtalrms && now() - t0 < 20)
        spin++;
    printf("itimer virtual: fired %d\n", vtalrms);
}

static void interrupted_reads(void)
{
    char c;
    if (pipe(pipefd))
        return;
    sig_set(SIGALRM, on_alarm, NULL, 0);
    struct itimerval once = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &once, NULL);
    errno = 0;
    ssize_t n = read(pipefd[0], &c, 1);
    printf("read, no SA_RESTART: %zd errno %d\n", n, errno);
    /* SA_RESTART: the first alarm's read restarts; the second alarm's handler writes a byte */
    sig_set(SIGALRM, on_alarm, NULL, SA_RESTART);
    alarms = 0;
    struct itimerval twice = {{0, 100000}, {0, 100000}};
    setitimer(ITIMER_REAL, &twice, NULL);
    write_on_alarm = 0;
    struct timespec ms150 = {0, 150000000};
    nanosleep(&ms150, NULL); /* one alarm during the sleep (ends it early: EINTR is ignored here) */
    write_on_alarm = 1;
    n = read(pipefd[0], &c, 1);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("read, SA_RESTART: %zd '%c' alarms >= 2 %d\n", n, n == 1 ? c : '?', alarms >= 2);
}

static void posix_timers(void)
{
    int sig = SIGRTMIN + 1;
    sig_set(sig, NULL, on_rt, 0);
    struct sigevent ev;
    memset(&ev, 0, sizeof(ev));
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = sig;
    ev.sigev_value.sival_int = 4242;
    timer_t t;
    printf("timer_create: %d\n", timer_create(CLOCK_MONOTONIC, &ev, &t));
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_BLOCK, &s, NULL);
    struct itimerspec ts = {{0, 10000000}, {0, 10000000}}, cur;
    timer_settime(t, 0, &ts, NULL);
    struct timespec ms200 = {0, 200000000};
    nanosleep(&ms200, NULL);
    sigprocmask(SIG_UNBLOCK, &s, NULL); /* one signal, the other expiries as overruns */
    int at_unblock = rt_count; /* (the timer goes on: a slow machine may see the next expiry too) */
    timer_gettime(t, &cur);
    int getoverrun = timer_getoverrun(t), last_overrun = rt_overrun; /* of the last signal delivered */
    printf("posix timer: deliveries at unblock %d value %d code %d (SI_TIMER %d) overrun >= 5 %d, getoverrun "
           "agrees %d\n",
           at_unblock, rt_value, rt_code, SI_TIMER, rt_first_overrun >= 5, getoverrun == last_overrun);
    printf("gettime: interval %ld ns, value <= interval %d\n", cur.it_interval.tv_nsec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 10000000);
    int d1 = timer_delete(t);
    errno = 0;
    int d2 = timer_delete(t);
    printf("timer_delete: %d, again: %d errno %d\n", d1, d2, errno);

    /* SIGEV_NONE: nothing is sent, the time still runs down */
    ev.sigev_notify = SIGEV_NONE;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    struct itimerspec two = {{0, 0}, {2, 0}};
    timer_settime(t, 0, &two, NULL);
    nanosleep(&(struct timespec){0, 50000000}, NULL);
    timer_gettime(t, &cur);
    printf("sigev_none: counting down %d\n", cur.it_value.tv_sec == 1 && cur.it_value.tv_nsec > 0);
    timer_delete(t);

    /* an absolute expiry in the past fires at once */
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_value.sival_int = 7;
    timer_create(CLOCK_REALTIME, &ev, &t);
    struct itimerspec past = {{0, 0}, {1, 0}}; /* 1970 */
    rt_count = 0;
    timer_settime(t, TIMER_ABSTIME, &past, NULL);
    for (int i = 0; i < 1000 && !rt_count; i++) /* due at once, though the signal may take a moment */
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    printf("past deadline: fired %d value %d\n", rt_count, rt_value);
    timer_delete(t);

    struct timespec target;
    clock_gettime(CLOCK_MONOTONIC, &target);
    target.tv_nsec += 100000000;
    if (target.tv_nsec >= 1000000000)
        target.tv_sec++, target.tv_nsec -= 1000000000;
    int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
    struct timespec after;
    clock_gettime(CLOCK_MONOTONIC, &after);
    printf("clock_nanosleep abs: %d reached %d\n", r,
           after.tv_sec > target.tv_sec || (after.tv_sec == target.tv_sec && after.tv_nsec >= target.tv_nsec));
    /* 40 short sleeps to deadlines at every phase of the millisecond, while a timer's blocked
     * signal keeps coming (each wakes the host's wait): none ends early */
    sigset_t usr2, old;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, &old);
    struct sigevent ev2 = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
    timer_create(CLOCK_MONOTONIC, &ev2, &t);
    timer_settime(t, 0, &(struct itimerspec){{0, 230000}, {0, 230000}}, NULL);
    int early = 0;
    for (int k = 0; k < 40; k++) {
        clock_gettime(CLOCK_MONOTONIC, &target);
        target.tv_nsec += 1500000 + 25000 * k;
        if (target.tv_nsec >= 1000000000)
            target.tv_sec++, target.tv_nsec -= 1000000000;
        r |= clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
        clock_gettime(CLOCK_MONOTONIC, &after);
        early += after.tv_sec < target.tv_sec || (after.tv_sec == target.tv_sec && after.tv_nsec < target.tv_nsec);
        struct timespec b0, b1;
        clock_gettime(CLOCK_MONOTONIC, &b0);
        r |= nanosleep(&(struct timespec){0, 1500000 + 25000 * k}, NULL);
        clock_gettime(CLOCK_MONOTONIC, &b1);
        early += (b1.tv_sec - b0.tv_sec) * 1000000000L + (b1.tv_nsec - b0.tv_nsec) < 1500000 + 25000 * k;
    }
    timer_delete(t);
    signal(SIGUSR2, SIG_IGN); /* (the pending one goes) */
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGUSR2, SIG_DFL);
    printf("short sleeps: %d, early %d\n", r, early);
    errno = 0;
    r = timer_create(12345, NULL, &t);
    printf("bad clock: %d errno %d\n", r, errno);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    alarms_and_itimers();
    interrupted_reads();
    posix_timers();
    /* the default action of SIGALRM kills */
    signal(SIGALRM, SIG_DFL);
    alarm(1);
    pause();
    return 0;
}
