/* trap.h: the uniform trap frame built by every entry path (exceptions, interrupts, SYSCALL). */
#ifndef TRAP_H
#define TRAP_H

#include <stdint.h>

/* Lowest address first: entry.S pushes rax first and r15 last; the CPU part is at the top. */
struct trapframe {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector; /* exception/interrupt vector, or TRAP_SYSCALL */
    uint64_t error;  /* CPU error code, or 0; for TRAP_SYSCALL the syscall number (Linux's orig_ax) */
    uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trapframe) == 22 * 8, "trapframe size (entry.S relies on it)");

#define TRAP_SYSCALL 256

/* Per-CPU area reached through GS while in the kernel (entry.S uses the offsets). */
struct percpu {
    uint64_t kstack_top; /* offset 0: SYSCALL switches to this stack */
    uint64_t user_rsp;   /* offset 8: scratch for the user RSP during the switch */
};

/* C handlers called from entry.S. */
void trap_handler(struct trapframe *tf);
void syscall_dispatch(struct trapframe *tf);

/* entry.S: fn on a fresh stack ending at top (the kernel's entry leaves the boot stack so). */
_Noreturn void run_on_stack(uint64_t top, void (*fn)(void));
/* entry.S: leave the kernel into user mode with the registers in *tf (IRETQ); never returns. */
_Noreturn void user_enter(struct trapframe *tf);
extern char isr_stubs[]; /* 256 stubs, 16 bytes apart */
void syscall_entry(void);

void gdt_init(uint64_t kstack_top);
/* The kernel stack SYSCALL and traps from user mode start on (the running thread's). */
void cpu_set_kstack(uint64_t kstack_top);
void idt_init(void);
void syscall_init(void);

static inline int trap_from_user(const struct trapframe *tf)
{
    return (tf->cs & 3) == 3;
}

#endif
