/* bvm_abi.h: the one ABI shared by the host monitor and the shim kernel (boot info and hostcalls). */
#ifndef BVM_ABI_H
#define BVM_ABI_H

/*
 * C11 only, fixed-width types, explicit padding, every size and offset asserted.
 * Both sides include this file; besides it they share only format definitions (bvm_linux.h,
 * bvm_elf.h) and the freestanding code of common/.
 *
 * Addresses named *_gpa are guest-physical. The monitor reaches them only through
 * its checked translator (address and length, overflow-safe). Fields are marked
 * IN (guest -> monitor) or OUT (monitor -> guest).
 *
 * A hostcall is one 32-bit port write to BVM_HOSTCALL_PORT whose value is the
 * guest-physical address of a struct bvm_hostcall (8-byte aligned, inside RAM).
 * The monitor copies the request once, validates the copy, acts, and writes back
 * only the OUT fields. Results follow Linux: >= 0 success, -errno failure.
 */

#include <stddef.h>
#include <stdint.h>

#define BVM_ABI_VERSION 19u

/* ---- Guest-physical layout (fixed; the monitor builds it, the kernel relies on it) ---- */
#define BVM_BOOTSTRAP_GPA 0x0000ull   /* 32-bit bootstrap, at most 4 KiB, RIP=0 */
#define BVM_BOOTINFO_GPA 0x1000ull    /* struct bvm_bootinfo */
#define BVM_GDT_GPA 0x2000ull         /* monitor's boot GDT */
#define BVM_TSS_GPA 0x3000ull         /* monitor's boot TSS */
#define BVM_PT_GPA 0x4000ull          /* boot page tables: PML4, PDPTs, PDs ... */
#define BVM_PT_END_GPA 0x80000ull     /* ... up to here */
#define BVM_ARGS_GPA 0x100000ull      /* boot stack and argv/envp copies ... */
#define BVM_ARGS_END_GPA 0x1000000ull /* ... up to 16 MiB */
#define BVM_KERNEL_GPA 0x1000000ull   /* kernel image is loaded from 16 MiB up */
#define BVM_MIN_RAM (64ull << 20)
#define BVM_MAX_RAM (64ull << 30)
/* The file window: guest-physical space above all RAM where the monitor maps host file pages
 * (BVM_HC_FMAP) for MAP_SHARED file mappings. Not RAM: only pages mapped there are backed. */
#define BVM_FILEWIN_GPA (128ull << 30)
#define BVM_FILEWIN_SIZE (16ull << 30)

/* Host fds the guest may be given are below this (the monitor's table). */
#define BVM_HOST_FD_MAX 65536

/* ---- Virtual layout set up by the boot page tables ---- */
#define BVM_PHYSMAP_BASE 0xffff800000000000ull /* all RAM mapped here, 2 MiB pages */
#define BVM_KERNEL_VBASE 0xffffffff80000000ull /* phys 0..1 GiB mapped here (kernel text) */
/* The low identity map (virtual == physical, PML4 slot 0) exists only for the bootstrap;
 * the kernel removes it before creating user mappings. */
/* The program's part: [BVM_USER_MIN, BVM_USER_TOP). The top is Linux's TASK_SIZE_MAX (the last page
 * below 2^47 is never mapped), the bottom Linux's default vm.mmap_min_addr (64 KiB). */
#define BVM_USER_MIN 0x10000ull
#define BVM_USER_TOP 0x7ffffffff000ull

/* ---- Boot GDT selectors (monitor's GDT; the kernel loads its own with the same layout) ----
 * Linux's x86-64 layout, so that the selectors a program sees (CS, SS, uc_mcontext) are Linux's. */
#define BVM_SEL_NULL 0x00
#define BVM_SEL_CODE32 0x08  /* 32-bit kernel code (the bootstrap) */
#define BVM_SEL_KCODE 0x10   /* 64-bit kernel code */
#define BVM_SEL_KDATA 0x18
#define BVM_SEL_UCODE32 0x23 /* 32-bit user code, RPL 3 (STAR[63:48]) */
#define BVM_SEL_UDATA 0x2b   /* user data, RPL 3 (STAR[63:48]+8) */
#define BVM_SEL_UCODE 0x33   /* 64-bit user code, RPL 3 (STAR[63:48]+16) */
#define BVM_SEL_TSS 0x40     /* 16-byte system descriptor */
#define BVM_SEL_CPUNODE 0x7b /* LSL of it gives CPU and node (0), as Linux's getcpu descriptor */
#define BVM_GDT_ENTRIES 16

/* ---- Boot info ---- */
#define BVM_BOOT_MAGIC 0x424d5642u /* "BVMB" */
#define BVM_MAX_RANGES 8

enum bvm_range_type {
    BVM_RANGE_USABLE = 1,   /* free for the kernel's page allocator */
    BVM_RANGE_RESERVED = 2, /* bootstrap, boot info, GDT, TSS, boot page tables */
    BVM_RANGE_BOOTARGS = 3, /* boot stack and argv/envp copies */
    BVM_RANGE_KERNEL = 4,   /* kernel image, .bss included */
    BVM_RANGE_FILEWIN = 5,  /* the file window (BVM_FILEWIN_GPA): never allocated as RAM */
};

struct bvm_mem_range {
    uint64_t base; /* guest-physical, page aligned */
    uint64_t size; /* bytes, page multiple */
    uint32_t type; /* enum bvm_range_type */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_mem_range) == 24, "bvm_mem_range size");

/* Flags the monitor passes to the kernel. */
#define BVM_BOOT_TRACE_SYSCALLS (1u << 0)  /* print each syscall via BVM_HC_TRACE */
#define BVM_BOOT_STRICT_SYSCALLS (1u << 1) /* unknown syscall ends the run */
#define BVM_BOOT_VERBOSE (1u << 2)
#define BVM_BOOT_CHECK (1u << 3)   /* buffervm check: the heap checker replaces the program's allocator */
#define BVM_BOOT_CHECK_NO_EXEC (1u << 4) /* --trace-children=no: a program an execve starts is not checked */
#define BVM_BOOT_GDB (1u << 5) /* --gdb: the program stops for gdb before its first instruction */

/* Written by the monitor at BVM_BOOTINFO_GPA; read-only for the kernel.
 * Pointers (kernel_entry, stack_top, tss, argv, envp, exec_path) are kernel
 * virtual addresses valid under the boot page tables (physmap or kernel map). */
