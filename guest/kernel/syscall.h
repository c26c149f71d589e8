/* syscall.h: the Linux syscall table, declared once as an X-macro (dispatch, names and the trace). */
#ifndef SYSCALL_H
#define SYSCALL_H

#include "bvm_linux.h"
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
 * (length = return value), a access mode, v iovec array (count = next argument), O open flags, m octal mode,
 * P prot, M mmap flags, S signal, H sigprocmask how, W whence, A arch_prctl code, R rlimit
 * resource, C clock id, F AT_* flags, I ioctl request, D madvise advice, E mremap flags, G getrandom
 * flags, K fcntl command, V argv (string array), N envp (counted). Return kinds: d decimal,
 * x address, o octal, n never returns, e execve (arguments read before the old image goes).
 */
#define SYSCALLS(X)                                                                                          \
    X(0, read, "frU", 'd')                                                                                   \
    X(1, write, "fwU", 'd')                                                                                  \
    X(2, open, "sOm", 'd')                                                                                   \
    X(3, close, "f", 'd')                                                                                    \
    X(4, stat, "sp", 'd')                                                                                    \
    X(5, fstat, "fp", 'd')                                                                                   \
    X(6, lstat, "sp", 'd')                                                                                   \
    X(7, poll, "pui", 'd')                                                                                   \
    X(8, lseek, "fiW", 'd')                                                                                  \
    X(9, mmap, "pUPMfx", 'x')                                                                                \
    X(10, mprotect, "pUP", 'd')                                                                              \
    X(11, munmap, "pU", 'd')                                                                                 \
    X(12, brk, "p", 'x')                                                                                     \
    X(13, rt_sigaction, "Sppu", 'd')                                                                         \
    X(14, rt_sigprocmask, "Hppu", 'd')                                                                       \
    X(15, rt_sigreturn, "", 'd')                                                                             \
    X(16, ioctl, "fIp", 'd')                                                                                 \
    X(17, pread64, "frUi", 'd')                                                                              \
    X(18, pwrite64, "fwUi", 'd')                                                                             \
    X(19, readv, "fvi", 'd')                                                                                 \
    X(20, writev, "fvi", 'd')                                                                                \
    X(21, access, "sa", 'd')                                                                                 \
    X(22, pipe, "p", 'd')                                                                                    \
    X(23, select, "ipppp", 'd')                                                                              \
    X(24, sched_yield, "", 'd')                                                                              \
    X(25, mremap, "pUUEp", 'x')                                                                              \
    X(26, msync, "pUx", 'd')                                                                                 \
    X(28, madvise, "pUD", 'd')                                                                               \
    X(29, shmget, "xux", 'd')                                                                                \
    X(30, shmat, "ipx", 'x')                                                                                 \
    X(31, shmctl, "iip", 'd')                                                                                \
    X(32, dup, "f", 'd')                                                                                     \
    X(33, dup2, "ff", 'd')                                                                                   \
    X(34, pause, "", 'd')                                                                                    \
    X(35, nanosleep, "pp", 'd')                                                                              \
    X(36, getitimer, "ip", 'd')                                                                              \
    X(37, alarm, "u", 'd')                                                                                   \
    X(38, setitimer, "ipp", 'd')                                                                             \
    X(39, getpid, "", 'd')                                                                                   \
    X(41, socket, "iii", 'd')                                                                                \
    X(42, connect, "fpu", 'd')                                                                               \
    X(43, accept, "fpp", 'd')                                                                                \
    X(44, sendto, "fwuxpu", 'd')                                                                             \
    X(45, recvfrom, "fruxpp", 'd')                                                                           \
    X(46, sendmsg, "fpx", 'd')                                                                               \
    X(47, recvmsg, "fpx", 'd')                                                                               \
    X(48, shutdown, "fi", 'd')                                                                               \
    X(49, bind, "fpu", 'd')                                                                                  \
    X(50, listen, "fi", 'd')                                                                                 \
    X(51, getsockname, "fpp", 'd')                                                                           \
    X(52, getpeername, "fpp", 'd')                                                                           \
    X(53, socketpair, "iiip", 'd')                                                                           \
    X(54, setsockopt, "fiipu", 'd')                                                                          \
    X(55, getsockopt, "fiipp", 'd')                                                                          \
    X(56, clone, "xppxx", 'd')                                                                               \
    X(57, fork, "", 'd')                                                                                     \
    X(58, vfork, "", 'd')                                                                                    \
    X(59, execve, "sVN", 'e')                                                                                \
    X(60, exit, "i", 'n')                                                                                    \
    X(61, wait4, "ipxp", 'd')                                                                                \
    X(62, kill, "iS", 'd')                                                                                   \
    X(63, uname, "p", 'd')                                                                                   \
    X(64, semget, "xix", 'd')                                                                                \
    X(65, semop, "ipu", 'd')                                                                                 \
    X(66, semctl, "iiix", 'd')                                                                               \
    X(67, shmdt, "p", 'd')                                                                                   \
    X(68, msgget, "xx", 'd')                                                                                 \
    X(69, msgsnd, "ipux", 'd')                                                                               \
    X(70, msgrcv, "ipuix", 'd')                                                                              \
    X(71, msgctl, "iip", 'd')                                                                                \
    X(72, fcntl, "fKx", 'd')                                                                                 \
    X(73, flock, "fx", 'd')                                                                                  \
    X(74, fsync, "f", 'd')                                                                                   \
    X(75, fdatasync, "f", 'd')                                                                               \
    X(76, truncate, "si", 'd')                                                                               \
    X(77, ftruncate, "fi", 'd')                                                                              \
    X(79, getcwd, "pU", 'd')                                                                                 \
    X(80, chdir, "s", 'd')                                                                                   \
    X(81, fchdir, "f", 'd')                                                                                  \
    X(82, rename, "ss", 'd')                                                                                 \
    X(83, mkdir, "sm", 'd')                                                                                  \
    X(84, rmdir, "s", 'd')                                                                                   \
    X(133, mknod, "smx", 'd')                                                                                \
    X(85, creat, "sm", 'd')                                                                                  \
    X(86, link, "ss", 'd')                                                                                   \
    X(87, unlink, "s", 'd')                                                                                  \
    X(88, symlink, "ss", 'd')                                                                                \
    X(89, readlink, "spU", 'd')                                                                              \
    X(90, chmod, "sm", 'd')                                                                                  \
    X(91, fchmod, "fm", 'd')                                                                                 \
    X(92, chown, "sii", 'd')                                                                                 \
    X(93, fchown, "fii", 'd')                                                                                \
    X(94, lchown, "sii", 'd')                                                                                \
    X(95, umask, "m", 'o')                                                                                   \
    X(96, gettimeofday, "pp", 'd')                                                                           \
    X(97, getrlimit, "Rp", 'd')                                                                              \
    X(98, getrusage, "ip", 'd')                                                                              \
    X(99, sysinfo, "p", 'd')                                                                                 \
    X(100, times, "p", 'd')                                                                                  \
    X(102, getuid, "", 'd')                                                                                  \
    X(104, getgid, "", 'd')                                                                                  \
    X(107, geteuid, "", 'd')                                                                                 \
    X(108, getegid, "", 'd')                                                                                 \
    X(105, setuid, "u", 'd')                                                                                 \
    X(106, setgid, "u", 'd')                                                                                 \
    X(109, setpgid, "ii", 'd')                                                                               \
    X(110, getppid, "", 'd')                                                                                 \
    X(111, getpgrp, "", 'd')                                                                                 \
    X(112, setsid, "", 'd')                                                                                  \
    X(113, setreuid, "ii", 'd')                                                                              \
    X(114, setregid, "ii", 'd')                                                                              \
    X(115, getgroups, "ip", 'd')                                                                             \
    X(116, setgroups, "ip", 'd')                                                                             \
    X(117, setresuid, "iii", 'd')                                                                            \
    X(118, getresuid, "ppp", 'd')                                                                            \
    X(119, setresgid, "iii", 'd')                                                                            \
    X(120, getresgid, "ppp", 'd')                                                                            \
    X(121, getpgid, "i", 'd')                                                                                \
    X(122, setfsuid, "u", 'd')                                                                               \
    X(123, setfsgid, "u", 'd')                                                                               \
    X(124, getsid, "i", 'd')                                                                                 \
    X(127, rt_sigpending, "pu", 'd')                                                                         \
    X(128, rt_sigtimedwait, "pppu", 'd')                                                                     \
    X(129, rt_sigqueueinfo, "iSp", 'd')                                                                      \
    X(130, rt_sigsuspend, "pu", 'd')                                                                         \
    X(131, sigaltstack, "pp", 'd')                                                                           \
    X(137, statfs, "sp", 'd')                                                                                \
    X(138, fstatfs, "fp", 'd')                                                                               \
    X(157, prctl, "ixxxx", 'd')                                                                              \
    X(158, arch_prctl, "Ax", 'd')                                                                            \
    X(160, setrlimit, "Rp", 'd')                                                                             \
    X(186, gettid, "", 'd')                                                                                  \
    X(188, setxattr, "sspUx", 'd')                                                                           \
    X(189, lsetxattr, "sspUx", 'd')                                                                          \
    X(190, fsetxattr, "fspUx", 'd')                                                                          \
    X(191, getxattr, "sspU", 'd')                                                                            \
    X(192, lgetxattr, "sspU", 'd')                                                                           \
    X(193, fgetxattr, "fspU", 'd')                                                                           \
    X(194, listxattr, "spU", 'd')                                                                            \
    X(195, llistxattr, "spU", 'd')                                                                           \
    X(196, flistxattr, "fpU", 'd')                                                                           \
    X(197, removexattr, "ss", 'd')                                                                           \
    X(198, lremovexattr, "ss", 'd')                                                                          \
    X(199, fremovexattr, "fs", 'd')                                                                          \
    X(200, tkill, "iS", 'd')                                                                                 \
    X(201, time, "p", 'd')                                                                                   \
    X(202, futex, "pxuppu", 'd')                                                                             \
    X(204, sched_getaffinity, "iUp", 'd')                                                                    \
    X(203, sched_setaffinity, "iUp", 'd')                                                                    \
    X(274, get_robust_list, "ipp", 'd')                                                                      \
    X(309, getcpu, "ppp", 'd')                                                                               \
    X(324, membarrier, "iix", 'd')                                                                           \
    X(217, getdents64, "fpU", 'd')                                                                           \
    X(218, set_tid_address, "p", 'd')                                                                        \
    X(220, semtimedop, "ipup", 'd')                                                                          \
    X(221, fadvise64, "fiii", 'd')                                                                           \
    X(222, timer_create, "Cpp", 'd')                                                                         \
    X(223, timer_settime, "ixpp", 'd')                                                                       \
    X(224, timer_gettime, "ip", 'd')                                                                         \
    X(225, timer_getoverrun, "i", 'd')                                                                       \
    X(226, timer_delete, "i", 'd')                                                                           \
    X(228, clock_gettime, "Cp", 'd')                                                                         \
    X(229, clock_getres, "Cp", 'd')                                                                          \
    X(230, clock_nanosleep, "Cxpp", 'd')                                                                     \
    X(247, waitid, "iipxp", 'd')                                                                             \
    X(231, exit_group, "i", 'n')                                                                             \
    X(234, tgkill, "iiS", 'd')                                                                               \
    X(240, mq_open, "sOmp", 'd')                                                                             \
    X(241, mq_unlink, "s", 'd')                                                                              \
    X(242, mq_timedsend, "fpuup", 'd')                                                                       \
    X(243, mq_timedreceive, "fpupp", 'd')                                                                    \
    X(244, mq_notify, "fp", 'd')                                                                             \
    X(245, mq_getsetattr, "fpp", 'd')                                                                        \
    X(213, epoll_create, "i", 'd')                                                                           \
    X(232, epoll_wait, "fpii", 'd')                                                                          \
    X(233, epoll_ctl, "fifp", 'd')                                                                           \
    X(281, epoll_pwait, "fpiipu", 'd')                                                                       \
    X(291, epoll_create1, "x", 'd')                                                                          \
    X(441, epoll_pwait2, "fpippu", 'd')                                                                      \
    X(257, openat, "dsOm", 'd')                                                                              \
    X(258, mkdirat, "dsm", 'd')                                                                              \
    X(259, mknodat, "dsmx", 'd')                                                                             \
    X(260, fchownat, "dsiiF", 'd')                                                                           \
    X(262, newfstatat, "dspF", 'd')                                                                          \
    X(263, unlinkat, "dsF", 'd')                                                                             \
    X(264, renameat, "dsds", 'd')                                                                            \
    X(265, linkat, "dsdsF", 'd')                                                                             \
    X(266, symlinkat, "sds", 'd')                                                                            \
    X(267, readlinkat, "dspU", 'd')                                                                          \
    X(268, fchmodat, "dsm", 'd')                                                                             \
    X(269, faccessat, "dsa", 'd')                                                                            \
    X(270, pselect6, "ippppp", 'd')                                                                          \
    X(271, ppoll, "puppu", 'd')                                                                              \
    X(273, set_robust_list, "pU", 'd')                                                                       \
    X(280, utimensat, "dspF", 'd')                                                                           \
    X(282, signalfd, "fpu", 'd')                                                                             \
    X(283, timerfd_create, "CO", 'd')                                                                        \
    X(284, eventfd, "u", 'd')                                                                                \
    X(285, fallocate, "fiii", 'd')                                                                           \
    X(286, timerfd_settime, "fxpp", 'd')                                                                     \
    X(287, timerfd_gettime, "fp", 'd')                                                                       \
    X(289, signalfd4, "fpuO", 'd')                                                                           \
    X(290, eventfd2, "uO", 'd')                                                                              \
    X(292, dup3, "ffO", 'd')                                                                                 \
    X(293, pipe2, "pO", 'd')                                                                                 \
    X(288, accept4, "fppx", 'd')                                                                             \
    X(299, recvmmsg, "fpuxp", 'd')                                                                           \
    X(307, sendmmsg, "fpux", 'd')                                                                            \
    X(295, preadv, "fviu", 'd')                                                                              \
    X(296, pwritev, "fviu", 'd')                                                                             \
    X(297, rt_tgsigqueueinfo, "iiSp", 'd')                                                                   \
    X(302, prlimit64, "iRpp", 'd')                                                                           \
    X(316, renameat2, "dsdsx", 'd')                                                                          \
    X(318, getrandom, "rUG", 'd')                                                                            \
    X(319, memfd_create, "sx", 'd')                                                                          \
    X(322, execveat, "dsVNF", 'e')                                                                           \
    X(332, statx, "dsFxp", 'd')                                                                              \
    X(334, rseq, "pUxx", 'd')                                                                                \
    X(435, clone3, "pu", 'd')                                                                                \
    X(436, close_range, "uux", 'd')                                                                          \
    X(439, faccessat2, "dsaF", 'd')

