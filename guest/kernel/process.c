/* process.c: processes: fork, vfork and clone (one host process per guest process), wait, ids. */
#include "bvm_linux.h"
#include "check.h"
#include "cpu.h"
#include "cpuclock.h"
#include "events.h"
#include "fpu.h"
#include "futex.h"
#include "hostcall.h"
#include "mm.h"
#include "procfs.h"
#include "sched.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "gdb.h"
#include "task.h"
#include "timer.h"
#include "usercopy.h"
#include "vfork_mm.h"

int64_t process_call(uint32_t op, int pid, int arg, void *buf)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_PROC);
    r->u.proc.op = op;
    r->u.proc.pid = pid;
    r->u.proc.arg = arg;
    r->u.proc.gpa = buf ? kva_to_gpa(buf) : 0;
    return hc_issue();
}

static int64_t proc_op(uint32_t op, int64_t pid, int64_t arg)
{
    return process_call(op, (int32_t)pid, (int32_t)arg, NULL);
}

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
    sched_drop_others(false); /* only the calling thread goes on in the child */
    cur_proc->threads_made = cur->number = 1;
    cur_proc->vfork_child = (flags & LINUX_CLONE_VFORK) != 0;
    cur_proc->vfork_mm = (flags & LINUX_CLONE_VM) != 0;
    if (cur_proc->vfork_mm)
        vfork_mm_begin();
    signal_fork_reset();
    timers_fork_reset();
    cpuclock_fork_reset(cur);
    check_fork_child();
    gdb_fork_child();
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

void process_mm_release(void)
{
    for_each_thread(t)
        futex_robust_exit(t);
    if (cur_proc->vfork_mm)
        vfork_mm_hand_over();
    if (cur_proc->vfork_child) /* (Linux: exec_mm_release, exit_mm_release) */
        proc_op(BVM_PROC_VFORK_DONE, 0, 0);
    cur_proc->vfork_child = cur_proc->vfork_mm = false;
}

/* ---- threads ---- */

/* A thread shares everything; what clone may add to that. */
#define THREAD_SHARES                                                                                        \
    (LINUX_CLONE_VM | LINUX_CLONE_FS | LINUX_CLONE_FILES | LINUX_CLONE_SIGHAND | LINUX_CLONE_THREAD)
#define THREAD_EXTRAS                                                                                        \
    (LINUX_CLONE_SYSVSEM | LINUX_CLONE_SETTLS | LINUX_CLONE_PARENT_SETTID | LINUX_CLONE_CHILD_SETTID |       \
     LINUX_CLONE_CHILD_CLEARTID | LINUX_CLONE_DETACHED)

/* The new thread's first switch lands in thread_first with r12 = its trapframe (a copy of the
 * caller's, returning 0 on newsp): the frame switch_stacks pops, under the trapframe. */
static void thread_start_frame(struct thread *t, uint64_t newsp)
{
    struct trapframe *tf = (struct trapframe *)(uintptr_t)(t->kstack_top - sizeof(*tf));
    *tf = *cur->tf;
    tf->rax = 0;
    if (newsp)
        tf->rsp = newsp;
    t->tf = tf; /* its user registers from the start (gdb may read them before it runs) */
    uint64_t *sp = (uint64_t *)tf;
    *--sp = (uint64_t)(uintptr_t)thread_first; /* switch_stacks' ret */
    *--sp = 0;                                 /* rbp */
    *--sp = 0;                                 /* rbx */
    *--sp = (uint64_t)(uintptr_t)tf;           /* r12 */
    *--sp = 0;                                 /* r13 */
    *--sp = 0;                                 /* r14 */
    *--sp = 0;                                 /* r15 */
    t->ksp = (uint64_t)(uintptr_t)sp;
}

static int64_t clone_thread(uint64_t flags, uint64_t newsp, uint64_t parent_tid, uint64_t child_tid, uint64_t tls)
{
    if ((flags & THREAD_SHARES) != THREAD_SHARES || (flags & ~(THREAD_SHARES | THREAD_EXTRAS)))
        return -LINUX_EINVAL; /* a thread that would not share its tables: not supported */
    if ((flags & LINUX_CLONE_SETTLS) && tls >= USER_TOP)
        return -LINUX_EPERM;
    struct thread *t = thread_alloc();
    if (!t)
        return -LINUX_EAGAIN;
    int64_t tid = proc_op(BVM_PROC_THREAD_NEW, 0, 0);
    if (tid < 0) {
        thread_free(t);
        return tid;
    }
    t->tid = (int)tid;
    t->blocked = cur->blocked;
    /* the creator's name, as Linux copies comm */
    if (cur->tid == cur_proc->pid)
        memcpy(t->comm, procfs_comm(), strnlen(procfs_comm(), sizeof(t->comm) - 1));
    else
        memcpy(t->comm, cur->comm, sizeof(t->comm));
    t->altstack = (struct linux_stack){0, LINUX_SS_DISABLE, 0, 0};
    fpu_save(&t->fx); /* the caller's FPU state, as Linux copies it */
    t->fs_base = (flags & LINUX_CLONE_SETTLS) ? tls : rdmsr(MSR_FS_BASE);
    t->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
    thread_start_frame(t, newsp);
    int32_t id = (int32_t)tid;
    if (flags & LINUX_CLONE_PARENT_SETTID)
        copy_to_user(parent_tid, &id, sizeof(id));
    if (flags & LINUX_CLONE_CHILD_SETTID)
        copy_to_user(child_tid, &id, sizeof(id));
    if (flags & LINUX_CLONE_CHILD_CLEARTID)
        t->clear_child_tid = child_tid;
    sched_start(t);
    return tid;
}

