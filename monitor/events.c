/* events.c: host signals for the guest: caught, queued with their siginfo, handed to the kernel. */
#include "events.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "gdb_stub.h"
#include "hostcall.h"
#include "lineage.h"
#include "tids.h"

#define EV_RING 256 /* queued signals; a standard signal is queued at most once */

extern char safe_syscall_start[], safe_syscall_end[], safe_syscall_eintr[];

volatile int events_pending;

/* Written by the handlers (forwarded signals are masked while one runs; the vCPU thread's and the
 * tid holders' may run at once, so they take ring_lock), read by the main flow only, which needs
 * no lock: the index updates are ordered. */
static struct bvm_event ring[EV_RING];
static unsigned ring_head, ring_tail;
static int ring_lock;
static volatile uint64_t std_queued; /* standard signals in the ring */
static struct vcpu *volatile ev_vcpu;
static pid_t vcpu_tid;     /* the host thread that runs the vCPU (and the guest's first thread's id) */
static int kick_sent;      /* a holder's kick is on its way to it */
static int doorbell_rung;
static sigset_t forwarded_set;    /* the signals caught here (and the timer signal) */
static volatile int throttled;    /* the ring filled up: they stay pending in the host meanwhile */

/* The host timers behind ALARM, and the signal they fire with (not forwarded to the program). */
#define TIMER_SIGNAL SIGRTMAX
static const clockid_t timer_clock[BVM_TIMER_COUNT] = {CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID};
static timer_t host_timer[BVM_TIMER_COUNT];
static int timer_ready[BVM_TIMER_COUNT];
static volatile uint32_t timers_fired;

/* The signals a program may get from outside, SIGCHLD from its children (the monitor's) included.
 * Not forwarded: SIGKILL and SIGSTOP (the host acts on buffervm itself), the monitor's own faults
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS), SIGPIPE (the monitor ignores it and
 * the kernel raises the guest's on EPIPE), 32, 33 (the host libc's), and the monitor's own two. */
static int forwarded(int sig)
{
    if (sig == TIMER_SIGNAL || sig == LINEAGE_SIGNAL) /* the monitor's own timers, its parent's death */
        return 0;
    switch (sig) {
    case SIGKILL: case SIGSTOP: case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGTRAP:
    case SIGABRT: case SIGSYS: case SIGPIPE:
        return 0;
    default:
        return sig >= 1 && sig < 32 ? 1 : sig >= SIGRTMIN && sig <= SIGRTMAX;
    }
}

/* tid: the guest thread a tgkill or tkill named (the holder it came to), or 0. The ring's fill
 * after it, or -1 when it had reached limit already (nothing queued). */
static int enqueue(int sig, const siginfo_t *si, int tid, unsigned limit)
{
    while (__atomic_exchange_n(&ring_lock, 1, __ATOMIC_ACQUIRE))
        syscall(SYS_sched_yield);
    unsigned t = ring_tail, fill = t - __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE);
    int ret = (int)fill;
    if (fill >= limit)
        ret = -1;
    else if (!(sig < 32 && (std_queued & (1ull << sig)))) { /* (a standard one pending is merged) */
        struct bvm_event *e = &ring[t % EV_RING];
        memset(e, 0, sizeof *e);
        e->kind = BVM_EVENT_SIGNAL;
        e->signo = sig;
        e->code = si->si_code;
        e->pid = si->si_pid;
        e->uid = si->si_uid;
        e->tid = tid;
        e->value = (uint64_t)(uintptr_t)si->si_value.sival_ptr;
        if (sig < 32)
            __atomic_or_fetch(&std_queued, 1ull << sig, __ATOMIC_SEQ_CST);
        __atomic_store_n(&ring_tail, t + 1, __ATOMIC_RELEASE);
        ret++;
    }
    __atomic_store_n(&ring_lock, 0, __ATOMIC_RELEASE);
    return ret;
}

/* Only SI_TKILL says a signal was sent to one thread (a sigqueue landing on a holder is the
 * process's, as it may when the vCPU thread cannot take it at once). */
static int target_tid(const siginfo_t *si, int holder)
{
    return si->si_code != SI_TKILL ? 0 : holder ? holder : vcpu_tid;
}

