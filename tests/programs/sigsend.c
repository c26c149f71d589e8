/* sigsend.c: a test driver, not a test.
 *   sigsend PID SIGNUM COUNT      COUNT signals (by number, as the C libraries disagree on
 *                                 SIGRTMIN) with the values 1..COUNT (sigqueue)
 *   sigsend PID SIGNUM COUNT TID  the same, and at once from a second sender COUNT more to the
 *                                 thread TID (rt_tgsigqueueinfo)
 *   sigsend PID SIGNUM 0 TID      one tgkill to the thread TID
 * Whenever the target's queue is full (EAGAIN) it waits a moment, so none is lost. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sig_common.h"

/* tid 0: sigqueue to the process. */
static int queue(pid_t pid, pid_t tid, int sig, int value)
{
    if (!tid)
        return sigqueue(pid, sig, (union sigval){.sival_int = value});
    return (int)sig_queue_raw(pid, tid, sig, SI_QUEUE, value);
}

static int send_all(pid_t pid, pid_t tid, int sig, long count)
{
    for (long i = 1; i <= count; i++) {
        while (queue(pid, tid, sig, (int)i) < 0) {
            if (errno != EAGAIN) {
                perror("sigsend");
                return 1;
            }
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5)
        return 2;
    pid_t pid = (pid_t)atoi(argv[1]), tid = argc == 5 ? (pid_t)atoi(argv[4]) : 0;
    int sig = atoi(argv[2]), status;
    long count = atol(argv[3]);
    if (tid && count == 0)
        return syscall(SYS_tgkill, pid, tid, sig) < 0 ? perror("tgkill"), 1 : 0;
    if (!tid)
        return send_all(pid, 0, sig, count);
    pid_t other = fork();
    if (other == 0)
        _exit(send_all(pid, 0, sig, count));
    int rc = send_all(pid, tid, sig, count);
    return waitpid(other, &status, 0) < 0 || status != 0 ? 1 : rc;
}
