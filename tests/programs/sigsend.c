/* sigsend.c: a test driver, not a test: sigsend PID SIGNUM COUNT sends COUNT signals (by number, as
 * the C libraries disagree on SIGRTMIN) with the values 1..COUNT, waiting a moment whenever the
 * target's queue is full (EAGAIN), so none is lost. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    pid_t pid = (pid_t)atoi(argv[1]);
    int sig = atoi(argv[2]);
    long count = atol(argv[3]);
    for (long i = 1; i <= count; i++) {
        while (sigqueue(pid, sig, (union sigval){.sival_int = (int)i}) < 0) {
            if (errno != EAGAIN) {
                perror("sigqueue");
                return 1;
            }
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        }
    }
    return 0;
}
