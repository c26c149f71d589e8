/* state.c: the scpu_* state API: creation at reset state, memory slots, CPUID, register access. */
#include <errno.h>
#include <stdlib.h>

#include "engine.h"

static void reset_seg(struct seg *s, uint16_t sel, uint64_t base, unsigned type)
{
    s->sel = sel;
    s->base = base;
    s->limit = 0xffff;
    s->attr = (uint16_t)(type | SA_S | SA_P);
}

/* The state KVM_CREATE_VCPU gives (SDM Vol.3 table 9-1, power-up/reset). */
static void cpu_reset(struct cpu *c)
{
    for (int s = 0; s < 6; s++)
        reset_seg(&c->seg[s], 0, 0, 3);
    reset_seg(&c->seg[S_CS], 0xf000, 0xffff0000ull, 0xb);
    c->ldtr = (struct seg){0, 0xffff, 0, 2 | SA_P};
    c->tr = (struct seg){0, 0xffff, 0, 0xb | SA_P};
    c->gdtr.limit = c->idtr.limit = 0xffff;
    c->rip = 0xfff0;
    c->r[R_DX] = 0x600;
    flags_set(c, 2);
    c->cr0 = CR0_ET | (1ull << 29) | (1ull << 30); /* ET, NW, CD */
    c->apic_base = 0xfee00000ull | (1u << 8) | (1u << 11); /* BSP, enabled */
    c->pat = 0x0007040600070406ull;
    c->fpu.fcw = 0x37f;
    c->fpu.mxcsr = 0x1f80;
    c->tsc_origin = host_rdtsc();
    c->pending_vector = -1;
    c->irq_vector = -1;
    cpu_update_mode(c);
    tlb_clear(c);
}

struct scpu *scpu_create(void)
{
    struct cpu *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    decode_init();
    if (engine_init(c) < 0) {
        free(c);
        return NULL;
    }
    cpu_reset(c);
    mmu_cpuid_changed(c); /* an empty table: MAXPHYADDR 48 */
    return (struct scpu *)c;
}

void scpu_destroy(struct scpu *cpu)
{
    struct cpu *c = (struct cpu *)cpu;
    if (!c)
        return;
    engine_fini(c);
    free(c->cpuid);
    free(c);
}

int scpu_set_memory_region(struct scpu *cpu, uint32_t slot, uint64_t gpa, uint64_t size, void *host)
{
    struct cpu *c = (struct cpu *)cpu;
    if (slot >= SCPU_MAX_SLOTS || (gpa & 4095) || (size & 4095) || gpa + size < gpa ||
        (size && !host))
        return -EINVAL;
    for (unsigned s = 0; s < SCPU_MAX_SLOTS; s++) {
        const struct region *r = &c->regions[s];
        if (s != slot && r->size && size && gpa < r->gpa + r->size && r->gpa < gpa + size)
            return -EEXIST;
    }
    c->regions[slot] = (struct region){gpa, size, host, NULL, NULL};
    return engine_regions_changed(c);
}

int scpu_set_region_pages(struct scpu *cpu, uint32_t slot, const uint8_t *readable, const uint8_t *writable)
{
    struct cpu *c = (struct cpu *)cpu;
    if (slot >= SCPU_MAX_SLOTS || !c->regions[slot].size)
        return -EINVAL;
    c->regions[slot].readable = readable;
    c->regions[slot].writable = writable;
    tlb_flush_all(c);
    return 0;
}

void scpu_pages_changed(struct scpu *cpu, uint64_t gpa, uint64_t len)
{
    struct cpu *c = (struct cpu *)cpu;
    mmu_forget_range(c, gpa, len);
    engine_invalidate(c, gpa, len);
}

int scpu_set_cpuid(struct scpu *cpu, const struct scpu_cpuid_entry *e, size_t n)
{
    struct cpu *c = (struct cpu *)cpu;
    struct scpu_cpuid_entry *copy = calloc(n ? n : 1, sizeof *copy);
    if (!copy)
        return -ENOMEM;
    if (n)
        memcpy(copy, e, n * sizeof *copy);
    free(c->cpuid);
    c->cpuid = copy;
    c->ncpuid = n;
    mmu_cpuid_changed(c);
    return 0;
}

