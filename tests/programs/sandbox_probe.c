/* sandbox_probe.c: what a program under `buffervm --sandbox --ro ro --rw rw` may do, one line per
 * attempt ("what: ok" or the errno's name), run from a directory holding ro/f, rw/ and hidden/secret.
 * run_tree.sh compares the lines with the policy the README states. Nothing it tries on the
 * system's files changes them should it be let through (it must never be run natively as root to
 * see what Linux says: the answers are the policy's, not the host's). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

static void report(const char *what, int r)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{ENOENT, "ENOENT"}, {EACCES, "EACCES"}, {EROFS, "EROFS"}, {EPERM, "EPERM"},
                 {EEXIST, "EEXIST"}, {EXDEV, "EXDEV"}, {ESRCH, "ESRCH"}, {ELOOP, "ELOOP"}, {EINVAL, "EINVAL"}};
    const char *name = "other";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].e == errno)
            name = names[i].name;
    printf("%s: %s\n", what, r >= 0 ? "ok" : name);
}

static int read_file(const char *path)
{
    char b[16];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int r = (int)read(fd, b, sizeof b);
    close(fd);
    return r;
}

static int write_file(const char *path, int flags)
{
    int fd = open(path, O_WRONLY | flags, 0644);
    if (fd < 0)
        return -1;
    int r = (int)write(fd, "x", 1);
    close(fd);
    return r;
}

/* Whether a listing of dir names name. */
static int lists(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        found |= !strcmp(e->d_name, name);
    if (d)
        closedir(d);
    return found;
}

static int stat_of(const char *path)
{
    struct stat st;
    return stat(path, &st);
}

/* A unix stream socket bound to path ("@name": abstract) and listening: its fd, or -1. */
static int unix_listen(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (path[0] == '@')
        a.sun_path[0] = 0;
    return s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0 ? -1 : s;
}

static int unix_connect(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    return s < 0 ? -1 : connect(s, (struct sockaddr *)&a, sizeof a);
}

int main(void)
{
    int sv[2];
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* the system's files */
    report("read /etc/passwd", read_file("/etc/passwd"));
    report("read /etc/shadow (not world-readable)", read_file("/etc/shadow"));
    report("stat /root", stat_of("/root"));
    report("stat /var", stat_of("/var"));
    /* (attempts on the system's files change nothing even where they are let through: an empty
     * append, a file removed again, a chmod to the mode it has) */
    int made = open("/usr/bin/bvm-probe", O_WRONLY | O_CREAT | O_EXCL, 0644);
    report("create /usr/bin/bvm-probe", made);
    if (made >= 0)
        close(made), unlink("/usr/bin/bvm-probe");
    int app = open("/etc/passwd", O_WRONLY | O_APPEND);
    report("write /etc/passwd", app);
    if (app >= 0)
        close(app);
    report("stat /bin/sh", stat_of("/bin/sh"));
    printf("listing / names root: %d, etc: %d\n", lists("/", "root"), lists("/", "etc"));
    /* a read-only grant */
    report("read ro/f", read_file("ro/f"));
    report("write ro/f", write_file("ro/f", 0));
    report("create ro/new", write_file("ro/new", O_CREAT));
    report("unlink ro/f", unlink("ro/f"));
    report("chmod ro/f", chmod("ro/f", 0600));
    report("rename ro/f to rw/f", rename("ro/f", "rw/f"));
    report("hard link ro/f as rw/h", link("ro/f", "rw/h"));
    /* a read-write grant */
    report("create rw/new", write_file("rw/new", O_CREAT));
    report("append rw/new", write_file("rw/new", O_APPEND));
    report("chmod rw/new", chmod("rw/new", 0600));
    report("mkdir rw/d", mkdir("rw/d", 0755));
    report("rename rw/new to rw/d/new", rename("rw/new", "rw/d/new"));
    report("symlink rw/to-shadow", symlink("/etc/shadow", "rw/to-shadow"));
    report("read rw/to-shadow", read_file("rw/to-shadow"));
    report("symlink rw/to-hidden", symlink("../hidden/secret", "rw/to-hidden"));
    report("read rw/to-hidden", read_file("rw/to-hidden"));
    report("create through rw/to-hidden-new", symlink("../hidden/new", "rw/to-hidden-new"));
    report("write rw/to-hidden-new", write_file("rw/to-hidden-new", O_CREAT));
    report("stat hidden/new (not made)", stat_of("hidden/new"));
    report("read rw/../hidden/secret", read_file("rw/../hidden/secret"));
    report("read rw/d/../../hidden/secret", read_file("rw/d/../../hidden/secret"));
    report("read hidden/secret", read_file("hidden/secret"));
    printf("listing . names hidden: %d, ro: %d\n", lists(".", "hidden"), lists(".", "ro"));
    /* devices, stdio, /proc */
    report("write /dev/null", write_file("/dev/null", 0));
    report("read /dev/urandom", read_file("/dev/urandom"));
    report("chmod /dev/null", chmod("/dev/null", 0666));
    report("fchmod of stdin", fchmod(0, 0666));
    report("stat /dev/mem", stat_of("/dev/mem"));
    report("mknod rw/null-again (a device)", mknod("rw/null-again", S_IFCHR | 0666, makedev(1, 3)));
    report("read /proc/self/status", read_file("/proc/self/status"));
    printf("listing /proc/self/fd names 0: %d\n", lists("/proc/self/fd", "0"));
    report("read /proc/meminfo", read_file("/proc/meminfo"));
    report("stat /proc/1", stat_of("/proc/1"));
    /* processes: the program's own only */
    report("kill of the parent, signal 0", kill(getppid(), 0));
    report("kill of pid 1, signal 0", kill(1, 0));
    report("tgkill of the parent, signal 0", syscall(SYS_tgkill, getppid(), getppid(), 0));
    report("tkill of pid 1, signal 0", syscall(SYS_tkill, 1, 0));
    report("sigqueue to the parent, signal 0", sigqueue(getppid(), 0, (union sigval){0}));
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    report("kill of its child, signal 0", kill(child, 0));
    report("tgkill of its child, signal 0", syscall(SYS_tgkill, child, child, 0));
    report("tkill of its child, signal 0", syscall(SYS_tkill, child, 0));
    report("sigqueue to its child, signal 0", sigqueue(child, 0, (union sigval){0}));
    char name[64];
    snprintf(name, sizeof name, "/proc/%d/status", (int)child);
    report("read its child's /proc status", read_file(name));
    snprintf(name, sizeof name, "/proc/%d/environ", (int)child);
    report("read its child's /proc environ", read_file(name));
    report("kill -1, signal 0 (the child)", kill(-1, 0));
    report("kill of its own group, SIGCONT", kill(0, SIGCONT));
    report("kill of the child, SIGKILL", kill(child, SIGKILL));
    waitpid(child, NULL, 0);
    /* the network */
    report("socket AF_INET", socket(AF_INET, SOCK_STREAM, 0));
    report("socket AF_INET6", socket(AF_INET6, SOCK_DGRAM, 0));
    report("socketpair AF_UNIX", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    report("bind AF_UNIX rw/sock", unix_listen("rw/sock"));
    report("connect AF_UNIX rw/sock", unix_connect("rw/sock"));
    report("bind AF_UNIX hidden/sock", unix_listen("hidden/sock"));
    report("bind AF_UNIX abstract", unix_listen("@bvm-probe-abstract"));
    return 0;
}