#define SYS_DECLARE(nr, name, kinds, ret) int64_t sys_##name(SYSARGS);
SYSCALLS(SYS_DECLARE)
#undef SYS_DECLARE

struct syscall_desc {
    const char *name;
    sys_fn *fn;
    const char *kinds;
    char ret_kind;
};

/* trace.c: one strace-style line. before: the call does not return (printed with " = ?"), or it
 * is an execve (return kind 'e'), whose line is made now, while its memory exists, and printed by
 * trace_syscall_result. */
void trace_syscall(uint64_t nr, const struct syscall_desc *d, const uint64_t args[6], int64_t ret,
                   bool before);
/* Prints the execve line kept by trace_syscall with its result (" = ?" when !known); nothing when
 * no line is kept. */
void trace_syscall_result(int64_t ret, bool known);
/* The strace-style line for a signal taken for delivery ("--- SIGUSR1 {si_signo=SIGUSR1, ...} ---"). */
void trace_signal(const struct linux_siginfo *info);
/* "--- stopped by SIGTSTP ---" */
void trace_stop(int sig);
/* The strace-style last line ("+++ exited with 0 +++") when tracing; kind is enum bvm_exit_kind. */
void trace_exit(int kind, int value);
const char *signal_name(int sig);

/* sys_time.c: the host's clock clk into *ts (0 or -errno); a user timespec to milliseconds,
 * rounded up as Linux never sleeps less (-1 for NULL; 0, -EFAULT or -EINVAL). */