struct bvm_bootinfo {
    uint32_t magic;        /* BVM_BOOT_MAGIC */
    uint32_t abi_version;  /* BVM_ABI_VERSION */
    uint64_t kernel_entry; /* kernel_main */
    uint64_t stack_top;    /* 16-byte aligned top of the boot stack */
    uint64_t tss;          /* monitor's TSS (the kernel builds its own) */
    uint64_t argc;
    uint64_t argv;         /* char *argv[argc + 1], NULL terminated */
    uint64_t envp;         /* char *envp[], NULL terminated */
    uint64_t exec_path;    /* NUL-terminated path of the program, as execve's filename */
    uint64_t ram_size;     /* bytes of guest-physical RAM from 0 */
    uint32_t flags;        /* BVM_BOOT_* */
    uint32_t nr_ranges;
    /* The monitor process's identity, which the guest program sees as its own. */
    int32_t pid, ppid, uid, euid, gid, egid;
    uint64_t rand_seed[2]; /* host entropy for AT_RANDOM */
    /* What a program inherits across execve: the signals the monitor was started with ignored and
     * blocked (bit n-1 for signal n). */
    uint64_t sig_ignored, sig_blocked;
    uint32_t check_frames; /* BVM_BOOT_CHECK: frames recorded per stack (--num-callers), 1..BVM_CHECK_MAX_FRAMES */
    uint32_t check_alias_mib; /* BVM_BOOT_CHECK: alias space the checker starts with (0: all), for tests */
    struct bvm_mem_range ranges[BVM_MAX_RANGES];
};
_Static_assert(offsetof(struct bvm_bootinfo, kernel_entry) == 8, "bootinfo entry");
_Static_assert(offsetof(struct bvm_bootinfo, stack_top) == 16, "bootinfo stack");
_Static_assert(offsetof(struct bvm_bootinfo, tss) == 24, "bootinfo tss");
_Static_assert(offsetof(struct bvm_bootinfo, argc) == 32, "bootinfo argc");
_Static_assert(offsetof(struct bvm_bootinfo, argv) == 40, "bootinfo argv");
_Static_assert(offsetof(struct bvm_bootinfo, envp) == 48, "bootinfo envp");
_Static_assert(offsetof(struct bvm_bootinfo, exec_path) == 56, "bootinfo exec_path");
_Static_assert(offsetof(struct bvm_bootinfo, flags) == 72, "bootinfo flags");
_Static_assert(offsetof(struct bvm_bootinfo, pid) == 80, "bootinfo pid");
_Static_assert(offsetof(struct bvm_bootinfo, rand_seed) == 104, "bootinfo seed");
_Static_assert(offsetof(struct bvm_bootinfo, sig_ignored) == 120, "bootinfo sig_ignored");
_Static_assert(offsetof(struct bvm_bootinfo, check_frames) == 136, "bootinfo check_frames");
_Static_assert(offsetof(struct bvm_bootinfo, ranges) == 144, "bootinfo ranges");
_Static_assert(sizeof(struct bvm_bootinfo) == 144 + 24 * BVM_MAX_RANGES, "bootinfo size");

/* ---- Hostcalls ---- */
#define BVM_HOSTCALL_PORT 0x0500
#define BVM_HC_MAX_SEGS 256        /* segments per buffer list */
#define BVM_HC_MAX_IO (1u << 20)   /* bytes per read/write hostcall; the kernel splits larger */
#define BVM_HC_MAX_PATH 4096       /* including the NUL */
#define BVM_HC_MAX_TRACE 1024
#define BVM_HC_MAX_POLL 1024      /* POLL entries */

/* One piece of a guest buffer: user memory is not physically contiguous. */
struct bvm_seg {
    uint64_t gpa; /* IN */
    uint64_t len; /* IN */
};
_Static_assert(sizeof(struct bvm_seg) == 16, "bvm_seg size");

/*
 * X(number, NAME, name, req): the hostcall list, declared once. It drives the monitor's dispatch
 * (handler hc_<name>), the names in its traces, and says which member of bvm_hostcall.u carries
 * the request (struct bvm_hc_<req>).
 */