/* On a holder: the vCPU thread is told by a signal of its own (once until it comes). */
static void kick_vcpu(void)
{
    events_pending = 1;
    if (!__atomic_exchange_n(&kick_sent, 1, __ATOMIC_SEQ_CST))
        syscall(SYS_tgkill, getpid(), vcpu_tid, TIMER_SIGNAL);
}

static int is_kick(int sig, const siginfo_t *si)
{
    return sig == TIMER_SIGNAL && si->si_code == SI_TKILL && si->si_pid == getpid();
}

/* A signal that came to a holder (tids.c): the ring's last slot is the vCPU thread's, so a holder
 * waits in its handler for room (the signals stay masked on it meanwhile and wait in the host,
 * like the vCPU thread's when it throttles). Only a holder whose thread ends drops it. */
static void holder_signal(int sig, const siginfo_t *si, int holder)
{
    if (sig == SIGIO && si->si_code > 0 && gdb_stub_io_signal(si->si_fd))
        ; /* bytes from gdb (its interrupt?): events_take asks */
    else
        while (enqueue(sig, si, target_tid(si, holder), EV_RING - 1) < 0 && !tids_holder_ending()) {
            kick_vcpu();
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        }
    kick_vcpu();
}

/* The ring has one slot left after this handler's signal: the signals stay blocked on the vCPU
 * thread when it returns, so what else comes waits in the host's own queue (where a sender finally
 * gets EAGAIN) instead of being dropped; events_take unblocks them once the kernel has made room. */
static void throttle(ucontext_t *uc)
{
    throttled = 1;
    for (int s = 1; s <= SIGRTMAX; s++)
        if (sigismember(&forwarded_set, s) == 1)
            sigaddset(&uc->uc_sigmask, s);
}

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    int saved = errno, holder = tids_holder_self(), fill = 0;
    if (holder) {
        holder_signal(sig, si, holder);
        errno = saved;
        return;
    }
    if (is_kick(sig, si))
        __atomic_store_n(&kick_sent, 0, __ATOMIC_SEQ_CST);
    else if (sig == TIMER_SIGNAL && si->si_code == SI_TIMER)
        __atomic_or_fetch(&timers_fired, 1u << (si->si_value.sival_int & 31), __ATOMIC_SEQ_CST);
    else if (sig == SIGIO && si->si_code > 0 && gdb_stub_io_signal(si->si_fd))
        ; /* bytes from gdb (its interrupt?): events_take asks */
    else if (sig != LINEAGE_SIGNAL || !lineage_signal_is_own(si))
        fill = enqueue(sig, si, target_tid(si, 0), EV_RING);
    else if ((sig = lineage_parent_died()) != 0)
        fill = enqueue(sig, si, 0, EV_RING); /* the guest's PR_SET_PDEATHSIG */
    if (fill >= EV_RING - 1)
        throttle(uc);
    events_pending = 1;
    /* Inside safe_syscall, before or at the SYSCALL: leave with -EINTR instead of blocking. */
    greg_t *ip = &uc->uc_mcontext.gregs[REG_RIP];
    if (*ip >= (greg_t)safe_syscall_start && *ip < (greg_t)safe_syscall_end)
        *ip = (greg_t)safe_syscall_eintr;
    if (ev_vcpu)
        ev_vcpu->ops->request_stop(ev_vcpu);
    errno = saved;
}

void events_install(struct vcpu *v)
{
    struct sigaction sa;
    ev_vcpu = v;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig <= SIGRTMAX; sig++)
        if (forwarded(sig) || sig == TIMER_SIGNAL || sig == LINEAGE_SIGNAL)
            sigaddset(&sa.sa_mask, sig);
    forwarded_set = sa.sa_mask;
    vcpu_tid = (pid_t)syscall(SYS_gettid);
    for (int sig = 1; sig <= SIGRTMAX; sig++)
        if (forwarded(sig) || sig == TIMER_SIGNAL || sig == LINEAGE_SIGNAL)
            sigaction(sig, &sa, NULL);
    /* The monitor takes them all; what the program inherited blocked stays blocked in the guest
     * (bvm_bootinfo.sig_blocked), where they wait as they would on Linux. */
    sigprocmask(SIG_UNBLOCK, &sa.sa_mask, NULL);
}

