/* sys_misc.c: process identity, exit, arch_prctl, limits, time, randomness and uname syscalls. */
#include "bvm_linux.h"
#include "cpu.h"
#include "fd.h"
#include "hostcall.h"
#include "mm.h"
#include "palloc.h"
#include "procfs.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define RLIM_INFINITY UINT64_MAX
#define RLIM_NLIMITS 16
#define RLIMIT_CORE 4
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define CLOCK_REALTIME 0

int64_t sys_getpid(SYSARGS)
{
    return boot->pid;
}
int64_t sys_gettid(SYSARGS)
{
    return boot->pid;
} /* single-threaded: the tid is the pid */
int64_t sys_getppid(SYSARGS)
{
    return boot->ppid;
}
int64_t sys_getuid(SYSARGS)
{
    return boot->uid;
}
int64_t sys_geteuid(SYSARGS)
{
    return boot->euid;
}
int64_t sys_getgid(SYSARGS)
{
    return boot->gid;
}
int64_t sys_getegid(SYSARGS)
{
    return boot->egid;
}

int64_t sys_exit_group(SYSARGS)
{
    hc_exit_status((int)(a0 & 0xff));
}

int64_t sys_exit(SYSARGS)
{
    /* The only thread leaving ends the process (shared file pages are the file's own: nothing
     * to write back). */
    hc_exit_status((int)(a0 & 0xff));
}

int64_t sys_set_tid_address(SYSARGS)
{
    return boot->pid; /* the clear-on-exit address only matters with threads */
}

int64_t sys_set_robust_list(SYSARGS)
{
    return a1 == 24 ? 0 : -LINUX_EINVAL; /* sizeof(struct robust_list_head) */
}

int64_t sys_rseq(SYSARGS)
{
    return -LINUX_ENOSYS; /* libc then runs without restartable sequences */
}

int64_t sys_arch_prctl(SYSARGS)
{
    uint64_t v;
    switch (a0) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (a1 >= USER_TOP)
            return -LINUX_EPERM;
        /* After SYSCALL's swapgs the user's GS base sits in KERNEL_GS_BASE. */
        wrmsr(a0 == ARCH_SET_FS ? MSR_FS_BASE : MSR_KERNEL_GS_BASE, a1);
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS:
        v = rdmsr(a0 == ARCH_GET_FS ? MSR_FS_BASE : MSR_KERNEL_GS_BASE);
        return copy_to_user(a1, &v, sizeof(v)) ? -LINUX_EFAULT : 0;
    default:
        return -LINUX_EINVAL;
    }
}

/* Limits as a fresh Linux login shell reports them; setting is recorded, not enforced. */
static struct linux_rlimit rlimits[RLIM_NLIMITS];

static void rlimits_init_once(void)
{
    static bool done;
    if (done)
        return;
    for (int i = 0; i < RLIM_NLIMITS; i++)
        rlimits[i] = (struct linux_rlimit){RLIM_INFINITY, RLIM_INFINITY};
    rlimits[RLIMIT_STACK].rlim_cur = STACK_MAX;
    rlimits[RLIMIT_NOFILE] = (struct linux_rlimit){FD_MAX, 4096};
    rlimits[RLIMIT_CORE].rlim_cur = 0;
    done = true;
}

uint64_t rlimit_cur(int resource)
{
    rlimits_init_once();
    return rlimits[resource].rlim_cur;
}

int64_t sys_prlimit64(SYSARGS)
{
    struct linux_rlimit nl;
    if ((int32_t)a0 != 0 && (int32_t)a0 != boot->pid)
        return -LINUX_ESRCH;
    if (a1 >= RLIM_NLIMITS)
        return -LINUX_EINVAL;
    rlimits_init_once();
    if (a2 && copy_from_user(&nl, a2, sizeof(nl)))
        return -LINUX_EFAULT;
    if (a2 && nl.rlim_cur > nl.rlim_max)
        return -LINUX_EINVAL;
    if (a3 && copy_to_user(a3, &rlimits[a1], sizeof(rlimits[a1])))
        return -LINUX_EFAULT;
    if (a2)
        rlimits[a1] = nl;
    return 0;
}

int64_t sys_getrlimit(SYSARGS)
{
    return sys_prlimit64(0, a0, 0, a1, 0, 0);
}

int64_t sys_getrandom(SYSARGS)
{
    if (a2 & ~7ull) /* GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE */
        return -LINUX_EINVAL;
    return user_io(BVM_HC_GETRANDOM, -1, a0, a1, 0, ACC_WRITE, (uint32_t)a2);
}