#define BVM_HOSTCALLS(X)                                                                            \
    X(0, EXIT, exit, exit)                   /* the program ended: status or signal */              \
    X(1, READ, read, io)                     /* fd, segs -> bytes */                                \
    X(2, WRITE, write, io)                   /* fd, segs -> bytes */                                \
    X(3, PREAD, pread, io)                   /* fd, segs, offset -> bytes */                        \
    X(4, PWRITE, pwrite, io)                 /* fd, segs, offset -> bytes */                        \
    X(5, OPENAT, openat, path)               /* dirfd, path, flags, mode -> host fd */              \
    X(6, CLOSE, close, fd)                   /* fd */                                               \
    X(7, FSTAT, fstat, fd)                   /* fd -> struct linux_stat */                          \
    X(8, FSTATAT, fstatat, path)             /* dirfd, path, flags -> struct linux_stat */          \
    X(9, LSEEK, lseek, lseek)                /* fd, offset, whence -> offset */                     \
    X(10, UNLINKAT, unlinkat, path)          /* dirfd, path, flags */                               \
    X(11, IOCTL, ioctl, ioctl)               /* fd, cmd (allow-listed), buffer or value */          \
    X(12, CLOCK_GETTIME, clock_gettime, clock) /* clock -> struct linux_timespec */                 \
    X(13, GETRANDOM, getrandom, io)          /* segs, flags -> bytes */                             \
    X(14, UNAME, uname, out)                 /* -> struct linux_utsname */                          \
    X(15, TRACE, trace, trace)               /* one line of syscall trace text */                   \
    X(16, MKDIRAT, mkdirat, at)              /* dirfd, path, mode */                                \
    X(17, RENAMEAT2, renameat2, at)          /* dirfd, path -> dirfd2, path2, flags */              \
    X(18, LINKAT, linkat, at)                /* dirfd, path -> dirfd2, path2, flags */              \
    X(19, SYMLINKAT, symlinkat, at)          /* target path -> dirfd2, path2 */                     \
    X(20, READLINKAT, readlinkat, at)        /* dirfd, path, out buffer -> bytes */                 \
    X(21, FCHMODAT, fchmodat, at)            /* dirfd, path, mode */                                \
    X(22, FCHOWNAT, fchownat, at)            /* dirfd, path, owner, flags */                        \
    X(23, UTIMENSAT, utimensat, at)          /* dirfd, path (none: dirfd itself), times or 0 */     \
    X(24, FACCESSAT, faccessat, at)          /* dirfd, path, access, flags */                       \
    X(25, TRUNCATE, truncate, at)            /* path, length */                                     \
    X(26, STATX, statx, at)                  /* dirfd, path, flags, statx_mask -> struct statx */   \
    X(27, STATFS, statfs, at)                /* path -> struct linux_statfs */                      \
    X(28, CHDIR, chdir, at)                  /* path */                                             \
    X(29, GETDENTS64, getdents64, fd)        /* fd, out buffer -> bytes of linux_dirent64 */        \
    X(30, GETCWD, getcwd, out)               /* out buffer -> length with the NUL */                \
    X(31, FCHDIR, fchdir, fd)                /* fd */                                               \
    X(32, FDOP, fdop, fdop)                  /* fd, op, the op's arguments (see below) */           \
    X(33, PIPE2, pipe2, pipe)                /* flags, or a socketpair -> int32_t[2] host fds */    \
    X(34, POLL, poll, poll)                  /* linux_pollfd[nfds] (host fds), timeout */           \
    X(35, NEWFD, newfd, newfd)               /* memfd_create (name) / eventfd2 (count) -> host fd */ \
    X(36, UMASK, umask, umask)               /* new mask -> old mask (the host creates the files) */ \
    X(37, FMAP, fmap, fmap)                  /* fd's pages [offset, +len) at window gpa -> gpa */   \
    X(38, FUNMAP, funmap, fmap)              /* window [gpa, +len) back to unbacked */              \
    X(39, FMSYNC, fmsync, fmap)              /* msync(MS_SYNC) of window [gpa, +len) */             \
    X(40, GETGROUPS, getgroups, out)         /* out = uint32_t[], out_len 0: none -> the count */ \
    X(41, STOP, stop, stop)                  /* a stop signal's default action: stop until SIGCONT */ \
    X(42, EVENT, event, out)                 /* out = struct bvm_event -> 1, or 0: none left */ \
    X(43, ALARM, alarm, alarm)               /* arm or disarm a host timer for the kernel's timers */ \
    X(44, FORK, fork, fork)                  /* a new process: child pid, 0 in the child */          \
    X(45, WAIT, wait, wait)                  /* waitid on the children (host processes) */            \
    X(46, KILL, kill, kill)                  /* a signal to another process or a process group */     \
    X(47, PROC, proc, proc)                  /* process ids and groups: getppid, setpgid, setsid ... */ \
    X(48, FUTEX, futex, futex)               /* wait or wake on a word of shared memory (processes) */ \
    X(49, CRED, cred, cred)                  /* setuid and its kin on the monitor -> the ids after */ \
    X(50, XATTR, xattr, at)                  /* extended attributes: get, list, set, remove */       \
    X(51, MKNODAT, mknodat, at)              /* dirfd, path, mode (type and permissions), dev */      \
    X(52, SOCK, sock, sock)                  /* a socket call: op, host fd, its arguments (below) */ \
    X(53, CHECK, check, check)               /* heap checker: a file's allocator entries, a report */ \
    X(54, IPC, ipc, ipc)                     /* System V IPC: msg, sem and shm objects of the run */ \
    X(55, MQ, mq, mq)                        /* POSIX message queues of the run: open, send ... */ \
    X(56, GDB, gdb, out)                     /* out = struct bvm_gdb_xfer: a stop for gdb (bvm_abi_gdb.h) */

enum bvm_hostcall_nr {
#define BVM_HC_ENUM(n, NAME, name, req) BVM_HC_##NAME = n,
    BVM_HOSTCALLS(BVM_HC_ENUM)
#undef BVM_HC_ENUM
    BVM_HC_COUNT
};

/* How the program ended (BVM_HC_EXIT). */
enum bvm_exit_kind {
    BVM_EXIT_STATUS = 0, /* exit_group(status) */
    BVM_EXIT_SIGNAL = 1, /* killed by signal `sig`; monitor re-raises it on itself */
    BVM_EXIT_PANIC = 2,  /* kernel invariant broken; `text` says which */
    BVM_EXIT_EXEC = 3,   /* the boot program cannot be executed: `status` is the errno (ENOENT ...),
                          * `text` names the file (a shell would say why it could not exec it) */
};

struct bvm_hc_exit {
    uint32_t kind;       /* IN: enum bvm_exit_kind */
    int32_t status;      /* IN: exit status, or signal number */
    uint64_t fault_addr; /* IN: for a fault signal: faulting address (CR2 or 0) */
    uint64_t fault_rip;  /* IN: user RIP of the faulting instruction */
    uint32_t fault_vector; /* IN: CPU exception vector, or 0xffffffff if not a fault */
    uint32_t insn_len;   /* IN: valid bytes in insn[] */
    uint8_t insn[16];    /* IN: instruction bytes at fault_rip (as readable) */
    char text[128];      /* IN: NUL-terminated message (panic, exec) */
};
_Static_assert(sizeof(struct bvm_hc_exit) == 176, "hc_exit size");

/* READ, WRITE, PREAD, PWRITE, GETRANDOM: a buffer as a list of guest-physical segments. */
struct bvm_hc_io {
    int32_t fd;         /* IN: host fd (unused for GETRANDOM) */
    uint32_t nsegs;     /* IN: entries at segs_gpa, <= BVM_HC_MAX_SEGS */
    uint64_t segs_gpa;  /* IN: struct bvm_seg[nsegs]; total <= BVM_HC_MAX_IO */
    int64_t offset;     /* IN: PREAD/PWRITE file offset */
    uint32_t flags;     /* IN: GETRANDOM flags; BVM_IO_BAD_BUFFER */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_hc_io) == 32, "hc_io size");
/* READ, PREAD with no segments: the program's buffer cannot take a byte. 0 when there is nothing
 * to read (a regular file at or past its end), else -EFAULT, as Linux finds out only by copying. */
#define BVM_IO_BAD_BUFFER 0x80000000u
/* READ, WRITE from a process with threads: on a pipe, terminal or socket that would make the call
 * wait (and is not O_NONBLOCK), nothing is done and the result is -BVM_ENOTREADY: the kernel runs
 * its other threads until the fd is ready. */
#define BVM_IO_TRY 0x40000000u
#define BVM_ENOTREADY 1000

/* Where a path starts (a dirfd field): AT_FDCWD, a host fd the guest owns, or such a host fd with
 * one of these bits, for the kernel's names of descriptors (/proc/self/fd/N, /proc/<pid>/fd/N):
 * - BVM_DIRFD_LINK: at the fd's /proc/self/fd link. An empty path is the link itself when the call
 *   does not follow it (lstat, readlink), else the fd's object, opened anew with the call's flags;
 *   any other path is resolved from the object, as openat resolves it from a directory fd.
 * - BVM_DIRFD_SELF: at the fd's object. An empty path is the object itself, whatever the call's
 *   AT_EMPTY_PATH (the kernel's handle on another process's link, BVM_PROC_FD_LINK). */
