/* tids.h: the ids of the guest's threads, each held by a host thread of the monitor. */
#ifndef TIDS_H
#define TIDS_H

#include <stdint.h>

/* A new id: a host thread (all signals blocked, a small stack) that waits until tid_free. The id
 * or -errno (-EAGAIN when the host has no thread left, as clone would say). */
int64_t tid_alloc(void);
/* The guest thread with that id has ended: its host thread ends too. 0, or -ESRCH. */
int64_t tid_free(int tid);
/* fork: the child has none of its parent's host threads, so none of their ids. */
void tids_after_fork(void);

#endif
