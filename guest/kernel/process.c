/* process.c: processes: fork, vfork and clone (one host process per guest process), wait, ids. */
#include "bvm_linux.h"
#include "cpu.h"
#include "events.h"
#include "hostcall.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "task.h"
#include "timer.h"
#include "usercopy.h"

/* What a new process can be asked to share with its parent: nothing but what a fork gives. */
#define CLONE_SHARING                                                                                        \
    (LINUX_CLONE_FS | LINUX_CLONE_FILES | LINUX_CLONE_SIGHAND | LINUX_CLONE_THREAD | LINUX_CLONE_SYSVSEM |  \
     LINUX_CLONE_PIDFD | LINUX_CLONE_PARENT | LINUX_CLONE_NAMESPACES)

/* The child's side: its own ids, nothing pending, no timers (Linux's fork), and what clone asked. */
static void child_setup(const struct bvm_fork_out *out, uint64_t flags, uint64_t newsp, uint64_t child_tid,
                        uint64_t tls)
{
    cur_proc->pid = out->pid;
    cur->tid = out->pid;
    cur_proc->vfork_child = (flags & LINUX_CLONE_VFORK) != 0;
    signal_fork_reset();
    timers_fork_reset();
    int32_t tid = out->pid;
    if (flags & LINUX_CLONE_CHILD_SETTID) /* (PARENT_SETTID is written in the parent's memory only) */
        copy_to_user(child_tid, &tid, sizeof(tid));
    if (flags & LINUX_CLONE_CHILD_CLEARTID)
        cur->clear_child_tid = child_tid;
    if (flags & LINUX_CLONE_SETTLS)
        wrmsr(MSR_FS_BASE, tls);
    if (newsp)
        cur->tf->rsp = newsp;
}

static int64_t do_fork(uint64_t flags, uint64_t newsp, uint64_t parent_tid, uint64_t child_tid, uint64_t tls)
{
    static struct bvm_fork_out out;
    if (flags & CLONE_SHARING)
        return -LINUX_EINVAL; /* threads and shared tables: not a process of its own */
    if ((flags & LINUX_CLONE_VM) && !(flags & LINUX_CLONE_VFORK))
        return -LINUX_EINVAL; /* a process sharing memory without vfork's wait */
    if ((flags & LINUX_CLONE_SETTLS) && tls >= USER_TOP)
        return -LINUX_EPERM;
    struct bvm_hostcall *r = hc_req(BVM_HC_FORK);
    r->u.fork.flags = (flags & LINUX_CLONE_VFORK) ? BVM_FORK_VFORK : 0;
    r->u.fork.out_gpa = kva_to_gpa(&out);
    int64_t pid = hc_issue();
    if (pid == 0) {
        child_setup(&out, flags, newsp, child_tid, tls);
        return 0;
    }
    if (pid > 0 && (flags & LINUX_CLONE_PARENT_SETTID)) {
        int32_t tid = (int32_t)pid;
        copy_to_user(parent_tid, &tid, sizeof(tid));
    }
    return pid;
}

int64_t sys_fork(SYSARGS) { return do_fork(LINUX_SIGCHLD, 0, 0, 0, 0); }

int64_t sys_vfork(SYSARGS) { return do_fork(LINUX_CLONE_VM | LINUX_CLONE_VFORK | LINUX_SIGCHLD, 0, 0, 0, 0); }

/* x86-64: clone(flags, newsp, parent_tid, child_tid, tls). The exit signal (the low byte) is the
 * host's SIGCHLD whatever it says. */
int64_t sys_clone(SYSARGS) { return do_fork(a0 & ~(uint64_t)LINUX_CSIGNAL, a1, a2, a3, a4); }

int64_t sys_clone3(SYSARGS)
{
    struct linux_clone_args ca;
    memset(&ca, 0, sizeof(ca));
    if (a1 < LINUX_CLONE_ARGS_SIZE_VER0 || a1 > 4096)
        return -LINUX_EINVAL;
    if (copy_from_user(&ca, a0, MIN(a1, sizeof(ca))))
        return -LINUX_EFAULT;
    if ((ca.flags & LINUX_CSIGNAL) || ca.exit_signal > LINUX_NSIG || ca.set_tid_size || ca.cgroup)
        return -LINUX_EINVAL;
    return do_fork(ca.flags, ca.stack ? ca.stack + ca.stack_size : 0, ca.parent_tid, ca.child_tid, ca.tls);
}

/* ---- wait ---- */

/* waitid on the host until a child is ready (or WNOHANG); an event gives way to a signal. */
static int64_t do_wait(int idtype, int id, int options, struct linux_siginfo *info, struct linux_rusage *ru)
{
    for (;;) {
        struct bvm_hostcall *r = hc_req(BVM_HC_WAIT);
        r->u.wait.idtype = idtype;
        r->u.wait.id = id;
        r->u.wait.options = options;
        r->u.wait.info_gpa = kva_to_gpa(info);
        r->u.wait.rusage_gpa = kva_to_gpa(ru);
        int64_t ret = hc_issue();
        if (ret != -LINUX_EINTR)
            return ret;
        if (events_interrupted())
            return -LINUX_ERESTARTSYS;
    }
}