#define BVM_DIRFD_LINK 0x40000000
#define BVM_DIRFD_SELF 0x20000000
#define BVM_DIRFD_FLAGS (BVM_DIRFD_LINK | BVM_DIRFD_SELF)
_Static_assert(BVM_HOST_FD_MAX <= BVM_DIRFD_SELF, "dirfd bits above every host fd");

/* OPENAT, FSTATAT, UNLINKAT: a path in a contiguous guest buffer. OPENAT with BVM_IO_TRY in flags
 * (a threaded process): an open that would wait for a FIFO's other end is made by a helper thread;
 * the result is -BVM_ENOTREADY and an int32_t ticket at out_gpa, a host fd that polls readable once
 * the open is over (then FDOP OPEN_RESULT; FDOP OPEN_CANCEL to give it up). */
struct bvm_hc_path {
    int32_t dirfd;      /* IN: host fd or AT_FDCWD (-100), with BVM_DIRFD_* bits */
    uint32_t path_len;  /* IN: bytes at path_gpa excluding NUL, < BVM_HC_MAX_PATH */
    uint64_t path_gpa;  /* IN */
    int32_t flags;      /* IN: open flags / AT_* flags */
    uint32_t mode;      /* IN: creation mode */
    uint64_t out_gpa;   /* IN: FSTATAT: where to put struct linux_stat; OPENAT: the ticket */
};
_Static_assert(sizeof(struct bvm_hc_path) == 32, "hc_path size");

/* CLOSE, FSTAT, IOCTL, GETDENTS64, FCHDIR: one host fd and an optional result buffer. */
struct bvm_hc_fd {
    int32_t fd;       /* IN: host fd */
    uint32_t cmd;     /* IN: IOCTL request */
    uint64_t out_gpa; /* IN: result buffer (stat, termios, winsize, dirents) */
    uint64_t out_len; /* IN: its size; must equal the size the call writes (GETDENTS64: at most) */
};
_Static_assert(sizeof(struct bvm_hc_fd) == 24, "hc_fd size");

/* IOCTL: an allow-listed request (linux_ioctl_arg in bvm_linux.h), its buffer of exactly the
 * request's size or its value. Terminal requests may raise SIGTTOU in the monitor's process group
 * (a background job): the host's signal is then the guest's; -EINTR when an event cut it short. */
#define BVM_IOCTL_TTOU_IGNORED 1u /* the guest ignores or blocks SIGTTOU: the host must not send it */
struct bvm_hc_ioctl {
    int32_t fd;    /* IN: host fd */
    uint32_t cmd;  /* IN */
    uint64_t arg;  /* IN: IN/OUT: the buffer's gpa; VALUE: the value */
    uint32_t len;  /* IN: IN/OUT: the buffer's size */
    uint32_t flags; /* IN: BVM_IOCTL_* */
};
_Static_assert(sizeof(struct bvm_hc_ioctl) == 24, "hc_ioctl size");

/* UNAME, GETCWD, GETGROUPS: a result buffer only. */
struct bvm_hc_out {
    uint64_t out_gpa; /* IN */
    uint64_t out_len; /* IN: its size */
};
_Static_assert(sizeof(struct bvm_hc_out) == 16, "hc_out size");

struct bvm_hc_lseek {
    int32_t fd;      /* IN: host fd */
    uint32_t whence; /* IN: SEEK_SET, SEEK_CUR, SEEK_END ... */
    int64_t offset;  /* IN */
};
_Static_assert(sizeof(struct bvm_hc_lseek) == 16, "hc_lseek size");

struct bvm_hc_clock {
    int32_t clock;   /* IN: clock id */
    uint32_t pad;
    uint64_t ts_gpa; /* IN: where the struct linux_timespec goes */
};
_Static_assert(sizeof(struct bvm_hc_clock) == 16, "hc_clock size");

/* FDOP: small operations on one fd, op picks which: each is a single host call on one fd, so
 * they share one hostcall number instead of ten; each op has its own named argument. */
enum bvm_fdop {
    BVM_FDOP_FTRUNCATE = 0, /* length */
    BVM_FDOP_FSYNC = 1,
    BVM_FDOP_FDATASYNC = 2,
    BVM_FDOP_FCHMOD = 3,    /* mode */
    BVM_FDOP_FCHOWN = 4,    /* owner */
    BVM_FDOP_FALLOCATE = 5, /* alloc (no memory is touched) */
    BVM_FDOP_FSTATFS = 6,   /* out = struct linux_statfs */
    BVM_FDOP_SETFL = 7,     /* status_flags: O_APPEND | O_NONBLOCK ... */
    BVM_FDOP_RECLOCK = 8,   /* lock_cmd (F_SETLK, F_OFD_GETLK ...), out = struct linux_flock */
    BVM_FDOP_FIONREAD = 9,  /* out = int32_t bytes readable */
    BVM_FDOP_TIMERFD_SET = 10, /* timer_flags; out = linux_itimerspec[2]: new (read), old (written) */
    BVM_FDOP_TIMERFD_GET = 11, /* out = struct linux_itimerspec */
    BVM_FDOP_FLOCK = 12,       /* lock_cmd = flock(2)'s operation (LOCK_SH, LOCK_EX, LOCK_UN, LOCK_NB) */
    BVM_FDOP_GETFL = 13,       /* -> the open file's access mode (O_ACCMODE, O_PATH), O_LARGEFILE and the
                                * status flags F_SETFL may change (shared by every process that
                                * inherited it) */
    BVM_FDOP_EPOLL_CTL = 14,   /* fd an epoll fd: epoll.op on the host fd epoll.target; out = the
                                * struct linux_epoll_event (read; none for EPOLL_CTL_DEL) */
    BVM_FDOP_EPOLL_WAIT = 15,  /* fd an epoll fd: up to out_len / 12 ready events into out, waiting
                                * at most epoll.timeout_ms (cut short by an event: -EINTR) -> count */
    BVM_FDOP_OPEN_RESULT = 16, /* fd an OPENAT ticket: -> the opened host fd or -errno (the ticket
                                * gone), or -BVM_ENOTREADY while the open waits */
    BVM_FDOP_OPEN_CANCEL = 17, /* fd an OPENAT ticket: the open ends unmade, the ticket gone */
    BVM_FDOP_COUNT
};