int64_t sys_uname(SYSARGS)
{
    int64_t r = hc_fd(BVM_HC_UNAME, 0, 0, 0, hc_bounce(), sizeof(struct linux_utsname));
    if (r < 0)
        return r;
    return copy_to_user(a0, hc_bounce(), sizeof(struct linux_utsname)) ? -LINUX_EFAULT : 0;
}

/* The host's clock into *ts: 0 or -errno. */
static int64_t host_clock(int clk, struct linux_timespec *ts)
{
    int64_t r = hc_fd(BVM_HC_CLOCK_GETTIME, clk, 0, 0, hc_bounce(), sizeof(*ts));
    if (r >= 0)
        *ts = *(struct linux_timespec *)hc_bounce();
    return r < 0 ? r : 0;
}

int64_t sys_clock_gettime(SYSARGS)
{
    struct linux_timespec ts;
    int64_t r = host_clock((int32_t)a0, &ts);
    if (r < 0)
        return r;
    return copy_to_user(a1, &ts, sizeof(ts)) ? -LINUX_EFAULT : 0;
}

int64_t sys_gettimeofday(SYSARGS)
{
    struct linux_timespec ts;
    int64_t r = host_clock(CLOCK_REALTIME, &ts);
    if (r < 0)
        return r;
    struct linux_timeval tv = {ts.tv_sec, ts.tv_nsec / 1000};
    uint32_t tz[2] = {0, 0}; /* UTC, no DST: what a modern Linux reports */
    if (a0 && copy_to_user(a0, &tv, sizeof(tv)))
        return -LINUX_EFAULT;
    if (a1 && copy_to_user(a1, tz, sizeof(tz)))
        return -LINUX_EFAULT;
    return 0;
}

int64_t sys_time(SYSARGS)
{
    struct linux_timespec ts;
    int64_t r = host_clock(CLOCK_REALTIME, &ts);
    if (r < 0)
        return r;
    if (a0 && copy_to_user(a0, &ts.tv_sec, sizeof(ts.tv_sec)))
        return -LINUX_EFAULT;
    return ts.tv_sec;
}

int64_t sys_sched_yield(SYSARGS)
{
    return 0; /* one thread on one vCPU: nothing else to run */
}

int64_t sys_sched_getaffinity(SYSARGS)
{
    /* The VM has one vCPU: CPU 0 only. Linux returns the size of its cpumask (8 bytes here). */
    uint64_t mask = 1;
    if ((int32_t)a0 != 0 && (int32_t)a0 != boot->pid)
        return -LINUX_ESRCH;
    if (a1 < sizeof(mask) || (a1 & 7))
        return -LINUX_EINVAL;
    return copy_to_user(a2, &mask, sizeof(mask)) ? -LINUX_EFAULT : (int64_t)sizeof(mask);
}

int64_t sys_umask(SYSARGS)
{
    /* The monitor creates the files, so the mask is set on the monitor (which started with the
     * user's umask, as the program would have). */
    return hc_fd(BVM_HC_UMASK, 0, (uint32_t)a0 & 0777, 0, NULL, 0);
}

/* Linux's struct sysinfo on x86-64. */
struct linux_sysinfo {
    int64_t uptime;
    uint64_t loads[3];
    uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint32_t pad2;
    uint64_t totalhigh, freehigh;
    uint32_t mem_unit;
    char reserved[4];
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "sysinfo size");

int64_t sys_sysinfo(SYSARGS)
{
    /* Describes the VM: its RAM, the kernel's free pages, one process. */
    struct linux_sysinfo si = {0};
    struct linux_timespec ts;
    if (host_clock(7 /* CLOCK_BOOTTIME */, &ts) == 0)
        si.uptime = ts.tv_sec;
    si.totalram = boot->ram_size;
    si.freeram = palloc_free_pages() * PAGE_SIZE;
    si.procs = 1;
    si.mem_unit = 1;
    return copy_to_user(a0, &si, sizeof(si)) ? -LINUX_EFAULT : 0;
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16

int64_t sys_prctl(SYSARGS)
{
    char name[16];
    switch (a0) {
    case PR_SET_NAME:
        if (strncpy_from_user(name, a1, sizeof(name)) == -LINUX_EFAULT)
            return -LINUX_EFAULT;
        name[15] = 0; /* longer names are cut, as on Linux */
        procfs_set_comm(name);
        return 0;
    case PR_GET_NAME:
        memset(name, 0, sizeof(name));
        memcpy(name, procfs_comm(), strlen(procfs_comm()));
        return copy_to_user(a1, name, sizeof(name)) ? -LINUX_EFAULT : 0;
    default:
        return -LINUX_EINVAL; /* other options are not supported yet */
    }
}
