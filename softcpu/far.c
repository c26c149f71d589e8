/* far.c: privilege-changing control transfers: INT n, IRET, far JMP/CALL/RET, SYSCALL/SYSRET, SWAPGS. */
#include "engine.h"

/* ---- software interrupts ---- */

void op_int3(struct cpu *c, const struct insn *i) { cpu_soft_interrupt(c, EXC_BP, insn_next(i)); }
void op_int1(struct cpu *c, const struct insn *i) { cpu_int1(c, insn_next(i)); }
void op_int_Ib(struct cpu *c, const struct insn *i) { cpu_soft_interrupt(c, (int)(i->imm & 0xff), insn_next(i)); }

void op_into(struct cpu *c, const struct insn *i)
{
    if (flags_get(c) & F_OF)
        cpu_soft_interrupt(c, EXC_OF, insn_next(i));
    cpu_end_block(c, insn_next(i));
}

/* ---- code-segment checks shared by far transfers ---- */

static bool desc_present(uint64_t d) { return (d >> 47) & 1; }
static unsigned desc_dpl(uint64_t d) { return (d >> 45) & 3; }
static unsigned desc_type(uint64_t d) { return (d >> 40) & 0xf; }
static bool desc_is_code(uint64_t d) { return ((d >> 44) & 1) && (desc_type(d) & 8); }

/* Code descriptor for a far JMP/CALL to sel at the same privilege (no gates). */
static uint64_t far_target_desc(struct cpu *c, uint16_t sel)
{
    uint64_t d;
    uint32_t ec = sel & 0xfffc;
    if (ec == 0)
        cpu_gp0(c);
    if (seg_read_desc(c, sel, &d) < 0)
        cpu_fault(c, EXC_GP, ec);
    if (!((d >> 44) & 1)) { /* a system descriptor */
        unsigned t = desc_type(d);
        bool gate_or_task = (c->efer & EFER_LMA) ? t == 0xc : (t & 7) == 1 || (t & 7) == 3 || (t & 7) == 4 || t == 5;
        if (gate_or_task) /* our kernels make no call gates; legacy task switches are not implemented */
            cpu_unimplemented(c, "far transfer through a call gate or a task switch");
        cpu_fault(c, EXC_GP, ec); /* long mode has no task switch: a TSS or LDT is no target */
    }
    if (!desc_is_code(d))
        cpu_fault(c, EXC_GP, ec);
    bool conforming = desc_type(d) & 4;
    if (conforming ? desc_dpl(d) > c->cpl : ((sel & 3) > c->cpl || desc_dpl(d) != c->cpl))
        cpu_fault(c, EXC_GP, ec);
    if (!desc_present(d))
        cpu_fault(c, EXC_NP, ec);
    if ((c->efer & EFER_LMA) && ((d >> 53) & 1) && ((d >> 54) & 1))
        cpu_fault(c, EXC_GP, ec); /* L and D both set */
    return d;
}

static void check_target(struct cpu *c, uint64_t d, uint64_t off)
{
    bool to64 = (c->efer & EFER_LMA) && ((d >> 53) & 1);
    if (to64 ? !cpu_canonical(off) : off > ((d & 0xffff) | ((d >> 32) & 0xf0000)) &&
                                          !((d >> 55) & 1))
        cpu_gp0(c);
}

/* Push CS then the return offset as one store, so a fault leaves RSP untouched. */
static void push_return(struct cpu *c, uint64_t next, unsigned n)
{
    unsigned ssz = c->mode == 8 ? 8 : (c->seg[S_SS].attr & SA_DB) ? 4 : 2;
    uint64_t sp = (c->r[R_SP] - 2 * n) & size_mask(ssz);
    uint8_t buf[16];
    uint64_t cs = c->seg[S_CS].sel;
    memcpy(buf, &next, n);
    memcpy(buf + n, &cs, n);
    mem_write(c, seg_linear(c, S_SS, sp, 2 * n), buf, 2 * n);
    reg_write(c, R_SP, sp, ssz);
}

