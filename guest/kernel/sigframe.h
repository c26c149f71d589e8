/* sigframe.h: the x86-64 signal frame: building it for a handler, taking it back at rt_sigreturn. */
#ifndef SIGFRAME_H
#define SIGFRAME_H

#include "bvm_linux.h"
#include "kernel.h"
#include "trap.h"

/* Writes the rt_sigframe (return address sa_restorer, ucontext with the registers in tf, the FPU
 * image, mask as uc_sigmask, info when SA_SIGINFO) on the stack or the alternate stack and points
 * tf at the handler (rdi sig, rsi &info, rdx &uc). -EFAULT when it cannot be written or there is
 * no restorer (the caller forces SIGSEGV), tf untouched then. */
int sigframe_setup(struct trapframe *tf, int sig, const struct linux_sigaction *a,
                   const struct linux_siginfo *info, uint64_t mask);
/* rip can be returned to with IRETQ. */
bool sigframe_rip_ok(uint64_t rip);

#endif
