/* bootstrap.S: 32-bit code at guest address 0: enables paging, enters 64-bit mode, calls kernel_main. */

/*
 * The monitor starts the vCPU here in 32-bit protected mode with CR3, CR4.PAE and
 * EFER.LME already set and the boot GDT loaded. Upper register halves are undefined
 * across the switch to long mode, so every 64-bit value is read from the boot info
 * (struct bvm_bootinfo at BVM_BOOTINFO_GPA). BI_*, SEL_* and CR0_PG come from asm_offsets.h, generated
 * from the C headers at build time (guest/asm_offsets.c).
 */
#include "asm_offsets.h"

    .text
    .code32
    .globl bootstrap_start
bootstrap_start:
    movl %cr0, %eax
    orl $CR0_PG, %eax /* with EFER.LME this activates long mode (compatibility) */
    movl %eax, %cr0
    ljmp $SEL_KCODE, $long_mode

    .code64
long_mode:
    movl $SEL_KDATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    movq BI_STACK, %rsp
    /* kernel_main(entry, stack_max, tss, argc, argv, envp) */
    movq BI_ENTRY, %rdi
    movq BI_STACK, %rsi
    movq BI_TSS, %rdx
    movq BI_ARGC, %rcx
    movq BI_ARGV, %r8
    movq BI_ENVP, %r9
    call *%rdi
1:  hlt /* kernel_main never returns */
    jmp 1b
    .section .note.GNU-stack,"",@progbits