int64_t host_clock(int clk, struct linux_timespec *ts);
/* sys_ipc.c: a new program image: the process's System V shared memory attachments are gone. */
void ipc_exec(void);
/* sys_ipc.c: the buffer of an IPC call's data (System V and POSIX message queues), IPC_BUF_SIZE bytes. */
#define IPC_BUF_SIZE 65536
uint8_t *ipc_buffer(void);
/* sys_ipc.c: a System V or POSIX queue call that may wait. call(req, nowait) is tried until it no
 * longer answers -BVM_IPC_WOULD_WAIT: the monitor waits for a single-threaded process (a signal for
 * the guest cuts that short); with threads (nowait) the kernel naps between tries so that the others
 * run. uin: the program's data the call sends (len bytes), copied into ipc_buffer before each try (a
 * thread that napped may find it used by another); 0 for none. deadline: monotonic ns the kernel
 * checks between tries, or -1. A handled signal ends it with interrupted (-EINTR or -ERESTARTSYS). */
int64_t ipc_retry(int64_t (*call)(void *req, bool nowait), void *req, uint64_t uin, uint64_t len,
                  int64_t deadline, int64_t interrupted);
int64_t ts_to_ms(uint64_t uts, int64_t *ms);

/* sys_process.c: the soft limit of an rlimit resource as the program set it (execve's E2BIG uses
 * RLIMIT_STACK). */
uint64_t rlimit_cur(int resource);

#endif
