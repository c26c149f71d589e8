/* bvm_linux.h: Linux x86-64 user ABI structs and constants, byte-exact, as the guest program sees them. */
#ifndef BVM_LINUX_H
#define BVM_LINUX_H

/* Redeclared here so that neither the host's nor any libc's layout leaks into what
 * the guest sees. Used by the shim kernel and by the monitor's hostcall handlers. */

#include <stddef.h>
#include <stdint.h>

struct linux_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};
_Static_assert(sizeof(struct linux_timespec) == 16, "timespec");

struct linux_timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};
_Static_assert(sizeof(struct linux_timeval) == 16, "timeval");

struct linux_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;
    struct linux_timespec st_atim;
    struct linux_timespec st_mtim;
    struct linux_timespec st_ctim;
    int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "stat size");
_Static_assert(offsetof(struct linux_stat, st_mode) == 24, "stat mode");
_Static_assert(offsetof(struct linux_stat, st_size) == 48, "stat size field");
_Static_assert(offsetof(struct linux_stat, st_atim) == 72, "stat atime");

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

struct linux_winsize {
    uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};
_Static_assert(sizeof(struct linux_winsize) == 8, "winsize");

/* The kernel's struct termios (TCGETS), not glibc's larger one. */
struct linux_termios {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[19];
};
_Static_assert(sizeof(struct linux_termios) == 36, "termios");

struct linux_iovec {
    uint64_t iov_base;
    uint64_t iov_len;
};
_Static_assert(sizeof(struct linux_iovec) == 16, "iovec");

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

struct linux_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};
_Static_assert(sizeof(struct linux_sigaction) == 32, "sigaction");

struct linux_itimerspec {
    struct linux_timespec it_interval, it_value;
};
_Static_assert(sizeof(struct linux_itimerspec) == 32, "itimerspec size");

struct linux_itimerval {
    struct linux_timeval it_interval, it_value;
};
_Static_assert(sizeof(struct linux_itimerval) == 32, "itimerval size");

/* timer_create's struct sigevent (64 bytes). */
struct linux_sigevent {
    uint64_t sigev_value;
    int32_t sigev_signo;
    int32_t sigev_notify;
    int32_t sigev_tid; /* SIGEV_THREAD_ID */
    int32_t pad[11];
};
_Static_assert(sizeof(struct linux_sigevent) == 64, "sigevent size");

/* What a read of a signalfd returns, one per signal (128 bytes). */
struct linux_signalfd_siginfo {
    uint32_t ssi_signo;
    int32_t ssi_errno, ssi_code;
    uint32_t ssi_pid, ssi_uid;
    int32_t ssi_fd;
    uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
    int32_t ssi_status, ssi_int;
    uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
    uint16_t ssi_addr_lsb, pad2;
    int32_t ssi_syscall;
    uint64_t ssi_call_addr;
    uint32_t ssi_arch;
    uint8_t pad[28];
};
_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "signalfd_siginfo size");

/* sigaltstack's stack_t (also uc_stack). */
struct linux_stack {
    uint64_t ss_sp;
    int32_t ss_flags;
    int32_t pad;
    uint64_t ss_size;
};
_Static_assert(sizeof(struct linux_stack) == 24, "stack_t size");

/* siginfo_t: 128 bytes; the union starts at 16 on x86-64. */
struct linux_siginfo {
    int32_t si_signo, si_errno, si_code, pad;
    union {
        struct {
            int32_t pid;
            uint32_t uid;
            uint64_t value; /* sigval: SI_QUEUE and real-time kill */
        } kill;
        struct {
            int32_t tid, overrun;
            uint64_t value;
        } timer;
        struct {
            int32_t pid;
            uint32_t uid;
            int32_t status;
            int32_t pad;
            int64_t utime, stime;
        } chld;
        struct {
            uint64_t addr; /* faulting address (CR2) or instruction */
        } fault;
        struct {
            int64_t band;
            int32_t fd;
        } poll;
        uint8_t bytes[112];
    } u;
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo size");
_Static_assert(offsetof(struct linux_siginfo, u) == 16, "siginfo union");

/* The x86-64 signal frame (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h). */
struct linux_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
    uint64_t rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate; /* user pointer to the 512-byte fxsave image, or 0 */
    uint64_t reserved1[8];
};
_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext size");
_Static_assert(offsetof(struct linux_sigcontext, rip) == 128, "sigcontext rip");
_Static_assert(offsetof(struct linux_sigcontext, fpstate) == 184, "sigcontext fpstate");