/* exit(2) of one thread among others: its CLONE_CHILD_CLEARTID word is zeroed and woken (how
 * pthread_join learns of it), its host thread ends, the next thread runs. */
_Noreturn void process_thread_exit(void)
{
    int32_t zero = 0;
    futex_robust_exit(cur);
    if (cur->clear_child_tid && !copy_to_user(cur->clear_child_tid, &zero, sizeof(zero)))
        futex_wake_word(cur->clear_child_tid, false, ~0u, 1);
    if (cur->tid != cur_proc->pid) /* the first thread's id is the monitor's own thread's */
        proc_op(BVM_PROC_THREAD_END, cur->tid, 0);
    signal_thread_exit(cur);
    sched_exit_thread();
}

/* execve: Linux's de_thread: the other threads end, and the caller takes the process's id. */
void process_exec_single(void)
{
    for_each_thread(t)
        if (t != cur)
            futex_robust_exit(t); /* as their ends in Linux's de_thread would */
    sched_drop_others(true);
    cur_proc->threads_made = cur->number = 1;
    if (cur->tid != cur_proc->pid) {
        proc_op(BVM_PROC_THREAD_END, cur->tid, 0);
        cur->tid = cur_proc->pid;
    }
}

/* ---- processes ---- */

static int64_t do_fork(uint64_t flags, uint64_t newsp, uint64_t parent_tid, uint64_t child_tid, uint64_t tls)
{
    static struct bvm_fork_out out;
    if (flags & LINUX_CLONE_THREAD)
        return clone_thread(flags, newsp, parent_tid, child_tid, tls);
    if (flags & CLONE_SHARING)
        return -LINUX_EINVAL; /* threads and shared tables: not a process of its own */
    if ((flags & LINUX_CLONE_VM) && !(flags & LINUX_CLONE_VFORK))
        return -LINUX_EINVAL; /* a process sharing memory without vfork's wait */
    if ((flags & LINUX_CLONE_SETTLS) && tls >= USER_TOP)
        return -LINUX_EPERM;
    struct bvm_hostcall *r = hc_req(BVM_HC_FORK);
    r->u.fork.flags = ((flags & LINUX_CLONE_VFORK) ? BVM_FORK_VFORK : 0) |
                      ((flags & LINUX_CLONE_VM) ? BVM_FORK_SHARED_MM : 0);
    r->u.fork.out_gpa = kva_to_gpa(&out);
    int64_t pid = hc_issue();
    if (pid == 0) {
        child_setup(&out, flags, newsp, child_tid, tls);
        return 0;
    }
    if (pid > 0 && (flags & LINUX_CLONE_VM))
        vfork_mm_take_back();
    if (pid > 0 && (flags & LINUX_CLONE_PARENT_SETTID)) {
        int32_t tid = (int32_t)pid;
        copy_to_user(parent_tid, &tid, sizeof(tid));
    }
    if (pid > 0 && !(flags & LINUX_CLONE_VFORK))
        gdb_forked(pid);
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

/* waitid on the host until a child is ready (or WNOHANG); an event gives way to a signal. A thread
 * of several asks the host without waiting and looks again each slice while the others run. */
static int64_t do_wait(int idtype, int id, int options, struct linux_siginfo *info, struct linux_rusage *ru)
{
    for (;;) {
        bool poll_only = sched_threaded() && !(options & LINUX_WNOHANG);
        struct bvm_hostcall *r = hc_req(BVM_HC_WAIT);
        r->u.wait.idtype = idtype;
        r->u.wait.id = id;
        r->u.wait.options = options | (poll_only ? LINUX_WNOHANG : 0);
        r->u.wait.info_gpa = kva_to_gpa(info);
        r->u.wait.rusage_gpa = kva_to_gpa(ru);
        int64_t ret = hc_issue();
        if (poll_only && ret == 0 && info->u.chld.pid == 0) {
            if ((ret = sched_nap()) < 0)
                return ret;
            continue;
        }
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

int64_t process_prctl(uint32_t op, int arg)
{
    return proc_op(op, 0, arg);
}

void process_child_reap(bool on)
{
    proc_op(BVM_PROC_CHILD_REAP, 0, on);
}

int process_kill_other(int64_t pid, int sig)
{
    return process_signal_other(BVM_KILL_PROCESS, pid, 0, sig, NULL);
}

int process_signal_other(uint32_t op, int64_t pid, int64_t tid, int sig, const struct linux_siginfo *info)
{
    static struct linux_siginfo sent; /* (one hostcall at a time) */
    struct bvm_hostcall *r = hc_req(BVM_HC_KILL);
    if (info)
        sent = *info;
    r->u.kill.op = op;
    r->u.kill.pid = (int32_t)pid;
    r->u.kill.tid = (int32_t)tid;
    r->u.kill.sig = sig;
    r->u.kill.info_gpa = info ? kva_to_gpa(&sent) : 0;
    return (int)hc_issue();
}
