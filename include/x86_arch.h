/* x86_arch.h: x86-64 architectural constants (page-table entries, control registers, MSRs, RFLAGS). */
#ifndef X86_ARCH_H
#define X86_ARCH_H

/*
 * Facts of the architecture (Intel SDM vol. 3), not of BufferVM: the soft CPU, the monitor's boot
 * tables and the shim kernel all include this one definition (assembly gets what it needs through
 * guest/asm_offsets.c).
 */

/* 4-level paging entries (PML4E, PDPTE, PDE, PTE) */
#define PTE_P (1ull << 0)  /* present */
#define PTE_W (1ull << 1)  /* writable */
#define PTE_U (1ull << 2)  /* user */
#define PTE_A (1ull << 5)  /* accessed */
#define PTE_D (1ull << 6)  /* dirty (leaf) */
#define PTE_PS (1ull << 7) /* page size (PDPTE/PDE leaf) */
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* CR0 */
#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)

/* CR4 */
#define CR4_VME (1ull << 0)
#define CR4_PVI (1ull << 1)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_PGE (1ull << 7)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP (1ull << 11)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_PCIDE (1ull << 17)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)

/* EFER */
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

/* MSRs */
#define MSR_TSC 0x10u
#define MSR_APIC_BASE 0x1bu
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_PAT 0x277u
#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_FMASK 0xc0000084u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u

/* Exception vectors */
#define X86_VEC_DE 0  /* divide error */
#define X86_VEC_DB 1  /* debug */
#define X86_VEC_NMI 2
#define X86_VEC_BP 3  /* int3 */
#define X86_VEC_OF 4
#define X86_VEC_BR 5
#define X86_VEC_UD 6  /* invalid opcode */
#define X86_VEC_NM 7
#define X86_VEC_DF 8  /* double fault */
#define X86_VEC_TS 10
#define X86_VEC_NP 11
#define X86_VEC_SS 12
#define X86_VEC_GP 13
#define X86_VEC_PF 14
#define X86_VEC_MF 16 /* x87 floating point */
#define X86_VEC_AC 17
#define X86_VEC_MC 18
#define X86_VEC_XM 19 /* SIMD floating point */
#define X86_VEC_CP 21
#define X86_PF_WRITE (1u << 1) /* #PF error code: a write */
#define X86_PF_USER (1u << 2)
#define X86_PF_INSN (1u << 4)  /* an instruction fetch */

/* RFLAGS system bits (the soft CPU names the arithmetic ones F_* in its own cpu.h) */
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_AC (1ull << 18)
#define RFLAGS_RF (1ull << 16)
/* the arithmetic ones, for what sigreturn lets a program set */
#define RFLAGS_CF (1ull << 0)
#define RFLAGS_PF (1ull << 2)
#define RFLAGS_AF (1ull << 4)
#define RFLAGS_ZF (1ull << 6)
#define RFLAGS_SF (1ull << 7)
#define RFLAGS_OF (1ull << 11)

#endif