struct linux_ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    struct linux_stack uc_stack;
    struct linux_sigcontext uc_mcontext;
    uint64_t uc_sigmask;
};
_Static_assert(sizeof(struct linux_ucontext) == 304, "ucontext size");

/* What the handler's stack holds: its return address (sa_restorer), then the context and info. */
struct linux_rt_sigframe {
    uint64_t pretcode;
    struct linux_ucontext uc;
    struct linux_siginfo info;
};
_Static_assert(sizeof(struct linux_rt_sigframe) == 440, "rt_sigframe size");
#define LINUX_FXSAVE_SIZE 512 /* the FPU/SSE image (fxsave layout) above the frame, 64-aligned */
#define LINUX_UC_SIGCONTEXT_SS 0x2
#define LINUX_UC_STRICT_RESTORE_SS 0x4

struct linux_statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
_Static_assert(sizeof(struct linux_statx_timestamp) == 16, "statx_timestamp");

struct linux_statx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t stx_mnt_id;
    uint32_t stx_dio_mem_align, stx_dio_offset_align;
    uint64_t spare[12];
};
_Static_assert(sizeof(struct linux_statx) == 256, "statx size");
_Static_assert(offsetof(struct linux_statx, stx_atime) == 64, "statx atime");
_Static_assert(offsetof(struct linux_statx, stx_rdev_major) == 128, "statx rdev");

struct linux_statfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags;
    int64_t f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "statfs size");

struct linux_flock {
    int16_t l_type, l_whence;
    uint32_t pad0;
    int64_t l_start, l_len;
    int32_t l_pid;
    uint32_t pad1;
};
_Static_assert(sizeof(struct linux_flock) == 32, "flock size");

struct linux_pollfd {
    int32_t fd;
    int16_t events, revents;
};
_Static_assert(sizeof(struct linux_pollfd) == 8, "pollfd size");

/* getdents64 records: this header, then the NUL-terminated name, padded to 8 bytes. */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};
_Static_assert(offsetof(struct linux_dirent64, d_name) == 19, "dirent64 name");
#define LINUX_DT_DIR 4
#define LINUX_DT_REG 8
#define LINUX_DT_LNK 10

/* ioctl requests forwarded to the host (the allow-list, linux_ioctl_arg below)... */
#define LINUX_TCGETS 0x5401u
#define LINUX_TCSETS 0x5402u
#define LINUX_TCSETSW 0x5403u
#define LINUX_TCSETSF 0x5404u
#define LINUX_TCSBRK 0x5409u
#define LINUX_TCXONC 0x540au
#define LINUX_TCFLSH 0x540bu
#define LINUX_TIOCSCTTY 0x540eu
#define LINUX_TIOCGPGRP 0x540fu
#define LINUX_TIOCSPGRP 0x5410u
#define LINUX_TIOCOUTQ 0x5411u
#define LINUX_TIOCGWINSZ 0x5413u
#define LINUX_TIOCSWINSZ 0x5414u
#define LINUX_FIONREAD 0x541bu
#define LINUX_TIOCNOTTY 0x5422u
#define LINUX_TIOCGSID 0x5429u
#define LINUX_TIOCGPTN 0x80045430u
#define LINUX_TIOCSPTLCK 0x40045431u
/* ... and the ones the kernel answers itself: descriptor flags */
#define LINUX_FIONBIO 0x5421u
#define LINUX_FIONCLEX 0x5450u
#define LINUX_FIOCLEX 0x5451u

/* What a forwarded ioctl's argument is: a buffer of *size bytes the call reads (IN) or fills (OUT),
 * or a plain value (VALUE); NOT_FORWARDED for a request off the allow-list. */
enum linux_ioctl_arg { LINUX_IOCTL_NOT_FORWARDED, LINUX_IOCTL_IN, LINUX_IOCTL_OUT, LINUX_IOCTL_VALUE };

