/* badptr_matrix.c: bad user pointers, every combination of a kind of address, a length and a
 * system call, compared with Linux's answers (the test runs it natively and under buffervm).
 * Addresses: NULL, 1, a page never mapped, a PROT_NONE page, a read-only page (a bad target for
 * anything the kernel writes), 8 good bytes followed by an unmapped page, the end of user space,
 * a non-canonical address, kernel addresses and all ones. Each line: call, address, length,
 * result, errno. Data written by the calls goes to files in the scratch directory, compared too. */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096ul

static int rfd, wfd, dfd; /* a file with data (read from), a file written to, a directory */

struct addr {
    const char *name;
    uintptr_t va;
};

/* One call with pointer p and length n; the raw syscall's result. */
struct call {
    const char *name;
    long (*fn)(void *p, size_t n);
};

#define SC(...) syscall(__VA_ARGS__)
static long c_read(void *p, size_t n) { return SC(SYS_pread64, rfd, p, n, 0); }
static long c_read_eof(void *p, size_t n) { return SC(SYS_pread64, rfd, p, n, 1 << 20); }
static long c_write(void *p, size_t n) { return SC(SYS_write, wfd, p, n); }
static long c_pwrite(void *p, size_t n) { return SC(SYS_pwrite64, wfd, p, n, 0); }
static long c_readv_iov(void *p, size_t n) { return SC(SYS_readv, rfd, p, n % 1025); }
static long c_writev_iov(void *p, size_t n) { return SC(SYS_writev, wfd, p, n % 1025); }
static long c_readv_base(void *p, size_t n)
{
    static char good[16];
    struct iovec iov[2] = {{good, sizeof good}, {p, n}};
    lseek(rfd, 0, SEEK_SET);
    return SC(SYS_readv, rfd, iov, 2);
}
static long c_writev_base(void *p, size_t n)
{
    struct iovec iov[2] = {{"ab", 2}, {p, n}};
    return SC(SYS_writev, wfd, iov, 2);
}
static long c_open(void *p, size_t n) { (void)n; return SC(SYS_openat, AT_FDCWD, p, O_RDONLY); }
static long c_stat(void *p, size_t n) { (void)n; return SC(SYS_newfstatat, AT_FDCWD, p, (void *)0, 0); }
static long c_stat_buf(void *p, size_t n) { (void)n; return SC(SYS_newfstatat, AT_FDCWD, ".", p, 0); }
static long c_fstat(void *p, size_t n) { (void)n; return SC(SYS_fstat, rfd, p); }
static long c_statx(void *p, size_t n) { (void)n; return SC(SYS_statx, AT_FDCWD, ".", 0, 0x7ff, p); }
static long c_access(void *p, size_t n) { (void)n; return SC(SYS_faccessat, AT_FDCWD, p, R_OK); }
static long c_mkdir(void *p, size_t n) { (void)n; return SC(SYS_mkdirat, AT_FDCWD, p, 0700); }
static long c_unlink(void *p, size_t n) { (void)n; return SC(SYS_unlinkat, AT_FDCWD, p, 0); }
static long c_rename(void *p, size_t n) { (void)n; return SC(SYS_renameat, AT_FDCWD, p, AT_FDCWD, "x"); }
static long c_chdir(void *p, size_t n) { (void)n; return SC(SYS_chdir, p); }
static long c_readlink_path(void *p, size_t n) { char b[64]; return SC(SYS_readlinkat, AT_FDCWD, p, b, n ? n % 64 : 1); }
static long c_readlink_buf(void *p, size_t n) { return SC(SYS_readlinkat, AT_FDCWD, "link", p, n); }
static long c_getcwd(void *p, size_t n) { return SC(SYS_getcwd, p, n); }
static long c_getdents(void *p, size_t n) { lseek(dfd, 0, SEEK_SET); return SC(SYS_getdents64, dfd, p, n); }
static long c_uname(void *p, size_t n) { (void)n; return SC(SYS_uname, p); }
static long c_clock(void *p, size_t n) { (void)n; return SC(SYS_clock_gettime, CLOCK_MONOTONIC, p); }
static long c_clock_res(void *p, size_t n) { (void)n; return SC(SYS_clock_getres, CLOCK_MONOTONIC, p); }
static long c_gettimeofday(void *p, size_t n) { (void)n; return SC(SYS_gettimeofday, p, 0) < 0 ? -1 : 0; }
static long c_nanosleep(void *p, size_t n) { (void)n; return SC(SYS_nanosleep, p, 0); }
static long c_pipe(void *p, size_t n) { (void)n; return SC(SYS_pipe2, p, O_CLOEXEC) < 0 ? -1 : 0; }
static long c_socketpair(void *p, size_t n) { (void)n; return SC(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, p) < 0 ? -1 : 0; }
static long c_getrusage(void *p, size_t n) { (void)n; return SC(SYS_getrusage, 0, p); }
static long c_times(void *p, size_t n) { (void)n; return SC(SYS_times, p) < 0 ? -1 : 0; }
static long c_sysinfo(void *p, size_t n) { (void)n; return SC(SYS_sysinfo, p); }
static long c_getrlimit(void *p, size_t n) { (void)n; return SC(SYS_getrlimit, RLIMIT_NOFILE, p); }
static long c_setrlimit(void *p, size_t n) { (void)n; return SC(SYS_setrlimit, RLIMIT_CORE, p); }
static long c_prlimit(void *p, size_t n) { (void)n; return SC(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, p); }
static long c_sigaction(void *p, size_t n) { (void)n; return SC(SYS_rt_sigaction, SIGUSR1, p, 0, 8); }
static long c_sigaction_old(void *p, size_t n) { (void)n; return SC(SYS_rt_sigaction, SIGUSR1, 0, p, 8); }
static long c_sigprocmask(void *p, size_t n) { (void)n; return SC(SYS_rt_sigprocmask, SIG_BLOCK, p, 0, 8); }
static long c_sigprocmask_old(void *p, size_t n) { (void)n; return SC(SYS_rt_sigprocmask, SIG_BLOCK, 0, p, 8); }
static long c_sigpending(void *p, size_t n) { (void)n; return SC(SYS_rt_sigpending, p, 8); }
static long c_sigaltstack(void *p, size_t n) { (void)n; return SC(SYS_sigaltstack, 0, p); }
static long c_poll(void *p, size_t n) { return SC(SYS_poll, p, n % 8, 0); }
static long c_select(void *p, size_t n) { (void)n; return SC(SYS_select, 8, p, 0, 0, &(struct timeval){0, 0}); }
static long c_getrandom(void *p, size_t n) { return SC(SYS_getrandom, p, n, 0); }
static long c_getgroups(void *p, size_t n) { return SC(SYS_getgroups, n % 64, p) < 0 ? -1 : 0; }
static long c_getresuid(void *p, size_t n) { (void)n; return SC(SYS_getresuid, p, p, p); }
static long c_wait4(void *p, size_t n) { (void)n; return SC(SYS_wait4, -1, p, WNOHANG, 0); }
static long c_sched_affinity(void *p, size_t n) { return SC(SYS_sched_getaffinity, 0, n ? n : 8, p) < 0 ? -1 : 0; }
static long c_utimensat(void *p, size_t n) { (void)n; return SC(SYS_utimensat, AT_FDCWD, "data", p, 0); }
static long c_statfs(void *p, size_t n) { (void)n; return SC(SYS_statfs, ".", p); }
static long c_arch_prctl(void *p, size_t n) { (void)n; return SC(SYS_arch_prctl, 0x1003 /* GET_FS */, p); }
static long c_prctl_name(void *p, size_t n) { (void)n; return SC(SYS_prctl, 16 /* PR_GET_NAME */, p); }
static long c_execve(void *p, size_t n) { (void)n; return SC(SYS_execve, p, 0, 0); }
/* An executable file of no known format: opened, its arguments copied, then ENOEXEC (a missing
 * file would be ENOENT before or after the arguments, as the kernel's version decides). */
