/* sandbox_paths.c: every spelling of the program's own /proc entries and /dev/fd. Where Linux
 * defines the result (readlink of an fd, reopening /dev/stdin, /proc/self/environ, exe, cwd) it is
 * printed, to be compared with a native run; for the other spellings (".." and "//" tricks, a pid,
 * thread-self, symlinks made here) each access must either fail or reach the program's own file,
 * printed "ok" either way: only a descriptor or memory of somebody else prints FOREIGN. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define MAXFD 48

static int foreign;

static void verdict(const char *what, int bad, int k)
{
    if (bad) {
        printf("FOREIGN: %s (fd %d)\n", what, k);
        foreign++;
    }
}

/* The object behind fd is the program's own fd k (open, same file). */
static int same_as(int fd, int k)
{
    struct stat a, b;
    return fstat(k, &b) == 0 && fstat(fd, &a) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Every access one spelling allows to fd k: failure or the program's own file. */
static void probe(const char *fmt, int k)
{
    char path[256], got[512], want[512], own_link[32];
    struct stat st, own;
    snprintf(path, sizeof path, fmt, k);
    int open_k = fcntl(k, F_GETFD) >= 0;
    for (int mode = O_RDONLY; mode <= O_RDWR; mode += O_RDWR) {
        int fd = open(path, mode | O_CLOEXEC);
        verdict(path, fd >= 0 && !same_as(fd, k), k);
        if (fd >= 0)
            close(fd);
    }
    ssize_t n = readlink(path, got, sizeof got - 1);
    snprintf(own_link, sizeof own_link, "/proc/self/fd/%d", k);
    ssize_t m = readlink(own_link, want, sizeof want - 1);
    verdict(path, n >= 0 && (!open_k || n != m || memcmp(got, want, n) != 0), k);
    verdict(path, stat(path, &st) == 0 && !(open_k && fstat(k, &own) == 0 && st.st_ino == own.st_ino), k);
    if (!open_k) { /* nothing of ours to change: every change must fail */
        verdict(path, truncate(path, 0) == 0, k);
        verdict(path, chmod(path, 0600) == 0, k);
        verdict(path, unlink(path) == 0, k);
    }
}

static void spellings(void)
{
    char pid[64], task[64];
    static const char *const fixed[] = {
        "/proc/self/fd/%d",
        "/proc/self/./fd/%d",
        "/proc//self/fd/%d",
        "/proc/thread-self/fd/%d",
        "/dev/fd/%d",
        "/dev/./fd/%d",
        "/proc/self/fd/../fd/%d",
        "/proc/../proc/self/fd/%d",
        "/dev/../dev/fd/%d",
        "../cwd/plink/%d",
        "plink/%d",
        "dlink/%d",
        "slink/fd/%d",
        "slink/task/../fd/%d",
        "/proc/self/fd/%d/",
    };
    snprintf(pid, sizeof pid, "/proc/%d/fd/%%d", getpid());
    snprintf(task, sizeof task, "/proc/self/task/%d/fd/%%d", getpid());
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        for (int k = 0; k < MAXFD; k++)
            probe(fixed[i], k);
    for (int k = 0; k < MAXFD; k++)
        probe(pid, k), probe(task, k);
    printf("fd spellings: %zu, fds 0..%d: %s\n", sizeof fixed / sizeof fixed[0] + 2, MAXFD - 1,
           foreign ? "FOREIGN" : "ok");
}

/* Reading a process file: refused, or this process's (text must be ours). */
static void own_file(const char *path, const char *label, const char *ours, size_t len)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    int bad = n >= 0 && ((size_t)n < len || memcmp(buf, ours, len) != 0);
    printf("%s: %s\n", label, bad ? "FOREIGN" : "ok");
    foreign += bad;
    if (fd >= 0)
        close(fd);
}

/* /proc/self/mem and /proc/<pid>/mem: refused, or this process's memory. */
static void own_mem(const char *path, const char *label)
{
    static const char marker[] = "sandbox-paths-marker";
    char buf[sizeof marker];
    int fd = open(path, O_RDWR);
    ssize_t n = fd >= 0 ? pread(fd, buf, sizeof buf, (off_t)(unsigned long)marker) : -1;
    int bad = n >= 0 && ((size_t)n != sizeof buf || memcmp(buf, marker, sizeof buf) != 0);
    printf("%s: %s\n", label, bad ? "FOREIGN" : "ok");
    foreign += bad;
    if (fd >= 0)
        close(fd);
}

