/* events.h: what reaches the guest from outside: host signals (and timers), queued for its kernel. */
#ifndef BVM_EVENTS_H
#define BVM_EVENTS_H

#include <signal.h>
#include <stdint.h>

#include "bvm_abi.h"
#include "vcpu.h"

/* Set (by a signal handler) while events wait for the guest kernel; cleared as it takes them. */
extern volatile int events_pending;

/* Installs handlers for the signals a program can get from outside (SIGINT, SIGTERM, SIGHUP,
 * SIGUSR1, SIGWINCH, SIGCONT, SIGTSTP, real-time ones...). Each arrival is queued for the guest
 * (its siginfo kept), makes a blocking host call in progress (safe_syscall) return -EINTR, and
 * kicks v out of guest code so the kernel gets the event at once. */
void events_install(struct vcpu *v);

/* The signals a holder of a guest thread id (tids.c) takes: the forwarded ones. */
void events_holder_signals(sigset_t *set);

/* Whether ended children are reaped at once, unwaited (SA_NOCLDWAIT on the monitor's SIGCHLD). */
void events_child_reap(int on);

/* In a forked child: nothing queued is its own (Linux: a child starts with no pending signals), and
 * host timers are not inherited. */
void events_after_fork(void);

/* The next event into *e: 1, or 0 when none is left. */
int events_take(struct bvm_event *e);

/* Whether the guest should be interrupted now to take events (once per batch: the doorbell rings
 * again only after the kernel has emptied the queue). */
int events_doorbell_due(void);

/* A host syscall that cannot block past an event: -EINTR when one is pending or arrives, else the
 * raw result (-errno on failure). For every hostcall that may wait (pipes, terminals, poll). */
long safe_syscall_base(const volatile int *pending, long nr, long a1, long a2, long a3, long a4, long a5,
                       long a6);
#define safe_syscall(nr, a1, a2, a3, a4, a5, a6)                                                          \
    safe_syscall_base(&events_pending, (nr), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5),    \
                      (long)(a6))

#endif