static inline enum linux_ioctl_arg linux_ioctl_arg(uint32_t cmd, uint32_t *size)
{
    *size = sizeof(int32_t);
    switch (cmd) {
    case LINUX_TCGETS: *size = sizeof(struct linux_termios); return LINUX_IOCTL_OUT;
    case LINUX_TCSETS:
    case LINUX_TCSETSW:
    case LINUX_TCSETSF: *size = sizeof(struct linux_termios); return LINUX_IOCTL_IN;
    case LINUX_TIOCGWINSZ: *size = sizeof(struct linux_winsize); return LINUX_IOCTL_OUT;
    case LINUX_TIOCSWINSZ: *size = sizeof(struct linux_winsize); return LINUX_IOCTL_IN;
    case LINUX_TIOCGPGRP:
    case LINUX_TIOCOUTQ:
    case LINUX_FIONREAD:
    case LINUX_TIOCGSID:
    case LINUX_TIOCGPTN: return LINUX_IOCTL_OUT;
    case LINUX_TIOCSPGRP:
    case LINUX_TIOCSPTLCK: return LINUX_IOCTL_IN;
    case LINUX_TCSBRK:
    case LINUX_TCXONC:
    case LINUX_TCFLSH:
    case LINUX_TIOCSCTTY:
    case LINUX_TIOCNOTTY: *size = 0; return LINUX_IOCTL_VALUE;
    default: *size = 0; return LINUX_IOCTL_NOT_FORWARDED;
    }
}

/* open(2) flags (octal, as in Linux's asm-generic/fcntl.h) */
#define LINUX_O_RDONLY 0
#define LINUX_O_WRONLY 01
#define LINUX_O_RDWR 02
#define LINUX_O_ACCMODE 03
#define LINUX_O_CREAT 0100
#define LINUX_O_EXCL 0200
#define LINUX_O_NOCTTY 0400
#define LINUX_O_TRUNC 01000
#define LINUX_O_APPEND 02000
#define LINUX_O_NONBLOCK 04000
#define LINUX_O_DSYNC 010000
#define LINUX_O_ASYNC 020000
#define LINUX_O_DIRECT 040000
#define LINUX_O_LARGEFILE 0100000
#define LINUX_O_DIRECTORY 0200000
#define LINUX_O_NOFOLLOW 0400000
#define LINUX_O_NOATIME 01000000
#define LINUX_O_CLOEXEC 02000000
#define LINUX_O_SYNC 04010000 /* __O_SYNC | O_DSYNC */
#define LINUX_O_PATH 010000000

/* *at(2) flags */
#define LINUX_AT_FDCWD (-100)
#define LINUX_CLOSE_RANGE_UNSHARE 2u /* close_range flags */
#define LINUX_CLOSE_RANGE_CLOEXEC 4u
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_EACCESS 0x200 /* faccessat */
#define LINUX_AT_REMOVEDIR 0x200 /* unlinkat */
#define LINUX_AT_SYMLINK_FOLLOW 0x400
#define LINUX_AT_NO_AUTOMOUNT 0x800
#define LINUX_AT_EMPTY_PATH 0x1000

/* access(2) modes */
#define LINUX_F_OK 0
#define LINUX_X_OK 1
#define LINUX_W_OK 2
#define LINUX_R_OK 4

/* file types in st_mode */
#define LINUX_S_IFMT 0170000
#define LINUX_S_IFSOCK 0140000
#define LINUX_S_IFLNK 0120000
#define LINUX_S_IFREG 0100000
#define LINUX_S_IFBLK 0060000
#define LINUX_S_IFDIR 0040000
#define LINUX_S_IFCHR 0020000
#define LINUX_S_IFIFO 0010000
#define LINUX_S_IALLUGO 07777 /* permission bits with set-id and sticky */

/* lseek(2) */
#define LINUX_SEEK_SET 0
#define LINUX_SEEK_CUR 1
#define LINUX_SEEK_END 2

