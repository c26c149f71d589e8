/* wait.h: sleeping in the kernel until a signal arrives or a timeout passes. */
#ifndef WAIT_H
#define WAIT_H

#include "kernel.h"

/* Sleeps until a signal the mask lets through is pending that runs a handler or kills (stops and
 * ignored ones are taken on the way), or ms milliseconds have passed (-1: no limit): -EINTR for the
 * signal (it stays pending), 0 for the timeout. A signal from outside or a
 * timer cuts the sleep short whenever it comes (the monitor's sleep is interruptible). */
int64_t wait_signal(int64_t ms);

/* Sleeps until one of the signals in mask is pending, blocked or not (a signalfd's read): 0, or
 * -ERESTARTSYS when another signal needs a handler run first. */
int64_t wait_pending(uint64_t mask);

/* Monotonic milliseconds; a deadline ms from now (-1 stays -1: none); what is left of one, as a
 * host poll timeout (-1: none, 0: passed, at most ~12 days a round). */
#define WAIT_MAX_MS (1 << 30) /* the host's poll takes an int; longer waits go round again */
int64_t wait_now_ms(void);
int64_t wait_deadline(int64_t ms);
int32_t wait_left(int64_t deadline);

#endif
