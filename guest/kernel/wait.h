/* wait.h: sleeping in the kernel until a signal arrives or a timeout passes. */
#ifndef WAIT_H
#define WAIT_H

#include "kernel.h"

/* Sleeps until a signal the mask lets through is pending, or ms milliseconds have passed (-1: no
 * limit): -EINTR for the signal (it stays pending), 0 for the timeout. A signal from outside or a
 * timer cuts the sleep short whenever it comes (the monitor's sleep is interruptible). */
int64_t wait_signal(int64_t ms);

#endif
