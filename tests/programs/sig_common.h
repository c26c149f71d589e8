/* sig_common.h: what the signal test programs share: installing a handler in one call. */
#ifndef SIG_COMMON_H
#define SIG_COMMON_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/* rt_tgsigqueueinfo to thread tid of pid (tid 0: rt_sigqueueinfo to pid) with a siginfo of code,
 * this process as its sender, value as its si_value: 0 or -1 (errno). */
static long sig_queue_raw(pid_t pid, pid_t tid, int sig, int code, int value)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = code;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = value;
    return tid ? syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &si) : syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

#endif
