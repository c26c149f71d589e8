/* sched.h: the threads of the process take turns on the one vCPU: blocking, waking, preemption. */
#ifndef SCHED_H
#define SCHED_H

#include "task.h"

#define SCHED_SLICE_MS 10 /* a thread runs at most this long while another is ready */

/* Sleeps the current thread until sched_wake, a signal sent to it (or to the process, when it is
 * the thread chosen), or the monotonic time wake_at_ms (-1: none); other threads run meanwhile,
 * and when none can, the vCPU waits for the host's events. Callers loop on their own condition. */
void sched_block(int64_t wake_at_ms);
/* sched_block until one of n host fds is ready (or what else wakes a sleep). The caller then looks
 * again (its own state may have changed while others ran). Signals wake it whether blocked or not. */
void sched_wait_fds(struct linux_pollfd *fds, uint32_t n, int64_t wake_at_ms);
/* Waits as sched_wait_fds for one host fd's events (a read or write that would block). */
void sched_wait_fd(int host_fd, int16_t events, int64_t wake_at_ms);
/* The current thread's page for a poll's fds (SCHED_POLL_PAGE of them), or NULL without memory. */
struct linux_pollfd *sched_poll_page(void);
#define SCHED_POLL_PAGE (PAGE_SIZE / sizeof(struct linux_pollfd))
/* A blocked thread becomes runnable (nothing if it is not blocked). */
void sched_wake(struct thread *t);
/* A thread of several asked the host without waiting and must look again: it sleeps one slice
 * while the others run. -ERESTARTSYS (without sleeping) when a signal needs the call first. */
int64_t sched_nap(void);
/* A new thread of the process, ready to run (clone). */
void sched_start(struct thread *t);
/* Gives the vCPU to the next runnable thread, if any (sched_yield). */
void sched_yield_now(void);
/* On the way back to user mode: a thread whose slice has run out makes way for the next. */
void sched_preempt(void);
/* The slice timer went off (timer.c): the running thread is to make way at its next return. */
void sched_slice_over(void);
/* The current thread ends: the next one runs, and frees its stack. Never returns. */
_Noreturn void sched_exit_thread(void);
/* execve and fork's child: the current thread is the only one left (the others are dropped where
 * they stand; their host threads end too unless the host has none, as after a fork). */
void sched_drop_others(bool end_host_tids);
/* More than one thread: blocking must go through sched_block so the others can run. */
static inline bool sched_threaded(void) { return cur_proc->nthreads > 1; }

/* entry.S: switches kernel stacks (callee-saved registers on each), and a new thread's first
 * return (its trapframe at the top of its stack, r12 pointing at it). */
void switch_stacks(uint64_t *save_sp, uint64_t load_sp);
void thread_first(void);
void thread_first_run(struct trapframe *tf);

#endif