struct bvm_hc_fdop {
    int32_t fd;  /* IN: host fd */
    uint32_t op; /* IN: enum bvm_fdop */
    union {      /* IN: the op's argument */
        int64_t length;        /* FTRUNCATE */
        uint32_t mode;         /* FCHMOD: permission bits */
        struct {
            uint32_t uid, gid; /* FCHOWN: (uint32_t)-1 keeps one */
        } owner;
        uint32_t status_flags; /* SETFL */
        int32_t timer_flags;   /* TIMERFD_SET: TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET */
        int32_t lock_cmd;      /* RECLOCK, FLOCK */
        struct {
            int32_t op;         /* EPOLL_CTL: EPOLL_CTL_ADD, _DEL, _MOD */
            int32_t target;     /* EPOLL_CTL: the host fd watched */
            int32_t timeout_ms; /* EPOLL_WAIT: -1 none */
        } epoll;
        struct {
            int32_t mode;      /* FALLOCATE: FALLOC_FL_* */
            uint32_t pad;
            int64_t offset, len;
        } alloc;
    } arg;
    uint64_t out_gpa; /* IN: FSTATFS, RECLOCK, FIONREAD result (RECLOCK: read and written) */
    uint64_t out_len; /* IN: its size */
};
_Static_assert(sizeof(struct bvm_hc_fdop) == 48, "hc_fdop size");
_Static_assert(offsetof(struct bvm_hc_fdop, out_gpa) == 32, "hc_fdop out");

/* PIPE2: two new host fds, written to fds_gpa as int32_t[2]: a pipe, or an AF_UNIX socketpair
 * (processes' local sockets: what multiprocessing's Pipe is made of). */
struct bvm_hc_pipe {
    uint32_t flags;     /* IN: O_NONBLOCK | O_DIRECT (the guest keeps O_CLOEXEC); a socketpair: O_NONBLOCK */
    uint32_t sock_type; /* IN: 0 a pipe; SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET: a socketpair */
    uint64_t fds_gpa; /* IN */
};
_Static_assert(sizeof(struct bvm_hc_pipe) == 16, "hc_pipe size");

/* SOCK: the socket calls, on host sockets. Addresses, option values and control messages travel in
 * a struct bvm_sock_msg (msg_gpa); SENDMSG and RECVMSG data as a segment list, as READ and WRITE.
 * Results: SOCKET and ACCEPT a new host fd; SENDMSG, RECVMSG bytes; the rest 0. Lengths the host
 * reports come back in the bvm_sock_msg. */
enum bvm_sock_op {
    BVM_SOCK_SOCKET = 0,      /* a domain, b type (SOCK_NONBLOCK kept), c protocol */
    BVM_SOCK_BIND = 1,        /* name */
    BVM_SOCK_CONNECT = 2,     /* name */
    BVM_SOCK_LISTEN = 3,      /* a backlog */
    BVM_SOCK_ACCEPT = 4,      /* a flags (SOCK_NONBLOCK); name: room in, the peer's address out */
    BVM_SOCK_SHUTDOWN = 5,    /* a how */
    BVM_SOCK_GETSOCKNAME = 6, /* name out */
    BVM_SOCK_GETPEERNAME = 7, /* name out */
    BVM_SOCK_SETSOCKOPT = 8,  /* a level, b name; data[data_len] the value */
    BVM_SOCK_GETSOCKOPT = 9,  /* a level, b name; data: room in, the value out */
    BVM_SOCK_SENDMSG = 10,    /* a msg flags; name (none: 0 bytes), data = control messages, segs */
    BVM_SOCK_RECVMSG = 11,    /* a msg flags; name and data (control) room in, filled out; segs */
    BVM_SOCK_COUNT
};
#define BVM_SOCK_NAME_MAX 128  /* sockaddr_storage */
#define BVM_SOCK_DATA_MAX 2048 /* an option value or control messages (SCM_RIGHTS: up to 253 fds) */
struct bvm_sock_msg {
    uint32_t name_len;  /* IN: address bytes, or room for one; OUT: the address's full length */
    uint32_t data_len;  /* IN: bytes, or room; OUT: bytes (an option's length, control received) */
    uint32_t msg_flags; /* OUT: RECVMSG's msg_flags */
    uint32_t wait_ms;   /* OUT with -BVM_ENOTREADY: the socket's SO_RCVTIMEO (SO_SNDTIMEO for a
                         * send) in ms, 0 for none: how long the thread may wait */
    uint8_t name[BVM_SOCK_NAME_MAX];
    uint8_t data[BVM_SOCK_DATA_MAX]; /* control messages carry host fds (SCM_RIGHTS) both ways */
};
_Static_assert(sizeof(struct bvm_sock_msg) == 16 + 128 + 2048, "sock_msg size");
struct bvm_hc_sock {
    int32_t fd;        /* IN: host socket (SOCKET: unused) */
    uint32_t op;       /* IN: enum bvm_sock_op */
    int32_t a, b, c;   /* IN: the op's integer arguments */
    uint32_t flags;    /* IN: BVM_IO_TRY: -BVM_ENOTREADY where the call would wait (as READ) */
    uint64_t msg_gpa;  /* IN: struct bvm_sock_msg, read and written back */
    uint64_t segs_gpa; /* IN: SENDMSG/RECVMSG: struct bvm_seg[nsegs], total <= BVM_HC_MAX_IO */
    uint32_t nsegs;    /* IN: <= BVM_HC_MAX_SEGS */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_hc_sock) == 48, "hc_sock size");

/* POLL: host fds the kernel translated from guest fds; negative fds are skipped, as poll does. */
struct bvm_hc_poll {
    uint32_t nfds;      /* IN: entries at fds_gpa, <= 1024; 0: only sleep */
    int32_t timeout_ms; /* IN: -1 waits forever */
    uint64_t fds_gpa;   /* IN: struct linux_pollfd[nfds], revents written back */
};
_Static_assert(sizeof(struct bvm_hc_poll) == 16, "hc_poll size");

/* NEWFD: a host fd that is not a file in the tree. */
enum bvm_newfd_kind {
    BVM_NEWFD_MEMFD = 0,   /* name (a label, not a path), flags MFD_* */
    BVM_NEWFD_EVENTFD = 1, /* count, flags EFD_* */
    BVM_NEWFD_TIMERFD = 2, /* count = the clock, flags TFD_* */
    BVM_NEWFD_EPOLL = 3,   /* an epoll instance (flags 0) */
    BVM_NEWFD_FD_LISTING = 4, /* the handle of a /proc/self/fd listing, whose entries the kernel serves
                               * from the guest's table (flags: the open's; only O_PATH and O_NONBLOCK
                               * are kept, a write or create is EISDIR) */
};
struct bvm_hc_newfd {
    uint32_t kind;     /* IN: enum bvm_newfd_kind */
    int32_t flags;     /* IN */
    uint64_t count;    /* IN: EVENTFD initial value */
    uint64_t name_gpa; /* IN: MEMFD name, not NUL-terminated */
    uint32_t name_len; /* IN: < 250 (Linux's limit of 249 bytes) */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_hc_newfd) == 32, "hc_newfd size");

