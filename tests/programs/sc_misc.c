/* sc_misc.c: process, time, limit, signal and futex syscalls: success and error paths. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "sc_common.h"

static void ids(void)
{
    long pid = syscall(SYS_getpid);
    T("getpid > 0", pid > 0);
    T("gettid == getpid", syscall(SYS_gettid) == pid);
    T("getppid > 0", syscall(SYS_getppid) > 0);
    T("getuid", syscall(SYS_getuid));
    T("geteuid", syscall(SYS_geteuid));
    T("getgid", syscall(SYS_getgid));
    T("getegid", syscall(SYS_getegid));
    unsigned g[64];
    long n = syscall(SYS_getgroups, 0, NULL);
    T("getgroups count", n);
    T("getgroups", syscall(SYS_getgroups, 64, g));
    for (long i = 0; i < n && i < 64; i++)
        printf("  -> group %u\n", g[i]);
    T("getgroups EINVAL", syscall(SYS_getgroups, -1, g));
    if (n > 0) {
        T("getgroups too small EINVAL", syscall(SYS_getgroups, n - 1, g));
        T("getgroups EFAULT", syscall(SYS_getgroups, n, (void *)16));
    }
    T("getgroups size 0 ignores list", syscall(SYS_getgroups, 0, (void *)16));
    T("umask", syscall(SYS_umask, 027));
    T("umask again", syscall(SYS_umask, 022));
    struct utsname u;
    T("uname", syscall(SYS_uname, &u));
    printf("  -> %s %s\n", u.sysname, u.machine);
    T("uname EFAULT", syscall(SYS_uname, (void *)16));
    char si[112];
    T("sysinfo", syscall(SYS_sysinfo, si));
    T("sysinfo EFAULT", syscall(SYS_sysinfo, (void *)16));
}

static void limits(void)
{
    struct rlimit rl;
    T("getrlimit", syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl));
    T("getrlimit EINVAL", syscall(SYS_getrlimit, 99, &rl));
    struct rlimit lower = {rl.rlim_cur / 2, rl.rlim_max};
    T("setrlimit", syscall(SYS_setrlimit, RLIMIT_NOFILE, &lower));
    struct rlimit bad = {10, 5};
    T("setrlimit EINVAL", syscall(SYS_setrlimit, RLIMIT_NOFILE, &bad));
    struct rlimit got;
    T("prlimit64", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &got));
    T("prlimit64 readback", got.rlim_cur == lower.rlim_cur);
    T("prlimit64 ESRCH", syscall(SYS_prlimit64, 999999, RLIMIT_NOFILE, NULL, &got));
    char ru[144];
    T("getrusage", syscall(SYS_getrusage, RUSAGE_SELF, ru));
    T("getrusage EINVAL", syscall(SYS_getrusage, 42, ru));
    char tms[32];
    T("times > 0", syscall(SYS_times, tms) > 0);
    T("times EFAULT", syscall(SYS_times, (void *)16));
    unsigned long mask[16];
    T("sched_getaffinity > 0", syscall(SYS_sched_getaffinity, 0, sizeof mask, mask) > 0);
    T("sched_getaffinity EINVAL", syscall(SYS_sched_getaffinity, 0, 3, mask));
    T("sched_yield", syscall(SYS_sched_yield));
}

static void clocks(void)
{
    struct timespec ts, res;
    T("clock_gettime", syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts));
    T("clock_gettime sane", ts.tv_sec > 1600000000);
    T("clock_gettime EINVAL", syscall(SYS_clock_gettime, 99, &ts));
    T("clock_gettime EFAULT", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)16));
    T("clock_getres", syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res));
    printf("  -> %ld %ld\n", (long)res.tv_sec, res.tv_nsec);
    T("clock_getres EINVAL", syscall(SYS_clock_getres, 99, &res));
    struct timeval tv;
    T("gettimeofday", syscall(SYS_gettimeofday, &tv, NULL));
    T("gettimeofday EFAULT", syscall(SYS_gettimeofday, (void *)16, NULL));
    long t = syscall(SYS_time, NULL);
    T("time sane", t > 1600000000);
    T("time EFAULT", syscall(SYS_time, (void *)16));
    struct timespec nap = {0, 2000000}, bad = {0, 2000000000};
    T("nanosleep", syscall(SYS_nanosleep, &nap, NULL));
    T("nanosleep EINVAL", syscall(SYS_nanosleep, &bad, NULL));
    T("clock_nanosleep", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &nap, NULL));
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    ts.tv_nsec = 0;
    T("clock_nanosleep abs past", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL));
    T("clock_nanosleep EINVAL", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL));
}

static void sigs_and_futex(void)
{
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask;
    } sa = {(void *)SIG_IGN, 0, NULL, 0}, old;
    T("rt_sigaction", syscall(SYS_rt_sigaction, SIGUSR1, &sa, &old, 8));
    T("rt_sigaction readback", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8) == 0 && old.handler == SIG_IGN);
    T("rt_sigaction EINVAL (SIGKILL)", syscall(SYS_rt_sigaction, SIGKILL, &sa, NULL, 8));
    T("rt_sigaction EINVAL (size)", syscall(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 4));
    unsigned long set = 1ul << (SIGUSR2 - 1), oset = 0;
    T("rt_sigprocmask", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8));
    T("rt_sigprocmask readback", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &oset, 8) == 0 && oset == set);
    T("rt_sigprocmask EINVAL", syscall(SYS_rt_sigprocmask, 7, &set, NULL, 8));
    static char stack[65536];
    stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack, .ss_flags = 0}, oss;
    T("sigaltstack", syscall(SYS_sigaltstack, &ss, NULL));
    T("sigaltstack readback", syscall(SYS_sigaltstack, NULL, &oss) == 0 && oss.ss_sp == stack);
    ss.ss_flags = 0x1234;
    T("sigaltstack EINVAL", syscall(SYS_sigaltstack, &ss, NULL));
    ss.ss_flags = 0, ss.ss_size = 100;
    T("sigaltstack ENOMEM", syscall(SYS_sigaltstack, &ss, NULL));
    static int word = 1;
    T("futex wake", syscall(SYS_futex, &word, 1 | 128, 1, NULL, NULL, 0));
    T("futex wait EAGAIN", syscall(SYS_futex, &word, 0 | 128, 2, NULL, NULL, 0));
    struct timespec to = {0, 1000};
    T("futex wait ETIMEDOUT", syscall(SYS_futex, &word, 0 | 128, 1, &to, NULL, 0));
    T("futex EFAULT", syscall(SYS_futex, (void *)16, 0, 2, NULL, NULL, 0));
    T("futex EINVAL", syscall(SYS_futex, (char *)&word + 1, 0, 2, NULL, NULL, 0));
    char rnd[16];
    T("getrandom", syscall(SYS_getrandom, rnd, sizeof rnd, 0));
    T("getrandom EINVAL", syscall(SYS_getrandom, rnd, sizeof rnd, 0x80));
    T("getrandom EFAULT", syscall(SYS_getrandom, (void *)16, 8, 0));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    ids();
    limits();
    clocks();
    sigs_and_futex();
    return 0;
}
