/* signal.c: signal generation, pending queues, and delivery on the way back to user mode. */
#include "signal.h"

#include "check.h"
#include "cpu.h"
#include "cred.h"
#include "events.h"
#include "gdb.h"
#include "hostcall.h"
#include "sched.h"
#include "sigframe.h"
#include "string.h"
#include "syscall.h"
#include "timer.h"
#include "usercopy.h"

#define SIGQ_MAX 1024 /* queued siginfos for all queues (Linux's RLIMIT_SIGPENDING is per user) */

struct sigq_entry {
    struct sigq_entry *next;
    struct linux_siginfo info;
};

static struct sigq_entry sigq_pool[SIGQ_MAX];
static struct sigq_entry *sigq_free;
static int sigq_nfree;

void signal_init(void)
{
    for (int i = 0; i < SIGQ_MAX; i++) {
        sigq_pool[i].next = sigq_free;
        sigq_free = &sigq_pool[i];
    }
    sigq_nfree = SIGQ_MAX;
}

int signal_queue_room(void)
{
    return sigq_nfree;
}

static bool default_ignored(int sig)
{
    return sig == LINUX_SIGCHLD || sig == LINUX_SIGURG || sig == LINUX_SIGWINCH || sig == LINUX_SIGCONT;
}

bool signal_default_stops(int sig)
{
    return sig == LINUX_SIGSTOP || sig == LINUX_SIGTSTP || sig == LINUX_SIGTTIN || sig == LINUX_SIGTTOU;
}

/* The disposition throws the signal away (SIG_IGN, or a default that ignores). */
bool signal_ignored(int sig)
{
    uint64_t h = cur_proc->action[sig].handler;
    return h == LINUX_SIG_IGN || (h == LINUX_SIG_DFL && default_ignored(sig));
}

/* Appends info to q; a standard signal already pending is not queued twice. Without a free entry
 * the signal is still made pending (without its siginfo, as Linux does) unless it comes from
 * sigqueue, which gets EAGAIN. */
static int sq_add(struct sigpending *q, const struct linux_siginfo *info)
{
    int sig = info->si_signo;
    if (sig < 32 && (q->set & SIGBIT(sig)))
        return 0;
    struct sigq_entry *e = sigq_free;
    if (!e) {
        if (info->si_code < 0 && info->si_code != LINUX_SI_TKILL)
            return -LINUX_EAGAIN;
        q->set |= SIGBIT(sig);
        return 0;
    }
    sigq_free = e->next;
    sigq_nfree--;
    e->info = *info;
    e->next = NULL;
    struct sigq_entry **p = &q->head;
    while (*p)
        p = &(*p)->next;
    *p = e;
    q->set |= SIGBIT(sig);
    return 0;
}

/* Removes the first queued instance of sig from q into *info (a bare SI_USER siginfo when the
 * queue had no room for it) and clears the bit when none is left. */
static void sq_take(struct sigpending *q, int sig, struct linux_siginfo *info)
{
    memset(info, 0, sizeof(*info));
    info->si_signo = sig;
    struct sigq_entry **p = &q->head;
    while (*p && (*p)->info.si_signo != sig)
        p = &(*p)->next;
    if (*p) {
        struct sigq_entry *e = *p;
        *info = e->info;
        *p = e->next;
        e->next = sigq_free;
        sigq_free = e;
        sigq_nfree++;
    }
    for (struct sigq_entry *r = *p; r; r = r->next)
        if (r->info.si_signo == sig)
            return; /* another instance is still queued */
    q->set &= ~SIGBIT(sig);
}

/* Drops every pending instance of the signals in mask from q. */
static void sq_flush(struct sigpending *q, uint64_t mask)
{
    struct linux_siginfo dummy;
    for (int sig = 1; sig <= LINUX_NSIG; sig++)
        while ((q->set & mask) & SIGBIT(sig))
            sq_take(q, sig, &dummy);
}

/* Drops them from every thread's queue and the process's. */
static void flush_all(uint64_t mask)
{
    for_each_thread(t)
        sq_flush(&t->pending, mask);
    sq_flush(&cur_proc->pending, mask);
}

void signal_flush_ignored(int sig)
{
    flush_all(SIGBIT(sig));
}

