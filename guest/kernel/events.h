/* events.h: taking what the monitor queued for the program (signals from outside, timers). */
#ifndef EVENTS_H
#define EVENTS_H

#include "kernel.h"

/* Takes every queued event: signals sent to buffervm become the process's (with their siginfo),
 * expired timers fire. Called on the doorbell interrupt and when a hostcall ends with -EINTR. */
void events_take(void);

/* Takes what a full queue left with the monitor (on the way back to user, once handlers have made
 * room). */
void events_take_left(void);
/* A full queue left events with the monitor. */
bool events_waiting(void);

/* After a blocking hostcall came back with -EINTR: takes the events, and tells whether the call
 * must give way to a signal (a handler to run or a fatal one); stops and ignored signals are
 * dealt with here, and the call goes on waiting. */
bool events_interrupted(void);

#endif
