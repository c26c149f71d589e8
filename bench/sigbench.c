/* sigbench.c: signal delivery and return: N round trips of raise() into a handler and back
 * (tgkill, the frame built, the handler run, rt_sigreturn). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static volatile long n;

static void on_usr1(int sig)
{
    n++;
    (void)sig;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 100000;
    signal(SIGUSR1, on_usr1);
    for (long i = 0; i < iters; i++)
        raise(SIGUSR1);
    printf("%ld\n", n);
    return n != iters;
}
