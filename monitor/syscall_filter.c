/* syscall_filter.c: the monitor's last line of defence. Once set up, it installs a seccomp-bpf filter
 * (libseccomp) that allows only the host syscalls its hostcall handlers, its vCPU backends and the
 * libc under them make. A guest that somehow took over the monitor still cannot exec, ptrace, mount,
 * load modules, enter namespaces or read other processes' memory. Anything else is trapped: one line
 * names the call, then the monitor dies of SIGSYS (the filter is inherited by its forked children). */
#include "syscall_filter.h"

#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fail.h"

/* By concern. Names libseccomp does not know (an older library) are left out; the kernel has
 * none of them then either, or the library would name them. */
static const char *const allowed[] = {
    /* memory (guest RAM, the translator's code buffer, libc's heap) */
    "brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "msync",
    /* signals, timers, time: the run loop's events and preemption */
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigtimedwait", "rt_sigsuspend", "rt_sigpending",
    "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "kill", "tgkill", "tkill", "restart_syscall",
    "timer_create", "timer_settime", "timer_gettime", "timer_delete", "timer_getoverrun", "setitimer", "getitimer",
    "alarm", "pause", "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
    /* threads: the monitor's helpers and libc's thread start-up (clone itself is filtered below) */
    "futex", "set_robust_list", "get_robust_list", "rseq", "set_tid_address", "exit", "exit_group",
    "sched_yield", "sched_getaffinity", "getcpu",
    /* descriptors and I/O */
    "read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2",
    "lseek", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "flock", "pipe2", "eventfd2",
    "memfd_create", "timerfd_create", "timerfd_settime", "timerfd_gettime", "poll", "ppoll", "select",
    "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "ftruncate",
    "fallocate", "fsync", "fdatasync", "sync_file_range", "syncfs", "fadvise64", "copy_file_range", "sendfile",
    /* the run's POSIX message queues (names the monitor makes: hostcall_mq.c) */
    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
    /* the file system, on paths the policy checked (or the user's own, without one) */
    "openat", "openat2", "open", "newfstatat", "fstat", "stat", "lstat", "statx", "fstatfs", "statfs",
    "getdents64", "readlink", "readlinkat", "access", "faccessat", "faccessat2", "chmod", "fchmod",
    "fchmodat", "chown", "fchown", "fchownat", "lchown", "truncate", "mkdirat", "mkdir", "unlinkat", "unlink",
    "rmdir", "renameat2", "renameat", "rename", "linkat", "link", "symlinkat", "symlink", "mknodat",
    "utimensat", "getcwd", "chdir", "fchdir", "umask", "getxattr", "lgetxattr", "fgetxattr", "setxattr",
    "lsetxattr", "fsetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
    "fremovexattr",
    /* processes: one host process per guest process, the lineage, credentials */
    "wait4", "waitid", "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
    "getrusage", "times", "prctl", "prlimit64", "getrlimit", "setrlimit", "getuid", "geteuid", "getgid",
    "getegid", "getgroups", "getresuid", "getresgid", "setuid", "setgid", "setreuid", "setregid",
    "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups", "uname", "sysinfo", "getrandom",
    /* sockets (socket and socketpair themselves are filtered below) */
    "bind", "connect", "listen", "accept", "accept4", "shutdown", "getsockname", "getpeername",
    "setsockopt", "getsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
};

