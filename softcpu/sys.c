/* sys.c: system instructions: control registers, MSRs, CPUID, TSC, descriptor tables, I/O, HLT, flags. */
#include "engine.h"

#define CR4_ALLOWED 0x3f0fffull /* VME..UMIP, FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP */
#define EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

uint64_t host_rdtsc(void) { return __builtin_ia32_rdtsc(); }

/* ---- CPUID ---- */

void cpu_cpuid(struct cpu *c, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    out[0] = out[1] = out[2] = out[3] = 0;
    for (size_t k = 0; k < c->ncpuid; k++) {
        const struct scpu_cpuid_entry *e = &c->cpuid[k];
        if (e->function != leaf)
            continue;
        if ((e->flags & SCPU_CPUID_SIGNIFICANT_INDEX) && e->index != sub)
            continue;
        out[0] = e->eax, out[1] = e->ebx, out[2] = e->ecx, out[3] = e->edx;
        if (leaf == 1 && (out[2] & (1u << 26))) /* OSXSAVE mirrors CR4, as KVM keeps it */
            out[2] = (out[2] & ~(1u << 27)) | ((c->cr4 & (1ull << 18)) ? 1u << 27 : 0);
        if (leaf == 1) /* APIC mirrors IA32_APIC_BASE's global enable (bit 11), as KVM keeps it */
            out[3] = (out[3] & ~(1u << 9)) | ((c->apic_base & (1ull << 11)) ? 1u << 9 : 0);
        return;
    }
}

bool cpu_has_feature(struct cpu *c, uint32_t leaf, int reg, int bit)
{
    uint32_t o[4];
    cpu_cpuid(c, leaf, 0, o);
    return (o[reg & 3] >> bit) & 1;
}

void op_cpuid(struct cpu *c, const struct insn *i)
{
    uint32_t o[4];
    cpu_cpuid(c, (uint32_t)c->r[R_AX], (uint32_t)c->r[R_CX], o);
    c->r[R_AX] = o[0], c->r[R_BX] = o[1], c->r[R_CX] = o[2], c->r[R_DX] = o[3];
}

/* ---- MSRs ---- */

static uint64_t guest_tsc(struct cpu *c) { return host_rdtsc() - c->tsc_origin; }

int msr_read(struct cpu *c, uint32_t idx, uint64_t *v)
{
    switch (idx) {
    case MSR_TSC: *v = guest_tsc(c); return 0;
    case MSR_APIC_BASE: *v = c->apic_base; return 0;
    case MSR_SYSENTER_CS: *v = c->sysenter_cs; return 0;
    case MSR_SYSENTER_ESP: *v = c->sysenter_esp; return 0;
    case MSR_SYSENTER_EIP: *v = c->sysenter_eip; return 0;
    case MSR_PAT: *v = c->pat; return 0;
    case MSR_EFER: *v = c->efer; return 0;
    case MSR_STAR: *v = c->star; return 0;
    case MSR_LSTAR: *v = c->lstar; return 0;
    case MSR_CSTAR: *v = c->cstar; return 0;
    case MSR_FMASK: *v = c->fmask; return 0;
    case MSR_FS_BASE: *v = c->seg[S_FS].base; return 0;
    case MSR_GS_BASE: *v = c->seg[S_GS].base; return 0;
    case MSR_KERNEL_GS_BASE: *v = c->kernel_gs_base; return 0;
    case MSR_TSC_AUX: *v = c->tsc_aux; return 0;
    default: return -1;
    }
}

