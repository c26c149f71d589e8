/* tids.h: the ids of the guest's threads, each held by a host thread of the monitor. */
#ifndef TIDS_H
#define TIDS_H

#include <stdint.h>

/* A new id: a host thread (a small stack; of the signals, only the forwarded ones unblocked) that
 * waits until tid_free. The id or -errno (-EAGAIN when the host has no thread left, as clone would
 * say). */
int64_t tid_alloc(void);
/* The guest thread with that id has ended: its host thread ends too. 0, or -ESRCH. */
int64_t tid_free(int tid);
/* fork: the child has none of its parent's host threads, so none of their ids. */
void tids_after_fork(void);

/* In a signal handler: the guest thread id the running host thread holds, or 0 (not a holder). */
int tids_holder_self(void);
/* In a signal handler on a holder: whether its guest thread has ended (tid_free waits for it). */
int tids_holder_ending(void);

#endif
