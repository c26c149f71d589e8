/* rlimits.c: resource limits that hold, as on Linux: RLIMIT_NOFILE (EMFILE for open and pipe,
 * EBADF for dup2, EINVAL for F_DUPFD), RLIMIT_FSIZE (a short write, then EFBIG and SIGXFSZ),
 * RLIMIT_AS and RLIMIT_DATA (ENOMEM from mmap, mremap and brk), RLIMIT_STACK (a deep recursion
 * ends in SIGSEGV), RLIMIT_CPU (SIGXCPU), raising a hard limit (EPERM unless privileged), and
 * prlimit64 on the calling process. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    printf("%-36s %ld errno %d\n", what, r, r < 0 ? errno : 0);
    errno = 0;
}

static void nofile(void)
{
    struct rlimit old, rl;
    getrlimit(RLIMIT_NOFILE, &old);
    rl = (struct rlimit){8, old.rlim_max};
    show("setrlimit NOFILE 8", setrlimit(RLIMIT_NOFILE, &rl));
    int n = 0, fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        n++;
    int e = errno;
    printf("%-36s %d, then errno %d\n", "opens until the limit", n, e);
    close(7);
    int p[2];
    show("pipe with one slot", pipe(p));
    show("dup2 to 9", dup2(0, 9));
    show("dup2 to 7", dup2(0, 7));
    show("F_DUPFD from 8", fcntl(0, F_DUPFD, 8));
    for (int i = 3; i < 8; i++)
        close(i);
    show("restore NOFILE", setrlimit(RLIMIT_NOFILE, &old));
    rl = (struct rlimit){old.rlim_cur, 2 * 1048576ul};
    show("NOFILE above nr_open", setrlimit(RLIMIT_NOFILE, &rl));
}

/* A program that raises its soft limit (servers do) gets that many descriptors. */
static void nofile_raised(void)
{
    struct rlimit old, rl;
    getrlimit(RLIMIT_NOFILE, &old);
    if (old.rlim_max < 5000) {
        printf("hard NOFILE below 5000: not checked\n");
        return;
    }
    rl = (struct rlimit){5000, old.rlim_max};
    show("setrlimit NOFILE 5000", setrlimit(RLIMIT_NOFILE, &rl));
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("%-36s %lu\n", "soft NOFILE now", (unsigned long)rl.rlim_cur);
    int n = 0, fd, last = -1, open_before = 0;
    for (int i = 0; i < 5000; i++) /* what the runner left open counts too (natively) */
        open_before += fcntl(i, F_GETFD) >= 0;
    static int made[5000];
    while ((fd = dup(0)) >= 0)
        made[n++] = last = fd;
    int e = errno;
    printf("%-36s %d (last fd %d), then errno %d\n", "dups until the limit, all free", n == 5000 - open_before, last, e);
    show("dup2 to 4999", dup2(0, 4999) < 0 ? -1 : 0);
    for (int i = 0; i < n; i++)
        close(made[i]);
    show("dup2 to 4999", dup2(0, 4999));
    show("dup2 to 5000", dup2(0, 5000));
    close(4999);
    show("restore NOFILE", setrlimit(RLIMIT_NOFILE, &old));
}

static void fsize(void)
{
    char buf[2000];
    memset(buf, 'x', sizeof buf);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {1000, RLIM_INFINITY};
    show("setrlimit FSIZE 1000", setrlimit(RLIMIT_FSIZE, &rl));
    int fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    show("write 2000", write(fd, buf, sizeof buf));
    show("write past the limit", write(fd, buf, 10));
    close(fd);
    rl.rlim_cur = RLIM_INFINITY;
    show("restore FSIZE", setrlimit(RLIMIT_FSIZE, &rl));
}

static void memory(void)
{
    struct rlimit rl = {256ul << 20, RLIM_INFINITY};
    show("setrlimit DATA 256 MiB", setrlimit(RLIMIT_DATA, &rl));
    void *p = mmap(NULL, 512ul << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mmap 512 MiB writable", p == MAP_FAILED ? -1 : 0);
    p = mmap(NULL, 512ul << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mmap 512 MiB read-only", p == MAP_FAILED ? -1 : 0);
    munmap(p, 512ul << 20);
    p = mmap(NULL, 512ul << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    show("mmap 512 MiB shared", p == MAP_FAILED ? -1 : 0);
    munmap(p, 512ul << 20);
    char *b = sbrk(0);
    show("brk 512 MiB more", syscall(SYS_brk, b + (512ul << 20)) == (long)b ? -1 : 0);
    if (errno == 0)
        errno = ENOMEM; /* (brk reports failure by the unchanged break) */
    char *m = mmap(NULL, 64ul << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mmap 64 MiB writable", m == MAP_FAILED ? -1 : 0);
    show("mremap it to 512 MiB", mremap(m, 64ul << 20, 512ul << 20, MREMAP_MAYMOVE) == MAP_FAILED ? -1 : 0);
    munmap(m, 64ul << 20);
    rl.rlim_cur = RLIM_INFINITY;
    show("restore DATA", setrlimit(RLIMIT_DATA, &rl));
    rl.rlim_cur = 1ul << 30;
    show("setrlimit AS 1 GiB", setrlimit(RLIMIT_AS, &rl));
    p = mmap(NULL, 2ul << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    show("mmap 2 GiB PROT_NONE", p == MAP_FAILED ? -1 : 0);
    p = mmap(NULL, 16ul << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mmap 16 MiB", p == MAP_FAILED ? -1 : 0);
    rl.rlim_cur = RLIM_INFINITY;
    show("restore AS", setrlimit(RLIMIT_AS, &rl));
}

static int deep(int n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    return n ? deep(n - 1) + pad[0] : 0;
}

/* In a child: the status it ends with, as "exit N" or "signal N". */
static void in_child(const char *what, void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("%-36s %s %d\n", what, WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static void small_stack(void)
{
    struct rlimit rl = {256 << 10, RLIM_INFINITY};
    setrlimit(RLIMIT_STACK, &rl);
    deep(4096); /* 4 MiB of frames */
}

static void cpu_second(void)
{
    struct rlimit rl = {1, 5};
    setrlimit(RLIMIT_CPU, &rl);
    for (volatile unsigned long i = 0;; i++)
        ;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    nofile();
    nofile_raised();
    fsize();
    memory();
    in_child("recursion past RLIMIT_STACK", small_stack);
    in_child("spinning past RLIMIT_CPU", cpu_second);
    struct rlimit rl, got;
    getrlimit(RLIMIT_CORE, &rl);
    rl.rlim_cur = 0;
    show("prlimit64 self CORE", syscall(SYS_prlimit64, 0, RLIMIT_CORE, &rl, &got));
    return 0;
}