void events_holder_signals(sigset_t *set)
{
    *set = forwarded_set; /* the monitor's timers and its parent's death stay the vCPU thread's */
    sigdelset(set, TIMER_SIGNAL);
    sigdelset(set, LINEAGE_SIGNAL);
}

int events_take(struct bvm_event *e)
{
    events_pending = 0; /* first: an event arriving from here on sets it again */
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (gdb_stub_interrupt_due()) {
        memset(e, 0, sizeof *e);
        e->kind = BVM_EVENT_GDB;
        events_pending = 1; /* (what else waits comes next) */
        return 1;
    }
    uint32_t fired = __atomic_exchange_n(&timers_fired, 0, __ATOMIC_SEQ_CST);
    unsigned h = ring_head, tail = __atomic_load_n(&ring_tail, __ATOMIC_ACQUIRE);
    if (fired) {
        memset(e, 0, sizeof *e);
        e->kind = BVM_EVENT_TIMER;
        e->timers = fired;
        if (h != tail)
            events_pending = 1;
        return 1;
    }
    if (h == tail) {
        doorbell_rung = 0;
        return 0;
    }
    *e = ring[h % EV_RING];
    if (e->signo < 32)
        __atomic_and_fetch(&std_queued, ~(1ull << e->signo), __ATOMIC_SEQ_CST);
    __atomic_store_n(&ring_head, h + 1, __ATOMIC_RELEASE);
    if (h + 1 != tail)
        events_pending = 1;
    if (throttled) {
        throttled = 0;
        sigprocmask(SIG_UNBLOCK, &forwarded_set, NULL); /* room again: what waited in the host comes */
    }
    return 1;
}

void events_child_reap(int on)
{
    struct sigaction sa;
    sigaction(SIGCHLD, NULL, &sa);
    sa.sa_flags = on ? sa.sa_flags | SA_NOCLDWAIT : sa.sa_flags & ~SA_NOCLDWAIT;
    sigaction(SIGCHLD, &sa, NULL);
}

void events_after_fork(void)
{
    ring_lock = 0; /* (a holder of the parent's may have held it: it is not in this process) */
    kick_sent = 0;
    vcpu_tid = (pid_t)syscall(SYS_gettid);
    ring_head = ring_tail;
    std_queued = 0;
    timers_fired = 0;
    for (int k = 0; k < BVM_TIMER_COUNT; k++)
        timer_ready[k] = 0;
    doorbell_rung = 0;
    if (throttled) {
        throttled = 0;
        sigprocmask(SIG_UNBLOCK, &forwarded_set, NULL);
    }
    events_pending = 0;
}

int events_doorbell_due(void)
{
    if (!events_pending || doorbell_rung)
        return 0;
    doorbell_rung = 1;
    return 1;
}

/* EVENT: one event for the kernel. */
int64_t hc_event(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct bvm_event e;
    if (r->u.out.out_len != sizeof e || !gm_ptr_w(c->gm, r->u.out.out_gpa, sizeof e))
        return -EFAULT;
    if (!events_take(&e))
        return 0;
    return gm_write(c->gm, r->u.out.out_gpa, &e, sizeof e) < 0 ? -EFAULT : 1;
}

/* ALARM: one host timer per kind, created on first use, armed at an absolute time (one shot: the
 * kernel arms the next deadline when it takes the TIMER event). */
int64_t hc_alarm(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_alarm *a = &r->u.alarm;
    if (a->timer >= BVM_TIMER_COUNT || a->deadline < 0)
        return -EINVAL;
    if (!timer_ready[a->timer] && !a->deadline)
        return 0; /* nothing armed yet, nothing to disarm */
    if (!timer_ready[a->timer]) {
        struct sigevent sev;
        memset(&sev, 0, sizeof sev);
        sev.sigev_notify = SIGEV_SIGNAL;
        sev.sigev_signo = TIMER_SIGNAL;
        sev.sigev_value.sival_int = (int)a->timer;
        if (timer_create(timer_clock[a->timer], &sev, &host_timer[a->timer]) < 0)
            return -errno;
        timer_ready[a->timer] = 1;
    }
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    its.it_value.tv_sec = a->deadline / 1000000000;
    its.it_value.tv_nsec = a->deadline % 1000000000;
    if (timer_settime(host_timer[a->timer], TIMER_ABSTIME, &its, NULL) < 0)
        return -errno;
    (void)c;
    return 0;
}
