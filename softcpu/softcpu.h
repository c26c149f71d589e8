/* softcpu.h: public interface of the software x86-64 CPU, shaped like a KVM vCPU. */
#ifndef SOFTCPU_H
#define SOFTCPU_H

/*
 * The library knows nothing of BufferVM. A caller gives it guest-physical memory as
 * regions (like KVM memory slots), a CPUID table (like KVM_SET_CPUID2), register
 * state, and calls scpu_run() until an exit, exactly as it would drive a KVM vCPU.
 * Not thread-safe except scpu_request_stop(), which is async-signal-safe.
 */

#include <stddef.h>
#include <stdint.h>

#include "x86_arch.h"

struct scpu;

/* ---- state, laid out like KVM's kvm_regs / kvm_sregs / kvm_fpu ---- */
struct scpu_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

struct scpu_segment {
    uint64_t base;
    uint32_t limit; /* byte granular (already scaled by G) */
    uint16_t selector;
    uint8_t type, present, dpl, db, s, l, g, avl;
    uint8_t unusable;
    uint8_t pad;
};

struct scpu_dtable {
    uint64_t base;
    uint16_t limit;
    uint16_t pad[3];
};

struct scpu_sregs {
    struct scpu_segment cs, ds, es, fs, gs, ss;
    struct scpu_segment tr, ldt;
    struct scpu_dtable gdt, idt;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t efer;
    uint64_t apic_base;
};

/* x87/SSE state in FXSAVE layout (512 bytes), as KVM_GET_FPU exposes it. */
struct scpu_fpu {
    uint8_t fxsave[512];
};

struct scpu_cpuid_entry {
    uint32_t function, index;
    uint32_t flags; /* SCPU_CPUID_SIGNIFICANT_INDEX: index is matched */
    uint32_t eax, ebx, ecx, edx;
};
#define SCPU_CPUID_SIGNIFICANT_INDEX 1u

/* The CPU implements the MSRs named in x86_arch.h (MSR_TSC ... MSR_TSC_AUX). */

/* ---- exits ---- */
enum scpu_exit_reason {
    SCPU_EXIT_IO = 1,        /* port I/O: fill io.data for IN, then run again */
    SCPU_EXIT_HLT = 2,
    SCPU_EXIT_SHUTDOWN = 3,  /* triple fault */
    SCPU_EXIT_MMIO = 4,      /* access to guest-physical memory outside every region */
    SCPU_EXIT_INTERNAL_ERROR = 5, /* an instruction the CPU cannot execute */
    SCPU_EXIT_INTR = 6,      /* scpu_request_stop() was called */
};

#define SCPU_IO_IN 0
#define SCPU_IO_OUT 1

struct scpu_exit {
    uint32_t reason; /* enum scpu_exit_reason */
    union {
        struct {
            uint8_t direction; /* SCPU_IO_IN / SCPU_IO_OUT */
            uint8_t size;      /* 1, 2, 4 */
            uint16_t port;
            uint32_t count;    /* always 1: string I/O is an internal error */
            uint8_t data[8];   /* OUT: value written; IN: caller stores the value here */
        } io;
        struct {
            uint64_t gpa;
            uint8_t is_write;
            uint8_t len;
        } mmio;
        struct {
            uint64_t rip;      /* linear address of the instruction */
            uint8_t bytes[15];
            uint8_t nbytes;    /* how many of bytes[] could be fetched */
            char why[96];      /* e.g. "unimplemented opcode 0f 0b" */
        } internal;
    } u;
};

/* ---- counters (a test asserts on them; they never affect execution) ---- */
struct scpu_stats {
    uint64_t insns_executed;
    uint64_t insns_decoded;
    uint64_t blocks_built;
    uint64_t blocks_invalidated;
    uint64_t mem_accesses;  /* data accesses through the memory path */
    uint64_t tlb_misses;    /* page walks taken outside the TLB */
    uint64_t exceptions;    /* exceptions and interrupts delivered through the IDT */
    uint64_t insns_jit;     /* of insns_executed, those run as translated host code */
    /* blocks the engine's loop started: each return from translated code to the engine (a
     * block chained from another through a link or the return cache is not one) */
    uint64_t dispatches;
    /* #UD raised for an encoding the decoder has no entry for that is defined in some
     * extension (the CPUID offers none of those, so hardware of this model raises #UD too) */
    uint64_t ud_unimplemented;
};

/* ---- API ---- */
struct scpu *scpu_create(void);            /* reset state as KVM_CREATE_VCPU gives; NULL on ENOMEM */
void scpu_destroy(struct scpu *cpu);

/* Add or replace a memory slot; size 0 deletes it. host must stay valid. 0 or -errno. */
int scpu_set_memory_region(struct scpu *cpu, uint32_t slot, uint64_t gpa, uint64_t size, void *host);
/* Per-page access of a slot, one bit per 4 KiB page (the caller's, kept valid while the slot
 * lives; NULL: every page). A page clear in readable is not memory: any access to it exits
 * as SCPU_EXIT_MMIO, as one outside every slot; a page clear in writable exits so on a store.
 * The CPU never touches such a page's host address. After changing bits, and after
 * replacing the host pages behind a range, call scpu_pages_changed. 0 or -EINVAL. */
