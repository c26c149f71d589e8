/* cpuid_dump.c: print every CPUID leaf as the (virtual) CPU reports it; backends must agree. */
#include <stdio.h>

static void cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void dump_range(unsigned base)
{
    unsigned r[4];
    cpuid(base, 0, r);
    unsigned max = r[0];
    if (max - base > 64)
        max = base + 64;
    for (unsigned l = base; l <= max; l++) {
        cpuid(l, 0, r);
        /* Leaf 1 EBX bits 31:24 is the APIC ID of the CPU running this: 0 for both. */
        printf("%08x: %08x %08x %08x %08x\n", l, r[0], r[1], r[2], r[3]);
    }
}

int main(void)
{
    dump_range(0);
    dump_range(0x80000000u);
    return 0;
}
