/* sys_signal.c: the signal syscalls: dispositions, the mask, waiting for signals, sending them. */
#include "bvm_linux.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"
#include "wait.h"

#define UNBLOCKABLE (SIGBIT(LINUX_SIGKILL) | SIGBIT(LINUX_SIGSTOP))
/* The sa_flags Linux keeps (UAPI_SA_FLAGS); since 5.11 it clears the others so that programs can
 * tell which flags the kernel knows. */
#define SA_KNOWN                                                                                             \
    (LINUX_SA_NOCLDSTOP | LINUX_SA_NOCLDWAIT | LINUX_SA_SIGINFO | LINUX_SA_ONSTACK | LINUX_SA_RESTART |      \
     LINUX_SA_NODEFER | LINUX_SA_RESETHAND | LINUX_SA_RESTORER | 0x800u /* SA_EXPOSE_TAGBITS */)

static bool valid_sig(int64_t sig)
{
    return sig >= 1 && sig <= LINUX_NSIG;
}

int64_t sys_rt_sigaction(SYSARGS)
{
    int sig = (int)a0;
    struct linux_sigaction act, old;
    if (a3 != 8 || !valid_sig((int32_t)a0) || (a1 && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)))
        return -LINUX_EINVAL;
    if (a1 && copy_from_user(&act, a1, sizeof(act)))
        return -LINUX_EFAULT;
    old = cur_proc->action[sig];
    if (a1) {
        act.mask &= ~UNBLOCKABLE;
        act.flags &= SA_KNOWN;
        cur_proc->action[sig] = act;
        /* A disposition that ignores discards what is pending (Linux's do_sigaction). */
        if (signal_ignored(sig))
            signal_flush_ignored(sig);
        bool reap = act.handler == LINUX_SIG_IGN || (act.flags & LINUX_SA_NOCLDWAIT);
        bool reaped = old.handler == LINUX_SIG_IGN || (old.flags & LINUX_SA_NOCLDWAIT);
        if (sig == LINUX_SIGCHLD && reap != reaped) /* the host reaps them: the monitor's children */
            process_child_reap(reap);
    }
    return a2 && copy_to_user(a2, &old, sizeof(old)) ? -LINUX_EFAULT : 0;
}

int64_t sys_rt_sigprocmask(SYSARGS)
{
    uint64_t set, old = cur->blocked;
    if (a3 != 8)
        return -LINUX_EINVAL;
    if (a1) {
        if (copy_from_user(&set, a1, sizeof(set)))
            return -LINUX_EFAULT;
        switch (a0) {
        case LINUX_SIG_BLOCK: signal_set_blocked(old | set); break;
        case LINUX_SIG_UNBLOCK: signal_set_blocked(old & ~set); break;
        case LINUX_SIG_SETMASK: signal_set_blocked(set); break;
        default: return -LINUX_EINVAL;
        }
    }
    return a2 && copy_to_user(a2, &old, sizeof(old)) ? -LINUX_EFAULT : 0;
}

int64_t sys_rt_sigpending(SYSARGS)
{
    uint64_t set = signal_pending_set() & cur->blocked;
    if (a1 > sizeof(set))
        return -LINUX_EINVAL;
    return copy_to_user(a0, &set, a1) ? -LINUX_EFAULT : 0;
}

/* Waits with mask in place until a signal it lets through is pending; the old mask comes back
 * after the handler runs (its frame records the old one). */
static int64_t suspend_with(uint64_t mask)
{
    cur->saved_mask = cur->blocked;
    cur->restore_mask = true;
    signal_set_blocked(mask);
    while (wait_signal(-1) != -LINUX_EINTR)
        ;
    return -LINUX_ERESTARTNOHAND;
}

int64_t sys_rt_sigsuspend(SYSARGS)
{
    uint64_t mask;
    if (a1 != 8)
        return -LINUX_EINVAL;
    if (copy_from_user(&mask, a0, sizeof(mask)))
        return -LINUX_EFAULT;
    return suspend_with(mask);
}

int64_t sys_pause(SYSARGS)
{
    while (wait_signal(-1) != -LINUX_EINTR)
        ;
    return -LINUX_ERESTARTNOHAND;
}