struct bvm_hc_umask {
    uint32_t mask; /* IN: permission bits */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_hc_umask) == 8, "hc_umask size");

/* MKDIRAT ... CHDIR: the *at family, up to two paths in contiguous guest buffers. */
struct bvm_hc_at {
    int32_t dirfd;      /* IN: host fd or AT_FDCWD, with BVM_DIRFD_* bits */
    uint32_t path_len;  /* IN: bytes at path_gpa excluding NUL, < BVM_HC_MAX_PATH */
    uint64_t path_gpa;  /* IN: 0 with path_len 0 for UTIMENSAT on dirfd itself */
    int32_t dirfd2;     /* IN: RENAMEAT2 / LINKAT / SYMLINKAT: the second path's dirfd (the same) */
    uint32_t path2_len; /* IN */
    uint64_t path2_gpa; /* IN */
    int32_t flags;      /* IN: AT_* / RENAME_* flags */
    union {             /* IN */
        uint32_t mode;       /* MKDIRAT, FCHMODAT: permission bits; MKNODAT: the type too */
        uint32_t access;     /* FACCESSAT: R_OK | W_OK | X_OK */
        uint32_t statx_mask; /* STATX: STATX_* fields wanted */
        uint32_t xattr_op;   /* XATTR: enum bvm_xattr_op */
    };
    union { /* IN */
        int64_t length; /* TRUNCATE; XATTR SET: XATTR_CREATE / XATTR_REPLACE; MKNODAT: dev */
        struct {
            uint32_t uid, gid; /* FCHOWNAT: (uint32_t)-1 keeps one */
        } owner;
    };
    uint64_t out_gpa; /* IN: READLINKAT/STATX/STATFS result buffer; UTIMENSAT timespec[2] (read) */
    uint64_t out_len; /* IN: its size */
};
_Static_assert(sizeof(struct bvm_hc_at) == 64, "hc_at size");

/* XATTR: on path one from dirfd (AT_SYMLINK_NOFOLLOW: a final symlink itself; an empty path with
 * AT_EMPTY_PATH: the open file dirfd), path two the attribute's name, out the value (GET, LIST:
 * filled, out_len 0 asks for the size; SET: read). The host's answer, errors included. */
enum bvm_xattr_op { BVM_XATTR_GET = 0, BVM_XATTR_LIST = 1, BVM_XATTR_SET = 2, BVM_XATTR_REMOVE = 3 };
#define BVM_XATTR_SIZE_MAX 65536 /* Linux's XATTR_SIZE_MAX and XATTR_LIST_MAX */
_Static_assert(offsetof(struct bvm_hc_at, dirfd2) == 16, "hc_at dirfd2");
_Static_assert(offsetof(struct bvm_hc_at, flags) == 32, "hc_at flags");
_Static_assert(offsetof(struct bvm_hc_at, length) == 40, "hc_at length");
_Static_assert(offsetof(struct bvm_hc_at, out_gpa) == 48, "hc_at out");

/* FMAP, FUNMAP, FMSYNC: host file pages in the file window. Everything page aligned; the range
 * [gpa, gpa+len) lies inside the window; FMAP replaces whatever was mapped there. */
#define BVM_FMAP_READ 1u  /* prot: the guest may read (always required) */
#define BVM_FMAP_WRITE 2u /* prot: the guest may write (the fd must be open for writing) */
struct bvm_hc_fmap {
    int32_t fd;      /* IN: FMAP: host fd of the file */
    uint32_t prot;   /* IN: FMAP: BVM_FMAP_* */
    uint64_t offset; /* IN: FMAP: file offset of the first page */
    uint64_t gpa;    /* IN: window address */
    uint64_t len;    /* IN: bytes */
};
_Static_assert(sizeof(struct bvm_hc_fmap) == 32, "hc_fmap size");
_Static_assert(offsetof(struct bvm_hc_fmap, gpa) == 16, "hc_fmap gpa");

/* STOP: the program stops as Linux stops it for a stop signal; the monitor stops itself with the
 * same signal (so its parent's wait sees it) and returns when continued. */
