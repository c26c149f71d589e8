/* signal.h: generating signals, their pending queues, and delivery on the way back to user mode. */
#ifndef SIGNAL_H
#define SIGNAL_H

#include "bvm_linux.h"
#include "kernel.h"
#include "task.h"
#include "trap.h"

void signal_init(void);

/* Generation. info->si_signo names the signal; t is the target thread, or NULL for the process.
 * An ignored, unblocked signal is discarded; a standard signal pending already is not queued
 * again. 0, -EINVAL, or -EAGAIN (sigqueue with no room left). */
int signal_send(struct thread *t, const struct linux_siginfo *info);
/* kill() to itself (SI_USER, to the process) or tkill (SI_TKILL, to the thread), and the kernel's
 * own signals (SIGPIPE after a broken pipe: SI_USER, as Linux sends it). */
int signal_send_simple(int sig, int code);
/* The same with the target named: t a thread of the process, or NULL for the process. */
int signal_send_to(struct thread *t, int sig, int code);
/* A CPU fault in user mode: the signal is forced on the thread (unblocked, SIG_IGN reset) with the
 * fault's record (trapno, err, cr2 for the frame). */
void signal_force_fault(struct trapframe *tf, int sig, int code, uint64_t addr);
/* A frame that cannot be written: SIGSEGV forced (SI_KERNEL). */
void signal_force_sigsegv(void);

/* Free siginfo entries in the queues (signals from outside stay with the monitor when there are none). */
int signal_queue_room(void);
/* Pending signals of the thread and its process. */
uint64_t signal_pending_set(void);
/* Something pending that the mask lets through. */
bool signal_pending(void);
/* Removes the next pending signal of allowed into *info: its number, or 0. */
int signal_dequeue(uint64_t allowed, struct linux_siginfo *info);
/* The mask, SIGKILL and SIGSTOP never in it. */
void signal_set_blocked(uint64_t mask);
/* The disposition discards sig (SIG_IGN, or a default that ignores). */
bool signal_ignored(int sig);
bool signal_default_stops(int sig);
/* sigaction to SIG_IGN: what is pending of sig goes. */
void signal_flush_ignored(int sig);

/* Takes pending, unblocked signals in order, carrying out the default actions (ignore, stop;
 * a fatal one ends the run) until one has a handler: its number, with its siginfo; 0 when none. */
int signal_next_action(struct linux_siginfo *info);
/* A blocking call was interrupted: does a pending signal need it to return (a handler or a fatal
 * default)? Ignored and stop signals are carried out here, and the call may go on. */
bool signal_interrupts(void);
/* On every return to user mode: runs handlers for what is pending (frames stacked, the last
 * taken runs first), resolves an interrupted syscall (EINTR or restart) and puts back a mask
 * sigsuspend or ppoll replaced. */
void signal_deliver(struct trapframe *tf);
/* Whether signal_deliver has anything to do on this return (the fast way back from a trap that
 * raised nothing: the heap checker's). */
bool signal_work(const struct trapframe *tf);
/* A stop signal's default action: the process stops until SIGCONT. */
void signal_stop(int sig);

/* A thread ends: what is pending for it goes. */
void signal_thread_exit(struct thread *t);
/* The child of a fork: nothing pending. */
void signal_fork_reset(void);
/* execve: caught signals go back to SIG_DFL (ignored ones stay ignored), no alternate stack. */
void signal_exec_reset(void);

#endif
