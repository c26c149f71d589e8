/* sig_common.h: what the signal test programs share: installing a handler in one call. */
#ifndef SIG_COMMON_H
#define SIG_COMMON_H

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* sigaction(sig) with an empty sa_mask: the siginfo handler sa when given (SA_SIGINFO added),
 * else the plain handler h (which may be SIG_DFL, SIG_IGN or any address). */
static void sig_set(int sig, void (*h)(int), void (*sa)(int, siginfo_t *, void *), int flags)
{
    struct sigaction a;
    memset(&a, 0, sizeof(a));
    sigemptyset(&a.sa_mask);
    if (sa)
        a.sa_sigaction = sa, flags |= SA_SIGINFO;
    else
        a.sa_handler = h;
    a.sa_flags = flags;
    if (sigaction(sig, &a, NULL))
        perror("sigaction");
}

#endif
