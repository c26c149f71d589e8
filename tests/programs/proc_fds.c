/* proc_fds.c: another process's descriptors through /proc/<pid>/fd, as ls, lsof and ps see them:
 * the listing, each link's target, lstat and stat of a link, names relative to the listing's
 * descriptor, a closed or never-opened number, and the table after dup2, close_range, many dups
 * in one call, and execve (close-on-exec descriptors gone). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_common.h"

static int to_child[2], to_parent[2];

/* A link's target with the inode number of a pipe or socket blanked ("pipe:[*]"). */
static void target(const char *path, char *out, size_t size)
{
    ssize_t n = readlink(path, out, size - 1);
    if (n < 0) {
        snprintf(out, size, "(%s)", strerror(errno));
        return;
    }
    out[n] = 0;
    char *b = strchr(out, '[');
    if (b && strchr(b, ']') && (!strncmp(out, "pipe:", 5) || !strncmp(out, "socket:", 7)))
        strcpy(b, "[*]");
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* The child's fds as a sorted list, each with its target; how many there are past 99 in one line. */
static void show(pid_t child, const char *when)
{
    char dir[64], path[96], t[512];
    static int fds[4096];
    int n = 0, many = 0;
    snprintf(dir, sizeof dir, "/proc/%d/fd", (int)child);
    DIR *d = opendir(dir);
    if (!d) {
        printf("%s: opendir: %s\n", when, strerror(errno));
        return;
    }
    for (struct dirent *e; (e = readdir(d)) && n < 4096;)
        if (e->d_name[0] != '.')
            fds[n++] = atoi(e->d_name);
    closedir(d);
    qsort(fds, (size_t)n, sizeof *fds, cmp_int);
    printf("%s:", when);
    for (int i = 0; i < n; i++) {
        if (fds[i] > 99) {
            many++;
            continue;
        }
        snprintf(path, sizeof path, "%s/%d", dir, fds[i]);
        target(path, t, sizeof t);
        printf(" %d=%s", fds[i], fds[i] < 3 ? "(stdio)" : t); /* (the test's output files differ) */
    }
    printf("; %d past 99\n", many);
}

static void step(char c)
{
    char got;
    if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &got, 1) != 1 || got != c) {
        printf("step %c lost\n", c);
        exit(1);
    }
}

static void child(const char *self)
{
    char c;
    close(to_child[1]), close(to_parent[0]);
    int f = open(self, O_RDONLY);
    dup2(f, 9), close(f);
    f = open("/dev/null", O_WRONLY | O_CLOEXEC);
    dup2(f, 7), close(f);
    fcntl(7, F_SETFD, FD_CLOEXEC);
    while (read(to_child[0], &c, 1) == 1) {
        if (c == 'c')
            close(7);
        if (c == 'm') /* many in one call each: more than the kernel notes between two hostcalls */
            for (int i = 0; i < 600; i++)
                dup2(9, 100 + i);
        if (c == 'r')
            syscall(SYS_close_range, 100, 699, 0);
        if (c == 'e') { /* a program again: the close-on-exec fd 7 goes, 9 stays */
            dup2(f = open("/dev/null", O_WRONLY | O_CLOEXEC), 7), close(f), fcntl(7, F_SETFD, FD_CLOEXEC);
            char rd[16], wr[16];
            snprintf(rd, sizeof rd, "%d", to_child[0]), snprintf(wr, sizeof wr, "%d", to_parent[1]);
            execl(self, self, "exec", rd, wr, (char *)NULL);
            _exit(3);
        }
        if (write(to_parent[1], &c, 1) != 1)
            _exit(2);
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    char path[96], t[512];
    struct stat st, self_st;
    if (argc == 4 && !strcmp(argv[1], "exec")) { /* the child after execve: says it is there, waits */
        char c = 'e';
        to_child[0] = atoi(argv[2]), to_parent[1] = atoi(argv[3]);
        if (write(to_parent[1], &c, 1) != 1)
            return 2;
        while (read(to_child[0], &c, 1) == 1 && write(to_parent[1], &c, 1) == 1)
            ;
        return 0;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    if (pipe(to_child) || pipe(to_parent))
        return 1;
    pid_t pid = xfork();
    if (pid == 0)
        child(argv[0]);
    close(to_child[0]), close(to_parent[1]);
    step('s');
    show(pid, "started");

    snprintf(path, sizeof path, "/proc/%d/fd/9", (int)pid);
    stat(argv[0], &self_st);
    printf("lstat fd 9: %s\n", lstat(path, &st) ? strerror(errno) : S_ISLNK(st.st_mode) ? "a link" : "not a link");
    printf("stat fd 9: %s\n", stat(path, &st) ? strerror(errno) : st.st_ino == self_st.st_ino ? "the program" : "another file");
    int fd = open(path, O_RDONLY);
    printf("open fd 9: %s\n", fd < 0 ? strerror(errno) : fstat(fd, &st) == 0 && st.st_ino == self_st.st_ino ? "the program" : "another file");
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "/proc/%d/fd/8", (int)pid);
    target(path, t, sizeof t);
    printf("fd 8 (never open): %s; stat %s\n", t, stat(path, &st) ? strerror(errno) : "found");
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    int dfd = open(path, O_RDONLY | O_DIRECTORY);
    ssize_t n = dfd < 0 ? -1 : readlinkat(dfd, "7", t, sizeof t - 1);
    printf("readlinkat(listing, \"7\"): %.*s\n", n < 0 ? 0 : (int)n, t);
    printf("fstatat(listing, \"9\"): %s\n", fstatat(dfd, "9", &st, 0) ? strerror(errno) : st.st_ino == self_st.st_ino ? "the program" : "another file");
    if (dfd >= 0)
        close(dfd);

    step('c');
    show(pid, "fd 7 closed");
    step('m');
    show(pid, "600 dups");
    step('r');
    show(pid, "close_range");
    step('m');
    step('e');
    show(pid, "after execve");
    close(to_child[1]);
    int status;
    waitpid(pid, &status, 0);
    printf("child status %d\n", status);
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    printf("after its end: %s\n", opendir(path) ? "listed" : strerror(errno));
    return 0;
}
