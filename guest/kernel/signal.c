/* signal.c: rt_sigaction/rt_sigprocmask bookkeeping, kill/tkill/tgkill to itself, default actions. */
#include "signal.h"

#include "bvm_linux.h"
#include "hostcall.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define SIGBIT(s) (1ull << ((s)-1))
#define UNBLOCKABLE (SIGBIT(LINUX_SIGKILL) | SIGBIT(LINUX_SIGSTOP))

static struct linux_sigaction actions[LINUX_NSIG + 1];
static uint64_t blocked, pending;

/* sigaltstack: the alternate stack is recorded for when handlers run (not yet). */
struct linux_stack {
    uint64_t sp;
    int32_t flags;
    int32_t pad;
    uint64_t size;
};
_Static_assert(sizeof(struct linux_stack) == 24, "stack_t size");
static struct linux_stack alt = {0, LINUX_SS_DISABLE, 0, 0};

static bool default_ignored(int sig)
{
    return sig == LINUX_SIGCHLD || sig == LINUX_SIGURG || sig == LINUX_SIGWINCH || sig == LINUX_SIGCONT;
}

static bool default_stops(int sig)
{
    return sig == LINUX_SIGSTOP || sig == LINUX_SIGTSTP || sig == LINUX_SIGTTIN || sig == LINUX_SIGTTOU;
}

int64_t sys_rt_sigaction(SYSARGS)
{
    int sig = (int)a0;
    struct linux_sigaction act;
    if (a3 != 8 || sig < 1 || sig > LINUX_NSIG)
        return -LINUX_EINVAL;
    if (a1 && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP))
        return -LINUX_EINVAL;
    /* Read the new action before writing the old one: the two may be the same buffer. */
    if (a1 && copy_from_user(&act, a1, sizeof(act)))
        return -LINUX_EFAULT;
    if (a2 && copy_to_user(a2, &actions[sig], sizeof(actions[sig])))
        return -LINUX_EFAULT;
    if (a1) {
        act.mask &= ~UNBLOCKABLE;
        actions[sig] = act;
        /* Setting SIG_IGN (or a default that ignores) discards a pending instance. */
        if (act.handler == LINUX_SIG_IGN || (act.handler == LINUX_SIG_DFL && default_ignored(sig)))
            pending &= ~SIGBIT(sig);
    }
    return 0;
}

void signal_exec_reset(void)
{
    /* Linux's flush_signal_handlers: the handlers are gone with the image; mask and pending stay. */
    for (int sig = 1; sig <= LINUX_NSIG; sig++) {
        uint64_t h = actions[sig].handler == LINUX_SIG_IGN ? LINUX_SIG_IGN : LINUX_SIG_DFL;
        memset(&actions[sig], 0, sizeof(actions[sig]));
        actions[sig].handler = h;
    }
    alt = (struct linux_stack){0, LINUX_SS_DISABLE, 0, 0};
}

int64_t sys_rt_sigprocmask(SYSARGS)
{
    uint64_t set;
    if (a3 != 8)
        return -LINUX_EINVAL;
    if (a1 && copy_from_user(&set, a1, sizeof(set)))
        return -LINUX_EFAULT;
    if (a2 && copy_to_user(a2, &blocked, sizeof(blocked)))
        return -LINUX_EFAULT;
    if (!a1)
        return 0;
    switch (a0) {
    case 0:
        blocked |= set;
        break;
    case 1:
        blocked &= ~set;
        break;
    case 2:
        blocked = set;
        break;
    default:
        return -LINUX_EINVAL;
    }
    blocked &= ~UNBLOCKABLE;
    return 0;
}

/* Makes sig pending for this (only) process unless its disposition discards it. */
int64_t signal_raise(int sig)
{
    if (sig < 0 || sig > LINUX_NSIG)
        return -LINUX_EINVAL;
    if (sig == 0)
        return 0; /* existence check only */
    uint64_t h = actions[sig].handler;
    if (h == LINUX_SIG_IGN || (h == LINUX_SIG_DFL && default_ignored(sig)))
        return 0;
    pending |= SIGBIT(sig);
    return 0;
}

