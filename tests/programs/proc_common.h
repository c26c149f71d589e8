/* proc_common.h: what the process test programs share. */
#ifndef PROC_COMMON_H
#define PROC_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* fork, or the test ends here: a failed fork's -1 must never reach kill() (kill(-1) is everyone). */
static pid_t xfork(void)
{
    pid_t p = fork();
    if (p < 0) {
        printf("fork failed: errno %d\n", errno);
        exit(1);
    }
    return p;
}

#endif
