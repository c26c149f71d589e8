/* cpuid.c: BufferVM's CPUID table (vendor, caches, features exactly as implemented). */
#include "cpuid.h"

#include <string.h>

/* Leaf 1 EDX: FPU PSE TSC MSR PAE CX8 PGE CMOV PAT CLFSH MMX FXSR SSE SSE2 */
#define L1_EDX ((1u << 0) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 13) | \
                (1u << 15) | (1u << 16) | (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26))
/* Leaf 1 ECX: CX16 */
#define L1_ECX (1u << 13)
/* 0x80000001 EDX: SYSCALL NX LM; ECX: LAHF-SAHF */
#define E1_EDX ((1u << 11) | (1u << 20) | (1u << 29))
#define E1_ECX (1u << 0)

static void add(struct cpuid_table *t, uint32_t fn, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    struct scpu_cpuid_entry *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    e->function = fn;
    e->eax = a, e->ebx = b, e->ecx = c, e->edx = d;
}

static uint32_t str4(const char *s)
{
    return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 | (uint32_t)(uint8_t)s[2] << 16 |
           (uint32_t)(uint8_t)s[3] << 24;
}

static void add_brand(struct cpuid_table *t)
{
    static const char brand[48] = "BufferVM x86-64 CPU";
    for (int i = 0; i < 3; i++) {
        const char *s = brand + 16 * i;
        add(t, 0x80000002u + i, str4(s), str4(s + 4), str4(s + 8), str4(s + 12));
    }
}

void cpuid_build(struct cpuid_table *t)
{
    t->n = 0;
    const char *v = "AuthenticAMD";
    add(t, 0, 1, str4(v), str4(v + 8), str4(v + 4)); /* max basic leaf 1 */
    /* family 0x17 model 0x01 stepping 2; EBX: CLFLUSH 8 quadwords, 1 logical CPU, APIC ID 0 */
    add(t, 1, 0x00800f12u, (8u << 8) | (1u << 16), L1_ECX, L1_EDX);
    add(t, 0x80000000u, 0x80000008u, str4(v), str4(v + 8), str4(v + 4));
    add(t, 0x80000001u, 0x00800f12u, 0, E1_ECX, E1_EDX);
    add_brand(t);
    /* L1: 32 KiB D and I, 8-way, 64-byte lines (AMD format) */
    add(t, 0x80000005u, 0, 0, (32u << 24) | (8u << 16) | (1u << 8) | 64u, (32u << 24) | (8u << 16) | (1u << 8) | 64u);
    /* L2 512 KiB 8-way (code 6); L3 16 MiB (32 x 512 KiB) 16-way (code 8); 64-byte lines */
    add(t, 0x80000006u, 0, 0, (512u << 16) | (6u << 12) | (1u << 8) | 64u, (32u << 18) | (8u << 12) | (1u << 8) | 64u);
    add(t, 0x80000007u, 0, 0, 0, 0);
    /* 40 physical, 48 linear address bits; one core */
    add(t, 0x80000008u, (48u << 8) | 40u, 0, 0, 0);
}

const struct scpu_cpuid_entry *cpuid_find(const struct cpuid_table *t, uint32_t fn, uint32_t idx)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->e[i].function == fn && (!(t->e[i].flags & SCPU_CPUID_SIGNIFICANT_INDEX) || t->e[i].index == idx))
            return &t->e[i];
    return NULL;
}

static const struct scpu_cpuid_entry *find_in(const struct scpu_cpuid_entry *s, size_t n, uint32_t fn)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].function == fn)
            return &s[i];
    return NULL;
}

void cpuid_intersect(struct cpuid_table *t, const struct scpu_cpuid_entry *supported, size_t n)
{
    static const uint32_t leaves[] = {1, 0x80000001u};
    for (size_t k = 0; k < sizeof leaves / sizeof leaves[0]; k++) {
        struct scpu_cpuid_entry *e = (struct scpu_cpuid_entry *)cpuid_find(t, leaves[k], 0);
        const struct scpu_cpuid_entry *s = find_in(supported, n, leaves[k]);
        if (!e)
            continue;
        e->ecx &= s ? s->ecx : 0;
        e->edx &= s ? s->edx : 0;
    }
}
