/* txtbusy.c: a running program's own file cannot be written (ETXTBSY), by path, through
 * /proc/self/exe, with O_TRUNC or truncate(2); reading it can. The program first copies itself
 * to ./me in the scratch directory and runs that copy, so a failure wipes only the copy. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void try_open(const char *path, int flags)
{
    int fd = open(path, flags);
    printf("open %s %s: %s\n", path, flags & O_TRUNC ? "O_WRONLY|O_TRUNC" : flags & O_RDWR ? "O_RDWR" : flags & O_WRONLY ? "O_WRONLY" : "O_RDONLY",
           fd >= 0 ? "ok" : strerror(errno));
    if (fd >= 0)
        close(fd);
}

static int copy_self(void)
{
    char buf[65536];
    int in = open("/proc/self/exe", O_RDONLY), out = open("me", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    ssize_t n;
    if (in < 0 || out < 0)
        return -1;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            return -1;
    close(in);
    return close(out);
}

int main(int argc, char **argv)
{
    if (argc == 1) {
        if (copy_self() < 0)
            return perror("copy"), 1;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            execl("./me", "me", "child", (char *)NULL);
            _exit(127);
        }
        int st;
        waitpid(pid, &st, 0);
        struct stat s1, s2;
        stat("me", &s1), stat("/proc/self/exe", &s2);
        printf("child status %d, copy intact: %s\n", WEXITSTATUS(st), s1.st_size == s2.st_size ? "yes" : "no");
        return 0;
    }
    try_open("me", O_RDONLY);
    try_open("me", O_WRONLY);
    try_open("me", O_RDWR);
    try_open("me", O_WRONLY | O_TRUNC);
    try_open("/proc/self/exe", O_WRONLY);
    printf("truncate me: %s\n", truncate("me", 0) == 0 ? "ok" : strerror(errno));
    printf("truncate /proc/self/exe: %s\n", truncate("/proc/self/exe", 0) == 0 ? "ok" : strerror(errno));
    return 0;
}