void scpu_get_regs(struct scpu *cpu, struct scpu_regs *r)
{
    struct cpu *c = (struct cpu *)cpu;
    memcpy(&r->r8, &c->r[R_R8], 8 * sizeof c->r[0]);
    /* kvm_regs order: rax rbx rcx rdx rsi rdi rsp rbp; ours is the encoding order */
    r->rax = c->r[R_AX], r->rbx = c->r[R_BX], r->rcx = c->r[R_CX], r->rdx = c->r[R_DX];
    r->rsi = c->r[R_SI], r->rdi = c->r[R_DI], r->rsp = c->r[R_SP], r->rbp = c->r[R_BP];
    r->rip = c->rip;
    r->rflags = flags_get(c);
}

void scpu_set_regs(struct scpu *cpu, const struct scpu_regs *r)
{
    struct cpu *c = (struct cpu *)cpu;
    memcpy(&c->r[R_R8], &r->r8, 8 * sizeof c->r[0]);
    c->r[R_AX] = r->rax, c->r[R_BX] = r->rbx, c->r[R_CX] = r->rcx, c->r[R_DX] = r->rdx;
    c->r[R_SI] = r->rsi, c->r[R_DI] = r->rdi, c->r[R_SP] = r->rsp, c->r[R_BP] = r->rbp;
    c->rip = r->rip;
    if ((r->rflags ^ c->rflags) & F_AC)
        tlb_ac_changed(c);
    flags_set(c, r->rflags);
}

void scpu_get_sregs(struct scpu *cpu, struct scpu_sregs *s)
{
    struct cpu *c = (struct cpu *)cpu;
    struct scpu_segment *dst[6] = {&s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs};
    memset(s, 0, sizeof *s);
    for (int k = 0; k < 6; k++)
        seg_to_api(&c->seg[k], dst[k]);
    seg_to_api(&c->tr, &s->tr);
    seg_to_api(&c->ldtr, &s->ldt);
    s->gdt = c->gdtr;
    s->idt = c->idtr;
    s->cr0 = c->cr0, s->cr2 = c->cr2, s->cr3 = c->cr3, s->cr4 = c->cr4, s->cr8 = c->cr8;
    s->efer = c->efer;
    s->apic_base = c->apic_base;
}

/* The combinations KVM refuses (kvm_is_valid_sregs). */
static bool sregs_valid(const struct scpu_sregs *s)
{
    if ((s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE))
        return false;
    if ((s->efer & EFER_LME) && (s->cr0 & CR0_PG)) {
        if (!(s->cr4 & CR4_PAE) || !(s->efer & EFER_LMA))
            return false;
        if (s->cs.l && s->cs.db)
            return false;
    } else if (s->efer & EFER_LMA) {
        return false;
    }
    return true;
}

int scpu_set_sregs(struct scpu *cpu, const struct scpu_sregs *s)
{
    struct cpu *c = (struct cpu *)cpu;
    const struct scpu_segment *src[6] = {&s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs};
    if (!sregs_valid(s))
        return -EINVAL;
    for (int k = 0; k < 6; k++)
        seg_from_api(&c->seg[k], src[k]);
    seg_from_api(&c->tr, &s->tr);
    seg_from_api(&c->ldtr, &s->ldt);
    c->gdtr = s->gdt;
    c->idtr = s->idt;
    c->cr0 = s->cr0, c->cr2 = s->cr2, c->cr3 = s->cr3, c->cr4 = s->cr4, c->cr8 = s->cr8 & 15;
    c->efer = s->efer;
    c->apic_base = s->apic_base;
    cpu_update_mode(c);
    c->cpl = (c->cr0 & CR0_PE) ? SA_DPL(c->seg[S_CS].attr) : 0;
    tlb_flush_all(c);
    return 0;
}

/* scpu_get_fpu / scpu_set_fpu live in fpu_state.c with the x87/SSE code. */

int scpu_get_msr(struct scpu *cpu, uint32_t index, uint64_t *value)
{
    return msr_read((struct cpu *)cpu, index, value) < 0 ? -EINVAL : 0;
}

int scpu_set_msr(struct scpu *cpu, uint32_t index, uint64_t value)
{
    struct cpu *c = (struct cpu *)cpu;
    if (index == MSR_EFER) { /* host-initiated: LMA may be set, as KVM allows */
        if (value & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
            return -EINVAL;
        c->efer = value;
        tlb_flush_all(c);
        cpu_update_mode(c);
        return 0;
    }
    return msr_write((struct cpu *)cpu, index, value) < 0 ? -EINVAL : 0;
}

void scpu_invalidate(struct scpu *cpu, uint64_t gpa, uint64_t len)
{
    engine_invalidate((struct cpu *)cpu, gpa, len);
}

void scpu_get_stats(struct scpu *cpu, struct scpu_stats *s) { *s = ((struct cpu *)cpu)->stats; }
