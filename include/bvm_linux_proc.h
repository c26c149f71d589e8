/* bvm_linux_proc.h: Processes and threads: clone, wait, futex, prctl, rlimits, rusage, uname, sysinfo, auxv, getrandom. */
#ifndef BVM_LINUX_PROC_H
#define BVM_LINUX_PROC_H

#include <stddef.h>
#include <stdint.h>
#include "bvm_linux_time.h"

#define LINUX_UTS_LEN 65
struct linux_utsname {
    char sysname[LINUX_UTS_LEN];
    char nodename[LINUX_UTS_LEN];
    char release[LINUX_UTS_LEN];
    char version[LINUX_UTS_LEN];
    char machine[LINUX_UTS_LEN];
    char domainname[LINUX_UTS_LEN];
};
_Static_assert(sizeof(struct linux_utsname) == 390, "utsname");

struct linux_rlimit {
    uint64_t rlim_cur, rlim_max;
};
_Static_assert(sizeof(struct linux_rlimit) == 16, "rlimit");

struct linux_rusage {
    struct linux_timeval utime, stime;
    int64_t fields[14];
};
_Static_assert(sizeof(struct linux_rusage) == 144, "rusage size");

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

/* futex(2) */
#define LINUX_FUTEX_WAIT 0
#define LINUX_FUTEX_WAKE 1

#define LINUX_FUTEX_LOCK_PI 6
#define LINUX_FUTEX_UNLOCK_PI 7
#define LINUX_FUTEX_TRYLOCK_PI 8
#define LINUX_FUTEX_LOCK_PI2 13
#define LINUX_FUTEX_WAITERS 0x80000000u
#define LINUX_FUTEX_OWNER_DIED 0x40000000u
#define LINUX_FUTEX_TID_MASK 0x3fffffffu
#define LINUX_FUTEX_FD 2
#define LINUX_FUTEX_REQUEUE 3
#define LINUX_FUTEX_CMP_REQUEUE 4
#define LINUX_FUTEX_WAKE_OP 5
#define LINUX_FUTEX_WAIT_BITSET 9
#define LINUX_FUTEX_WAKE_BITSET 10
#define LINUX_FUTEX_PRIVATE_FLAG 128
#define LINUX_FUTEX_CLOCK_REALTIME 256

#define LINUX_NGROUPS_MAX 65536 /* supplementary groups */

/* rlimits */
#define LINUX_RLIMIT_CPU 0
#define LINUX_RLIMIT_FSIZE 1
#define LINUX_RLIMIT_DATA 2
#define LINUX_RLIMIT_STACK 3
#define LINUX_RLIMIT_CORE 4
#define LINUX_RLIMIT_NPROC 6
#define LINUX_RLIMIT_NOFILE 7
#define LINUX_RLIMIT_AS 9
#define LINUX_RLIM_NLIMITS 16
#define LINUX_RLIM_INFINITY UINT64_MAX

/* clone(2) flags; the low byte is the signal sent to the parent at exit */
#define LINUX_CSIGNAL 0xff
#define LINUX_CLONE_VM 0x100
#define LINUX_CLONE_FS 0x200
#define LINUX_CLONE_FILES 0x400
#define LINUX_CLONE_SIGHAND 0x800
#define LINUX_CLONE_PIDFD 0x1000
#define LINUX_CLONE_PTRACE 0x2000
#define LINUX_CLONE_VFORK 0x4000
#define LINUX_CLONE_PARENT 0x8000
#define LINUX_CLONE_THREAD 0x10000
#define LINUX_CLONE_SYSVSEM 0x40000
#define LINUX_CLONE_SETTLS 0x80000
#define LINUX_CLONE_PARENT_SETTID 0x100000
#define LINUX_CLONE_CHILD_CLEARTID 0x200000
#define LINUX_CLONE_DETACHED 0x400000
#define LINUX_CLONE_UNTRACED 0x800000
#define LINUX_CLONE_CHILD_SETTID 0x1000000
#define LINUX_CLONE_NAMESPACES 0x7e020000 /* NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET */

/* clone3's struct clone_args (the first 64 bytes: CLONE_ARGS_SIZE_VER0) */
struct linux_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};
_Static_assert(sizeof(struct linux_clone_args) == 88, "clone_args size");
#define LINUX_CLONE_ARGS_SIZE_VER0 64

/* waitid(2) and wait4(2) */
#define LINUX_P_ALL 0
#define LINUX_P_PID 1
#define LINUX_P_PGID 2
#define LINUX_WNOHANG 0x1
#define LINUX_WUNTRACED 0x2 /* WSTOPPED for waitid */
#define LINUX_WEXITED 0x4
#define LINUX_WCONTINUED 0x8
#define LINUX_WNOWAIT 0x1000000
#define LINUX_WNOTHREAD 0x20000000
#define LINUX_WALL 0x40000000
#define LINUX_WCLONE 0x80000000u
#define LINUX_CLD_EXITED 1
#define LINUX_CLD_KILLED 2
#define LINUX_CLD_DUMPED 3
#define LINUX_CLD_TRAPPED 4
#define LINUX_CLD_STOPPED 5
#define LINUX_CLD_CONTINUED 6

/* arch_prctl(2), prctl(2) */
#define LINUX_ARCH_SET_GS 0x1001
#define LINUX_ARCH_SET_FS 0x1002
#define LINUX_ARCH_GET_FS 0x1003
#define LINUX_ARCH_GET_GS 0x1004
#define LINUX_PR_SET_PDEATHSIG 1
#define LINUX_PR_GET_PDEATHSIG 2
#define LINUX_PR_SET_NAME 15
#define LINUX_PR_GET_NAME 16
#define LINUX_PR_SET_CHILD_SUBREAPER 36
#define LINUX_PR_GET_CHILD_SUBREAPER 37

/* getrandom(2) flags */
#define LINUX_GRND_NONBLOCK 1
#define LINUX_GRND_RANDOM 2
#define LINUX_GRND_INSECURE 4

/* auxv types */
#define LINUX_AT_NULL 0
#define LINUX_AT_PHDR 3
#define LINUX_AT_PHENT 4
#define LINUX_AT_PHNUM 5
#define LINUX_AT_PAGESZ 6
#define LINUX_AT_BASE 7
#define LINUX_AT_FLAGS 8
#define LINUX_AT_ENTRY 9
#define LINUX_AT_UID 11
#define LINUX_AT_EUID 12
#define LINUX_AT_GID 13
#define LINUX_AT_EGID 14
#define LINUX_AT_PLATFORM 15
#define LINUX_AT_HWCAP 16
#define LINUX_AT_CLKTCK 17
#define LINUX_AT_SECURE 23
#define LINUX_AT_RANDOM 25
#define LINUX_AT_EXECFN 31

#endif
