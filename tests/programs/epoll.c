/* epoll.c: epoll as event loops use it: pipes, an eventfd and a timerfd in one instance, level- and
 * edge-triggered and one-shot events, data handed back as given, MOD and DEL, the errors of
 * epoll_create1/epoll_ctl/epoll_wait, a wait another thread ends by writing to a pipe, and a wait
 * a signal ends (EINTR, its handler run under epoll_pwait's mask), and signalfds in the set. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *en(int r)
{
    if (r >= 0)
        return "ok";
    switch (errno) {
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST";
    case ENOENT: return "ENOENT";
    case EPERM: return "EPERM";
    case EINTR: return "EINTR";
    default: return strerror(errno);
    }
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* The ready events, as "data:events" pairs sorted by data. */
static void show(const char *what, int ep, int timeout)
{
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, 8, timeout);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (ev[j].data.u64 < ev[i].data.u64) {
                struct epoll_event t = ev[i];
                ev[i] = ev[j];
                ev[j] = t;
            }
    printf("%s: %d", what, n);
    for (int i = 0; i < n; i++)
        printf(" %#llx:%#x", (unsigned long long)ev[i].data.u64, ev[i].events);
    printf("\n");
}

static int wake_pipe[2];

static void *writer(void *arg)
{
    usleep(20000);
    if (write(wake_pipe[1], "w", 1) != 1)
        return NULL;
    return arg;
}

static volatile int got_usr1;
static void on_usr1(int sig) { got_usr1 = sig; }

/* A signalfd in an epoll set: ready exactly while one of its signals is pending, whether it came
 * from this process, from a child while the wait blocks, or from a timer while another thread
 * waits. */
static int sig_ep;

static void *sig_waiter(void *arg)
{
    show("signalfd, a timer's SIGALRM while another thread waits", sig_ep, 10000);
    return arg;
}

static void test_signalfd(void)
{
    sigset_t set;
    struct signalfd_siginfo si;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sfd = signalfd(-1, &set, SFD_NONBLOCK);
    sig_ep = epoll_create1(0);
    if (sfd < 0 || add(sig_ep, sfd, EPOLLIN, 55))
        return;
    show("signalfd, nothing pending", sig_ep, 0);
    kill(getpid(), SIGUSR2);
    show("signalfd, SIGUSR2 pending", sig_ep, 0);
    ssize_t n = read(sfd, &si, sizeof si);
    printf("signalfd read: %zd, signo %u\n", n, si.ssi_signo);
    show("signalfd, read: nothing pending", sig_ep, 0);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        usleep(50000);
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    show("signalfd, a child's SIGUSR2 while waiting", sig_ep, 10000);
    n = read(sfd, &si, sizeof si);
    printf("signalfd read: %zd, signo %u, from the child %d\n", n, si.ssi_signo, (pid_t)si.ssi_pid == child);
    waitpid(child, NULL, 0);
    pthread_t t;
    struct itimerval it = {{0, 0}, {0, 50000}};
    pthread_create(&t, NULL, sig_waiter, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    pthread_join(t, NULL);
    n = read(sfd, &si, sizeof si);
    printf("signalfd read: %zd, signo %u\n", n, si.ssi_signo);
    show("signalfd, all read", sig_ep, 0);
    close(sfd), close(sig_ep);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int p[2], q[2];
    if (pipe(p) || pipe(q))
        return 1;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int efd = eventfd(0, EFD_NONBLOCK), tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    printf("create: %s, flags %s, cloexec %d\n", en(ep), en(epoll_create1(12345)), (fcntl(ep, F_GETFD) & FD_CLOEXEC) != 0);
    printf("add: %s %s %s %s\n", en(add(ep, p[0], EPOLLIN, 0x1111222233334444ull)), en(add(ep, q[0], EPOLLIN | EPOLLET, 2)),
           en(add(ep, efd, EPOLLIN | EPOLLONESHOT, 3)), en(add(ep, tfd, EPOLLIN, 4)));
    show("nothing ready", ep, 0);
    show("nothing within 10 ms", ep, 10);
    if (write(p[1], "x", 1) != 1 || write(q[1], "y", 1) != 1)
        return 1;
    uint64_t one = 1;
    if (write(efd, &one, 8) != 8)
        return 1;
    show("pipes and eventfd", ep, 0);
    show("again: level-triggered stays, edge and one-shot do not", ep, 0);
    struct itimerspec its = {{0, 0}, {0, 20 * 1000000}};
    timerfd_settime(tfd, 0, &its, NULL);
    char c;
    if (read(p[0], &c, 1) != 1)
        return 1;
    show("the timer, waited for", ep, 5000);
    uint64_t ticks;
    if (read(tfd, &ticks, 8) != 8)
        return 1;
    struct epoll_event mod = {.events = EPOLLIN, .data.u64 = 33};
    printf("mod of the one-shot: %s\n", en(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &mod)));
    show("re-armed eventfd", ep, 0);
    const char *del1 = en(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    printf("del: %s, del again: %s\n", del1, en(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL)));
    show("after del", ep, 0);
    /* errors */
    FILE *f = tmpfile();
    struct epoll_event ev = {.events = EPOLLIN};
    void *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(unmapped, 4096);
    printf("errors: twice %s, mod absent %s, regular file %s, bad fd %s, not epoll %s, itself %s, bad event %s\n",
           en(add(ep, p[0], EPOLLIN, 0)), en(epoll_ctl(ep, EPOLL_CTL_MOD, 1000, &ev)), en(add(ep, fileno(f), EPOLLIN, 0)),
           en(add(ep, 999, EPOLLIN, 0)), en(add(p[0], q[0], EPOLLIN, 0)), en(add(ep, ep, EPOLLIN, 0)),
           en(epoll_ctl(ep, EPOLL_CTL_ADD, q[1], unmapped)));
    struct epoll_event out[2];
    printf("wait errors: maxevents 0 %s, bad buffer %s, not epoll %s\n", en(epoll_wait(ep, out, 0, 0)),
           en(epoll_wait(ep, unmapped, 2, 0)), en(epoll_wait(p[0], out, 2, 0)));
    /* another thread ends the wait */
    int ep2 = epoll_create(1);
    if (pipe(wake_pipe) || add(ep2, wake_pipe[0], EPOLLIN, 77))
        return 1;
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    show("woken by another thread's write", ep2, 10000);
    pthread_join(t, NULL);
    /* a signal ends the wait; epoll_pwait's mask lets it through */
    signal(SIGUSR1, on_usr1);
    sigset_t block, none;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &block, NULL);
    kill(getpid(), SIGUSR1);
    int ep3 = epoll_create1(0);
    int r = epoll_pwait(ep3, out, 2, 10000, &none);
    printf("epoll_pwait with SIGUSR1 pending and let through: %s, handler ran %d\n", en(r), got_usr1 == SIGUSR1);
    got_usr1 = 0;
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);
    struct pollfd pf = {wake_pipe[1], POLLIN, 0};
    struct timespec ts = {10, 0};
    r = ppoll(&pf, 1, &ts, &none);
    printf("ppoll likewise: %s, handler ran %d\n", en(r), got_usr1 == SIGUSR1);
    test_signalfd();
    return 0;
}
