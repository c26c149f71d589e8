/* sig_fds.c: timerfd and signalfd: reads, poll and select on them, a signalfd woken by a timer's
 * signal while the program waits in poll, nonblocking reads and bad uses. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static void timerfds(void)
{
    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {{0, 50000000}, {0, 50000000}}, old, cur;
    printf("timerfd_create: ok %d settime %d\n", tfd >= 0, timerfd_settime(tfd, 0, &its, NULL));
    uint64_t n = 0;
    ssize_t r = read(tfd, &n, sizeof(n));
    printf("read: %zd expirations >= 1 %d\n", r, n >= 1);
    struct pollfd p = {tfd, POLLIN, 0};
    int pr = poll(&p, 1, 1000);
    printf("poll: %d revents %#x\n", pr, p.revents);
    timerfd_gettime(tfd, &cur);
    printf("gettime: interval %ld value <= interval %d\n", cur.it_interval.tv_nsec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 50000000);
    struct itimerspec off = {{0, 0}, {0, 0}};
    timerfd_settime(tfd, 0, &off, &old);
    printf("disarmed, old interval %ld\n", old.it_interval.tv_nsec);
    close(tfd);
    tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    errno = 0;
    r = read(tfd, &n, sizeof(n));
    printf("nonblocking read of a disarmed timerfd: %zd errno %d\n", r, errno);
    errno = 0;
    int bad = timerfd_create(12345, 0);
    printf("bad clock: %d errno %d\n", bad, errno);
    errno = 0;
    bad = timerfd_settime(1, 0, &its, NULL);
    printf("settime on stdout: %d errno %d\n", bad, errno);
    close(tfd);
}

static void show_ssi(const struct signalfd_siginfo *s)
{
    printf("  signo %u code %d int %d pid ok %d\n", s->ssi_signo, s->ssi_code, s->ssi_int,
           s->ssi_pid == (uint32_t)getpid() || s->ssi_code == SI_TIMER);
}

static void signalfds(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &m, NULL);
    int sfd = signalfd(-1, &m, SFD_CLOEXEC);
    printf("signalfd: ok %d\n", sfd >= 0);
    struct pollfd p = {sfd, POLLIN, 0};
    printf("poll, nothing pending: %d\n", poll(&p, 1, 100));
    raise(SIGUSR1);
    sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 5});
    p.revents = 0;
    int pr = poll(&p, 1, 1000);
    printf("poll, pending: %d revents %#x\n", pr, p.revents);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(sfd, &rd);
    struct timeval tv = {1, 0};
    int sr = select(sfd + 1, &rd, NULL, NULL, &tv);
    printf("select: %d isset %d\n", sr, FD_ISSET(sfd, &rd));
    struct signalfd_siginfo ssi[4];
    ssize_t r = read(sfd, ssi, sizeof(ssi));
    printf("read: %zd bytes\n", r);
    for (int i = 0; i < r / (ssize_t)sizeof(ssi[0]); i++)
        show_ssi(&ssi[i]);
    sigset_t pend;
    sigpending(&pend);
    printf("pending after read: usr1 %d\n", sigismember(&pend, SIGUSR1));
    errno = 0;
    r = read(sfd, ssi, 100);
    printf("short buffer: %zd errno %d\n", r, errno);
    int flags = fcntl(sfd, F_GETFL);
    fcntl(sfd, F_SETFL, flags | O_NONBLOCK);
    errno = 0;
    r = read(sfd, ssi, sizeof(ssi));
    printf("nonblocking, none pending: %zd errno %d\n", r, errno);
    fcntl(sfd, F_SETFL, flags);

    /* a timer's signal wakes a poll on the signalfd (the program waits in the kernel meanwhile) */
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    printf("new set: %d\n", signalfd(sfd, &m, 0) == sfd);
    timer_t t;
    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
    ev.sigev_value.sival_int = 99;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    struct itimerspec once = {{0, 0}, {0, 80000000}};
    timer_settime(t, 0, &once, NULL);
    p.revents = 0;
    pr = poll(&p, 1, 5000);
    printf("poll woken by the timer: %d revents %#x\n", pr, p.revents);
    r = read(sfd, ssi, sizeof(ssi));
    printf("read: %zd bytes\n", r);
    for (int i = 0; i < r / (ssize_t)sizeof(ssi[0]); i++)
        show_ssi(&ssi[i]);
    /* a blocking read waits for the next one */
    timer_settime(t, 0, &once, NULL);
    r = read(sfd, ssi, sizeof(ssi));
    printf("blocking read: %zd bytes, signo %u\n", r, ssi[0].ssi_signo);
    errno = 0;
    int bad = signalfd(1, &m, 0);
    printf("signalfd on a pipe: %d errno %d\n", bad, errno);
    close(sfd);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    timerfds();
    signalfds();
    return 0;
}
