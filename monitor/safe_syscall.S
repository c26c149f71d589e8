/* safe_syscall.S: a host syscall that a host signal cannot slip past (qemu's safe_syscall idea). */

/*
 * long safe_syscall_base(const volatile int *pending, long nr, long a1, long a2, long a3, long a4,
 *                        long a5, long a6)
 *
 * Returns -EINTR without making the call when *pending is set, else the raw result (-errno on
 * failure). A signal handler that finds the interrupted RIP in [safe_syscall_start,
 * safe_syscall_end) moves it to safe_syscall_eintr: then either the flag was set too late to be
 * seen by the check, or the kernel is about to restart the call (SA_RESTART puts RIP back on the
 * SYSCALL instruction); both end as -EINTR instead of blocking with the news unseen.
 */
    .text
    .globl safe_syscall_base, safe_syscall_start, safe_syscall_end, safe_syscall_eintr
    .type safe_syscall_base, @function
safe_syscall_base:
    .cfi_startproc
    push %rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbx, 0
    mov %rdi, %rbx      /* pending */
    mov %rsi, %rax      /* nr */
    mov %rdx, %rdi
    mov %rcx, %rsi
    mov %r8, %rdx
    mov %r9, %r10
    mov 16(%rsp), %r8
    mov 24(%rsp), %r9
safe_syscall_start:
    cmpl $0, (%rbx)
    jnz safe_syscall_eintr
    syscall
safe_syscall_end:
    pop %rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbx
    ret
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbx, 0
safe_syscall_eintr:
    mov $-4, %rax       /* -EINTR */
    pop %rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbx
    ret
    .cfi_endproc
    .size safe_syscall_base, .-safe_syscall_base
    .section .note.GNU-stack,"",@progbits