static bool pat_valid(uint64_t v)
{
    for (int k = 0; k < 8; k++) {
        unsigned t = (v >> (8 * k)) & 0xff;
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

static int efer_write(struct cpu *c, uint64_t v)
{
    if (v & ~EFER_ALLOWED)
        return -1;
    if ((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME))
        return -1; /* LME may not change while paging is on */
    c->efer = (v & ~EFER_LMA) | (c->efer & EFER_LMA); /* LMA is read-only */
    tlb_flush_all(c); /* NXE changes what the TLB allows */
    cpu_update_mode(c);
    return 0;
}

int msr_write(struct cpu *c, uint32_t idx, uint64_t v)
{
    switch (idx) {
    case MSR_TSC: c->tsc_origin = host_rdtsc() - v; return 0;
    case MSR_APIC_BASE: c->apic_base = v; return 0;
    case MSR_SYSENTER_CS: c->sysenter_cs = v & 0xffff; return 0;
    case MSR_SYSENTER_ESP: c->sysenter_esp = v; return 0;
    case MSR_SYSENTER_EIP: c->sysenter_eip = v; return 0;
    case MSR_PAT:
        if (!pat_valid(v))
            return -1;
        c->pat = v;
        return 0;
    case MSR_EFER: return efer_write(c, v);
    case MSR_STAR: c->star = v; return 0;
    case MSR_FMASK: c->fmask = (uint32_t)v; return 0;
    case MSR_TSC_AUX:
        if (v >> 32)
            return -1;
        c->tsc_aux = v;
        return 0;
    default: break;
    }
    /* the remaining ones hold addresses, which must be canonical */
    if (!cpu_canonical(v))
        return -1;
    switch (idx) {
    case MSR_LSTAR: c->lstar = v; return 0;
    case MSR_CSTAR: c->cstar = v; return 0;
    case MSR_FS_BASE: c->seg[S_FS].base = v; return 0;
    case MSR_GS_BASE: c->seg[S_GS].base = v; return 0;
    case MSR_KERNEL_GS_BASE: c->kernel_gs_base = v; return 0;
    default: return -1;
    }
}

void op_rdmsr(struct cpu *c, const struct insn *i)
{
    uint64_t v;
    if (msr_read(c, (uint32_t)c->r[R_CX], &v) < 0)
        cpu_gp0(c);
    c->r[R_AX] = (uint32_t)v;
    c->r[R_DX] = v >> 32;
}

void op_wrmsr(struct cpu *c, const struct insn *i)
{
    uint64_t v = (uint32_t)c->r[R_AX] | (c->r[R_DX] << 32);
    if (msr_write(c, (uint32_t)c->r[R_CX], v) < 0)
        cpu_gp0(c);
    cpu_end_block(c, insn_next(i));
}

void op_rdtsc(struct cpu *c, const struct insn *i)
{
    if ((c->cr4 & (1ull << 2)) && c->cpl > 0) /* CR4.TSD */
        cpu_gp0(c);
    uint64_t t = guest_tsc(c);
    c->r[R_AX] = (uint32_t)t;
    c->r[R_DX] = t >> 32;
}

void op_rdtscp(struct cpu *c, const struct insn *i)
{
    op_rdtsc(c, i);
    c->r[R_CX] = (uint32_t)c->tsc_aux;
}

/* ---- control registers ---- */

static void cr0_write(struct cpu *c, uint64_t v)
{
    uint64_t old = c->cr0;
    v |= CR0_ET;
    if ((v >> 32) || ((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        cpu_gp0(c);
    uint64_t efer = c->efer;
    if (!(old & CR0_PG) && (v & CR0_PG) && (efer & EFER_LME)) {
        if (!(c->cr4 & CR4_PAE) || (c->seg[S_CS].attr & SA_L))
            cpu_gp0(c);
        efer |= EFER_LMA;
    }
    if ((old & CR0_PG) && !(v & CR0_PG) && (efer & EFER_LMA)) {
        if (c->mode == 8)
            cpu_gp0(c); /* leave long mode only from compatibility mode */
        efer &= ~EFER_LMA;
    }
    if ((v & CR0_PG) && !(efer & EFER_LME))
        cpu_unimplemented(c, "legacy (non-long-mode) paging");
    c->cr0 = v & 0xe005003full; /* writes to reserved bits 31:0 are ignored */
    c->efer = efer;
    if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE | CR0_AM))
        tlb_flush_all(c);
    cpu_update_mode(c);
}

/* CR4 bits whose feature the CPUID table advertises (the rest of CR4_ALLOWED always). */
static uint64_t cr4_supported(struct cpu *c)
{
    uint64_t m = CR4_ALLOWED & ~(CR4_OSXSAVE | CR4_FSGSBASE | CR4_SMEP | CR4_PCIDE | CR4_UMIP);
    if (cpu_has_feature(c, 1, 2, 26))
        m |= CR4_OSXSAVE;
    if (cpu_has_feature(c, 1, 2, 17))
        m |= CR4_PCIDE;
    if (cpu_has_feature(c, 7, 1, 0))
        m |= CR4_FSGSBASE;
    if (cpu_has_feature(c, 7, 1, 7))
        m |= CR4_SMEP;
    if (cpu_has_feature(c, 7, 2, 2))
        m |= CR4_UMIP;
    return m;
}

static void cr4_write(struct cpu *c, uint64_t v)
{
    if ((v & ~CR4_ALLOWED) || ((c->efer & EFER_LMA) && !(v & CR4_PAE)))
        cpu_gp0(c);
    if (v & ~cr4_supported(c))
        cpu_gp0(c); /* a feature the guest's CPUID does not list, as KVM checks */
    if (v & (CR4_SMAP | CR4_VME | CR4_PVI))
        cpu_unimplemented(c, "CR4.SMAP/VME/PVI not implemented");
    if ((v ^ c->cr4) & (CR4_PGE | CR4_PAE | CR4_PSE | (1ull << 20) | (1ull << 21)))
        tlb_flush_all(c);
    c->cr4 = v;
}

void op_mov_Cd_Rd(struct cpu *c, const struct insn *i)
{
    uint64_t v = reg_read(c, i->rm, c->mode == 8 ? 8 : 4);
    switch (i->reg) {
    case 0: cr0_write(c, v); break;
    case 2: c->cr2 = v; break;
    case 3:
        if (c->cr4 & CR4_PCIDE)
            v &= ~(1ull << 63); /* the no-flush hint; flushing anyway is allowed */
        if ((c->efer & EFER_LMA) && (v >> 52))
            cpu_gp0(c);
        c->cr3 = v;
        tlb_flush_all(c); /* global pages too: flushing more than required is allowed */
        break;
    case 4: cr4_write(c, v); break;
    case 8:
        if (v & ~15ull)
            cpu_gp0(c);
        c->cr8 = v;
        break;
    default: cpu_ud(c);
    }
    cpu_end_block(c, insn_next(i));
}


void op_mov_Rd_Cd(struct cpu *c, const struct insn *i)
{
    uint64_t v;
    switch (i->reg) {
    case 0: v = c->cr0; break;
    case 2: v = c->cr2; break;
    case 3: v = c->cr3; break;
    case 4: v = c->cr4; break;
    case 8: v = c->cr8; break;
    default: cpu_ud(c);
    }
    reg_write(c, i->rm, v, c->mode == 8 ? 8 : 4);
}

void op_clts(struct cpu *c, const struct insn *i) { c->cr0 &= ~CR0_TS; }
void op_wbinvd(struct cpu *c, const struct insn *i) {}

/* CR4.UMIP: SGDT SIDT SLDT STR SMSW are ring-0 only. */
static void umip_check(struct cpu *c)
{
    if ((c->cr4 & CR4_UMIP) && c->cpl > 0)
        cpu_gp0(c);
}

void op_smsw_Ew(struct cpu *c, const struct insn *i)
{
    umip_check(c);
    op_write_E(c, i, c->cr0 & size_mask(i->is_mem ? 2 : i->osz), i->is_mem ? 2 : i->osz);
}

/* LMSW changes PE MP EM TS only, and cannot clear PE. */
void op_lmsw_Ew(struct cpu *c, const struct insn *i)
{
    uint64_t v = op_read_E(c, i, 2) & 0xf;
    uint64_t cr0 = (c->cr0 & ~0xeull) | v | (c->cr0 & CR0_PE);
    cr0_write(c, cr0);
    cpu_end_block(c, insn_next(i));
}

void op_invlpg_M(struct cpu *c, const struct insn *i)
{
    /* no fault for any address, non-canonical included */
    uint64_t off = insn_offset(c, i);
    uint64_t base = (c->mode != 8 || i->seg == S_FS || i->seg == S_GS) ? c->seg[i->seg].base : 0;
    /* the block goes on unless code could be fetched another way now (the heap checker
     * unmaps a page at every free: ending the block made the soft CPU leave translated code) */
    if (tlb_flush_page(c, off + base))
        cpu_end_block(c, insn_next(i));
}

/* ---- descriptor-table registers ---- */

static void dt_load(struct cpu *c, const struct insn *i, struct scpu_dtable *t)
{
    uint64_t ea = insn_ea(c, i, c->mode == 8 ? 10 : 6);
    uint16_t limit = mem_read16(c, ea);
    uint64_t base = c->mode == 8 ? mem_read64(c, ea + 2) : mem_read32(c, ea + 2);
    if (c->mode != 8 && i->osz == 2)
        base &= 0xffffff;
    if (c->mode == 8 && !cpu_canonical(base))
        cpu_gp0(c);
    t->limit = limit;
    t->base = base;
}

static void dt_store(struct cpu *c, const struct insn *i, const struct scpu_dtable *t)
{
    umip_check(c);
    uint8_t buf[10];
    unsigned n = c->mode == 8 ? 10 : 6;
    uint64_t ea = insn_ea(c, i, n);
    memcpy(buf, &t->limit, 2);
    memcpy(buf + 2, &t->base, 8);
    mem_write(c, ea, buf, n);
}

void op_lgdt_M(struct cpu *c, const struct insn *i) { dt_load(c, i, &c->gdtr); }
void op_lidt_M(struct cpu *c, const struct insn *i) { dt_load(c, i, &c->idtr); }
void op_sgdt_M(struct cpu *c, const struct insn *i) { dt_store(c, i, &c->gdtr); }
void op_sidt_M(struct cpu *c, const struct insn *i) { dt_store(c, i, &c->idtr); }

static void store_sel(struct cpu *c, const struct insn *i, uint16_t sel)
{
    umip_check(c);
    if (i->is_mem)
        op_write_E(c, i, sel, 2);
    else
        reg_write(c, i->rm, sel, i->osz == 2 ? 2 : 4);
}

void op_sldt_Ew(struct cpu *c, const struct insn *i) { store_sel(c, i, c->ldtr.sel); }
void op_str_Ew(struct cpu *c, const struct insn *i) { store_sel(c, i, c->tr.sel); }

/* A system descriptor (LDT, TSS) from the GDT: 16 bytes in long mode. */
static void sys_desc_load(struct cpu *c, uint16_t sel, unsigned want_type, struct seg *dst,
                          bool mark_busy)
{
    uint64_t d, hi = 0;
    if ((sel & 4) || seg_read_desc(c, sel, &d) < 0)
        cpu_fault(c, EXC_GP, sel & 0xfffc);
    unsigned type = (d >> 40) & 0xf;
    if (((d >> 44) & 1) || type != want_type)
        cpu_fault(c, EXC_GP, sel & 0xfffc);
    if (c->efer & EFER_LMA) {
        if ((sel & 0xfff8u) + 15 > c->gdtr.limit)
            cpu_fault(c, EXC_GP, sel & 0xfffc);
        hi = mem_read_sys(c, c->gdtr.base + (sel & 0xfff8u) + 8, 8);
    }
    if (!((d >> 47) & 1))
        cpu_fault(c, EXC_NP, sel & 0xfffc);
    if (mark_busy) {
        d |= 2ull << 40;
        mem_write_sys(c, c->gdtr.base + (sel & 0xfff8u) + 5, (uint8_t)(d >> 40), 1);
    }
    seg_from_desc(dst, sel, d);
    dst->base |= (uint64_t)(uint32_t)hi << 32;
}

void op_lldt_Ew(struct cpu *c, const struct insn *i)
{
    uint16_t sel = (uint16_t)op_read_E(c, i, 2);
    if ((sel & 0xfffc) == 0) {
        c->ldtr = (struct seg){0, 0, sel, SA_UNUSABLE};
        return;
    }
    sys_desc_load(c, sel, 2, &c->ldtr, false);
}

void op_ltr_Ew(struct cpu *c, const struct insn *i)
{
    uint16_t sel = (uint16_t)op_read_E(c, i, 2);
    if ((sel & 0xfffc) == 0)
        cpu_gp0(c);
    sys_desc_load(c, sel, 9, &c->tr, true);
}

/* ---- I/O ---- */

/* CPL > IOPL: the TSS I/O permission bitmap decides. */
static void io_check(struct cpu *c, unsigned port, unsigned size)
{
    unsigned iopl = (c->rflags >> 12) & 3;
    if (!(c->cr0 & CR0_PE) || c->cpl <= iopl)
        return;
    if (c->tr.limit < 0x67)
        cpu_gp0(c);
    unsigned base = (unsigned)mem_read_sys(c, c->tr.base + 0x66, 2);
    unsigned byte = base + port / 8;
    if (byte + 1 > c->tr.limit)
        cpu_gp0(c);
    unsigned bits = (unsigned)mem_read_sys(c, c->tr.base + byte, 2);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        cpu_gp0(c);
}

static void io_exit(struct cpu *c, const struct insn *i, int dir, unsigned port, unsigned size)
{
    struct scpu_exit *x = c->exit;
    io_check(c, port, size);
    x->reason = SCPU_EXIT_IO;
    x->u.io.direction = (uint8_t)dir;
    x->u.io.size = (uint8_t)size;
    x->u.io.port = (uint16_t)port;
    x->u.io.count = 1;
    if (dir == SCPU_IO_OUT) {
        uint64_t v = reg_read(c, R_AX, size);
        memcpy(x->u.io.data, &v, size);
    } else {
        c->io_in_pending = 1;
        c->io_in_reg_size = (uint8_t)size;
    }
    c->exiting = 1;
    cpu_end_block(c, insn_next(i));
}

static unsigned io_size(const struct insn *i) { return i->aux ? 1 : i->osz; }

/* INS/OUTS: the permission check is architectural (a ring-3 program gets #GP as natively); the
 * transfer itself is not implemented: no device of ours takes string I/O. */
void op_ins_outs(struct cpu *c, const struct insn *i)
{
    unsigned size = i->osz == 1 ? 1 : i->osz == 2 ? 2 : 4;
    io_check(c, c->r[R_DX] & 0xffff, size);
    cpu_unimplemented(c, "string port I/O (INS/OUTS)");
}

void op_in_Ib(struct cpu *c, const struct insn *i) { io_exit(c, i, SCPU_IO_IN, i->imm & 0xff, io_size(i)); }
void op_out_Ib(struct cpu *c, const struct insn *i) { io_exit(c, i, SCPU_IO_OUT, i->imm & 0xff, io_size(i)); }
void op_in_DX(struct cpu *c, const struct insn *i) { io_exit(c, i, SCPU_IO_IN, c->r[R_DX] & 0xffff, io_size(i)); }
void op_out_DX(struct cpu *c, const struct insn *i) { io_exit(c, i, SCPU_IO_OUT, c->r[R_DX] & 0xffff, io_size(i)); }

void op_hlt(struct cpu *c, const struct insn *i)
{
    c->exit->reason = SCPU_EXIT_HLT;
    c->exiting = 1;
    cpu_end_block(c, insn_next(i));
}

/* ---- IF and RFLAGS ---- */

static bool iopl_ok(struct cpu *c)
{
    return !(c->cr0 & CR0_PE) || c->cpl <= ((c->rflags >> 12) & 3);
}

void op_cli(struct cpu *c, const struct insn *i)
{
    if (!iopl_ok(c))
        cpu_gp0(c);
    c->rflags &= ~(uint64_t)F_IF;
}

void op_sti(struct cpu *c, const struct insn *i)
{
    if (!iopl_ok(c))
        cpu_gp0(c);
    if (!(c->rflags & F_IF))
        c->interrupt_shadow = 1; /* interrupts stay blocked for one more instruction */
    c->rflags |= F_IF;
    cpu_end_block(c, insn_next(i));
}

void op_pushf(struct cpu *c, const struct insn *i)
{
    cpu_push(c, flags_get(c) & ~(uint64_t)(F_RF | F_VM), i->osz);
}

/* Which RFLAGS bits POPF/IRET may change at the current privilege (SDM POPF "Operation"). */
uint64_t flags_writable(struct cpu *c, unsigned osz)
{
    uint64_t m = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID;
    if (!(c->cr0 & CR0_PE) || c->cpl == 0)
        m |= F_IF | F_IOPL;
    else if (c->cpl <= ((c->rflags >> 12) & 3))
        m |= F_IF;
    return osz == 2 ? m & 0xffff : m;
}

void op_popf(struct cpu *c, const struct insn *i)
{
    uint64_t v = cpu_peek(c, 0, i->osz);
    uint64_t m = flags_writable(c, i->osz);
    uint64_t f = (flags_get(c) & ~m) | (v & m);
    (void)cpu_pop(c, i->osz);
    if ((f ^ c->rflags) & F_AC)
        tlb_ac_changed(c);
    flags_set(c, f & ~(uint64_t)F_RF);
    cpu_end_block(c, insn_next(i)); /* TF/IF/AC changes take effect at a block boundary */
}
