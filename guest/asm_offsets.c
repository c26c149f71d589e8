/* asm_offsets.c: constants for the assembly files (bootstrap.S, entry.S), generated from the C headers. */

/*
 * Compiled to assembly only (never linked): each ASM_CONST line leaves a marker in the .s file
 * that the Makefile turns into `#define NAME value` in build/guest/asm_offsets.h, so addresses,
 * struct offsets and selectors have one definition, in C, and cannot drift.
 */
#include <stddef.h>

#include "bvm_abi.h"
#include "trap.h"
#include "x86_arch.h"

#define ASM_CONST(name, value) __asm__ volatile(".ascii \"@@asm-const " #name " %0@@\"" : : "i"((long)(value)))

void asm_offsets(void);
void asm_offsets(void)
{
    /* boot info fields, at their guest-physical addresses (the bootstrap runs identity-mapped) */
    ASM_CONST(BI_ENTRY, BVM_BOOTINFO_GPA + offsetof(struct bvm_bootinfo, kernel_entry));
    ASM_CONST(BI_STACK, BVM_BOOTINFO_GPA + offsetof(struct bvm_bootinfo, stack_top));
    ASM_CONST(BI_TSS, BVM_BOOTINFO_GPA + offsetof(struct bvm_bootinfo, tss));
    ASM_CONST(BI_ARGC, BVM_BOOTINFO_GPA + offsetof(struct bvm_bootinfo, argc));
    ASM_CONST(BI_ARGV, BVM_BOOTINFO_GPA + offsetof(struct bvm_bootinfo, argv));
    ASM_CONST(BI_ENVP, BVM_BOOTINFO_GPA + offsetof(struct bvm_bootinfo, envp));
    ASM_CONST(CR0_PG, CR0_PG);
    /* GDT selectors */
    ASM_CONST(SEL_KCODE, BVM_SEL_KCODE);
    ASM_CONST(SEL_KDATA, BVM_SEL_KDATA);
    ASM_CONST(SEL_UCODE, BVM_SEL_UCODE);
    ASM_CONST(SEL_UDATA, BVM_SEL_UDATA);
    /* the trap frame and the per-CPU area (entry.S) */
    ASM_CONST(TRAP_SYSCALL, TRAP_SYSCALL);
    ASM_CONST(TF_RCX, offsetof(struct trapframe, rcx));
    ASM_CONST(TF_R11, offsetof(struct trapframe, r11));
    ASM_CONST(TF_RIP, offsetof(struct trapframe, rip));
    ASM_CONST(TF_RFLAGS, offsetof(struct trapframe, rflags));
    ASM_CONST(TF_CS, offsetof(struct trapframe, cs));
    ASM_CONST(TF_CS_FROM_VECTOR, offsetof(struct trapframe, cs) - offsetof(struct trapframe, vector));
    ASM_CONST(PERCPU_KSTACK_TOP, offsetof(struct percpu, kstack_top));
    ASM_CONST(PERCPU_USER_RSP, offsetof(struct percpu, user_rsp));
}
