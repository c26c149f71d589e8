/* open_wait.h: FIFO opens that wait for the other end, made by a helper thread (open_wait.c). */
#ifndef BVM_OPEN_WAIT_H
#define BVM_OPEN_WAIT_H

#include <stdint.h>

#include "hostcall.h"

/* Opens object (an O_PATH fd of a FIFO, checked already; it goes with the open) with open(2)
 * flags on a helper thread: the ticket, a host fd the guest owns that polls readable once the open
 * is over, or -errno (-EAGAIN: too many at once). */
int64_t open_wait_start(struct hc_ctx *c, int object, int flags);
/* The open's result: the new host fd (the guest's) or its -errno, the ticket then gone; or
 * -BVM_ENOTREADY while it waits. */
int64_t open_wait_result(struct hc_ctx *c, int ticket);
/* Ends the open unmade (as a signal would interrupt it) and the ticket with it: 0, or -EBADF. */
int64_t open_wait_cancel(struct hc_ctx *c, int ticket);
/* fork: the child has none of the parent's helpers. */
void open_wait_after_fork(struct hc_ctx *c);

#endif