struct bvm_hc_stop {
    int32_t signal; /* IN: SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_hc_stop) == 8, "hc_stop size");

/* EVENT: what happened outside the guest, taken one at a time (signals sent to buffervm, host
 * timers). Whenever events wait, the monitor raises BVM_EVENT_VECTOR (an external interrupt, taken
 * once RFLAGS.IF is set, so in user mode) and a blocking hostcall ends with -EINTR. */
#define BVM_EVENT_VECTOR 0x20
enum bvm_event_kind {
    BVM_EVENT_SIGNAL = 1, /* a host signal for the program, with its siginfo */
    BVM_EVENT_TIMER = 2,  /* host timers expired */
    BVM_EVENT_GDB = 3,    /* gdb asks the program to stop (its interrupt, or it went away) */
};
struct bvm_event {
    uint32_t kind;   /* OUT: enum bvm_event_kind */
    int32_t signo;   /* OUT: SIGNAL: si_signo, si_code, si_pid, si_uid, si_value as the host gave them */
    int32_t code;
    int32_t pid;
    uint32_t uid;
    union {
        uint32_t timers; /* OUT: TIMER: bitmask of the expired timers (BVM_TIMER_*) */
        int32_t tid;     /* OUT: SIGNAL: the thread a tgkill or tkill named (SI_TKILL), else 0: the process */
    };
    uint64_t value;
};
_Static_assert(sizeof(struct bvm_event) == 32, "bvm_event size");

/* ALARM: the kernel keeps the program's timers; the monitor only wakes it (a TIMER event) when the
 * earliest one of a kind is due: one host timer per kind, on the host clock named here. */
enum bvm_timer {
    BVM_TIMER_MONO = 0, /* CLOCK_MONOTONIC: wall-clock timers (alarm, ITIMER_REAL, timer_create) */
    BVM_TIMER_CPU = 1,  /* CLOCK_PROCESS_CPUTIME_ID: the program's CPU time (ITIMER_VIRTUAL, _PROF) */
    BVM_TIMER_COUNT
};
struct bvm_hc_alarm {
    uint32_t timer;   /* IN: enum bvm_timer */
    uint32_t pad;
    int64_t deadline; /* IN: absolute nanoseconds on that clock; 0 disarms */
};
_Static_assert(sizeof(struct bvm_hc_alarm) == 16, "hc_alarm size");

/* FORK: the monitor forks (one host process per guest process); the child rebuilds its vCPU (a new
 * VM on kvm) and both return from this hostcall: the parent with the child's pid, the child with 0
 * and its own ids in *out. With BVM_FORK_VFORK the parent returns only once the child has executed
 * a program (PROC VFORK_DONE) or ended. -EAGAIN/-ENOMEM when no child could be made (none is left).
 * With BVM_FORK_SHARED_MM too (CLONE_VM), the child hands the pages of the parent's memory it wrote
 * back before it goes (PROC VFORK_PAGES), and the parent takes them (PROC VFORK_FETCH) on return. */
#define BVM_FORK_VFORK 1u
#define BVM_FORK_SHARED_MM 2u
struct bvm_fork_out {
    int32_t pid, ppid; /* OUT (child): its own pid and its parent's */
};
struct bvm_hc_fork {
    uint32_t flags;   /* IN: BVM_FORK_* */
    uint32_t pad;
    uint64_t out_gpa; /* IN: struct bvm_fork_out, written in the child */
};
_Static_assert(sizeof(struct bvm_hc_fork) == 16, "hc_fork size");

/* WAIT: Linux's waitid(idtype, id, info, options, rusage) on the monitor's children, which are the
 * guest's. Blocks (cut short by an event: -EINTR) unless WNOHANG. */
struct bvm_hc_wait {
    int32_t idtype;      /* IN: P_ALL, P_PID, P_PGID */
    int32_t id;          /* IN */
    int32_t options;     /* IN: WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT */
    uint32_t pad;
    uint64_t info_gpa;   /* IN: struct linux_siginfo, written */
    uint64_t rusage_gpa; /* IN: struct linux_rusage, written; 0: none */
};
_Static_assert(sizeof(struct bvm_hc_wait) == 32, "hc_wait size");

/* KILL: a signal to another process, or to one of its threads, by the host's own call. */
enum bvm_kill_op {
    BVM_KILL_PROCESS = 0, /* kill(pid, sig): pid > 0 a process, 0 the caller's group, -1 all, < -1 a group */
    BVM_KILL_THREAD = 1,  /* tgkill(pid, tid, sig); pid -1: tkill(tid, sig) */
    BVM_KILL_QUEUE = 2,   /* rt_sigqueueinfo(pid, sig, info) */
    BVM_KILL_TGQUEUE = 3, /* rt_tgsigqueueinfo(pid, tid, sig, info) */
};
struct bvm_hc_kill {
    int32_t pid;       /* IN */
    int32_t sig;       /* IN: 0 checks only */
    int32_t tid;       /* IN: THREAD, TGQUEUE: the thread */
    uint32_t op;       /* IN: enum bvm_kill_op */
    uint64_t info_gpa; /* IN: QUEUE, TGQUEUE: the sender's 128-byte siginfo (a negative si_code, not SI_TKILL) */
};
_Static_assert(sizeof(struct bvm_hc_kill) == 24, "hc_kill size");

/* PROC: small process-id calls, each the host's own on the monitor's process (which the guest's is). */
enum bvm_proc_op {
    BVM_PROC_GETPPID = 0,
    BVM_PROC_GETPGID = 1,    /* pid */
    BVM_PROC_SETPGID = 2,    /* pid, arg = pgid */
    BVM_PROC_GETSID = 3,     /* pid */
    BVM_PROC_SETSID = 4,
    BVM_PROC_VFORK_DONE = 5, /* a vfork child has executed its program: its parent may go on */
    BVM_PROC_CHILD_REAP = 6, /* arg 1: children are reaped as they end (SIGCHLD ignored, SA_NOCLDWAIT) */
    BVM_PROC_VFORK_PAGES = 7, /* vfork child: gpa = arg pages' struct bvm_vfork_page, for the parent */
    BVM_PROC_VFORK_FETCH = 8, /* vfork parent: the arg'th page into gpa (4 KiB); its va, or -ENOENT */
    BVM_PROC_PDEATHSIG = 9,   /* arg: the signal at the parent's death (PR_SET_PDEATHSIG); -1 reads it */
    BVM_PROC_SUBREAPER = 10,  /* arg: PR_SET_CHILD_SUBREAPER's 0 or 1; -1 reads it */
    BVM_PROC_EXEC_IMAGE = 11, /* arg: host fd of a file the process now executes (program,
                               * interpreter): opening it for writing is ETXTBSY; -1 forgets them */
    BVM_PROC_RUSAGE = 12,     /* arg: 0 the process, -1 its ended waited-for children: struct
                               * linux_rusage into gpa (the host's: the monitor's CPU time is the guest's) */
    BVM_PROC_CPUMASK_SIZE = 13, /* the host kernel's CPU mask size in bytes (sched_getaffinity's result) */
    BVM_PROC_RLIMIT = 14,       /* arg: a resource: the monitor's struct linux_rlimit into gpa (what the
                                 * program would have inherited) */
    BVM_PROC_COMMIT_LIMIT = 15, /* the most pages one private writable mapping may reserve, as the
                                 * host's overcommit policy decides it (INT64_MAX: no limit) */
    BVM_PROC_SET_TITLE = 16,    /* gpa: the program's comm, NUL, its path (/proc/self/exe), NUL, then
                                 * its command line (arg bytes; at most BVM_TITLE_MAX in all): the host
                                 * process shows them, other processes of the tree see the path */
    BVM_PROC_SETRLIMIT = 17,    /* arg: RLIMIT_CPU, _FSIZE or _NPROC (what the host enforces on the
                                 * monitor for the program): set to the struct linux_rlimit at gpa */
    BVM_PROC_EXE_OF = 18,       /* pid: another process of the tree: the program it runs (its path,
                                 * no NUL) into gpa (4096 bytes) -> the length, or -ENOENT */
    BVM_PROC_THREAD_NEW = 19,   /* a new thread of the program: a host thread of the monitor holds its
                                 * id (so no other task has it) -> the tid, or -EAGAIN */
    BVM_PROC_THREAD_END = 20,   /* pid: that thread has ended: its host thread goes */
    BVM_PROC_INHERITED_FDS = 21, /* the descriptors past 2 buffervm was started with (none under
                                  * --sandbox): up to arg struct bvm_inherited_fd at gpa -> how many */
    BVM_PROC_FD_LOG = 22,        /* gpa: the process's struct bvm_fd_log (a page, registered once; each
                                  * later call only flushes it, as every hostcall does) */
    BVM_PROC_FD_OF = 23,         /* pid: another process of the tree: the host fd (its monitor's) of its
                                  * guest fd arg, or -ENOENT; -ESRCH: no process of the tree */
    BVM_PROC_FDS_OF = 24,        /* pid: its open guest fds >= arg, ascending, as int32_t into gpa (a
                                  * page) -> how many (0: none left), or -ESRCH */
    BVM_PROC_FD_OBJECT = 25,     /* pid, arg as FD_OF: an O_PATH handle on the object behind that fd (a
                                  * new host fd of this process, the guest's, to close after use) */
    BVM_PROC_FD_LINK = 26,       /* the same on its /proc/<pid>/fd/<arg> link itself */
};

/* The guest's descriptor table as the tree's other processes see it (/proc/<pid>/fd): the kernel
 * notes each change of a guest fd in a page registered with BVM_PROC_FD_LOG, and the monitor
 * applies the notes to the process's published table at every hostcall (any talk between
 * processes takes one, so a change is published before another process can know of it). */
#define BVM_FD_LOG_MAX 511
struct bvm_fd_log {
    uint32_t n;     /* IN/OUT: notes in e[] not applied yet; the monitor sets 0 */
    uint32_t reset; /* IN/OUT: 1: e[] starts the whole table again (what was published goes first) */
    struct bvm_fd_note {
        int32_t fd;   /* a guest fd */
        int32_t host; /* its host fd now, or -1: closed */
    } e[BVM_FD_LOG_MAX];
};
_Static_assert(sizeof(struct bvm_fd_log) == 4096, "fd_log is a page");

/* One descriptor the program inherits as it would natively: the same number, the host's open file. */
struct bvm_inherited_fd {
    int32_t fd;     /* OUT: the host fd, also the guest's number */
    uint32_t flags; /* OUT: its open file's status flags (F_GETFL) */
};
_Static_assert(sizeof(struct bvm_inherited_fd) == 8, "inherited_fd size");
#define BVM_TITLE_MAX 8192
#define BVM_CPUMASK_MAX 1024 /* NR_CPUS 8192: the largest a mask is */
#define BVM_VFORK_PAGES_MAX 64
struct bvm_vfork_page {
    uint64_t va;  /* where it lies in the (shared) user address space */
    uint64_t gpa; /* its 4 KiB of contents in the child */
};
struct bvm_hc_proc {
    uint32_t op;  /* IN: enum bvm_proc_op */
    int32_t pid;  /* IN */
    int32_t arg;  /* IN */
    uint32_t pad;
    uint64_t gpa; /* IN: VFORK_PAGES, VFORK_FETCH */
};
_Static_assert(sizeof(struct bvm_hc_proc) == 24, "hc_proc size");

/* FUTEX: the host's futex on a word of a MAP_SHARED page (the host's shared memory, so waiters and
 * wakers in other processes of the guest meet there). WAIT: -EAGAIN when the word is not val, 0 when
 * woken, -ETIMEDOUT past the deadline, -EINTR cut short by an event; WAKE: how many woke. */
enum bvm_futex_op { BVM_FUTEX_WAIT = 0, BVM_FUTEX_WAKE = 1 };
enum bvm_futex_clock { BVM_FUTEX_NO_DEADLINE = 0, BVM_FUTEX_MONOTONIC = 1, BVM_FUTEX_REALTIME = 2 };
struct bvm_hc_futex {
    uint64_t gpa;     /* IN: the 4-byte aligned word */
    uint32_t op;      /* IN: enum bvm_futex_op */
    uint32_t val;     /* IN: WAIT: the expected value; WAKE: how many at most */
    uint32_t bitset;  /* IN: non-zero */
    uint32_t clock;   /* IN: enum bvm_futex_clock */
    int64_t deadline; /* IN: absolute nanoseconds on that clock */
};
_Static_assert(sizeof(struct bvm_hc_futex) == 32, "hc_futex size");

/* CRED: one of Linux's setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid, setfsgid
 * (nr, its number; args as the syscall's) or setgroups (args[0] the count, args[1] the gpa of the
 * uint32_t list), made by the monitor on itself: the guest's process is the monitor's, so the host
 * checks the right to change and every file access after follows the new ids. Returns the call's
 * result; the ids after it are written to out_gpa (struct bvm_cred) either way. nr -1: none, read. */
struct bvm_cred {
    uint32_t uid, euid, suid, fsuid;
    uint32_t gid, egid, sgid, fsgid;
};
struct bvm_hc_cred {
    int32_t nr;       /* IN */
    uint32_t pad;
    uint64_t args[3]; /* IN */
    uint64_t out_gpa; /* IN: struct bvm_cred, written */
};
_Static_assert(sizeof(struct bvm_hc_cred) == 40, "hc_cred size");

/* TRACE: text is copied, not NUL-terminated. */
struct bvm_hc_trace {
    uint64_t text_gpa;  /* IN */
    uint32_t text_len;  /* IN: <= BVM_HC_MAX_TRACE */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_hc_trace) == 16, "hc_trace size");

