/* tids.c: the ids of the guest's threads. The guest's threads run on the one vCPU (the shim kernel
 * schedules them), yet each needs a thread id no other task on the host has, as gettid, tgkill,
 * /proc/<pid>/task and futex owner words show it: a host thread of the monitor holds each id,
 * asleep until the guest thread ends. (With one vCPU per thread later, these become the vCPUs.)
 * A holder takes the forwarded signals (events.c) so that a tgkill to its id reaches that guest
 * thread: its handler queues the signal with the id and kicks the vCPU thread. */
#include "tids.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "events.h"

struct holder {
    pthread_t thread;
    volatile int tid;       /* set by the holder itself, then its creator may go on */
    volatile int stop;      /* its futex word: 1 ends it */
    struct holder *next;
};

static struct holder *holders;
static __thread struct holder *self; /* on a holder's thread: its record */

static void futex_wake(volatile void *w)
{
    syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *hold(void *arg)
{
    struct holder *h = arg;
    sigset_t taken;
    self = h;
    h->tid = (int)syscall(SYS_gettid);
    futex_wake(&h->tid);
    events_holder_signals(&taken);
    pthread_sigmask(SIG_UNBLOCK, &taken, NULL);
    while (!h->stop)
        syscall(SYS_futex, &h->stop, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

int tids_holder_self(void) { return self ? self->tid : 0; }

int tids_holder_ending(void) { return self && self->stop; }

int64_t tid_alloc(void)
{
    struct holder *h = calloc(1, sizeof *h);
    pthread_attr_t attr;
    sigset_t all, old;
    if (!h)
        return -EAGAIN;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 << 10);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* inherited: every signal stays the vCPU thread's */
    int err = pthread_create(&h->thread, &attr, hold, h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (err) {
        free(h);
        return err == EAGAIN || err == ENOMEM ? -EAGAIN : -err;
    }
    while (!h->tid)
        syscall(SYS_futex, &h->tid, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    h->next = holders;
    holders = h;
    return h->tid;
}

int64_t tid_free(int tid)
{
    for (struct holder **p = &holders; *p; p = &(*p)->next) {
        struct holder *h = *p;
        if (h->tid != tid)
            continue;
        *p = h->next;
        h->stop = 1;
        futex_wake(&h->stop);
        pthread_join(h->thread, NULL);
        free(h);
        return 0;
    }
    return -ESRCH;
}

void tids_after_fork(void)
{
    while (holders) { /* their threads are not in this process: only the records go */
        struct holder *h = holders;
        holders = h->next;
        free(h);
    }
}
