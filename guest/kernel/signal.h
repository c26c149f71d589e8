/* signal.h: signal dispositions, mask and pending set; default actions end the run. */
#ifndef SIGNAL_H
#define SIGNAL_H

#include "kernel.h"
#include "trap.h"

/* Delivers what is pending and unblocked: a fatal default action ends the run (EXIT, SIGNAL). */
void signal_deliver_pending(struct trapframe *tf);
/* Makes sig pending for the program as kill() to itself would (SIGPIPE after a broken pipe). */
int64_t signal_raise(int sig);
/* execve: caught signals go back to SIG_DFL (ignored ones stay ignored), no alternate stack. */
void signal_exec_reset(void);
/* A CPU fault in user mode: the signal is forced (neither blockable nor ignorable, like Linux's
 * force_sig_fault); handlers are not yet run, so this ends the run. */
_Noreturn void signal_fault(struct trapframe *tf, int sig, uint64_t addr);

#endif