#include "bvm_abi_check.h" /* CHECK */
#include "bvm_abi_ipc.h"   /* IPC, MQ */
#include "bvm_abi_gdb.h"   /* GDB */

struct bvm_hostcall {
    uint32_t nr;   /* IN: enum bvm_hostcall_nr */
    uint32_t pad;
    int64_t ret;   /* OUT: result or -errno */
    union {
        struct bvm_hc_exit exit;
        struct bvm_hc_io io;
        struct bvm_hc_path path;
        struct bvm_hc_fd fd;
        struct bvm_hc_out out;
        struct bvm_hc_lseek lseek;
        struct bvm_hc_clock clock;
        struct bvm_hc_trace trace;
        struct bvm_hc_at at;
        struct bvm_hc_fdop fdop;
        struct bvm_hc_pipe pipe;
        struct bvm_hc_ioctl ioctl;
        struct bvm_hc_poll poll;
        struct bvm_hc_newfd newfd;
        struct bvm_hc_umask umask;
        struct bvm_hc_stop stop;
        struct bvm_hc_alarm alarm;
        struct bvm_hc_fork fork;
        struct bvm_hc_wait wait;
        struct bvm_hc_kill kill;
        struct bvm_hc_proc proc;
        struct bvm_hc_futex futex;
        struct bvm_hc_cred cred;
        struct bvm_hc_fmap fmap;
        struct bvm_hc_sock sock;
        struct bvm_hc_check check;
        struct bvm_hc_ipc ipc;
        struct bvm_hc_mq mq;
    } u; /* 176 bytes: bvm_hc_exit is the largest */
};
_Static_assert(offsetof(struct bvm_hostcall, ret) == 8, "hostcall ret");
_Static_assert(offsetof(struct bvm_hostcall, u) == 16, "hostcall union");
_Static_assert(sizeof(struct bvm_hostcall) == 192, "hostcall size");

/* The kernel ELF carries this in section ".bvm_abi" so the monitor can check it on load. */
struct bvm_abi_note {
    uint32_t magic;   /* BVM_BOOT_MAGIC */
    uint32_t version; /* BVM_ABI_VERSION */
};
_Static_assert(sizeof(struct bvm_abi_note) == 8, "abi note size");

#endif
