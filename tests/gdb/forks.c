/* forks.c: a fork for the gdb tests (tests/gdb/forks.gdb): parent and child both call mark(), where
 * gdb has a breakpoint; gdb stays with the parent, the child runs on without it. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int marks;

void mark(int who)
{
    marks += who;
}

int main(void)
{
    mark(1);
    pid_t pid = fork();
    if (pid == 0) {
        mark(10); /* the child passes the breakpoint without stopping */
        mark(10);
        _exit(marks);
    }
    int status;
    waitpid(pid, &status, 0);
    mark(100);
    printf("child %d parent %d\n", WEXITSTATUS(status), marks);
    return 0;
}