static void process_files(void)
{
    char path[64], env[4096];
    size_t len = 0;
    environ[0][0] ^= 0x20; /* Linux shows the strings as they are now: so must the copy */
    for (char **e = environ; *e && len + strlen(*e) + 1 < sizeof env; e++)
        len += (size_t)sprintf(env + len, "%s", *e) + 1;
    static const char *const names[] = {
        "/proc/self/environ",      "/proc/self/./environ", "/proc/thread-self/environ",
        "slink/environ",           "/proc/self/mem",       "slink/mem",
        "/proc/self/cwd/slink/mem"};
    for (int i = 0; i < 4; i++)
        own_file(names[i], names[i], env, len);
    snprintf(path, sizeof path, "/proc/%d/environ", getpid());
    own_file(path, "/proc/<pid>/environ", env, len);
    for (int i = 4; i < 7; i++)
        own_mem(names[i], names[i]);
    snprintf(path, sizeof path, "/proc/%d/mem", getpid());
    own_mem(path, "/proc/<pid>/mem");
    int fd = open("/proc/self/environ", O_RDONLY);
    ssize_t n = read(fd, path, 5);
    printf("environ starts: %.*s\n", (int)(n > 0 ? n : 0), path);
    close(fd);
}

static void print_link(const char *path)
{
    char buf[512];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    printf("readlink %s: %s\n", path, n < 0 ? strerror(errno) : (buf[n] = 0, buf));
}

/* What Linux defines: the names of open fds, and reopening through them. */
static void defined(void)
{
    char buf[64];
    int fd = open("secret.txt", O_RDWR);
    print_link("/proc/self/fd/3");
    print_link("/dev/fd/3");
    print_link("/proc/thread-self/fd/3");
    print_link("/proc/self/cwd");
    print_link("/proc/self/root");
    print_link("/proc/self/fd/40");
    char out1[512] = "", out2[512] = "";
    readlink("/proc/self/fd/1", out1, sizeof out1 - 1);
    readlink("/dev/stdout", out2, sizeof out2 - 1);
    printf("stdout link agrees: %d\n", strcmp(out1, out2) == 0 && out1[0]);
    print_link("/dev/stdout");
    print_link("/dev/fd");
    print_link("/proc/self/fd");
    dup2(fd, 0);
    read(0, buf, 4); /* the reopened file has its own offset */
    static const char *const again[] = {"/dev/stdin", "/dev/fd/0", "/proc/self/fd/0", "/proc/self/fd/3"};
    for (int i = 0; i < 4; i++) {
        int r = open(again[i], O_RDONLY);
        ssize_t n = r >= 0 ? read(r, buf, sizeof buf) : -1;
        printf("reopen %s: %.*s", again[i], (int)(n > 0 ? n : 0), buf);
        close(r);
    }
    int w = open("/dev/fd/3", O_WRONLY | O_APPEND);
    printf("append through /dev/fd/3: %zd\n", write(w, "more\n", 5));
    close(w);
    close(0);
    printf("/dev/stdin closed: %s\n", open("/dev/stdin", O_RDONLY) < 0 ? strerror(errno) : "opened");
}

static void listing(const char *path)
{
    DIR *d = opendir(path);
    int bad = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        int k = atoi(e->d_name);
        if (e->d_name[0] != '.' && k != dirfd(d))
            bad |= fcntl(k, F_GETFD) < 0; /* a number that is not one of our fds */
    }
    if (d)
        closedir(d);
    printf("list %s: %s\n", path, bad ? "FOREIGN" : "ok");
    foreign += bad;
}

int main(void)
{
    FILE *f = fopen("secret.txt", "w");
    fputs("secret line\n", f);
    fclose(f);
    symlink("/proc/self/fd", "plink");
    symlink("/dev/fd", "dlink");
    symlink("/proc/self", "slink");
    defined();
    listing("/proc/self/fd");
    listing("/dev/fd/");
    listing("plink");
    listing("slink/fd");
    process_files();
    spellings();
    print_link("/proc/self/exe");
    printf("%s\n", foreign ? "FOREIGN ACCESS" : "all own or refused");
    return foreign != 0;
}
