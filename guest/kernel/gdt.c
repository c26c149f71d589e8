/* gdt.c: the kernel's own GDT (same selectors as the monitor's boot GDT) and 64-bit TSS. */
#include "cpu.h"
#include "kernel.h"
#include "string.h"
#include "trap.h"

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "tss64 size");

static struct tss64 tss __attribute__((aligned(16)));
static uint64_t gdt[BVM_GDT_ENTRIES] __attribute__((aligned(16)));
static uint8_t df_stack[8192] __attribute__((aligned(16)));
static struct percpu cpu0;

/* Flat descriptors: base 0, limit 4 GiB; L=1 for 64-bit code, DPL in bits 45-46. */
#define SEG_CODE32 0x00cf9a000000ffffull
#define SEG_KCODE 0x00af9a000000ffffull
#define SEG_KDATA 0x00cf92000000ffffull
#define SEG_UCODE32 0x00cffa000000ffffull
#define SEG_UDATA 0x00cff2000000ffffull
#define SEG_UCODE 0x00affa000000ffffull
#define SEG_CPUNODE 0x0040f50000000000ull /* limit: CPU 0, node 0 (Linux's getcpu descriptor) */

static void gdt_set_tss(void)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;
    uint64_t lo = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) /* present, 64-bit TSS */
                  | (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[BVM_SEL_TSS / 8] = lo;
    gdt[BVM_SEL_TSS / 8 + 1] = base >> 32;
}

static void gdt_load(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    /* Reload CS with a far return, then the data segments and the task register. */
    __asm__ volatile("pushq %0\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %1, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     :
                     : "i"((uint64_t)BVM_SEL_KCODE), "i"(BVM_SEL_KDATA)
                     : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"((uint16_t)BVM_SEL_TSS));
}

void cpu_set_kstack(uint64_t kstack_top)
{
    tss.rsp[0] = kstack_top;
    cpu0.kstack_top = kstack_top;
}

void gdt_init(uint64_t kstack_top)
{
    gdt[BVM_SEL_CODE32 / 8] = SEG_CODE32;
    gdt[BVM_SEL_KCODE / 8] = SEG_KCODE;
    gdt[BVM_SEL_KDATA / 8] = SEG_KDATA;
    gdt[BVM_SEL_UCODE32 / 8] = SEG_UCODE32;
    gdt[BVM_SEL_UDATA / 8] = SEG_UDATA;
    gdt[BVM_SEL_UCODE / 8] = SEG_UCODE;
    gdt[BVM_SEL_CPUNODE / 8] = SEG_CPUNODE;
    memset(&tss, 0, sizeof(tss));
    tss.rsp[0] = kstack_top;                                         /* traps from user land here */
    tss.ist[0] = (uint64_t)(uintptr_t)(df_stack + sizeof(df_stack)); /* IST1: #DF, known-good stack */
    tss.iomap_base = sizeof(tss);                                    /* no I/O bitmap: user port I/O faults */
    gdt_set_tss();
    gdt_load();
    /* Writing the segment registers zeroed GS base; the kernel keeps its per-cpu area there. */
    cpu0.kstack_top = kstack_top;
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&cpu0);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}