static void far_transfer(struct cpu *c, const struct insn *i, uint16_t sel, uint64_t off, bool call)
{
    unsigned osz = i->osz;
    if (!(c->cr0 & CR0_PE) || (c->rflags & F_VM)) {
        if (call)
            push_return(c, insn_next(i), osz);
        seg_load_real(c, S_CS, sel);
        c->rip = off & size_mask(osz);
        c->brk = 1;
        return;
    }
    uint64_t d = far_target_desc(c, sel);
    check_target(c, d, off);
    if (call)
        push_return(c, insn_next(i), osz);
    seg_set_cs(c, (uint16_t)((sel & 0xfffc) | c->cpl), d, c->cpl);
    c->rip = osz == 2 ? off & 0xffff : off;
    c->brk = 1;
}

void op_ljmp_Ap(struct cpu *c, const struct insn *i) { far_transfer(c, i, (uint16_t)i->imm2, i->imm, false); }
void op_lcall_Ap(struct cpu *c, const struct insn *i) { far_transfer(c, i, (uint16_t)i->imm2, i->imm, true); }

/* m16:16, m16:32 or m16:64: the offset first, then the selector. */
static void far_mem(struct cpu *c, const struct insn *i, uint16_t *sel, uint64_t *off)
{
    uint64_t ea = insn_ea(c, i, i->osz + 2);
    *off = mem_readn(c, ea, i->osz);
    *sel = mem_read16(c, ea + i->osz);
}

void op_ljmp_Mp(struct cpu *c, const struct insn *i)
{
    uint16_t sel;
    uint64_t off;
    far_mem(c, i, &sel, &off);
    far_transfer(c, i, sel, off, false);
}

void op_lcall_Mp(struct cpu *c, const struct insn *i)
{
    uint16_t sel;
    uint64_t off;
    far_mem(c, i, &sel, &off);
    far_transfer(c, i, sel, off, true);
}

/* ---- returns: far RET and IRET ---- */

/* Data segments the outer level may not see become null (SDM RET/IRET "Operation"). */
static void null_inaccessible_segs(struct cpu *c)
{
    static const int segs[] = {S_ES, S_DS, S_FS, S_GS};
    for (int k = 0; k < 4; k++) {
        struct seg *s = &c->seg[segs[k]];
        bool conf_code = (SA_TYPE(s->attr) & 0xc) == 0xc;
        if (!(s->attr & SA_UNUSABLE) && (s->sel & 0xfffc) && !conf_code && SA_DPL(s->attr) < c->cpl) {
            s->sel = 0;
            s->attr = SA_UNUSABLE;
        }
    }
}

/* The code segment to return to: RPL is the new CPL. */
static uint64_t ret_cs_desc(struct cpu *c, uint16_t sel)
{
    uint64_t d;
    uint32_t ec = sel & 0xfffc;
    if (ec == 0)
        cpu_gp0(c);
    if (seg_read_desc(c, sel, &d) < 0 || !desc_is_code(d) || (sel & 3) < c->cpl)
        cpu_fault(c, EXC_GP, ec);
    bool conforming = desc_type(d) & 4;
    if (conforming ? desc_dpl(d) > (sel & 3u) : desc_dpl(d) != (sel & 3u))
        cpu_fault(c, EXC_GP, ec);
    if (!desc_present(d))
        cpu_fault(c, EXC_NP, ec);
    if ((c->efer & EFER_LMA) && ((d >> 53) & 1) && ((d >> 54) & 1))
        cpu_fault(c, EXC_GP, ec);
    return d;
}

/* The stack segment to return to, for privilege rpl; null allowed for 64-bit ring < 3. */
static void ret_ss(struct cpu *c, uint16_t sel, unsigned rpl, bool to64, struct seg *out)
{
    uint64_t d;
    uint32_t ec = sel & 0xfffc;
    if (ec == 0) {
        if (!to64 || rpl == 3)
            cpu_gp0(c);
        *out = (struct seg){0, 0, sel, (uint16_t)(SA_UNUSABLE | (rpl << 5))};
        return;
    }
    if ((sel & 3) != rpl || seg_read_desc(c, sel, &d) < 0)
        cpu_fault(c, EXC_GP, ec);
    if (!((d >> 44) & 1) || (desc_type(d) & 0xa) != 2 || desc_dpl(d) != rpl)
        cpu_fault(c, EXC_GP, ec);
    if (!desc_present(d))
        cpu_fault(c, EXC_SS, ec);
    seg_from_desc(out, sel, d);
}