void signal_thread_exit(struct thread *t)
{
    sq_flush(&t->pending, ~0ull);
}

/* Linux's prepare_signal: SIGCONT cancels pending stops and a stop cancels a pending SIGCONT. */
static void prepare_signal(int sig)
{
    uint64_t stops = SIGBIT(LINUX_SIGSTOP) | SIGBIT(LINUX_SIGTSTP) | SIGBIT(LINUX_SIGTTIN) | SIGBIT(LINUX_SIGTTOU);
    if (sig == LINUX_SIGCONT)
        flush_all(stops);
    else if (stops & SIGBIT(sig))
        flush_all(SIGBIT(LINUX_SIGCONT));
}

/* Linux's complete_signal: a process-directed signal wakes a thread that does not block it, the
 * running one first; a fatal one needs no thread's help (the first to return to user mode, or the
 * one that takes the next host event, ends the process). */
static void wake_for(struct thread *t, int sig)
{
    uint64_t bit = SIGBIT(sig);
    if (t) {
        if (!(t->blocked & bit) || (t->waits_for & bit))
            sched_wake(t);
        return;
    }
    if (!(cur->blocked & bit) && cur->state != THREAD_DEAD) {
        sched_wake(cur);
        return;
    }
    for_each_thread(o) {
        if (!(o->blocked & bit) || (o->state == THREAD_BLOCKED && (o->waits_for & bit))) {
            sched_wake(o);
            return;
        }
    }
}

int signal_send(struct thread *t, const struct linux_siginfo *info)
{
    int sig = info->si_signo;
    if (sig < 1 || sig > LINUX_NSIG)
        return -LINUX_EINVAL;
    prepare_signal(sig);
    /* An ignored signal is discarded at once unless blocked (the handler may change before it is
     * unblocked); SIGKILL is never ignored. */
    if (signal_ignored(sig) && !((t ? t : cur)->blocked & SIGBIT(sig)))
        return 0;
    int err = sq_add(t ? &t->pending : &cur_proc->pending, info);
    if (!err)
        wake_for(t, sig);
    return err;
}

int signal_send_to(struct thread *t, int sig, int code)
{
    struct linux_siginfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = code;
    if (code == LINUX_SI_USER || code == LINUX_SI_TKILL) {
        info.u.kill.pid = cur_proc->pid;
        info.u.kill.uid = cred.uid;
    }
    return signal_send(t, &info);
}

int signal_send_simple(int sig, int code)
{
    return signal_send_to(code == LINUX_SI_TKILL ? cur : NULL, sig, code);
}

/* Linux's force_sig_info: a blocked or ignored signal the thread cannot survive without is
 * unblocked and its disposition reset, then sent to the thread. */
static void force(int sig, int code, uint64_t addr)
{
    struct linux_siginfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = code;
    info.u.fault.addr = addr;
    struct linux_sigaction *a = &cur_proc->action[sig];
    if ((cur->blocked & SIGBIT(sig)) || a->handler == LINUX_SIG_IGN) {
        if (a->handler == LINUX_SIG_IGN)
            a->handler = LINUX_SIG_DFL;
        cur->blocked &= ~SIGBIT(sig);
    }
    sq_add(&cur->pending, &info);
}

void signal_force_fault(struct trapframe *tf, int sig, int code, uint64_t addr)
{
    cur->trap_nr = tf->vector;
    cur->error_code = tf->error;
    cur->fault_rip = tf->rip;
    cur->fault_sig = sig;
    force(sig, code, addr);
}

void signal_force_sigsegv(void)
{
    force(LINUX_SIGSEGV, LINUX_SI_KERNEL, 0);
}

/* Linux's next_signal: the synchronous (fault) signals first, then the lowest number. */
static int next_signal(uint64_t set)
{
    uint64_t sync = SIGBIT(LINUX_SIGSEGV) | SIGBIT(LINUX_SIGBUS) | SIGBIT(LINUX_SIGILL) |
                    SIGBIT(LINUX_SIGTRAP) | SIGBIT(LINUX_SIGFPE) | SIGBIT(LINUX_SIGSYS);
    if (set & sync)
        set &= sync;
    return set ? __builtin_ctzll(set) + 1 : 0;
}