static bool is_self(int64_t pid)
{
    return pid == boot->pid || pid == 0 || pid == -1 || pid == -(int64_t)boot->pid;
}

int64_t sys_kill(SYSARGS)
{
    /* Only this process exists for the program; others are not visible to it. */
    return is_self((int32_t)a0) ? signal_raise((int)a1) : -LINUX_ESRCH;
}

int64_t sys_tkill(SYSARGS)
{
    return (int32_t)a0 == boot->pid ? signal_raise((int)a1) : -LINUX_ESRCH;
}

int64_t sys_tgkill(SYSARGS)
{
    if ((int32_t)a0 <= 0 || (int32_t)a1 <= 0)
        return -LINUX_EINVAL;
    return (int32_t)a0 == boot->pid && (int32_t)a1 == boot->pid ? signal_raise((int)a2) : -LINUX_ESRCH;
}

static void signal_act(struct trapframe *tf, int sig)
{
    uint64_t h = actions[sig].handler;
    if (h != LINUX_SIG_DFL && h != LINUX_SIG_IGN)
        kprintf("signal %d: the program's handler %#lx is not run yet (delivery not implemented); "
                "taking the default action",
                sig, (unsigned long)h);
    if (default_ignored(sig))
        return;
    if (default_stops(sig)) {
        kprintf("signal %d: stopping is not supported; ignored", sig);
        return;
    }
    hc_exit_signal(sig, 0xffffffffu, 0, tf->rip, NULL, 0);
}

void signal_deliver_pending(struct trapframe *tf)
{
    uint64_t ready = pending & ~blocked;
    for (int sig = 1; ready && sig <= LINUX_NSIG; sig++) {
        if (!(ready & SIGBIT(sig)))
            continue;
        pending &= ~SIGBIT(sig);
        ready &= ~SIGBIT(sig);
        signal_act(tf, sig);
    }
}

_Noreturn void signal_fault(struct trapframe *tf, int sig, uint64_t addr)
{
    uint8_t insn[16];
    uint32_t n = 0;
    /* Best effort: as many instruction bytes as are readable. */
    while (n < sizeof(insn) && copy_from_user(&insn[n], tf->rip + n, 1) == 0)
        n++;
    uint64_t h = actions[sig].handler;
    if (boot->flags & BVM_BOOT_VERBOSE)
        kprintf("fault: signal %d vector %lu error %#lx addr %#lx rip %#lx cs %#lx rsp %#lx rcx %#lx r11 "
                "%#lx rflags %#lx ss %#lx",
                sig, (unsigned long)tf->vector, (unsigned long)tf->error, (unsigned long)addr,
                (unsigned long)tf->rip, (unsigned long)tf->cs, (unsigned long)tf->rsp, (unsigned long)tf->rcx,
                (unsigned long)tf->r11, (unsigned long)tf->rflags, (unsigned long)tf->ss);
    if (h != LINUX_SIG_DFL && h != LINUX_SIG_IGN)
        kprintf("signal %d: the program's handler %#lx is not run yet (delivery not implemented)", sig,
                (unsigned long)h);
    hc_exit_signal(sig, (uint32_t)tf->vector, addr, tf->rip, insn, n);
}

int64_t sys_sigaltstack(SYSARGS)
{
    struct linux_stack ns;
    if (a0 && copy_from_user(&ns, a0, sizeof(ns)))
        return -LINUX_EFAULT;
    if (a1 && copy_to_user(a1, &alt, sizeof(alt)))
        return -LINUX_EFAULT;
    if (!a0)
        return 0;
    if (ns.flags & ~LINUX_SS_DISABLE)
        return -LINUX_EINVAL;
    if (!(ns.flags & LINUX_SS_DISABLE) && ns.size < LINUX_MINSIGSTKSZ)
        return -LINUX_ENOMEM;
    alt = ns;
    alt.pad = 0;
    return 0;
}
