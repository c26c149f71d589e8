/* sys_process.c: the process: identity, exit, limits, CPU time, groups, umask, scheduling, prctl. */
#include "bvm_linux.h"
#include "check.h"
#include "cpu.h"
#include "cred.h"
#include "fd.h"
#include "fmt.h"
#include "hostcall.h"
#include "mm.h"
#include "procfs.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "task.h"
#include "usercopy.h"

/* CPU time is the host's for the monitor's process, which runs this guest process and nothing
 * else; the children's is the host's for the monitor's children, which are the guest's. */
int64_t sys_getrusage(SYSARGS)
{
    static struct linux_rusage ru;
    int who = (int32_t)a0;
    if (who != 0 && who != -1 && who != 1) /* SELF, CHILDREN, THREAD (the process's, for now) */
        return -LINUX_EINVAL;
    int64_t r = process_call(BVM_PROC_RUSAGE, 0, who == -1 ? -1 : 0, &ru);
    if (r < 0)
        return r;
    return copy_to_user(a1, &ru, sizeof(ru)) ? -LINUX_EFAULT : 0;
}

/* clock_t ticks at 100 Hz (AT_CLKTCK) */
static int64_t ticks(const struct linux_timeval *tv) { return tv->tv_sec * 100 + tv->tv_usec / 10000; }

/* times(2): the CPU times as getrusage has them, and the ticks since boot as the return value. */
int64_t sys_times(SYSARGS)
{
    static struct linux_rusage self, children;
    struct linux_timespec now;
    if (a0) {
        int64_t r = process_call(BVM_PROC_RUSAGE, 0, 0, &self);
        if (r == 0)
            r = process_call(BVM_PROC_RUSAGE, 0, -1, &children);
        if (r < 0)
            return r;
        int64_t t[4] = {ticks(&self.utime), ticks(&self.stime), ticks(&children.utime), ticks(&children.stime)};
        if (copy_to_user(a0, t, sizeof(t)))
            return -LINUX_EFAULT;
    }
    if (host_clock(LINUX_CLOCK_BOOTTIME, &now) < 0)
        return -LINUX_EFAULT;
    return now.tv_sec * 100 + now.tv_nsec / 10000000;
}


int64_t kern_groups(const uint32_t **groups)
{
    static uint32_t list[LINUX_NGROUPS_MAX];
    *groups = list;
    return hc_out(BVM_HC_GETGROUPS, list, sizeof(list));
}

/* Linux's: size 0 asks for the count, a list smaller than the groups is EINVAL. */
int64_t sys_getgroups(SYSARGS)
{
    const uint32_t *list;
    int size = (int32_t)a0;
    if (size < 0)
        return -LINUX_EINVAL;
    int64_t n = kern_groups(&list);
    if (n <= 0 || size == 0)
        return n;
    if (n > size)
        return -LINUX_EINVAL;
    return copy_to_user(a1, list, (uint64_t)n * sizeof(list[0])) ? -LINUX_EFAULT : n;
}

int64_t sys_setrlimit(SYSARGS) { return a1 ? sys_prlimit64(0, a0, a1, 0, 0, 0) : -LINUX_EFAULT; }

int64_t sys_getpid(SYSARGS)
{
    return cur_proc->pid;
}

int64_t sys_gettid(SYSARGS)
{
    return cur->tid;
}

_Noreturn void process_exit_now(int status)
{
    check_exit();
    process_mm_release();
    hc_exit_status(status);
}

int64_t sys_exit_group(SYSARGS)
{
    if (check_freeres_start(cur->tf, (int)(a0 & 0xff)))
        return 0; /* (the exit goes on when it returns) */
    process_exit_now((int)(a0 & 0xff));
}

int64_t sys_exit(SYSARGS)
{
    if (sched_threaded())
        process_thread_exit();
    /* The only thread leaving ends the process (shared file pages are the file's own: nothing
     * to write back). */
    return sys_exit_group(a0, a1, a2, a3, a4, a5);
}

int64_t sys_set_tid_address(SYSARGS)
{
    cur->clear_child_tid = a0; /* zeroed and its futex woken when the thread ends */
    return cur->tid;
}

#define ROBUST_HEAD_SIZE 24 /* sizeof(struct robust_list_head) */

int64_t sys_set_robust_list(SYSARGS)
{
    if (a1 != ROBUST_HEAD_SIZE)
        return -LINUX_EINVAL;
    cur->robust_list = a0; /* walked when the thread ends (futex_robust_exit) */
    return 0;
}

int64_t sys_get_robust_list(SYSARGS)
{
    struct thread *t = (int32_t)a0 ? thread_find((int32_t)a0) : cur;
    uint64_t len = ROBUST_HEAD_SIZE;
    if (!t)
        return -LINUX_ESRCH;
    if (copy_to_user(a1, &t->robust_list, sizeof(t->robust_list)) || copy_to_user(a2, &len, sizeof(len)))
        return -LINUX_EFAULT;
    return 0;
}

