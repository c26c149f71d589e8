/* sig_stress.c: thousands of real-time signals from another process (tests/programs/sigsend.c)
 * while the program does syscalls: every one arrives once and in order, and every syscall's
 * result stays right (SA_RESTART calls restart, the others are retried after EINTR). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sig_common.h"

#define COUNT 20000 /* what the test's "send" step sends */
#define SIG 40      /* real-time for glibc (SIGRTMIN 34) and musl (35) alike */

static volatile long received, out_of_order;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    if (si->si_value.sival_int != received + 1)
        out_of_order++;
    received++;
    (void)sig, (void)uc;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    sig_set(SIG, NULL, on_rt, SA_RESTART);
    int p[2];
    if (pipe(p))
        return 1;
    long bad = 0, rounds = 0;
    pid_t parent = getppid();
    printf("stage 1\n");
    while (received < COUNT) {
        char c = (char)('a' + rounds % 26), d = 0;
        if (write(p[1], &c, 1) != 1 || read(p[0], &d, 1) != 1 || d != c)
            bad++;
        if (getppid() != parent)
            bad++;
        struct timespec ts;
        if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
            bad++;
        struct pollfd pf = {p[0], POLLIN, 0};
        int r = poll(&pf, 1, 0);
        if (r != 0 && !(r < 0 && errno == EINTR))
            bad++;
        r = nanosleep(&(struct timespec){0, 0}, NULL);
        if (r != 0 && errno != EINTR)
            bad++;
        rounds++;
    }
    sigset_t pend;
    sigpending(&pend);
    printf("received %ld (of %d), out of order %ld, syscall errors %ld, busy %d, pending left %d\n", received,
           COUNT, out_of_order, bad, rounds > 0, sigismember(&pend, SIG));
    return 0;
}