static long c_execve_argv(void *p, size_t n) { (void)n; return SC(SYS_execve, "noformat", p, 0); }
static long c_getxattr(void *p, size_t n) { return SC(SYS_getxattr, "data", "user.x", p, n); }
static long c_getxattr_name(void *p, size_t n) { (void)n; return SC(SYS_getxattr, "data", p, 0, 0); }
static long c_listxattr(void *p, size_t n) { return SC(SYS_listxattr, "data", p, n); }
static long c_futex(void *p, size_t n) { (void)n; return SC(SYS_futex, p, 1 /* WAKE */, 1, 0, 0, 0); }

#define C(x) {#x, c_##x}
static const struct call calls[] = {
    C(read), C(read_eof), C(write), C(pwrite), C(readv_iov), C(writev_iov), C(readv_base), C(writev_base),
    C(open), C(stat), C(stat_buf), C(fstat), C(statx), C(access), C(mkdir), C(unlink), C(rename), C(chdir),
    C(readlink_path), C(readlink_buf), C(getcwd), C(getdents), C(uname), C(clock), C(clock_res),
    C(gettimeofday), C(nanosleep), C(pipe), C(socketpair), C(getrusage), C(times), C(sysinfo), C(getrlimit),
    C(setrlimit), C(prlimit), C(sigaction), C(sigaction_old), C(sigprocmask), C(sigprocmask_old),
    C(sigpending), C(sigaltstack), C(poll), C(select), C(getrandom), C(getgroups), C(getresuid), C(wait4),
    C(sched_affinity), C(utimensat), C(statfs), C(arch_prctl), C(prctl_name), C(execve), C(execve_argv),
    C(getxattr), C(getxattr_name), C(listxattr), C(futex),
};

