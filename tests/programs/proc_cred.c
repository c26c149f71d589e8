/* proc_cred.c: user and group ids: the get calls, and changes the host allows or refuses (as root:
 * giving up the effective uid and taking it back through the saved one, files refused meanwhile,
 * setgroups, setfsuid; as anyone else: EPERM), in /proc/self/status and in a forked child. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_common.h"

static void show(const char *when)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    printf("%s: uid %u %u %u gid %u %u %u (getuid %u geteuid %u)\n", when, r, e, s, gr, ge, gs, getuid(), geteuid());
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "Uid:", 4) == 0 || strncmp(line, "Gid:", 4) == 0)
            printf("  %s", line);
    if (f)
        fclose(f);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    int fd = open("secret.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    close(fd);
    show("start");
    uid_t me = getuid();
    errno = 0;
    int r = setresuid(-1, 65534, -1);
    printf("setresuid(-1, 65534, -1): %d errno %d\n", r, errno);
    show("after");
    errno = 0;
    fd = open("secret.txt", O_RDONLY);
    printf("open of a 0600 file of uid %u: %s\n", me, fd >= 0 ? "opened" : strerror(errno));
    if (fd >= 0)
        close(fd);
    pid_t p = xfork();
    if (p == 0) {
        printf("child: euid %u\n", geteuid());
        _exit(0);
    }
    waitpid(p, NULL, 0);
    errno = 0;
    r = seteuid(me);
    printf("seteuid back to %u: %d errno %d\n", me, r, errno);
    errno = 0;
    r = setuid(12345);
    printf("setuid(12345): %d errno %d\n", r, errno);
    show("after setuid");
    errno = 0;
    r = setuid(0);
    printf("setuid(0) afterwards: %d errno %d\n", r, errno);
    gid_t groups[] = {4, 24};
    errno = 0;
    r = setgroups(2, groups);
    printf("setgroups: %d errno %d, getgroups %d\n", r, errno, getgroups(0, NULL));
    printf("setfsuid(-1) reports the fsuid %d\n", setfsuid(-1));
    errno = 0;
    r = setresgid(-1, 7, -1);
    printf("setresgid(-1, 7, -1): %d errno %d\n", r, errno);
    unlink("secret.txt");
    return 0;
}