/* A trapped call: say which, then die of SIGSYS as the filter's kill would. libseccomp's name
 * lookup allocates; that is safe here because every call malloc makes (brk, mmap, munmap, mremap,
 * madvise, mprotect, futex) is allowed, so no thread traps from inside the allocator. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    char line[200], *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, si->si_syscall);
    static const char head[] = "buffervm: internal error: the monitor made host syscall ";
    size_t n = sizeof head - 1, k = name ? strlen(name) : 0;
    memcpy(line, head, n);
    if (k > 40)
        k = 40;
    memcpy(line + n, name ? name : "?", name ? k : 1), n += name ? k : 1;
    static const char tail[] = ", which its seccomp filter forbids; stopped\n";
    memcpy(line + n, tail, sizeof tail - 1), n += sizeof tail - 1;
    ssize_t w = write(fail_fd(), line, n);
    (void)w;
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int add(scmp_filter_ctx f, uint32_t action, const char *name, unsigned nargs, const struct scmp_arg_cmp *cmp)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return 0;
    return seccomp_rule_add_array(f, action, nr, nargs, cmp);
}

/* The calls allowed only with some arguments: clone without new namespaces (clone3's flags are in
 * memory a filter cannot read: ENOSYS, and libc falls back to clone) and sockets of the families
 * the policy allows. */
static int add_filtered(scmp_filter_ctx f, int inet)
{
    const uint64_t ns = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                        CLONE_NEWPID | CLONE_NEWNET;
    struct scmp_arg_cmp no_ns = SCMP_A0(SCMP_CMP_MASKED_EQ, ns, 0);
    int err = add(f, SCMP_ACT_ALLOW, "clone", 1, &no_ns) ?: add(f, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
    static const int families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
    for (int i = 0; !err && i < (inet ? 4 : 1); i++) {
        struct scmp_arg_cmp fam = SCMP_A0(SCMP_CMP_EQ, (uint64_t)families[i]);
        err = add(f, SCMP_ACT_ALLOW, "socket", 1, &fam);
    }
    struct scmp_arg_cmp unix_pair = SCMP_A0(SCMP_CMP_EQ, AF_UNIX);
    err = err ?: add(f, SCMP_ACT_ALLOW, "socketpair", 1, &unix_pair);
    return err ?: add(f, SCMP_ACT_ALLOW, "ioctl", 0, NULL); /* but see no_tty_injection */
}

/* A second filter, stacked (the stricter verdict wins): no ioctl TIOCSTI or TIOCLINUX, which push
 * input into a terminal. The kernel reads the command as 32 bits, so only those are compared. */
static int no_tty_injection(void)
{
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
    if (!f)
        return -ENOMEM;
    struct scmp_arg_cmp sti = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI);
    struct scmp_arg_cmp linux_ = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX);
    int err = add(f, SCMP_ACT_TRAP, "ioctl", 1, &sti) ?: add(f, SCMP_ACT_TRAP, "ioctl", 1, &linux_);
    err = err ?: seccomp_load(f);
    seccomp_release(f);
    return err;
}

/* BUFFERVM_DEBUG_HOST_SYSCALL=NAME: once confined, the monitor makes syscall NAME itself (all
 * arguments 0) and says what came of it: a test's hook that the filter holds. */
static void debug_probe(void)
{
    const char *name = getenv("BUFFERVM_DEBUG_HOST_SYSCALL");
    if (!name)
        return;
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        fail("seccomp", "debug: no host syscall named %s", name);
    long rc = syscall(nr, 0, 0, 0, 0, 0, 0);
    note("seccomp: debug: the monitor's own %s returned %ld (%s)", name, rc, rc < 0 ? strerror(errno) : "ok");
}

void syscall_filter_install(int inet, int verbose)
{
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_TRAP);
    int err = f ? 0 : -ENOMEM;
    if (f) /* a binary tree of syscall numbers, not a chain of ~190 tests per call (older libraries: ignored) */
        (void)seccomp_attr_set(f, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (size_t i = 0; !err && i < sizeof allowed / sizeof allowed[0]; i++)
        err = add(f, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
    err = err ?: add_filtered(f, inet);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    if (!err && sigaction(SIGSYS, &sa, NULL) < 0)
        err = -errno;
    err = err ?: no_tty_injection() ?: seccomp_load(f);
    if (f)
        seccomp_release(f);
    if (err && verbose)
        note("seccomp: the monitor runs without its syscall filter (%s)", strerror(-err));
    debug_probe();
}
