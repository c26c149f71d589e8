/* idt.c: the IDT (every vector to its entry.S stub) and the SYSCALL MSRs. */
#include "cpu.h"
#include "kernel.h"
#include "pagetable.h"
#include "trap.h"

struct idt_gate {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "idt gate size");

static struct idt_gate idt[256] __attribute__((aligned(16)));
static bool nx_on; /* cached: reading EFER may exit to the hypervisor */

#define GATE_INTR 0x8e      /* present, DPL 0, 64-bit interrupt gate (IF cleared on entry) */
#define GATE_INTR_USER 0xee /* same, DPL 3: reachable by int3 from user */

static void idt_set(int vec, uint64_t handler, uint8_t attr, uint8_t ist)
{
    idt[vec].off_lo = handler & 0xffff;
    idt[vec].sel = BVM_SEL_KCODE;
    idt[vec].ist = ist;
    idt[vec].type_attr = attr;
    idt[vec].off_mid = (handler >> 16) & 0xffff;
    idt[vec].off_hi = handler >> 32;
    idt[vec].zero = 0;
}

void idt_init(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t stub = (uint64_t)(uintptr_t)isr_stubs + 16 * (uint64_t)v;
        /* Any other "int n" from user hits a DPL-0 gate and becomes #GP, as on Linux. */
        idt_set(v, stub, v == X86_VEC_BP ? GATE_INTR_USER : GATE_INTR, v == X86_VEC_DF ? 1 : 0);
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void syscall_init(void)
{
    uint32_t r[4];
    uint64_t efer = rdmsr(MSR_EFER) | EFER_SCE;
    cpuid(0x80000001u, 0, r);
    if (r[3] & (1u << 20)) /* NX available: PROT_EXEC is then enforced */
        efer |= EFER_NXE;
    wrmsr(MSR_EFER, efer);
    nx_on = (efer & EFER_NXE) != 0;
    /* SYSCALL loads CS=STAR[47:32], SS=+8; SYSRET loads SS=STAR[63:48]+8, CS=+16 (RPL 3). */
    wrmsr(MSR_STAR, ((uint64_t)BVM_SEL_UCODE32 << 48) | ((uint64_t)BVM_SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_CSTAR, 0);
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC);
}

bool nx_enabled(void)
{
    return nx_on;
}