/* socket(2) */
#define LINUX_AF_UNIX 1
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10
#define LINUX_SOCK_STREAM 1
#define LINUX_SOCK_DGRAM 2
#define LINUX_SOCK_SEQPACKET 5
#define LINUX_AF_NETLINK 16
#define LINUX_SOCK_RAW 3
#define LINUX_SOCK_TYPE_MASK 0xf
#define LINUX_SOCK_NONBLOCK LINUX_O_NONBLOCK
#define LINUX_SOCK_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_SOL_SOCKET 1
#define LINUX_SCM_RIGHTS 1
#define LINUX_MSG_PEEK 0x2
#define LINUX_MSG_TRUNC 0x20
#define LINUX_MSG_DONTWAIT 0x40
#define LINUX_MSG_WAITALL 0x100
#define LINUX_MSG_NOSIGNAL 0x4000
#define LINUX_MSG_WAITFORONE 0x10000
#define LINUX_MSG_CMSG_CLOEXEC 0x40000000
#define LINUX_MSG_CTRUNC 0x8
#define LINUX_SOMAXCONN 4096
#define LINUX_UIO_MAXIOV 1024

struct linux_msghdr {
    uint64_t msg_name;
    uint32_t msg_namelen;
    uint32_t pad0;
    uint64_t msg_iov;
    uint64_t msg_iovlen;
    uint64_t msg_control;
    uint64_t msg_controllen;
    uint32_t msg_flags;
    uint32_t pad1;
};
_Static_assert(sizeof(struct linux_msghdr) == 56, "msghdr");

struct linux_mmsghdr {
    struct linux_msghdr msg_hdr;
    uint32_t msg_len;
    uint32_t pad;
};
_Static_assert(sizeof(struct linux_mmsghdr) == 64, "mmsghdr");

struct linux_cmsghdr {
    uint64_t cmsg_len; /* header and data, unaligned */
    int32_t cmsg_level;
    int32_t cmsg_type;
};
_Static_assert(sizeof(struct linux_cmsghdr) == 16, "cmsghdr");
#define LINUX_CMSG_ALIGN(n) (((n) + 7) & ~(uint64_t)7)

/* fcntl(2) */
#define LINUX_F_DUPFD 0
#define LINUX_F_GETFD 1
#define LINUX_F_SETFD 2
#define LINUX_F_GETFL 3
#define LINUX_F_SETFL 4
#define LINUX_F_GETLK 5
#define LINUX_F_SETLK 6
#define LINUX_F_SETLKW 7
#define LINUX_F_OFD_GETLK 36
#define LINUX_F_OFD_SETLK 37
#define LINUX_F_OFD_SETLKW 38
#define LINUX_F_DUPFD_CLOEXEC 1030
#define LINUX_FD_CLOEXEC 1
#define LINUX_F_UNLCK 2

/* poll(2) events */
#define LINUX_POLLIN 0x1
#define LINUX_POLLPRI 0x2
#define LINUX_POLLOUT 0x4
#define LINUX_POLLERR 0x8
#define LINUX_POLLHUP 0x10
#define LINUX_POLLNVAL 0x20

/* eventfd2(2), memfd_create(2) flags */
#define LINUX_EFD_SEMAPHORE 1
#define LINUX_MFD_CLOEXEC 1u
#define LINUX_MFD_ALLOW_SEALING 2u

/* mmap(2), mremap(2), madvise(2), msync(2) */
#define LINUX_PROT_NONE 0
#define LINUX_PROT_READ 1
#define LINUX_PROT_WRITE 2
#define LINUX_PROT_EXEC 4
#define LINUX_MAP_SHARED 0x01
#define LINUX_MAP_PRIVATE 0x02
#define LINUX_MAP_SHARED_VALIDATE 0x03
#define LINUX_MAP_TYPE 0x0f
#define LINUX_MAP_FIXED 0x10
#define LINUX_MAP_ANONYMOUS 0x20
#define LINUX_MAP_GROWSDOWN 0x100
#define LINUX_MAP_DENYWRITE 0x800
#define LINUX_MAP_LOCKED 0x2000
#define LINUX_MAP_NORESERVE 0x4000
#define LINUX_MAP_POPULATE 0x8000
#define LINUX_MAP_STACK 0x20000
#define LINUX_MAP_FIXED_NOREPLACE 0x100000
#define LINUX_MREMAP_MAYMOVE 1
#define LINUX_MREMAP_FIXED 2
#define LINUX_MREMAP_DONTUNMAP 4
#define LINUX_MADV_NORMAL 0
#define LINUX_MADV_RANDOM 1
#define LINUX_MADV_SEQUENTIAL 2
#define LINUX_MADV_WILLNEED 3
#define LINUX_MADV_DONTNEED 4
#define LINUX_MADV_FREE 8
#define LINUX_MADV_HUGEPAGE 14
#define LINUX_MADV_NOHUGEPAGE 15
#define LINUX_MS_ASYNC 1
#define LINUX_MS_INVALIDATE 2
#define LINUX_MS_SYNC 4