/* One vCPU: CPU 0, node 0. */
int64_t sys_getcpu(SYSARGS)
{
    uint32_t zero = 0;
    if ((a0 && copy_to_user(a0, &zero, sizeof(zero))) || (a1 && copy_to_user(a1, &zero, sizeof(zero))))
        return -LINUX_EFAULT;
    return 0;
}

/* The threads share the one vCPU, and every switch between them passes through the kernel: each
 * barrier membarrier offers holds already. */
#define MEMBARRIER_GLOBAL 1
#define MEMBARRIER_GLOBAL_EXPEDITED 2
#define MEMBARRIER_REGISTER_GLOBAL_EXPEDITED 4
#define MEMBARRIER_PRIVATE_EXPEDITED 8
#define MEMBARRIER_REGISTER_PRIVATE_EXPEDITED 16

int64_t sys_membarrier(SYSARGS)
{
    if (a1)
        return -LINUX_EINVAL;
    switch (a0) {
    case 0: /* QUERY */
        return MEMBARRIER_GLOBAL | MEMBARRIER_GLOBAL_EXPEDITED | MEMBARRIER_REGISTER_GLOBAL_EXPEDITED |
               MEMBARRIER_PRIVATE_EXPEDITED | MEMBARRIER_REGISTER_PRIVATE_EXPEDITED;
    case MEMBARRIER_GLOBAL:
    case MEMBARRIER_GLOBAL_EXPEDITED:
    case MEMBARRIER_REGISTER_GLOBAL_EXPEDITED: return 0;
    case MEMBARRIER_REGISTER_PRIVATE_EXPEDITED: cur_proc->membarrier_private = true; return 0;
    case MEMBARRIER_PRIVATE_EXPEDITED: return cur_proc->membarrier_private ? 0 : -LINUX_EPERM;
    default: return -LINUX_EINVAL;
    }
}

int64_t sys_rseq(SYSARGS)
{
    return -LINUX_ENOSYS; /* libc then runs without restartable sequences */
}

int64_t sys_arch_prctl(SYSARGS)
{
    uint64_t v;
    switch (a0) {
    case LINUX_ARCH_SET_FS:
    case LINUX_ARCH_SET_GS:
        if (a1 >= USER_TOP)
            return -LINUX_EPERM;
        /* After SYSCALL's swapgs the user's GS base sits in KERNEL_GS_BASE. */
        wrmsr(a0 == LINUX_ARCH_SET_FS ? MSR_FS_BASE : MSR_KERNEL_GS_BASE, a1);
        return 0;
    case LINUX_ARCH_GET_FS:
    case LINUX_ARCH_GET_GS:
        v = rdmsr(a0 == LINUX_ARCH_GET_FS ? MSR_FS_BASE : MSR_KERNEL_GS_BASE);
        return copy_to_user(a1, &v, sizeof(v)) ? -LINUX_EFAULT : 0;
    default:
        return -LINUX_EINVAL;
    }
}

/* Limits as the program would have inherited them: buffervm's own (the open-file limit's soft value
 * at most the descriptor table's size). The stack never grows past STACK_MAX, whatever
 * RLIMIT_STACK says; the limit also sizes the arguments execve takes (binprm.c). */
static struct linux_rlimit rlimits[LINUX_RLIM_NLIMITS];

static void rlimits_init_once(void)
{
    static bool done;
    static struct linux_rlimit host;
    if (done)
        return;
    for (int i = 0; i < LINUX_RLIM_NLIMITS; i++) {
        bool ok = process_call(BVM_PROC_RLIMIT, 0, i, &host) == 0;
        rlimits[i] = ok ? host : (struct linux_rlimit){LINUX_RLIM_INFINITY, LINUX_RLIM_INFINITY};
    }
    if (rlimits[LINUX_RLIMIT_NOFILE].rlim_cur > FD_MAX) /* the table's size is the most it can be */
        rlimits[LINUX_RLIMIT_NOFILE].rlim_cur = FD_MAX;
    done = true;
}

uint64_t rlimit_cur(int resource)
{
    rlimits_init_once();
    return rlimits[resource].rlim_cur;
}

/* Who enforces each limit: the host, on the monitor, for what the monitor does for the program
 * (writing files: FSIZE; spending CPU time: CPU; forking: NPROC), so a new value is set there too
 * and the host's answer stands; the kernel for the descriptor table (NOFILE, fd.c) and the address
 * space (AS, DATA: mm_may_expand; STACK: the stack's growth). The others are recorded. The monitor
 * decides on the host's three and on NOFILE (buffervm's --max-files holds there). */
static bool monitor_decides(uint64_t resource)
{
    return resource == LINUX_RLIMIT_CPU || resource == LINUX_RLIMIT_FSIZE || resource == LINUX_RLIMIT_NPROC ||
           resource == LINUX_RLIMIT_NOFILE;
}

#define NR_OPEN 1048576 /* Linux's fs.nr_open: the most RLIMIT_NOFILE may be */

