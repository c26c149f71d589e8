/* vcpu.h: the vCPU interface the run loop drives; backends kvm (vcpu_kvm.c) and soft (vcpu_soft.c). */
#ifndef BVM_VCPU_H
#define BVM_VCPU_H

#include <stdint.h>

#include "cpuid.h"
#include "guestmem.h"
#include "softcpu.h" /* register structs shaped like KVM's kvm_regs/kvm_sregs, used by both */

enum vcpu_exit_reason {
    VCPU_EXIT_IO = 1,       /* port I/O */
    VCPU_EXIT_HLT,
    VCPU_EXIT_SHUTDOWN,     /* triple fault */
    VCPU_EXIT_FAIL,         /* entry failure, internal error, MMIO: `why` says which */
    VCPU_EXIT_INTR,         /* vcpu_request_stop() (a signal arrived) */
    VCPU_EXIT_FILE_GONE,    /* the guest touched a file-window page whose file page is gone */
};

struct vcpu_exit {
    enum vcpu_exit_reason reason;
    struct {
        int is_out;
        uint16_t port;
        uint8_t size;
        uint32_t value; /* OUT: value written; IN: the run loop sets it before the next run */
    } io;
    uint64_t rip; /* for FAIL: where, if known */
    char why[192];
};

/* The initial state the monitor computes (boot.c) and gives to either backend. */
struct vcpu_boot_state {
    struct scpu_regs regs;
    struct scpu_sregs sregs;
};

struct vcpu;
struct vcpu_stats {
    uint64_t exits;
    uint64_t insns;      /* instructions executed (soft) */
    uint64_t tlb_misses; /* page walks outside the soft TLB (soft) */
    uint64_t dispatches; /* blocks the soft CPU's engine started: returns from translated code (soft) */
    uint64_t mem_accesses; /* data accesses (soft) */
    uint64_t insns_jit;    /* of insns, those run as translated code (soft) */
    uint64_t insns_decoded; /* instructions decoded, for translation or interpretation (soft) */
    uint64_t blocks_built;  /* blocks decoded (soft) */
};

struct vcpu_ops {
    const char *name;
    int (*set_state)(struct vcpu *v, const struct vcpu_boot_state *s); /* 0 or -errno */
    int (*run)(struct vcpu *v, struct vcpu_exit *e);                   /* 0 or -errno */
    void (*request_stop)(struct vcpu *v);                              /* async-signal-safe */
    /* Queues an external interrupt, taken by the guest once its RFLAGS.IF allows (one at a time). */
    void (*interrupt)(struct vcpu *v, uint8_t vector);
    /* A guest fork is a host fork of the monitor: prepare runs in the parent just before it (to keep
     * what the child cannot read from the parent's backend), child in the child just after (a new
     * VM on kvm). 0, or -1 with the reason in why (then the fork fails: no child). */
    int (*fork_prepare)(struct vcpu *v, char *why, size_t whylen);
    int (*fork_child)(struct vcpu *v, char *why, size_t whylen);
    /* Counters; a backend without some sets them to 0. */
    void (*stats)(struct vcpu *v, struct vcpu_stats *s);
    void (*destroy)(struct vcpu *v);
};

struct vcpu {
    const struct vcpu_ops *ops;
    uint64_t exits; /* every exit counted by the run loop */
};

/* Create a backend over guest memory and the CPUID table. On failure return NULL and
 * write the reason to why (the caller decides whether that is fatal). With refuse_pvm, a /dev/kvm
 * that is the PVM backend (kvm_pvm: no hardware virtualization, every guest page fault and
 * syscall emulated, too slow for a ring-0 guest kernel) is refused; --backend kvm still takes it. */
struct vcpu *vcpu_kvm_create(struct guestmem *gm, const struct cpuid_table *cpuid, int refuse_pvm, char *why,
                             size_t whylen);
struct vcpu *vcpu_soft_create(struct guestmem *gm, const struct cpuid_table *cpuid, char *why, size_t whylen);

#endif
