/* bootstrap.S: 32-bit code at guest address 0: enables paging, enters 64-bit mode, calls kernel_main. */

/*
 * The monitor starts the vCPU here in 32-bit protected mode with CR3, CR4.PAE and
 * EFER.LME already set and the boot GDT loaded. Upper register halves are undefined
 * across the switch to long mode, so every 64-bit value is read from the boot info
 * (struct bvm_bootinfo at BVM_BOOTINFO_GPA; offsets asserted in bvm_abi.h).
 */
#define BOOTINFO 0x1000
#define BI_ENTRY (BOOTINFO + 8)
#define BI_STACK (BOOTINFO + 16)
#define BI_TSS (BOOTINFO + 24)
#define BI_ARGC (BOOTINFO + 32)
#define BI_ARGV (BOOTINFO + 40)
#define BI_ENVP (BOOTINFO + 48)
#define SEL_KCODE 0x10
#define SEL_KDATA 0x18

    .text
    .code32
    .globl bootstrap_start
bootstrap_start:
    movl %cr0, %eax
    orl $0x80000000, %eax /* CR0.PG: with EFER.LME this activates long mode (compatibility) */
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