/* The wait status word of a child's siginfo. */
static int32_t wait_status(const struct linux_siginfo *si)
{
    int32_t st = si->u.chld.status;
    switch (si->si_code) {
    case LINUX_CLD_EXITED: return (st & 0xff) << 8;
    case LINUX_CLD_KILLED: return st & 0x7f;
    case LINUX_CLD_DUMPED: return (st & 0x7f) | 0x80;
    case LINUX_CLD_STOPPED:
    case LINUX_CLD_TRAPPED: return (st & 0xff) << 8 | 0x7f;
    case LINUX_CLD_CONTINUED: return 0xffff;
    default: return 0;
    }
}

int64_t sys_wait4(SYSARGS)
{
    static struct linux_siginfo info;
    static struct linux_rusage ru;
    int pid = (int32_t)a0, options = (int)a2;
    if (options & ~(LINUX_WNOHANG | LINUX_WUNTRACED | LINUX_WCONTINUED | LINUX_WNOTHREAD | LINUX_WALL |
                    (int)LINUX_WCLONE))
        return -LINUX_EINVAL;
    if (pid == INT32_MIN)
        return -LINUX_ESRCH;
    int idtype = pid < -1 ? LINUX_P_PGID : pid == -1 ? LINUX_P_ALL : pid == 0 ? LINUX_P_PGID : LINUX_P_PID;
    int wopt = LINUX_WEXITED | (options & (LINUX_WNOHANG | LINUX_WCONTINUED)) |
               ((options & LINUX_WUNTRACED) ? LINUX_WUNTRACED : 0);
    memset(&info, 0, sizeof(info));
    int64_t r = do_wait(idtype, pid < -1 ? -pid : pid > 0 ? pid : 0, wopt, &info, &ru);
    if (r < 0)
        return r;
    if (!info.u.chld.pid)
        return 0; /* WNOHANG, nothing ready */
    int32_t status = wait_status(&info);
    if (a1 && copy_to_user(a1, &status, sizeof(status)))
        return -LINUX_EFAULT;
    if (a3 && copy_to_user(a3, &ru, sizeof(ru)))
        return -LINUX_EFAULT;
    return info.u.chld.pid;
}

int64_t sys_waitid(SYSARGS)
{
    static struct linux_siginfo info;
    static struct linux_rusage ru;
    int idtype = (int32_t)a0, options = (int)a3;
    if (idtype != LINUX_P_ALL && idtype != LINUX_P_PID && idtype != LINUX_P_PGID)
        return -LINUX_EINVAL;
    if (options & ~(LINUX_WNOHANG | LINUX_WUNTRACED | LINUX_WEXITED | LINUX_WCONTINUED | LINUX_WNOWAIT |
                    LINUX_WNOTHREAD | LINUX_WALL | (int)LINUX_WCLONE))
        return -LINUX_EINVAL;
    if (!(options & (LINUX_WEXITED | LINUX_WUNTRACED | LINUX_WCONTINUED)))
        return -LINUX_EINVAL;
    memset(&info, 0, sizeof(info));
    int64_t r = do_wait(idtype, (int32_t)a1,
                        options & (LINUX_WNOHANG | LINUX_WUNTRACED | LINUX_WEXITED | LINUX_WCONTINUED | LINUX_WNOWAIT),
                        &info, &ru);
    if (r < 0)
        return r;
    if (a2 && copy_to_user(a2, &info, sizeof(info)))
        return -LINUX_EFAULT;
    if (a4 && copy_to_user(a4, &ru, sizeof(ru)))
        return -LINUX_EFAULT;
    return 0;
}

/* ---- ids and groups: the host's, on the monitor's process ---- */

static int64_t proc_op(uint32_t op, int64_t pid, int64_t arg)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_PROC);
    r->u.proc.op = op;
    r->u.proc.pid = (int32_t)pid;
    r->u.proc.arg = (int32_t)arg;
    return hc_issue();
}

int64_t process_id(enum process_id_kind which)
{
    static const uint32_t op[] = {BVM_PROC_GETPPID, BVM_PROC_GETPGID, BVM_PROC_GETSID};
    return proc_op(op[which], 0, 0);
}

int64_t sys_getppid(SYSARGS) { return proc_op(BVM_PROC_GETPPID, 0, 0); }
int64_t sys_getpgid(SYSARGS) { return proc_op(BVM_PROC_GETPGID, (int32_t)a0, 0); }
int64_t sys_getpgrp(SYSARGS) { return proc_op(BVM_PROC_GETPGID, 0, 0); }
int64_t sys_setpgid(SYSARGS) { return proc_op(BVM_PROC_SETPGID, (int32_t)a0, (int32_t)a1); }
int64_t sys_getsid(SYSARGS) { return proc_op(BVM_PROC_GETSID, (int32_t)a0, 0); }
int64_t sys_setsid(SYSARGS) { return proc_op(BVM_PROC_SETSID, 0, 0); }

void process_child_reap(bool on)
{
    proc_op(BVM_PROC_CHILD_REAP, 0, on);
}

void process_exec_done(void)
{
    /* A vfork child has a program of its own now: its parent may go on (Linux: exec_mm_release). */
    if (cur_proc->vfork_child)
        proc_op(BVM_PROC_VFORK_DONE, 0, 0);
    cur_proc->vfork_child = false;
}

int process_kill_other(int64_t pid, int sig)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_KILL);
    r->u.kill.pid = (int32_t)pid;
    r->u.kill.sig = sig;
    return (int)hc_issue();
}
