/* cpuid.h: the one CPUID table the monitor owns and gives to either backend. */
#ifndef BVM_CPUID_H
#define BVM_CPUID_H

#include <stddef.h>
#include <stdint.h>

#include "softcpu.h" /* struct scpu_cpuid_entry: the KVM kvm_cpuid_entry2 shape */

#define CPUID_MAX_ENTRIES 32

struct cpuid_table {
    struct scpu_cpuid_entry e[CPUID_MAX_ENTRIES];
    size_t n;
};

/* Fill the table with what BufferVM's guests see: vendor AuthenticAMD, cache leaves
 * (glibc sizes its memcpy thresholds from them), and exactly the implemented features. */
void cpuid_build(struct cpuid_table *t);

/* Feature registers AND-ed with what the host's KVM supports (leaf 1 ECX/EDX,
 * 0x80000001 ECX/EDX). `supported` uses the same entry shape. */
void cpuid_intersect(struct cpuid_table *t, const struct scpu_cpuid_entry *supported, size_t n);

const struct scpu_cpuid_entry *cpuid_find(const struct cpuid_table *t, uint32_t fn, uint32_t idx);

#endif
