/* proc_fork.c: processes: fork, vfork, clone, posix_spawn, system and popen; exit codes and
 * signals in wait statuses (wait4, waitpid options, waitid), SIGCHLD, pipes and file offsets
 * shared across fork, process groups and sessions, kill to another process and to a group, a
 * subreaper adopting orphans, PR_SET_PDEATHSIG. "proc_fork orphan": an orphan says whether its new
 * parent is the first process (as it is under buffervm without asking). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_common.h"
#include "sig_common.h"

extern char **environ;
static volatile int chld_count, chld_code, chld_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    chld_count++;
    chld_code = si->si_code;
    chld_status = si->si_status;
    (void)sig, (void)uc;
}

static void show_status(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by %d%s\n", what, WTERMSIG(st), WCOREDUMP(st) ? " (core)" : "");
    else if (WIFSTOPPED(st))
        printf("%s: stopped by %d\n", what, WSTOPSIG(st));
    else if (WIFCONTINUED(st))
        printf("%s: continued\n", what);
}

static void statuses(void)
{
    int st;
    pid_t p = xfork();
    if (p == 0)
        _exit(42);
    printf("fork returned a pid: %d, waitpid the same: %d\n", p > 0, waitpid(p, &st, 0) == p);
    show_status("exit 42", st);
    p = xfork();
    if (p == 0) {
        signal(SIGUSR1, SIG_DFL);
        raise(SIGUSR1);
        _exit(0);
    }
    waitpid(p, &st, 0);
    show_status("raise SIGUSR1", st);
    p = xfork();
    if (p == 0) {
        *(volatile int *)0 = 1;
        _exit(0);
    }
    waitpid(p, &st, 0);
    show_status("null write", st);
    /* WNOHANG before it is done, then stopped and continued */
    int pfd[2];
    if (pipe(pfd))
        return;
    p = xfork();
    if (p == 0) {
        char c;
        close(pfd[1]);
        if (read(pfd[0], &c, 1) < 0)
            _exit(9);
        _exit(7);
    }
    close(pfd[0]);
    printf("WNOHANG while running: %d\n", waitpid(p, &st, WNOHANG));
    kill(p, SIGSTOP);
    waitpid(p, &st, WUNTRACED);
    show_status("WUNTRACED", st);
    kill(p, SIGCONT);
    waitpid(p, &st, WCONTINUED);
    show_status("WCONTINUED", st);
    if (write(pfd[1], "x", 1) != 1)
        return;
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    waitid(P_PID, p, &si, WEXITED | WNOWAIT);
    printf("waitid WNOWAIT: pid ok %d code %d status %d\n", si.si_pid == p, si.si_code, si.si_status);
    struct rusage ru;
    printf("wait4 after WNOWAIT: same pid %d\n", wait4(p, &st, 0, &ru) == p);
    show_status("wait4", st);
    close(pfd[1]);
    errno = 0;
    int w = wait(&st);
    printf("no children left: %d errno %d\n", w, errno);
}

static void sigchld(void)
{
    sig_set(SIGCHLD, NULL, on_chld, SA_RESTART);
    pid_t p = xfork();
    if (p == 0)
        _exit(5);
    int st;
    waitpid(p, &st, 0);
    for (int i = 0; i < 1000 && !chld_count; i++)
        usleep(1000);
    printf("SIGCHLD: %d code %d (CLD_EXITED %d) status %d\n", chld_count, chld_code, CLD_EXITED, chld_status);
    /* SA_NOCLDSTOP: a child that stops sends nothing */
    sig_set(SIGCHLD, NULL, on_chld, SA_RESTART | SA_NOCLDSTOP);
    chld_count = 0;
    p = xfork();
    if (p == 0) {
        raise(SIGSTOP);
        _exit(1);
    }
    if (p < 0)
        return;
    waitpid(p, &st, WUNTRACED);
    usleep(50000);
    printf("SA_NOCLDSTOP: stopped %d, SIGCHLDs %d\n", WIFSTOPPED(st), chld_count);
    kill(p, SIGKILL);
    waitpid(p, &st, 0);
    /* SIGCHLD ignored: children are reaped as they end; wait then finds none */
    signal(SIGCHLD, SIG_IGN);
    p = xfork();
    if (p == 0)
        _exit(0);
    errno = 0;
    int w = waitpid(p, &st, 0);
    printf("ignored SIGCHLD: waitpid %d errno %d\n", w, errno);
    signal(SIGCHLD, SIG_DFL);
}

