/* gdb.h: the program's stops for gdb (buffervm --gdb): breakpoints, steps, signals, interrupts. */
#ifndef GDB_H
#define GDB_H

#include "kernel.h"
#include "task.h"
#include "trap.h"

/* Whether gdb debugs this process (the boot process under --gdb, until it detaches). */
bool gdb_on(void);
/* The new program is about to run (start_user): its breakpoints went with the old image; the boot
 * program's first instruction is the first stop. */
void gdb_exec(struct trapframe *tf);
/* A #BP from user mode: one of the breakpoints (a stop, or stepped over when gdb is not here):
 * true; else false (the program's own int3: SIGTRAP). */
bool gdb_breakpoint(struct trapframe *tf);
/* A #DB from user mode: the end of a step gdb asked for, or of a breakpoint stepped over: true. */
bool gdb_debug_trap(struct trapframe *tf);
/* A signal about to be delivered (info: its siginfo): the signal to deliver instead (0: none),
 * after a stop. */
int gdb_signal(int sig, const struct linux_siginfo *info);
/* gdb's interrupt (BVM_EVENT_GDB): a stop now, or on the way back to user mode. */
void gdb_interrupt(void);
/* The last thing before user mode (signal_deliver): a step that ended in a syscall stops here, and
 * a thread that steps leaves with RFLAGS.TF. */
void gdb_user_return(struct trapframe *tf);
/* The heap checker reported an error and gdb waits for errors (--gdb-error, --gdb): gdb debugs the
 * process from now on, and it stops at the error (the faulting access, or the call of free). */
void gdb_check_error(void);
/* The process forked child (not a vfork): gdb hears of it (its fork event) before the parent goes on. */
void gdb_forked(int64_t child);
/* In a forked child: gdb stays with the parent (breakpoints hit in the child are stepped over). */
void gdb_fork_child(void);

/* A syscall began (syscall_dispatch): a thread stepping over it stops when it returns. */
static inline void gdb_syscall_entry(void)
{
    if (cur->gdb_step)
        cur->gdb_step_syscall = true;
}

#endif
