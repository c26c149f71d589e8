/* syscall.h: the Linux syscall table, declared once as an X-macro (dispatch, names and the trace). */
#ifndef SYSCALL_H
#define SYSCALL_H

#include "kernel.h"
#include "trap.h"

/* Every handler takes the six raw argument registers (rdi, rsi, rdx, r10, r8, r9) and returns a
 * value or -errno; one signature keeps the table a plain array of function pointers. */
#define SYSARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5
typedef int64_t sys_fn(SYSARGS);

/*
 * X(number, name, argument kinds, return kind). Argument kinds, one letter per argument
 * (decoded by trace.c): f fd, d dirfd, i signed, u unsigned, x hex, p pointer, s path,
 * w buffer written by the program (length = next argument), r buffer filled by the kernel
 * (length = return value), v iovec array (count = next argument), O open flags, m octal mode,
 * P prot, M mmap flags, S signal, H sigprocmask how, W whence, A arch_prctl code, R rlimit
 * resource, C clock id, F AT_* flags, I ioctl request, D madvise advice, E mremap flags, G getrandom
 * flags, K fcntl command. Return kinds: d decimal, x address, o octal, n never returns.
 */
#define SYSCALLS(X)                                                                                          \
    X(0, read, "frU", 'd')                                                                                   \
    X(1, write, "fwU", 'd')                                                                                  \
    X(2, open, "sOm", 'd')                                                                                   \
    X(3, close, "f", 'd')                                                                                    \
    X(4, stat, "sp", 'd')                                                                                    \
    X(5, fstat, "fp", 'd')                                                                                   \
    X(6, lstat, "sp", 'd')                                                                                   \
    X(8, lseek, "fiW", 'd')                                                                                  \
    X(9, mmap, "pUPMfx", 'x')                                                                                \
    X(10, mprotect, "pUP", 'd')                                                                              \
    X(11, munmap, "pU", 'd')                                                                                 \
    X(12, brk, "p", 'x')                                                                                     \
    X(13, rt_sigaction, "Sppu", 'd')                                                                         \
    X(14, rt_sigprocmask, "Hppu", 'd')                                                                       \
    X(16, ioctl, "fIp", 'd')                                                                                 \
    X(17, pread64, "frUi", 'd')                                                                              \
    X(18, pwrite64, "fwUi", 'd')                                                                             \
    X(19, readv, "fvi", 'd')                                                                                 \
    X(20, writev, "fvi", 'd')                                                                                \
    X(24, sched_yield, "", 'd')                                                                              \
    X(25, mremap, "pUUEp", 'x')                                                                              \
    X(28, madvise, "pUD", 'd')                                                                               \
    X(32, dup, "f", 'd')                                                                                     \
    X(33, dup2, "ff", 'd')                                                                                   \
    X(39, getpid, "", 'd')                                                                                   \
    X(60, exit, "i", 'n')                                                                                    \
    X(62, kill, "iS", 'd')                                                                                   \
    X(63, uname, "p", 'd')                                                                                   \
    X(72, fcntl, "fKx", 'd')                                                                                 \
    X(87, unlink, "s", 'd')                                                                                  \
    X(95, umask, "m", 'o')                                                                                   \
    X(89, readlink, "spU", 'd')                                                                              \
    X(96, gettimeofday, "pp", 'd')                                                                           \
    X(97, getrlimit, "Rp", 'd')                                                                              \
    X(99, sysinfo, "p", 'd')                                                                                 \
    X(102, getuid, "", 'd')                                                                                  \
    X(104, getgid, "", 'd')                                                                                  \
    X(107, geteuid, "", 'd')                                                                                 \
    X(108, getegid, "", 'd')                                                                                 \
    X(110, getppid, "", 'd')                                                                                 \
    X(131, sigaltstack, "pp", 'd')                                                                           \
    X(157, prctl, "ixxxx", 'd')                                                                              \
    X(158, arch_prctl, "Ax", 'd')                                                                            \
    X(186, gettid, "", 'd')                                                                                  \
    X(200, tkill, "iS", 'd')                                                                                 \
    X(201, time, "p", 'd')                                                                                   \
    X(204, sched_getaffinity, "iUp", 'd')                                                                    \
    X(218, set_tid_address, "p", 'd')                                                                        \
    X(228, clock_gettime, "Cp", 'd')                                                                         \
    X(231, exit_group, "i", 'n')                                                                             \
    X(234, tgkill, "iiS", 'd')                                                                               \
    X(257, openat, "dsOm", 'd')                                                                              \
    X(262, newfstatat, "dspF", 'd')                                                                          \
    X(263, unlinkat, "dsF", 'd')                                                                             \
    X(267, readlinkat, "dspU", 'd')                                                                          \
    X(273, set_robust_list, "pU", 'd')                                                                       \
    X(292, dup3, "ffO", 'd')                                                                                 \
    X(302, prlimit64, "iRpp", 'd')                                                                           \
    X(318, getrandom, "rUG", 'd')                                                                            \
    X(334, rseq, "pUxx", 'd')

#define SYS_DECLARE(nr, name, kinds, ret) int64_t sys_##name(SYSARGS);
SYSCALLS(SYS_DECLARE)
#undef SYS_DECLARE

struct syscall_desc {
    const char *name;
    sys_fn *fn;
    const char *kinds;
    char ret_kind;
};

/* trace.c: one strace-style line. before: the call does not return (printed with " = ?"). */
void trace_syscall(uint64_t nr, const struct syscall_desc *d, const uint64_t args[6], int64_t ret,
                   bool before);
/* The strace-style last line ("+++ exited with 0 +++") when tracing; kind is enum bvm_exit_kind. */
void trace_exit(int kind, int value);
const char *signal_name(int sig);
/* "ENOENT", or NULL for an errno without a name in the table. */
const char *errno_name(int err);

#endif
