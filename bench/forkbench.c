/* forkbench.c: process costs.
 *   forkbench fork N MB   N rounds of fork, child _exit(0), waitpid, with an MB MiB heap written first
 *   forkbench spawn N     N rounds of fork, execve /bin/true in the child, waitpid; with
 *                         FORKBENCH_EXEC_VIA=EMU in the environment the child execs EMU /bin/true,
 *                         as binfmt_misc would (qemu-user runs a program's execve natively)
 *   forkbench pipe MB     a child writes MB MiB into a pipe in 64 KiB writes, the parent reads it all */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int rounds(long n, int exec_true)
{
    for (long i = 0; i < n; i++) {
        int st;
        pid_t p = fork();
        if (p < 0)
            return perror("fork"), 1;
        if (p == 0) {
            const char *via = getenv("FORKBENCH_EXEC_VIA");
            if (exec_true && via && *via)
                execl(via, via, "/bin/true", (char *)NULL);
            else if (exec_true)
                execl("/bin/true", "true", (char *)NULL);
            _exit(exec_true ? 127 : 0);
        }
        if (waitpid(p, &st, 0) != p || st != 0)
            return fprintf(stderr, "child %ld: status %#x\n", i, st), 1;
    }
    return 0;
}

static int pipe_through(long mb)
{
    static char buf[65536];
    int fd[2];
    long total = 0, want = mb << 20;
    if (pipe(fd))
        return 1;
    pid_t p = fork();
    if (p == 0) {
        close(fd[0]);
        memset(buf, 'x', sizeof buf);
        for (long done = 0; done < want; done += (long)sizeof buf)
            if (write(fd[1], buf, sizeof buf) != (ssize_t)sizeof buf)
                _exit(1);
        _exit(0);
    }
    close(fd[1]);
    for (ssize_t n; (n = read(fd[0], buf, sizeof buf)) > 0;)
        total += n;
    int st;
    waitpid(p, &st, 0);
    printf("%ld bytes\n", total);
    return total != want || st != 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return fprintf(stderr, "usage: forkbench fork N MB | spawn N | pipe MB\n"), 2;
    long n = atol(argv[2]);
    if (strcmp(argv[1], "fork") == 0) {
        size_t heap = (size_t)(argc > 3 ? atol(argv[3]) : 0) << 20;
        char *h = heap ? malloc(heap) : NULL;
        if (h)
            memset(h, 1, heap);
        int r = rounds(n, 0);
        printf("%d\n", h ? h[heap - 1] : 0);
        return r;
    }
    if (strcmp(argv[1], "spawn") == 0)
        return rounds(n, 1);
    if (strcmp(argv[1], "pipe") == 0)
        return pipe_through(n);
    return 2;
}