int64_t sys_rt_sigtimedwait(SYSARGS)
{
    uint64_t set;
    int64_t ms = -1;
    struct linux_siginfo info;
    if (a3 != 8)
        return -LINUX_EINVAL;
    if (copy_from_user(&set, a0, sizeof(set)))
        return -LINUX_EFAULT;
    set &= ~UNBLOCKABLE;
    int64_t err = a2 ? ts_to_ms(a2, &ms) : 0;
    if (err)
        return err;
    int sig = signal_dequeue(set, &info);
    if (!sig && ms != 0) {
        /* The signals waited for count as unblocked while waiting (Linux's real_blocked). */
        uint64_t real = cur->blocked;
        signal_set_blocked(real & ~set);
        err = wait_signal(ms);
        signal_set_blocked(real);
        sig = signal_dequeue(set, &info);
    }
    if (!sig)
        return err == -LINUX_EINTR ? -LINUX_EINTR : -LINUX_EAGAIN;
    return a1 && copy_to_user(a1, &info, sizeof(info)) ? -LINUX_EFAULT : sig;
}

int64_t sys_kill(SYSARGS)
{
    int pid = (int32_t)a0, sig = (int32_t)a1;
    if (pid != cur_proc->pid) /* another process, a group (this one's too) or all: the host's kill */
        return process_kill_other(pid, sig);
    if (sig < 0 || sig > LINUX_NSIG)
        return -LINUX_EINVAL;
    return sig ? signal_send_simple(sig, LINUX_SI_USER) : 0;
}

static int64_t thread_kill(int64_t tgid, int64_t tid, int64_t sig)
{
    if (tid <= 0 || (tgid != -1 && tgid <= 0))
        return -LINUX_EINVAL;
    struct thread *t = thread_find((int)tid);
    if (!t && tgid != cur_proc->pid) /* another process's thread: the host's tgkill (or tkill) */
        return process_signal_other(BVM_KILL_THREAD, tgid, tid, (int)sig, NULL);
    if (!t || (tgid != -1 && tgid != cur_proc->pid))
        return -LINUX_ESRCH;
    if (sig < 0 || sig > LINUX_NSIG)
        return -LINUX_EINVAL;
    return sig ? signal_send_to(t, (int)sig, LINUX_SI_TKILL) : 0;
}

int64_t sys_tkill(SYSARGS) { return thread_kill(-1, (int32_t)a0, (int32_t)a1); }
int64_t sys_tgkill(SYSARGS) { return thread_kill((int32_t)a0, (int32_t)a1, (int32_t)a2); }

/* rt_sigqueueinfo and rt_tgsigqueueinfo (tid -1: the former): the program's own siginfo, copied
 * first as Linux does, which may pose as the kernel or as kill() (si_code >= 0 or SI_TKILL) only
 * to the caller itself. Another process's: the host's call. */
static int64_t queue_info(int pid, int tid, int64_t sig, uint64_t uinfo)
{
    struct linux_siginfo info;
    if (copy_from_user(&info, uinfo, sizeof(info)))
        return -LINUX_EFAULT;
    if (tid != -1 && (pid <= 0 || tid <= 0))
        return -LINUX_EINVAL;
    if ((info.si_code >= 0 || info.si_code == LINUX_SI_TKILL) && pid != cur->tid)
        return -LINUX_EPERM;
    if (pid <= 0)
        return -LINUX_ESRCH;
    if (pid != cur_proc->pid)
        return process_signal_other(tid == -1 ? BVM_KILL_QUEUE : BVM_KILL_TGQUEUE, pid, tid, (int)sig, &info);
    struct thread *t = tid == -1 ? NULL : thread_find(tid);
    if (tid != -1 && !t)
        return -LINUX_ESRCH;
    if (sig < 0 || sig > LINUX_NSIG)
        return -LINUX_EINVAL;
    info.si_signo = (int32_t)sig;
    return sig ? signal_send(t, &info) : 0;
}

int64_t sys_rt_sigqueueinfo(SYSARGS) { return queue_info((int32_t)a0, -1, (int32_t)a1, a2); }
int64_t sys_rt_tgsigqueueinfo(SYSARGS) { return queue_info((int32_t)a0, (int32_t)a1, (int32_t)a2, a3); }
