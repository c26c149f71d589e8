/* fd_names.c: descriptors reached by their /proc names, the program's own (/proc/self/fd/N,
 * /dev/fd/N) and another process's (/proc/<pid>/fd/N): a file reopened with another mode, a pipe
 * reopened, names under a directory's descriptor, a trailing slash on a file's, the link itself
 * (lstat's mode, O_PATH|O_NOFOLLOW, readlink) and a name relative to the /proc/self/fd listing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int to_child[2], to_parent[2];

static const char *err_name(int e)
{
    switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case ELOOP: return "ELOOP";
    case EACCES: return "EACCES";
    case EISDIR: return "EISDIR";
    default: return strerror(e);
    }
}

/* stat of path: the same inode as want's, or the error. */
static void same_as(const char *what, const char *path, const char *want)
{
    struct stat a, b;
    int r = stat(path, &a), e = errno;
    stat(want, &b);
    printf("%s: %s\n", what, r ? err_name(e) : a.st_ino == b.st_ino ? "the same file" : "another file");
}

static void open_err(const char *what, const char *path, int flags)
{
    int fd = open(path, flags), e = errno;
    printf("%s: %s\n", what, fd < 0 ? err_name(e) : "opened");
    if (fd >= 0)
        close(fd);
}

/* The link itself: lstat's type and mode, and an O_PATH|O_NOFOLLOW handle on it. */
static void link_itself(const char *what, const char *path, const char *target)
{
    char buf[4096];
    struct stat st;
    if (lstat(path, &st) == 0)
        printf("%s: lstat %s mode %o\n", what, S_ISLNK(st.st_mode) ? "link" : "not a link", st.st_mode & 0777);
    else
        printf("%s: lstat %s\n", what, err_name(errno));
    int h = open(path, O_PATH | O_NOFOLLOW);
    ssize_t n = h < 0 ? -1 : readlinkat(h, "", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("%s: handle %s, fstatat %s, readlinkat names it %d\n", what, h < 0 ? err_name(errno) : "ok",
           h >= 0 && fstatat(h, "", &st, AT_EMPTY_PATH) == 0 && S_ISLNK(st.st_mode) ? "link" : "not a link",
           strstr(buf, target) != NULL);
    if (h >= 0)
        close(h);
}

/* A file's content read through path. */
static void read_through(const char *what, const char *path)
{
    char buf[64] = "";
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    printf("%s: %s\n", what, fd < 0 ? err_name(errno) : n < 0 ? "read failed" : buf);
    if (fd >= 0)
        close(fd);
}

static void own(void)
{
    char p[96];
    int f = open("note.txt", O_CREAT | O_WRONLY | O_TRUNC, 0600), d = open("sub", O_RDONLY | O_DIRECTORY);
    if (f < 0 || d < 0 || write(f, "written", 7) != 7)
        return;
    snprintf(p, sizeof p, "/proc/self/fd/%d", f);
    read_through("own file reopened for reading", p);
    link_itself("own file's link", p, "note.txt");
    open_err("own file's link, O_NOFOLLOW", p, O_RDONLY | O_NOFOLLOW);
    snprintf(p, sizeof p, "/proc/self/fd/%d/", f);
    open_err("own file with a slash", p, O_RDONLY);
    snprintf(p, sizeof p, "/dev/fd/%d/x", f);
    open_err("under own file", p, O_RDONLY);
    snprintf(p, sizeof p, "/dev/fd/%d/inner", d);
    same_as("under own directory", p, "sub/inner");
    snprintf(p, sizeof p, "/proc/self/fd/%d//", d);
    same_as("own directory with slashes", p, "sub");
    snprintf(p, sizeof p, "/proc/self/fd/%d/../note.txt", d);
    same_as("dot-dot under own directory", p, "note.txt");
    int pp[2];
    if (pipe(pp) == 0 && write(pp[1], "piped", 5) == 5) {
        snprintf(p, sizeof p, "/proc/self/fd/%d", pp[0]);
        read_through("own pipe reopened", p);
    }
    int list = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
    snprintf(p, sizeof p, "%d", d);
    struct stat a, b;
    printf("relative to the listing: %s\n", list >= 0 && fstatat(list, p, &a, 0) == 0 && stat("sub", &b) == 0 &&
                                                    a.st_ino == b.st_ino ? "the directory" : "not found");
    snprintf(p, sizeof p, "/proc/self/fd/%d", d);
    char cwd[4096], want[4096];
    int moved = chdir(p) == 0 && getcwd(cwd, sizeof cwd) && chdir("..") == 0 && realpath("sub", want);
    printf("chdir through the link: %s\n", moved && strcmp(cwd, want) == 0 ? "in the directory" : "elsewhere");
}

static void child(void)
{
    char c = 0;
    int f = open("note.txt", O_RDONLY), d = open("sub", O_RDONLY | O_DIRECTORY);
    dup2(f, 9), dup2(d, 6);
    if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) < 0)
        _exit(1);
    _exit(0);
}

static void other(void)
{
    char p[96], c = 0;
    if (pipe(to_child) || pipe(to_parent))
        return;
    pid_t pid = fork();
    if (pid == 0)
        child();
    if (read(to_parent[0], &c, 1) != 1)
        return;
    snprintf(p, sizeof p, "/proc/%d/fd/9", (int)pid);
    read_through("other's file reopened", p);
    link_itself("other's file's link", p, "note.txt");
    open_err("other's file's link, O_NOFOLLOW", p, O_RDONLY | O_NOFOLLOW);
    snprintf(p, sizeof p, "/proc/%d/fd/9/", (int)pid);
    open_err("other's file with a slash", p, O_RDONLY);
    snprintf(p, sizeof p, "/proc/%d/fd/6/inner", (int)pid);
    same_as("under other's directory", p, "sub/inner");
    snprintf(p, sizeof p, "/proc/%d/fd/6", (int)pid);
    link_itself("other's directory's link", p, "sub");
    snprintf(p, sizeof p, "/proc/%d/fd/60", (int)pid);
    open_err("other's fd never opened", p, O_RDONLY);
    if (write(to_child[1], &c, 1) != 1)
        return;
    waitpid(pid, NULL, 0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (mkdir("sub", 0755) < 0 || close(open("sub/inner", O_CREAT | O_WRONLY, 0600)) < 0)
        return 1;
    own();
    other();
    return 0;
}