/* clocks and timers */
#define LINUX_CLOCK_REALTIME 0
#define LINUX_CLOCK_MONOTONIC 1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID 2
#define LINUX_CLOCK_THREAD_CPUTIME_ID 3
#define LINUX_CLOCK_MONOTONIC_RAW 4
#define LINUX_CLOCK_REALTIME_COARSE 5
#define LINUX_CLOCK_MONOTONIC_COARSE 6
#define LINUX_CLOCK_BOOTTIME 7
#define LINUX_CLOCK_REALTIME_ALARM 8
#define LINUX_CLOCK_BOOTTIME_ALARM 9
#define LINUX_CLOCK_SGI_CYCLE 10 /* retired: invalid */
#define LINUX_CLOCK_TAI 11
#define LINUX_TIMER_ABSTIME 1
#define LINUX_ITIMER_REAL 0
#define LINUX_ITIMER_VIRTUAL 1
#define LINUX_ITIMER_PROF 2
#define LINUX_SIGEV_SIGNAL 0
#define LINUX_SIGEV_NONE 1
#define LINUX_SIGEV_THREAD 2
#define LINUX_SIGEV_THREAD_ID 4

/* futex(2) */
#define LINUX_FUTEX_WAIT 0
#define LINUX_FUTEX_WAKE 1
/* epoll */
#define LINUX_EPOLL_CTL_ADD 1
#define LINUX_EPOLL_CTL_DEL 2
#define LINUX_EPOLL_CTL_MOD 3
struct linux_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12, "epoll_event is packed on x86-64");

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

/* limits */
#define LINUX_UIO_MAXIOV 1024   /* iovecs per readv/writev */
#define LINUX_MAX_RW_COUNT 0x7ffff000ull /* INT_MAX rounded down to a page: one transfer's most */
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

/* errno values */
#define LINUX_EPERM 1
#define LINUX_ENOENT 2
#define LINUX_ESRCH 3
#define LINUX_EINTR 4
#define LINUX_EIO 5
#define LINUX_E2BIG 7
#define LINUX_ENOEXEC 8
#define LINUX_EBADF 9
#define LINUX_ECHILD 10
#define LINUX_EAGAIN 11
#define LINUX_ENOMEM 12
#define LINUX_EACCES 13
#define LINUX_EFAULT 14
#define LINUX_EEXIST 17
#define LINUX_ENODEV 19
#define LINUX_ENOTDIR 20
#define LINUX_EISDIR 21
#define LINUX_EINVAL 22
#define LINUX_EMFILE 24
#define LINUX_ENOTTY 25
#define LINUX_EFBIG 27
#define LINUX_ESPIPE 29
#define LINUX_EPIPE 32
#define LINUX_ERANGE 34
#define LINUX_ENAMETOOLONG 36
#define LINUX_ENOSYS 38
#define LINUX_ENOTEMPTY 39
#define LINUX_ELOOP 40
#define LINUX_EOVERFLOW 75
#define LINUX_ENXIO 6
#define LINUX_ENOTBLK 15
#define LINUX_EBUSY 16
#define LINUX_ENFILE 23
#define LINUX_ETXTBSY 26
#define LINUX_ENOSPC 28
#define LINUX_EROFS 30
#define LINUX_EMLINK 31
#define LINUX_EDOM 33
#define LINUX_EDEADLK 35
#define LINUX_ENOLCK 37
#define LINUX_EAFNOSUPPORT 97
#define LINUX_EPROTONOSUPPORT 93
#define LINUX_ESOCKTNOSUPPORT 94
#define LINUX_EDQUOT 122
#define LINUX_EXDEV 18
#define LINUX_ETIMEDOUT 110
#define LINUX_EOPNOTSUPP 95
#define LINUX_ENODATA 61
#define LINUX_EMSGSIZE 90
#define LINUX_ENOBUFS 105
#define LINUX_EISCONN 106
#define LINUX_EINPROGRESS 115