static void sharing(void)
{
    /* a pipe between processes, and one file offset shared by parent and child */
    int pfd[2];
    if (pipe(pfd))
        return;
    int fd = open("shared.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
    pid_t parent = getpid(), p = xfork();
    if (p == 0) {
        close(pfd[0]);
        const char *msg = "from the child";
        if (write(pfd[1], msg, strlen(msg)) < 0 || write(fd, "child;", 6) != 6)
            _exit(1);
        printf("child: ppid is the parent %d, pid is new %d\n", getppid() == parent, getpid() != parent);
        _exit(0);
    }
    close(pfd[1]);
    char buf[64] = {0};
    ssize_t n = read(pfd[0], buf, sizeof(buf) - 1);
    waitpid(p, NULL, 0);
    if (write(fd, "parent;", 7) != 7)
        return;
    printf("pipe: %zd '%s', file offset after both writes %ld\n", n, buf, (long)lseek(fd, 0, SEEK_CUR));
    char all[32] = {0};
    pread(fd, all, sizeof(all) - 1, 0);
    printf("file: %s\n", all);
    close(fd);
    unlink("shared.txt");
}

static void groups_and_kill(void)
{
    pid_t me = getpid();
    printf("pgid is a pid or 1: %d, sid > 0: %d\n", getpgid(0) > 0, getsid(0) > 0);
    int pfd[2];
    if (pipe(pfd))
        return;
    pid_t p = xfork();
    if (p == 0) {
        char c;
        setpgid(0, 0);
        if (write(pfd[1], "r", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char c;
    if (read(pfd[0], &c, 1) != 1)
        return;
    printf("child's group is its own: %d, not ours: %d\n", getpgid(p) == p, getpgid(p) != getpgid(0));
    kill(-p, SIGTERM); /* to its group */
    int st;
    waitpid(p, &st, 0);
    show_status("kill to its group", st);
    p = xfork();
    if (p == 0) {
        pid_t s = setsid();
        printf("child setsid: new session is its pid %d, getsid agrees %d\n", s == getpid(), getsid(0) == getpid());
        _exit(0);
    }
    waitpid(p, &st, 0);
    errno = 0;
    int r = kill(999999, SIGTERM);
    printf("kill of no such process: %d errno %d\n", r, errno);
    (void)me;
}

static void spawning(void)
{
    int st;
    pid_t p = vfork();
    if (p == 0) {
        execl("/bin/busybox", "busybox", "true", (char *)NULL);
        _exit(99);
    }
    waitpid(p, &st, 0);
    show_status("vfork+exec busybox true", st);
    p = vfork();
    if (p == 0)
        _exit(3);
    waitpid(p, &st, 0);
    show_status("vfork+_exit", st);
    char *argv[] = {"busybox", "sh", "-c", "exit 4", NULL};
    int r = posix_spawn(&p, "/bin/busybox", NULL, NULL, argv, environ);
    waitpid(p, &st, 0);
    printf("posix_spawn: %d\n", r);
    show_status("posix_spawn sh -c 'exit 4'", st);
    st = system("echo from system; exit 6");
    show_status("system", st);
    FILE *f = popen("echo from popen", "r");
    char line[64] = {0};
    if (fgets(line, sizeof(line), f))
        printf("popen read: %s", line);
    show_status("pclose", pclose(f));
    /* clone as fork, with the child's tid written */
    pid_t ctid = 0;
    p = (pid_t)syscall(SYS_clone, CLONE_CHILD_SETTID | SIGCHLD, 0, NULL, &ctid, 0);
    if (p == 0)
        _exit(ctid == getpid() ? 11 : 12);
    waitpid(p, &st, 0);
    show_status("clone CHILD_SETTID", st);
    /* exec in the child of a close-on-exec fd: it is gone there */
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "test -e /proc/self/fd/%d && echo open || echo closed", fd);
    p = xfork();
    if (p == 0) {
        execl("/bin/busybox", "sh", "-c", cmd, (char *)NULL);
        _exit(98);
    }
    waitpid(p, &st, 0);
    close(fd);
}

static volatile int got_usr1;
static void on_usr1(int sig) { got_usr1 = sig; }

/* The child's child outlives it: the first process adopts it (it asked to be a subreaper), and the
 * grandchild's PR_SET_PDEATHSIG fires when its parent ends. */
static void subreaper(void)
{
    int on = -1, sig = -1;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    prctl(PR_GET_CHILD_SUBREAPER, &on);
    pid_t top = getpid(), p = xfork();
    int pfd[2];
    if (pipe(pfd))
        return;
    if (p == 0) {
        pid_t mid = getpid(), g = xfork();
        if (g == 0) {
            signal(SIGUSR1, on_usr1);
            prctl(PR_SET_PDEATHSIG, SIGUSR1);
            prctl(PR_GET_PDEATHSIG, &sig);
            printf("grandchild: pdeathsig %d, parent is the child %d\n", sig, getppid() == mid);
            if (write(pfd[1], "r", 1) != 1)
                _exit(1);
            for (int i = 0; i < 500 && (getppid() == mid || !got_usr1); i++)
                usleep(10000);
            printf("grandchild: adopted by the first process %d, SIGUSR1 at its parent's end %d\n",
                   getppid() == top, got_usr1);
            _exit(7);
        }
        char c;
        if (read(pfd[0], &c, 1) != 1)
            _exit(1);
        _exit(0);
    }
    int st, gst;
    waitpid(p, &st, 0);
    pid_t w = wait(&gst); /* (after the grandchild's lines: the output's order is fixed) */
    show_status("the child", st);
    printf("subreaper %d: wait found the grandchild %d\n", on, w > 0 && w != p);
    show_status("the grandchild", gst);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    int r = prctl(PR_SET_PDEATHSIG, 99);
    printf("PR_SET_PDEATHSIG 99: %d errno %d\n", r, errno);
}

/* Not compared with a native run: under buffervm the first process adopts orphans unasked. */
static int orphan(void)
{
    pid_t top = getpid(), p = xfork();
    if (p == 0) {
        pid_t mid = getpid();
        if (xfork() == 0) {
            for (int i = 0; i < 500 && getppid() == mid; i++)
                usleep(10000);
            printf("orphan adopted by the first process: %d\n", getppid() == top);
            _exit(0);
        }
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    pid_t w = wait(&st); /* the orphan, when adopted */
    printf("the first process reaped it: %d\n", w > 0);
    return 0;
}

static volatile int rt_got[65];
static void on_rt(int sig) { rt_got[sig]++; }

/* The highest real-time signals from parent to child (the monitor's host signals share their
 * numbers: the child's must still be the program's own). */
static void rtmax_to_child(void)
{
    sigset_t both, none;
    sigemptyset(&both), sigemptyset(&none);
    sigaddset(&both, SIGRTMAX - 1), sigaddset(&both, SIGRTMAX);
    sigprocmask(SIG_BLOCK, &both, NULL); /* (inherited: pending in the child until it waits) */
    signal(SIGRTMAX - 1, on_rt), signal(SIGRTMAX, on_rt);
    pid_t p = xfork();
    if (p == 0) {
        for (int i = 0; i < 100 && rt_got[SIGRTMAX - 1] + rt_got[SIGRTMAX] < 2; i++)
            sigsuspend(&none);
        _exit(rt_got[SIGRTMAX - 1] * 10 + rt_got[SIGRTMAX]);
    }
    kill(p, SIGRTMAX - 1), kill(p, SIGRTMAX);
    int st;
    waitpid(p, &st, 0);
    show_status("a child sent SIGRTMAX-1 and SIGRTMAX (exit 11: one of each)", st);
    sigprocmask(SIG_UNBLOCK, &both, NULL);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "orphan") == 0)
        return orphan();
    statuses();
    sigchld();
    sharing();
    groups_and_kill();
    spawning();
    subreaper();
    rtmax_to_child();
    return 0;
}
