/* sig_basic.c: handlers, siginfo, masks, pending sets, queueing and waiting, against native Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sig_common.h"

static volatile int order[64], norder;
static volatile int last_code, last_pid_ok, last_value, depth, max_depth;
static volatile unsigned long mask_in_handler, frame_cs;

static void on_info(int sig, siginfo_t *si, void *ucp)
{
    ucontext_t *uc = ucp;
    order[norder++] = sig;
    last_code = si->si_code;
    last_pid_ok = si->si_pid == getpid() && si->si_uid == getuid();
    last_value = si->si_value.sival_int;
    memcpy((void *)&mask_in_handler, &uc->uc_sigmask, sizeof(mask_in_handler));
    frame_cs = uc->uc_mcontext.gregs[REG_CSGSFS] & 0xffff;
}

static void on_plain(int sig)
{
    order[norder++] = sig;
}

static void on_nested(int sig)
{
    order[norder++] = sig;
    if (++depth > max_depth)
        max_depth = depth;
    if (depth < 3)
        raise(sig); /* SA_NODEFER: delivered at once, inside this handler */
    depth--;
}

static void show(const char *what)
{
    printf("%s:", what);
    for (int i = 0; i < norder; i++)
        printf(" %d", order[i]);
    printf("\n");
    norder = 0;
}

static void block(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    if (sig)
        sigaddset(&s, sig);
    sigprocmask(how, &s, NULL);
}

static void basics(void)
{
    sig_set(SIGUSR1, NULL, on_info, 0);
    kill(getpid(), SIGUSR1);
    unsigned short cs, ss;
    __asm__ volatile("mov %%cs, %0\nmov %%ss, %1" : "=r"(cs), "=r"(ss));
    printf("kill: code %d (SI_USER %d) sender ok %d mask has USR1 %d\n", last_code, SI_USER, last_pid_ok,
           !!(mask_in_handler & (1ul << (SIGUSR1 - 1))));
    printf("selectors: cs %#x ss %#x, frame cs %#lx\n", cs, ss, frame_cs);
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
    printf("tgkill: code %d (SI_TKILL %d) sender ok %d\n", last_code, SI_TKILL, last_pid_ok);
    union sigval v = {.sival_int = 1234};
    sigqueue(getpid(), SIGUSR1, v);
    printf("sigqueue: code %d (SI_QUEUE %d) value %d\n", last_code, SI_QUEUE, last_value);
    show("order");
    sig_set(SIGUSR2, on_plain, NULL, SA_RESETHAND);
    raise(SIGUSR2);
    struct sigaction now;
    sigaction(SIGUSR2, NULL, &now);
    printf("resethand: ran %d, now default %d\n", norder, now.sa_handler == SIG_DFL);
    norder = 0;
    sig_set(SIGUSR2, on_nested, NULL, SA_NODEFER);
    raise(SIGUSR2);
    printf("nodefer: depth %d\n", max_depth);
    norder = 0;
}

static void masks(void)
{
    sigset_t p;
    sig_set(SIGUSR1, on_plain, NULL, 0);
    sig_set(SIGUSR2, on_plain, NULL, 0);
    sig_set(SIGTERM, on_plain, NULL, 0);
    block(SIG_BLOCK, SIGUSR1);
    block(SIG_BLOCK, SIGUSR2);
    block(SIG_BLOCK, SIGTERM);
    raise(SIGTERM);
    raise(SIGUSR2);
    raise(SIGUSR1);
    raise(SIGUSR1); /* a standard signal is pending at most once */
    sigpending(&p);
    printf("pending: usr1 %d usr2 %d term %d int %d, ran %d\n", sigismember(&p, SIGUSR1), sigismember(&p, SIGUSR2),
           sigismember(&p, SIGTERM), sigismember(&p, SIGINT), norder);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL); /* all three at once: nested, the last taken runs first */
    show("unblocked");
    /* SIGKILL and SIGSTOP cannot be blocked */
    sigset_t all, got;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    sigprocmask(SIG_SETMASK, NULL, &got);
    printf("fill: kill %d stop %d usr1 %d\n", sigismember(&got, SIGKILL), sigismember(&got, SIGSTOP),
           sigismember(&got, SIGUSR1));
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* ignoring a pending signal discards it */
    block(SIG_BLOCK, SIGUSR1);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    sigpending(&p);
    printf("ignored pending: %d\n", sigismember(&p, SIGUSR1));
    block(SIG_UNBLOCK, SIGUSR1);
    signal(SIGUSR1, SIG_DFL);
    errno = 0;
    int r = (int)syscall(SYS_rt_sigprocmask, 7, &none, NULL, 8);
    printf("bad how: %d errno %d\n", r, errno);
    r = sigaction(SIGKILL, &(struct sigaction){0}, NULL);
    printf("sigaction SIGKILL: %d errno %d\n", r, errno);
    r = (int)syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4);
    printf("sigsetsize 4: %d errno %d\n", r, errno);
}

static void realtime(void)
{
    int rt = SIGRTMIN + 2;
    sig_set(rt, NULL, on_info, 0);
    block(SIG_BLOCK, rt);
    for (int i = 0; i < 3; i++)
        sigqueue(getpid(), rt, (union sigval){.sival_int = 10 + i});
    block(SIG_UNBLOCK, rt);
    printf("rt queued: %d deliveries, last value %d\n", norder, last_value);
    norder = 0;
    /* two different real-time signals: the lower number first */
    sig_set(rt + 1, NULL, on_info, 0);
    block(SIG_BLOCK, rt);
    block(SIG_BLOCK, rt + 1);
    raise(rt + 1);
    raise(rt);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    printf("rt order: %d %d (rt %d)\n", order[0] - rt, order[1] - rt, norder);
    norder = 0;
}

static void waiting(void)
{
    sigset_t w;
    siginfo_t si;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR2);
    sigprocmask(SIG_BLOCK, &w, NULL);
    sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 77});
    int s = sigwaitinfo(&w, &si);
    printf("sigwaitinfo: %d code %d value %d\n", s, si.si_code, si.si_value.sival_int);
    struct timespec zero = {0, 0}, short_wait = {0, 30 * 1000 * 1000};
    errno = 0;
    s = sigtimedwait(&w, &si, &zero);
    printf("sigtimedwait poll: %d errno %d\n", s, errno);
    errno = 0;
    s = sigtimedwait(&w, &si, &short_wait);
    printf("sigtimedwait 30ms: %d errno %d\n", s, errno);
    /* sigsuspend: the handler runs inside, the old mask comes back */
    sig_set(SIGUSR2, NULL, on_info, 0);
    raise(SIGUSR2);
    sigset_t empty, after;
    sigemptyset(&empty);
    errno = 0;
    s = sigsuspend(&empty);
    sigprocmask(SIG_SETMASK, NULL, &after);
    printf("sigsuspend: %d errno %d ran %d handler mask had usr2 %d, after has usr2 %d\n", s, errno, norder,
           !!(mask_in_handler & (1ul << (SIGUSR2 - 1))), sigismember(&after, SIGUSR2));
    norder = 0;
    sigprocmask(SIG_UNBLOCK, &w, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    basics();
    masks();
    realtime();
    waiting();
    signal(SIGTERM, SIG_DFL);
    printf("now dying of SIGTERM\n");
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
