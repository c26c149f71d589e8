/* entry.S: kernel entry and exit paths: SYSCALL, the 256 exception/interrupt stubs, return to user. */
/* SEL_*, TF_*, PERCPU_* and TRAP_SYSCALL: generated from bvm_abi.h and trap.h (guest/asm_offsets.c). */
#include "asm_offsets.h"

/* Saves the general registers in struct trapframe order (r15 ends lowest). */
.macro PUSH_GPRS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro POP_GPRS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm

    .text
/*
 * SYSCALL: RCX = user RIP, R11 = user RFLAGS, RSP still the user's; FMASK has cleared IF.
 * GS points at the user's base until swapgs; then %gs:PERCPU_KSTACK_TOP is the kernel stack.
 */
    .globl syscall_entry
    .balign 16
syscall_entry:
    swapgs
    movq %rsp, %gs:PERCPU_USER_RSP
    movq %gs:PERCPU_KSTACK_TOP, %rsp
    pushq $SEL_UDATA /* ss */
    pushq %gs:PERCPU_USER_RSP /* rsp */
    pushq %r11           /* rflags */
    pushq $SEL_UCODE /* cs */
    pushq %rcx           /* rip */
    pushq %rax           /* error: the syscall number (Linux's orig_ax), for restarts */
    pushq $TRAP_SYSCALL  /* vector */
    PUSH_GPRS
    movq %rsp, %rdi
    cld
    call syscall_dispatch
    /* SYSRET #GPs in ring 0 on a non-canonical RCX (Intel), so only a lower-half RIP may use it;
     * a frame the kernel rewrote to something else (CS/SS), or whose RCX and R11 are not RIP and
     * RFLAGS (a signal handler's entry, sigreturn), leaves by IRETQ, which restores them all.
     * The five tests are or'ed into rax and take one branch (each branch ends a block of the
     * soft CPU's translated code: this path runs at every malloc and free under check). */
    movq TF_RIP(%rsp), %rcx
    movq %rcx, %rax
    shrq $47, %rax                 /* the upper half */
    movq TF_RCX(%rsp), %rdx
    xorq %rcx, %rdx
    orq %rdx, %rax
    movq TF_CS(%rsp), %rdx
    xorq $SEL_UCODE, %rdx
    orq %rdx, %rax
    movq TF_RFLAGS(%rsp), %rdx
    xorq TF_R11(%rsp), %rdx
    orq %rdx, %rax
    movq TF_RFLAGS(%rsp), %rdx     /* TF (a step for gdb): SYSRET would trap before the next */
    andl $0x100, %edx              /* instruction runs, IRETQ after it */
    orq %rdx, %rax
    jnz iret_to_user
    POP_GPRS
    addq $16, %rsp  /* vector, error */
    popq %rcx       /* rip */
    addq $8, %rsp   /* cs */
    popq %r11       /* rflags */
    popq %rsp       /* user rsp; nothing on the kernel stack is needed after this */
    swapgs
    sysretq

iret_to_user:
    POP_GPRS
    addq $16, %rsp
    swapgs
    iretq

/* switch_stacks(save_sp, load_sp): the callee-saved registers go on this thread's kernel stack,
 * its pointer to *save_sp; the other thread's stack is loaded and its registers popped. */
    .globl switch_stacks
switch_stacks:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

/* A new thread's first switch returns here, r12 pointing at its trapframe (the top of its stack). */
    .globl thread_first
thread_first:
    movq %r12, %rdi
    call thread_first_run
    movq %r12, %rsp
    jmp iret_to_user

/* run_on_stack(top, fn): calls fn on the stack ending at top, with no frame beneath it (the boot
 * stack is left behind); fn never returns. */
    .globl run_on_stack
run_on_stack:
    movq %rdi, %rsp
    xorl %ebp, %ebp
    call *%rsi
    ud2

/* user_enter(tf): first entry into user mode (after exec). GS base must hold the per-cpu area. */
    .globl user_enter
user_enter:
    movq %rdi, %rsp
    jmp iret_to_user

/* Common path for every vector; the stub pushed the error code (or 0) and the vector. */
isr_common:
    testb $3, TF_CS_FROM_VECTOR(%rsp)
    jz 1f
    swapgs
1:  PUSH_GPRS
    movq %rsp, %rdi
    cld
    call trap_handler
    POP_GPRS
    testb $3, TF_CS_FROM_VECTOR(%rsp)
    jz 2f
    swapgs
2:  addq $16, %rsp
    iretq

/* 256 stubs of 16 bytes each; the CPU pushes an error code only for these vectors. */
    .globl isr_stubs
    .balign 16
isr_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq $0
    .endif
    pushq $vec
    jmp isr_common
    .set vec, vec + 1
    .endr

    .section .note.GNU-stack,"",@progbits