static int64_t rlimit_set(uint64_t resource, const struct linux_rlimit *nl)
{
    static struct linux_rlimit host;
    if (nl->rlim_cur > nl->rlim_max)
        return -LINUX_EINVAL;
    if (resource == LINUX_RLIMIT_NOFILE && nl->rlim_max > NR_OPEN)
        return -LINUX_EPERM;
    if (nl->rlim_max > rlimits[resource].rlim_max && cred.euid != 0) /* CAP_SYS_RESOURCE */
        return -LINUX_EPERM;
    if (!monitor_decides(resource))
        return 0;
    host = *nl;
    return process_call(BVM_PROC_SETRLIMIT, 0, (int)resource, &host);
}

int64_t sys_prlimit64(SYSARGS)
{
    struct linux_rlimit nl, old;
    if ((int32_t)a0 != 0 && (int32_t)a0 != cur_proc->pid)
        return -LINUX_ESRCH;
    if (a1 >= LINUX_RLIM_NLIMITS)
        return -LINUX_EINVAL;
    rlimits_init_once();
    if (a2 && copy_from_user(&nl, a2, sizeof(nl)))
        return -LINUX_EFAULT;
    int64_t err = a2 ? rlimit_set(a1, &nl) : 0;
    if (err)
        return err;
    old = rlimits[a1];
    if (a2)
        rlimits[a1] = nl;
    return a3 && copy_to_user(a3, &old, sizeof(old)) ? -LINUX_EFAULT : 0;
}

int64_t sys_getrlimit(SYSARGS)
{
    return a1 ? sys_prlimit64(0, a0, 0, a1, 0, 0) : -LINUX_EFAULT;
}

int64_t sys_sched_yield(SYSARGS)
{
    sched_yield_now();
    return 0;
}

int64_t sys_sched_getaffinity(SYSARGS)
{
    /* The VM has one vCPU: CPU 0 only, in a mask of the size the host kernel's has (its
     * cpumask_size(), the result Linux returns: programs size their buffers by it). */
    static uint8_t mask[BVM_CPUMASK_MAX];
    static int64_t size;
    if ((int32_t)a0 != 0 && !thread_find((int32_t)a0))
        return -LINUX_ESRCH;
    if (a1 < 8 || (a1 & 7))
        return -LINUX_EINVAL;
    if (!size) {
        size = process_prctl(BVM_PROC_CPUMASK_SIZE, 0);
        size = size < 8 || size > BVM_CPUMASK_MAX ? 8 : size;
        mask[0] = 1;
    }
    uint64_t n = MIN(a1, (uint64_t)size);
    return copy_to_user(a2, mask, n) ? -LINUX_EFAULT : (int64_t)n;
}

/* Any mask with CPU 0 in it is the one vCPU; one without it has no CPU the thread could run on. */
int64_t sys_sched_setaffinity(SYSARGS)
{
    uint8_t first;
    if ((int32_t)a0 != 0 && !thread_find((int32_t)a0))
        return -LINUX_ESRCH;
    if (a1 == 0)
        return -LINUX_EINVAL;
    if (copy_from_user(&first, a2, 1))
        return -LINUX_EFAULT;
    return (first & 1) ? 0 : -LINUX_EINVAL;
}

int64_t sys_umask(SYSARGS)
{
    /* The monitor creates the files, so the mask is set on the monitor (which started with the
     * user's umask, as the program would have). */
    return hc_umask((uint32_t)a0 & 0777);
}

/* PR_GET_PDEATHSIG and PR_GET_CHILD_SUBREAPER: the monitor's answer as an int at a1. */
static int64_t prctl_get(uint32_t op, uint64_t a1)
{
    int64_t v = process_prctl(op, -1);
    int32_t out = (int32_t)v;
    if (v < 0)
        return v;
    return copy_to_user(a1, &out, sizeof(out)) ? -LINUX_EFAULT : 0;
}

int64_t sys_prctl(SYSARGS)
{
    char name[16];
    switch (a0) {
    case LINUX_PR_SET_PDEATHSIG:
        return a1 > LINUX_NSIG ? -LINUX_EINVAL : process_prctl(BVM_PROC_PDEATHSIG, (int)a1);
    case LINUX_PR_GET_PDEATHSIG: return prctl_get(BVM_PROC_PDEATHSIG, a1);
    case LINUX_PR_SET_CHILD_SUBREAPER: return process_prctl(BVM_PROC_SUBREAPER, a1 != 0);
    case LINUX_PR_GET_CHILD_SUBREAPER: return prctl_get(BVM_PROC_SUBREAPER, a1);
    case LINUX_PR_SET_NAME:
        if (strncpy_from_user(name, a1, sizeof(name)) == -LINUX_EFAULT)
            return -LINUX_EFAULT;
        name[15] = 0; /* longer names are cut, as on Linux */
        thread_set_name(cur, name);
        return 0;
    case LINUX_PR_GET_NAME:
        memset(name, 0, sizeof(name));
        ksnprintf(name, sizeof(name), "%s", thread_name(cur));
        return copy_to_user(a1, name, sizeof(name)) ? -LINUX_EFAULT : 0;
    default:
        return -LINUX_EINVAL; /* other options are not supported yet */
    }
}