int scpu_set_region_pages(struct scpu *cpu, uint32_t slot, const uint8_t *readable, const uint8_t *writable);
/* Forget every host address the CPU holds for [gpa, gpa+len) (TLB entries, decoded code). */
void scpu_pages_changed(struct scpu *cpu, uint64_t gpa, uint64_t len);

/* The CPU answers CPUID only from this table (copied). Leaves not present read as 0. */
int scpu_set_cpuid(struct scpu *cpu, const struct scpu_cpuid_entry *e, size_t n);

void scpu_get_regs(struct scpu *cpu, struct scpu_regs *r);
void scpu_set_regs(struct scpu *cpu, const struct scpu_regs *r);
void scpu_get_sregs(struct scpu *cpu, struct scpu_sregs *s);
int scpu_set_sregs(struct scpu *cpu, const struct scpu_sregs *s); /* -EINVAL on bad combos */
void scpu_get_fpu(struct scpu *cpu, struct scpu_fpu *f);
void scpu_set_fpu(struct scpu *cpu, const struct scpu_fpu *f);
int scpu_get_msr(struct scpu *cpu, uint32_t index, uint64_t *value); /* -EINVAL if unknown */
int scpu_set_msr(struct scpu *cpu, uint32_t index, uint64_t value);

/* Run until an exit; fills *exit. Returns 0, or -errno for misuse. */
int scpu_run(struct scpu *cpu, struct scpu_exit *exit);

/* Make a running (or the next) scpu_run return SCPU_EXIT_INTR at the next block boundary.
 * Async-signal-safe. */
void scpu_request_stop(struct scpu *cpu);

/* Queues an external interrupt, as KVM_INTERRUPT does: delivered through the IDT (no error code) at
 * the first block boundary where RFLAGS.IF is set. One at a time (a second call replaces the
 * vector). Between runs only, not from a signal handler. */
void scpu_interrupt(struct scpu *cpu, uint8_t vector);

/* Every write into guest RAM that does not come from the CPU itself (loader, hostcall
 * results) must be announced here, so decoded code over it is dropped. */
void scpu_invalidate(struct scpu *cpu, uint64_t gpa, uint64_t len);

/* ---- byte bounds (a heap checker's) ----
 * Linear pages in [base, end) may carry byte bounds. The page at va has its entry, a uint32_t,
 * at linear address table + ((va - base) >> 12) * 4, read as a supervisor read through the guest's
 * page tables when a CPL-3 access fills the TLB for the page (so an entry must not change while
 * the page may be in the TLB: write it before mapping the page, INVLPG after changing it):
 *   SCPU_BOUNDS_VALID | lo | hi << 13, 0 <= lo < hi <= 4096 (bits 0-12 and 13-25)
 * allows the bytes [lo, hi) of the page. A table page that is not mapped, or an entry without
 * SCPU_BOUNDS_VALID, leaves the page unrestricted. Every CPL-3 data access through a page with
 * bounds must lie within them, except a read naturally aligned to its size of 8, 16, 32 or 64
 * bytes, which needs only to overlap them; an access crossing pages is checked against each.
 * Otherwise it raises #PF as a protection-key violation, precisely as any #PF: CR2 = the linear
 * address of the access's first byte (a REP string instruction's element, which faults with
 * rCX/rSI/rDI counting the elements done), error code P | U | PK (bit 5), and W for a write.
 * Instruction fetches and supervisor accesses are not checked. base == end turns it off.
 * flags: SCPU_BOUNDS_VEC_WINDOW admits what vectorised string functions read past a string
 * (never writes): an aligned read (8 to 64 bytes) by an MMX/SSE instruction needs only the
 * naturally aligned 64 bytes around it to overlap the bounds (glibc's SSE2 strlen reads a 64-byte
 * window as aligned 16-byte loads, or 8-byte MOVLPD/MOVHPD halves); and a read past the bounds
 * within its page is allowed when the allowed bytes before it in its unit hold a zero byte (the
 * string's NUL): 64 bytes before a vector read of 8 to 64 bytes (an unaligned first load from
 * the string), its aligned 8-byte word for a read of up to 8 bytes (glibc's strcspn reads the
 * aligned 4-byte group holding the NUL).
 * Drops all decoded code and the TLB. 0, or -EINVAL (unaligned or wrapping range, table not
 * 4-aligned or past the lower canonical half, unknown flags). */
#define SCPU_BOUNDS_VALID (1u << 31)
#define SCPU_BOUNDS_VEC_WINDOW 1u
int scpu_set_bounds(struct scpu *cpu, uint64_t base, uint64_t end, uint64_t table, unsigned flags);

void scpu_get_stats(struct scpu *cpu, struct scpu_stats *s);
/* 1 when blocks run as translated host code (off with BVM_SOFT_JIT=0, or on a host without
 * LAHF/SAHF in 64-bit mode), 0 when everything is interpreted. */
int scpu_translates(struct scpu *cpu);

#endif