int signal_dequeue(uint64_t allowed, struct linux_siginfo *info)
{
    int sig = next_signal(cur->pending.set & allowed);
    if (sig)
        sq_take(&cur->pending, sig, info);
    else if ((sig = next_signal(cur_proc->pending.set & allowed)) != 0)
        sq_take(&cur_proc->pending, sig, info);
    if (sig && info->si_code == LINUX_SI_TIMER)
        timer_signal_taken(info);
    return sig;
}

uint64_t signal_pending_set(void)
{
    return cur->pending.set | cur_proc->pending.set;
}

bool signal_pending(void)
{
    return (signal_pending_set() & ~cur->blocked) != 0;
}

void signal_set_blocked(uint64_t mask)
{
    cur->blocked = mask & ~(SIGBIT(LINUX_SIGKILL) | SIGBIT(LINUX_SIGSTOP));
}

/* The default action of a signal that kills: the run ends with it, with the record of the fault
 * that raised it (for --verbose) when it came from one. */
static _Noreturn void die(int sig, bool from_fault)
{
    check_exit(); /* memcheck searches for leaks when a program dies of a signal too */
    process_mm_release();
    if (from_fault) {
        uint8_t insn[16];
        uint32_t n = 0;
        while (n < sizeof(insn) && copy_from_user(&insn[n], cur->fault_rip + n, 1) == 0)
            n++;
        uint64_t addr = cur->trap_nr == X86_VEC_PF ? cur->cr2 : 0;
        hc_exit_signal(sig, (uint32_t)cur->trap_nr, addr, cur->fault_rip, insn, n);
    }
    hc_exit_signal(sig, 0xffffffffu, 0, cur->tf ? cur->tf->rip : 0, NULL, 0);
}

/* An interrupted syscall (its result a restart code): EINTR or a restart, by Linux's rules. a is the
 * action of the handler about to run, or NULL when none runs (then every kind restarts). */
static void resolve_restart(struct trapframe *tf, const struct linux_sigaction *a)
{
    if (!cur->in_syscall)
        return;
    cur->in_syscall = false;
    int64_t code = -(int64_t)tf->rax;
    bool restart = code == LINUX_ERESTARTNOINTR ||
                   (code == LINUX_ERESTARTSYS && (!a || (a->flags & LINUX_SA_RESTART))) ||
                   (!a && (code == LINUX_ERESTARTNOHAND || code == LINUX_ERESTART_RESTARTBLOCK));
    if (restart) {
        tf->rax = tf->error; /* the syscall number */
        tf->rip -= 2;        /* back onto the SYSCALL instruction */
    } else if (code >= LINUX_ERESTARTSYS && code <= LINUX_ERESTART_RESTARTBLOCK) {
        tf->rax = (uint64_t)-LINUX_EINTR;
    }
}

/* Runs sig's handler: frame on the user stack, mask widened, SA_RESETHAND honoured. */
static void handle(struct trapframe *tf, int sig, const struct linux_siginfo *info)
{
    struct linux_sigaction a = cur_proc->action[sig];
    resolve_restart(tf, &a);
    uint64_t old = cur->restore_mask ? cur->saved_mask : cur->blocked;
    cur->restore_mask = false;
    if (sigframe_setup(tf, sig, &a, info, old) < 0) {
        /* No room or no restorer: Linux's force_sigsegv (fatal when it was SIGSEGV's own frame). */
        if (sig == LINUX_SIGSEGV)
            cur_proc->action[LINUX_SIGSEGV].handler = LINUX_SIG_DFL;
        signal_force_sigsegv();
        return;
    }
    signal_set_blocked(cur->blocked | a.mask | ((a.flags & LINUX_SA_NODEFER) ? 0 : SIGBIT(sig)));
    if (a.flags & LINUX_SA_RESETHAND)
        cur_proc->action[sig].handler = LINUX_SIG_DFL;
}

