/* cpuclock.h: the process's and each thread's CPU-time clocks (cpuclock.c). */
#ifndef CPUCLOCK_H
#define CPUCLOCK_H

#include "kernel.h"

struct thread;
/* The vCPU passes from prev to another thread: prev's CPU time is counted up to now. */
void cpuclock_switch(struct thread *prev);
/* fork: the child's one thread starts at 0, as its host process does. */
void cpuclock_fork_reset(struct thread *t);
/* A CPU-time clock of this process or one of its threads: its value into *ns, 0; -EINVAL for a
 * thread of another process or an fd's clock; 1 for a clock that is the host's to read (not a
 * CPU clock, or another process's). */
int cpuclock_read(int clk, int64_t *ns);
/* The thread whose CPU time clock clk is, for a timer on it: its tid, 0 for the process's clock;
 * -EINVAL for another process's or an fd's. */
int cpuclock_timer_owner(int clk);
/* Thread tid's CPU time (its clock runs only while it holds the vCPU), or -1 when it is gone. */
int64_t cpuclock_thread_ns(int tid);
/* The process CPU time at which thread tid's clock reaches ns if it keeps the vCPU from now, or
 * 0 when it is not the running thread (its clock stands still). */
int64_t cpuclock_thread_deadline(int tid, int64_t ns);

#endif