/* Commit a return to cs:rip (and ss:rsp when the level or mode requires it). */
static void ret_commit(struct cpu *c, uint16_t cs, uint64_t d, uint64_t rip, bool load_ss,
                       const struct seg *ss, uint64_t rsp, uint64_t pop_bytes)
{
    unsigned old_cpl = c->cpl, new_cpl = cs & 3;
    bool to64 = (c->efer & EFER_LMA) && ((d >> 53) & 1);
    if (to64 ? !cpu_canonical(rip) : rip > ((d & 0xffff) | ((d >> 32) & 0xf0000)) && !((d >> 55) & 1))
        cpu_gp0(c);
    if (load_ss) {
        c->seg[S_SS] = *ss;
        c->r[R_SP] = rsp;
    } else {
        uint64_t m = c->mode == 8 ? ~0ull : (c->seg[S_SS].attr & SA_DB) ? 0xffffffffull : 0xffff;
        reg_write(c, R_SP, (c->r[R_SP] + pop_bytes) & m, m == 0xffff ? 2 : m == ~0ull ? 8 : 4);
    }
    seg_set_cs(c, cs, d, new_cpl);
    if (new_cpl > old_cpl)
        null_inaccessible_segs(c);
    c->rip = rip;
    c->brk = 1;
}

static void lret(struct cpu *c, const struct insn *i, unsigned extra)
{
    unsigned n = i->osz;
    uint64_t rip = cpu_peek(c, 0, n);
    uint16_t cs = (uint16_t)cpu_peek(c, n, n);
    if (!(c->cr0 & CR0_PE)) {
        seg_load_real(c, S_CS, cs);
        (void)cpu_pop(c, n);
        (void)cpu_pop(c, n);
        c->r[R_SP] += extra; /* real mode uses a 16-bit SP; masks as the stack size */
        c->rip = rip & size_mask(n);
        c->brk = 1;
        return;
    }
    uint64_t d = ret_cs_desc(c, cs);
    struct seg ss = c->seg[S_SS];
    uint64_t rsp = 0;
    bool outer = (cs & 3) > c->cpl;
    if (outer) {
        bool to64 = (c->efer & EFER_LMA) && ((d >> 53) & 1);
        rsp = cpu_peek(c, 2 * n + extra, n) + extra;
        ret_ss(c, (uint16_t)cpu_peek(c, 3 * n + extra, n), cs & 3, to64, &ss);
    }
    ret_commit(c, cs, d, rip, outer, &ss, rsp, 2 * n + extra);
}

void op_lret(struct cpu *c, const struct insn *i) { lret(c, i, 0); }
void op_lret_Iw(struct cpu *c, const struct insn *i) { lret(c, i, (unsigned)(i->imm & 0xffff)); }

static void iret_real(struct cpu *c, const struct insn *i)
{
    unsigned n = i->osz;
    uint64_t rip = cpu_peek(c, 0, n);
    uint16_t cs = (uint16_t)cpu_peek(c, n, n);
    uint64_t fl = cpu_peek(c, 2 * n, n);
    uint64_t m = flags_writable(c, n);
    for (int k = 0; k < 3; k++)
        (void)cpu_pop(c, n);
    seg_load_real(c, S_CS, cs);
    flags_set(c, (flags_get(c) & ~m) | (fl & m)); /* real mode: no alignment checks */
    c->rip = rip & size_mask(n);
    c->brk = 1;
}