/* signals */
#define LINUX_SIGHUP 1
#define LINUX_SIGINT 2
#define LINUX_SIGQUIT 3
#define LINUX_SIGILL 4
#define LINUX_SIGTRAP 5
#define LINUX_SIGABRT 6
#define LINUX_SIGBUS 7
#define LINUX_SIGFPE 8
#define LINUX_SIGKILL 9
#define LINUX_SIGUSR1 10
#define LINUX_SIGSEGV 11
#define LINUX_SIGUSR2 12
#define LINUX_SIGPIPE 13
#define LINUX_SIGALRM 14
#define LINUX_SIGTERM 15
#define LINUX_SIGSTKFLT 16
#define LINUX_SIGCHLD 17
#define LINUX_SIGCONT 18
#define LINUX_SIGSTOP 19
#define LINUX_SIGTSTP 20
#define LINUX_SIGTTIN 21
#define LINUX_SIGTTOU 22
#define LINUX_SIGURG 23
#define LINUX_SIGXCPU 24
#define LINUX_SIGXFSZ 25
#define LINUX_SIGVTALRM 26
#define LINUX_SIGPROF 27
#define LINUX_SIGWINCH 28
#define LINUX_SIGIO 29
#define LINUX_SIGPWR 30
#define LINUX_SIGSYS 31
#define LINUX_NSIG 64 /* signals 1..64; 32..64 are real-time */
#define LINUX_SIG_DFL 0
#define LINUX_SIG_IGN 1
#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2
#define LINUX_SS_ONSTACK 1
#define LINUX_SS_DISABLE 2
#define LINUX_SS_AUTODISARM (1u << 31)
#define LINUX_MINSIGSTKSZ 2048
/* sa_flags */
#define LINUX_SA_NOCLDSTOP 0x1u
#define LINUX_SA_NOCLDWAIT 0x2u
#define LINUX_SA_SIGINFO 0x4u
#define LINUX_SA_RESTORER 0x04000000u
#define LINUX_SA_ONSTACK 0x08000000u
#define LINUX_SA_RESTART 0x10000000u
#define LINUX_SA_NODEFER 0x40000000u
#define LINUX_SA_RESETHAND 0x80000000u
/* si_code values */
#define LINUX_SI_USER 0
#define LINUX_SI_KERNEL 0x80
#define LINUX_SI_QUEUE (-1)
#define LINUX_SI_TIMER (-2)
#define LINUX_SI_MESGQ (-3)
#define LINUX_SI_ASYNCIO (-4)
#define LINUX_SI_SIGIO (-5)
#define LINUX_SI_TKILL (-6)
#define LINUX_ILL_ILLOPN 2
#define LINUX_FPE_INTDIV 1
#define LINUX_FPE_INTOVF 2
#define LINUX_FPE_FLTDIV 3
#define LINUX_FPE_FLTOVF 4
#define LINUX_FPE_FLTUND 5
#define LINUX_FPE_FLTRES 6
#define LINUX_FPE_FLTINV 7
#define LINUX_SEGV_MAPERR 1
#define LINUX_SEGV_ACCERR 2
#define LINUX_BUS_ADRALN 1
#define LINUX_BUS_ADRERR 2
#define LINUX_TRAP_BRKPT 1
#define LINUX_TRAP_TRACE 2
/* a syscall interrupted by a signal: what the return to user turns into EINTR or a restart */
#define LINUX_ERESTARTSYS 512
#define LINUX_ERESTARTNOINTR 513
#define LINUX_ERESTARTNOHAND 514
#define LINUX_ERESTART_RESTARTBLOCK 516

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