static const size_t lengths[] = {0, 1, 100, 1 << 20};

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *r = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED)
        return 1;
    memset(r, 'a', PAGE); /* no NUL before the unmapped page: a path running into it */
    memset(r + 3 * PAGE, 0, PAGE); /* a page of its own (Linux's futex refuses the shared zero page) */
    munmap(r + PAGE, PAGE);
    munmap(r + 4 * PAGE, PAGE); /* whatever lies beyond, the read-only page ends the buffer */
    mprotect(r + 2 * PAGE, PAGE, PROT_NONE);
    mprotect(r + 3 * PAGE, PAGE, PROT_READ);
    const struct addr addrs[] = {
        {"null", 0},
        {"one", 1},
        {"unmapped", (uintptr_t)r + PAGE},
        {"prot_none", (uintptr_t)r + 2 * PAGE},
        {"read_only", (uintptr_t)r + 3 * PAGE},
        {"straddle", (uintptr_t)r + PAGE - 8},
        {"user_end", 0x7ffffffff000ul},
        {"non_canonical", 0x800000000000ul},
        {"kernel", 0xffff800000000000ul},
        {"kernel_text", 0xffffffff81000000ul},
        {"vsyscall", 0xffffffffff600000ul},
        {"all_ones", ~0ul},
    };
    int fd = open("data", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "0123456789abcdef0123456789abcdef", 32) != 32 || close(fd) < 0)
        return 1;
    if (symlink("data", "link") < 0 || mkdir("dir", 0755) < 0)
        return 1;
    fd = open("noformat", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd < 0 || write(fd, "\0\0\0\0\0\0\0\0", 8) != 8 || close(fd) < 0)
        return 1;
    rfd = open("data", O_RDONLY);
    wfd = open("written", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dfd = open("dir", O_RDONLY | O_DIRECTORY);
    if (rfd < 0 || wfd < 0 || dfd < 0)
        return 1;
    for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++)
        for (size_t a = 0; a < sizeof addrs / sizeof addrs[0]; a++)
            for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
                errno = 0;
                long ret = calls[c].fn((void *)addrs[a].va, lengths[l]);
                int err = ret < 0 ? errno : 0;
                printf("%s %s %zu: %ld errno %d\n", calls[c].name, addrs[a].name, lengths[l], ret, err);
            }
    return 0;
}