void op_iret(struct cpu *c, const struct insn *i)
{
    unsigned n = i->osz;
    if (!(c->cr0 & CR0_PE)) {
        iret_real(c, i);
        return;
    }
    if (c->rflags & F_NT) {
        if (c->efer & EFER_LMA)
            cpu_gp0(c);
        cpu_unimplemented(c, "IRET task return (NT set)");
    }
    uint64_t rip = cpu_peek(c, 0, n);
    uint16_t cs = (uint16_t)cpu_peek(c, n, n);
    uint64_t fl = cpu_peek(c, 2 * n, n);
    if ((fl & F_VM) && c->cpl == 0 && !(c->efer & EFER_LMA))
        cpu_unimplemented(c, "IRET to virtual-8086 mode");
    uint64_t d = ret_cs_desc(c, cs);
    bool to64 = (c->efer & EFER_LMA) && ((d >> 53) & 1);
    bool load_ss = c->mode == 8 || (cs & 3) > c->cpl;
    struct seg ss = c->seg[S_SS];
    uint64_t rsp = 0;
    if (load_ss) {
        rsp = cpu_peek(c, 3 * n, n);
        ret_ss(c, (uint16_t)cpu_peek(c, 4 * n, n), cs & 3, to64, &ss);
    }
    uint64_t m = flags_writable(c, n);
    if (c->cpl == 0 && n > 2)
        m |= F_VIF | F_VIP; /* IRET (unlike POPF) loads them at CPL 0 */
    uint64_t newfl = (flags_get(c) & ~m) | (fl & m);
    ret_commit(c, cs, d, rip, load_ss, &ss, rsp, 3 * n);
    if ((newfl ^ c->rflags) & F_AC)
        tlb_ac_changed(c);
    flags_set(c, newfl);
}

/* ---- SYSCALL / SYSRET (AMD64 semantics) and SWAPGS ---- */

static void flat_seg(struct seg *s, uint16_t sel, unsigned type, unsigned dpl, bool l)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0xffffffff;
    s->attr = (uint16_t)(type | SA_S | SA_P | SA_G | (dpl << 5) | (l ? SA_L : SA_DB));
}

void op_syscall(struct cpu *c, const struct insn *i)
{
    if (!(c->efer & EFER_SCE))
        cpu_ud(c);
    uint16_t sel = (uint16_t)(c->star >> 32);
    uint64_t fl = flags_get(c), next = insn_next(i);
    bool lma = (c->efer & EFER_LMA) != 0;
    flat_seg(&c->seg[S_CS], sel & 0xfffc, 0xb, 0, lma);
    flat_seg(&c->seg[S_SS], (uint16_t)(sel + 8), 0x3, 0, false);
    if (lma) {
        c->r[R_CX] = next;
        c->r[R_R11] = fl & ~(uint64_t)F_RF;
        c->rip = c->mode == 8 ? c->lstar : c->cstar;
        flags_set(c, fl & ~c->fmask & ~(uint64_t)F_RF);
    } else {
        c->r[R_CX] = (uint32_t)next;
        c->rip = (uint32_t)c->star;
        flags_set(c, fl & ~(uint64_t)(F_VM | F_IF | F_RF));
    }
    c->cpl = 0;
    cpu_update_mode(c);
    c->brk = 1;
}

void op_sysret(struct cpu *c, const struct insn *i)
{
    if (!(c->efer & EFER_SCE))
        cpu_ud(c);
    if (!(c->cr0 & CR0_PE) || c->cpl != 0)
        cpu_gp0(c);
    uint16_t sel = (uint16_t)(c->star >> 48);
    if (c->efer & EFER_LMA) {
        bool to64 = i->osz == 8;
        flat_seg(&c->seg[S_CS], (uint16_t)((to64 ? sel + 16 : sel) | 3), 0xb, 3, to64);
        /* AMD: a non-canonical RCX is not checked here; the fetch faults in ring 3 */
        c->rip = to64 ? c->r[R_CX] : (uint32_t)c->r[R_CX];
        if ((c->r[R_R11] ^ c->rflags) & F_AC)
            tlb_ac_changed(c);
        flags_set(c, c->r[R_R11] & ~(uint64_t)(F_RF | F_VM));
    } else {
        flat_seg(&c->seg[S_CS], (uint16_t)(sel | 3), 0xb, 3, false);
        c->rip = (uint32_t)c->r[R_CX];
        flags_set(c, flags_get(c) | F_IF);
    }
    flat_seg(&c->seg[S_SS], (uint16_t)((sel + 8) | 3), 0x3, 3, false);
    c->cpl = 3;
    cpu_update_mode(c);
    c->brk = 1;
}

void op_swapgs(struct cpu *c, const struct insn *i)
{
    uint64_t t = c->seg[S_GS].base;
    c->seg[S_GS].base = c->kernel_gs_base;
    c->kernel_gs_base = t;
}