int signal_next_action(struct linux_siginfo *info)
{
    for (;;) {
        int sig = signal_dequeue(~cur->blocked, info);
        if (!sig)
            return 0;
        bool from_fault = sig == cur->fault_sig;
        if (from_fault)
            cur->fault_sig = 0;
        if (gdb_on()) { /* gdb sees it first: it may drop it or give another */
            int to = gdb_signal(sig, info);
            if (!to)
                continue;
            if (to != sig) {
                memset(info, 0, sizeof(*info));
                info->si_signo = sig = to;
                info->si_code = LINUX_SI_USER;
                from_fault = false;
            }
        }
        trace_signal(info);
        uint64_t h = cur_proc->action[sig].handler;
        if (h == LINUX_SIG_IGN || (h == LINUX_SIG_DFL && default_ignored(sig)))
            continue;
        if (h == LINUX_SIG_DFL && signal_default_stops(sig)) {
            signal_stop(sig);
            continue;
        }
        if (h == LINUX_SIG_DFL)
            die(sig, from_fault);
        return sig;
    }
}

/* Whether a pending signal would run a handler or kill; the ignored and stopping ones are taken
 * here (a stop happens at once), as Linux does them on the way out and restarts the call. */
bool signal_interrupts(void)
{
    uint64_t ready;
    while ((ready = signal_pending_set() & ~cur->blocked) != 0) {
        int sig = next_signal(ready);
        uint64_t h = cur_proc->action[sig].handler;
        bool stops = h == LINUX_SIG_DFL && signal_default_stops(sig);
        if (!stops && h != LINUX_SIG_IGN && !(h == LINUX_SIG_DFL && default_ignored(sig)))
            return true;
        struct linux_siginfo info;
        signal_dequeue(SIGBIT(sig), &info);
        trace_signal(&info);
        if (stops)
            signal_stop(sig);
    }
    return false;
}

bool signal_work(const struct trapframe *tf)
{
    return cur->in_syscall || cur->restore_mask || signal_pending() || events_waiting() || !sigframe_rip_ok(tf->rip) ||
           cur->gdb_step;
}

void signal_deliver(struct trapframe *tf)
{
    struct linux_siginfo info;
    int sig;
    cur->tf = tf;
    events_take_left();
    for (int round = 0;; round++) {
        while ((sig = signal_next_action(&info)) != 0)
            handle(tf, sig, &info);
        resolve_restart(tf, NULL);
        if (cur->restore_mask) {
            cur->restore_mask = false;
            signal_set_blocked(cur->saved_mask);
        }
        if (sigframe_rip_ok(tf->rip)) {
            gdb_user_return(tf);
            return;
        }
        /* Returning to a non-canonical address (a sigreturn frame or a handler said so) is
         * SIGSEGV on Linux; if that SIGSEGV cannot get anywhere better, it kills. */
        if (round) {
            process_mm_release();
            hc_exit_signal(LINUX_SIGSEGV, 0xffffffffu, 0, tf->rip, NULL, 0);
        }
        signal_force_sigsegv();
    }
}

void signal_stop(int sig)
{
    trace_stop(sig);
    struct bvm_hostcall *r = hc_req(BVM_HC_STOP);
    r->u.stop.signal = sig;
    hc_issue();
}

void signal_fork_reset(void)
{
    /* Linux's fork: the child's pending sets start empty; mask, handlers, altstack are inherited. */
    sq_flush(&cur->pending, ~0ull);
    sq_flush(&cur_proc->pending, ~0ull);
    cur->fault_sig = 0;
}

void signal_exec_reset(void)
{
    /* Linux's flush_signal_handlers: the handlers are gone with the image; mask and pending stay. */
    struct linux_sigaction *chld = &cur_proc->action[LINUX_SIGCHLD];
    if (chld->handler != LINUX_SIG_IGN && (chld->flags & LINUX_SA_NOCLDWAIT))
        process_child_reap(false); /* SA_NOCLDWAIT goes with the handler */
    for (int sig = 1; sig <= LINUX_NSIG; sig++) {
        struct linux_sigaction *a = &cur_proc->action[sig];
        uint64_t h = a->handler == LINUX_SIG_IGN ? LINUX_SIG_IGN : LINUX_SIG_DFL;
        memset(a, 0, sizeof(*a));
        a->handler = h;
    }
    cur->altstack = (struct linux_stack){0, LINUX_SS_DISABLE, 0, 0};
}