/* System V IPC (x86-64: the 64-bit "ipc64" layouts, which glibc and musl use). */
#define LINUX_IPC_PRIVATE 0
#define LINUX_IPC_CREAT 01000
#define LINUX_IPC_EXCL 02000
#define LINUX_IPC_NOWAIT 04000
#define LINUX_IPC_RMID 0
#define LINUX_IPC_SET 1
#define LINUX_IPC_STAT 2
#define LINUX_IPC_INFO 3
#define LINUX_IPC_64 0x0100 /* or'ed into a *ctl command by old libcs: the only layout here */
#define LINUX_MSG_STAT 11
#define LINUX_MSG_INFO 12
#define LINUX_MSG_STAT_ANY 13
#define LINUX_MSG_NOERROR 010000
#define LINUX_MSG_EXCEPT 020000
#define LINUX_MSG_COPY 040000
#define LINUX_SEM_UNDO 0x1000
#define LINUX_GETPID 11
#define LINUX_GETVAL 12
#define LINUX_GETALL 13
#define LINUX_GETNCNT 14
#define LINUX_GETZCNT 15
#define LINUX_SETVAL 16
#define LINUX_SETALL 17
#define LINUX_SEM_STAT 18
#define LINUX_SEM_INFO 19
#define LINUX_SEM_STAT_ANY 20
#define LINUX_SHM_RDONLY 010000
#define LINUX_SHM_RND 020000
#define LINUX_SHM_REMAP 040000
#define LINUX_SHM_EXEC 0100000
#define LINUX_SHM_LOCK 11
#define LINUX_SHM_UNLOCK 12
#define LINUX_SHM_STAT 13
#define LINUX_SHM_INFO 14
#define LINUX_SHM_STAT_ANY 15
#define LINUX_SHM_DEST 01000   /* in shm_perm.mode: removed, goes with its last attachment */
#define LINUX_SHM_LOCKED 02000 /* in shm_perm.mode: SHM_LOCK */
#define LINUX_SHMLBA 4096

struct linux_ipc64_perm {
    int32_t key;
    uint32_t uid, gid, cuid, cgid;
    uint16_t mode, pad1;
    uint16_t seq, pad2;
    uint32_t pad3;
    uint64_t unused1, unused2;
};
_Static_assert(sizeof(struct linux_ipc64_perm) == 48, "ipc64_perm");

struct linux_msqid64_ds {
    struct linux_ipc64_perm msg_perm;
    int64_t msg_stime, msg_rtime, msg_ctime;
    uint64_t msg_cbytes, msg_qnum, msg_qbytes;
    int32_t msg_lspid, msg_lrpid;
    uint64_t unused4, unused5;
};
_Static_assert(sizeof(struct linux_msqid64_ds) == 120, "msqid64_ds");

struct linux_semid64_ds {
    struct linux_ipc64_perm sem_perm;
    int64_t sem_otime;
    uint64_t unused1;
    int64_t sem_ctime;
    uint64_t unused2;
    uint64_t sem_nsems, unused3, unused4;
};
_Static_assert(sizeof(struct linux_semid64_ds) == 104, "semid64_ds");

struct linux_shmid64_ds {
    struct linux_ipc64_perm shm_perm;
    uint64_t shm_segsz;
    int64_t shm_atime, shm_dtime, shm_ctime;
    int32_t shm_cpid, shm_lpid;
    uint64_t shm_nattch, unused4, unused5;
};
_Static_assert(sizeof(struct linux_shmid64_ds) == 112, "shmid64_ds");

struct linux_msginfo {
    int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
    uint16_t msgseg, pad;
};
_Static_assert(sizeof(struct linux_msginfo) == 32, "msginfo");

struct linux_seminfo {
    int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};
_Static_assert(sizeof(struct linux_seminfo) == 40, "seminfo");

struct linux_shminfo64 {
    uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused1, unused2, unused3, unused4;
};
_Static_assert(sizeof(struct linux_shminfo64) == 72, "shminfo64");

struct linux_shm_info {
    int32_t used_ids, pad;
    uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};
_Static_assert(sizeof(struct linux_shm_info) == 48, "shm_info");

struct linux_sembuf {
    uint16_t sem_num;
    int16_t sem_op;
    int16_t sem_flg;
};
_Static_assert(sizeof(struct linux_sembuf) == 6, "sembuf");

/* POSIX message queues */
struct linux_mq_attr {
    int64_t mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
    int64_t reserved[4];
};
_Static_assert(sizeof(struct linux_mq_attr) == 64, "mq_attr");

#endif
