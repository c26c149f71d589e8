/* timer.h: the program's timers (alarm, setitimer, timer_create) and the host timers that wake them. */
#ifndef TIMER_H
#define TIMER_H

#include "bvm_linux.h"
#include "kernel.h"

/* A TIMER event: fires every timer that is due (queueing its signal, or counting an overrun while a
 * POSIX timer's signal is still pending), moves periodic ones on, and arms the next wake-up. */
void timers_expired(void);
/* A POSIX timer's signal (SI_TIMER) is being delivered: its overrun count goes into *info and the
 * timer may queue its signal again. */
void timer_signal_taken(struct linux_siginfo *info);
/* The scheduler's slice: the running thread makes way ms from now (nothing if a slice is set). */
void timer_slice_arm(int64_t ms);
/* A blocked thread is to wake at at_ns (monotonic), though the running one may never block: the
 * scheduler is called then (sched_slice_over; an earlier time set already is kept). */
void timer_wake_arm(int64_t at_ns);
/* The vCPU went to another thread: timers on a thread's CPU-time clock are armed for it. */
void timer_thread_switched(void);
/* fork: the child has none. */
void timers_fork_reset(void);
/* execve: POSIX timers go, itimers stay. */
void timers_exec_reset(void);

#endif
