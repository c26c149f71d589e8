/* seg.c: segmentation: descriptors, segment loads, effective and linear addresses, the stack. */
#include "engine.h"

/* ---- descriptors ---- */

void seg_from_desc(struct seg *s, uint16_t sel, uint64_t d)
{
    uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
    s->sel = sel;
    s->base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000ull);
    s->attr = (uint16_t)(((d >> 40) & 0xff) | (((d >> 52) & 0xf) << 8));
    s->limit = (s->attr & SA_G) ? (limit << 12) | 0xfff : limit;
}

int seg_read_desc(struct cpu *c, uint16_t sel, uint64_t *desc)
{
    const struct scpu_dtable *t = &c->gdtr;
    struct scpu_dtable ldt;
    if (sel & 4) {
        if (c->ldtr.attr & SA_UNUSABLE)
            return -1;
        ldt.base = c->ldtr.base;
        ldt.limit = (uint16_t)(c->ldtr.limit > 0xffff ? 0xffff : c->ldtr.limit);
        t = &ldt;
    }
    uint32_t off = sel & 0xfff8u;
    if (off + 7 > t->limit)
        return -1;
    *desc = mem_read_sys(c, t->base + off, 8);
    return 0;
}

/* Hardware sets the accessed bit of a descriptor it loads. */
static void seg_mark_accessed(struct cpu *c, uint16_t sel, uint64_t *d)
{
    if (*d & (1ull << 40))
        return;
    *d |= 1ull << 40;
    uint64_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;
    mem_write_sys(c, base + (sel & 0xfff8u) + 5, (uint8_t)(*d >> 40), 1);
}

void seg_from_api(struct seg *s, const struct scpu_segment *a)
{
    s->base = a->base;
    s->limit = a->limit;
    s->sel = a->selector;
    s->attr = (uint16_t)((a->type & 0xf) | (a->s ? SA_S : 0) | ((a->dpl & 3) << 5) |
                         (a->present ? SA_P : 0) | (a->avl ? SA_AVL : 0) | (a->l ? SA_L : 0) |
                         (a->db ? SA_DB : 0) | (a->g ? SA_G : 0) | (a->unusable ? SA_UNUSABLE : 0));
}

void seg_to_api(const struct seg *s, struct scpu_segment *a)
{
    memset(a, 0, sizeof *a);
    a->base = s->base;
    a->limit = s->limit;
    a->selector = s->sel;
    a->type = SA_TYPE(s->attr);
    a->s = !!(s->attr & SA_S);
    a->dpl = (uint8_t)SA_DPL(s->attr);
    a->present = !!(s->attr & SA_P);
    a->avl = !!(s->attr & SA_AVL);
    a->l = !!(s->attr & SA_L);
    a->db = !!(s->attr & SA_DB);
    a->g = !!(s->attr & SA_G);
    a->unusable = !!(s->attr & SA_UNUSABLE);
}

void seg_load_real(struct cpu *c, int s, uint16_t sel)
{
    c->seg[s].sel = sel;
    c->seg[s].base = (uint64_t)sel << 4;
}

void cpu_update_mode(struct cpu *c)
{
    uint16_t cs = c->seg[S_CS].attr;
    if (!(c->cr0 & CR0_PE)) {
        c->mode = 2;
        c->cpl = 0;
    } else if ((c->efer & EFER_LMA) && (cs & SA_L)) {
        c->mode = 8;
    } else {
        c->mode = (cs & SA_DB) ? 4 : 2;
    }
}

void seg_set_cs(struct cpu *c, uint16_t sel, uint64_t desc, unsigned cpl)
{
    seg_from_desc(&c->seg[S_CS], sel, desc);
    c->cpl = cpl;
    cpu_update_mode(c);
}

static void seg_load_null(struct cpu *c, int s, uint16_t sel)
{
    struct seg *g = &c->seg[s];
    g->sel = sel;
    g->attr = SA_UNUSABLE;
    if (s != S_FS && s != S_GS)
        g->base = 0; /* AMD keeps the FS/GS base on a null load */
    g->limit = 0;
}

/* MOV/POP to a data or stack segment register in protected mode (SDM MOV, "Operation"). */
int seg_load(struct cpu *c, int s, uint16_t sel)
{
    if (!(c->cr0 & CR0_PE) || (c->rflags & F_VM)) {
        seg_load_real(c, s, sel);
        return 0;
    }
    uint32_t ec = sel & 0xfffc;
    int nf = s == S_SS ? EXC_SS : EXC_NP;
    if ((sel & 0xfffc) == 0) {
        if (s == S_SS && !(c->mode == 8 && c->cpl < 3 && (sel & 3) == c->cpl))
            cpu_gp0(c);
        seg_load_null(c, s, sel);
        if (s == S_SS)
            c->seg[s].attr = (uint16_t)(SA_UNUSABLE | (c->cpl << 5));
        return 0;
    }
    uint64_t d;
    if (seg_read_desc(c, sel, &d) < 0)
        cpu_fault(c, EXC_GP, ec);
    unsigned type = (d >> 40) & 0xf, dpl = (d >> 45) & 3, rpl = sel & 3;
    bool sys = !((d >> 44) & 1), code = (type & 8) != 0;
    if (s == S_SS) {
        if (sys || code || !(type & 2) || rpl != c->cpl || dpl != c->cpl)
            cpu_fault(c, EXC_GP, ec);
    } else {
        if (sys || (code && !(type & 2)))
            cpu_fault(c, EXC_GP, ec);
        bool conforming = code && (type & 4);
        if (!conforming && (dpl < c->cpl || dpl < rpl))
            cpu_fault(c, EXC_GP, ec);
    }
    if (!((d >> 47) & 1))
        cpu_fault(c, nf, ec);
    seg_mark_accessed(c, sel, &d);
    seg_from_desc(&c->seg[s], sel, d);
    return 0;
}

/* ---- addresses ---- */

static inline uint64_t offset_of(struct cpu *c, const struct insn *i) { return ea_sum(c, i) & size_mask(i->asz); }

uint64_t insn_offset(struct cpu *c, const struct insn *i) { return offset_of(c, i); }

static _Noreturn void seg_fault(struct cpu *c, int seg)
{
    cpu_fault(c, seg == S_SS ? EXC_SS : EXC_GP, 0);
}

/* Outside 64-bit mode: null segment, limit (expand-up and expand-down), 32-bit wrap. */
static uint64_t seg_linear_legacy(struct cpu *c, int seg, uint64_t off, unsigned size)
{
    const struct seg *s = &c->seg[seg];
    if ((s->attr & SA_UNUSABLE) && (c->cr0 & CR0_PE))
        seg_fault(c, seg);
    uint64_t last = off + (size ? size - 1 : 0);
    bool expand_down = (s->attr & SA_S) && (SA_TYPE(s->attr) & 0xc) == 4;
    if (expand_down) {
        uint64_t top = (s->attr & SA_DB) ? 0xffffffffull : 0xffff;
        if (off <= s->limit || last > top)
            seg_fault(c, seg);
    } else if (last > s->limit) {
        seg_fault(c, seg);
    }
    return (uint32_t)(s->base + off);
}

static inline uint64_t linear(struct cpu *c, int seg, uint64_t off, unsigned size)
{
    if (likely(c->mode == 8)) {
        uint64_t lin = off + (seg >= S_FS && seg <= S_GS ? c->seg[seg].base : 0);
        if (unlikely(!cpu_canonical(lin)))
            seg_fault(c, seg);
        return lin;
    }
    return seg_linear_legacy(c, seg, off, size);
}

uint64_t seg_linear(struct cpu *c, int seg, uint64_t off, unsigned size)
{
    return linear(c, seg, off, size);
}

uint64_t insn_ea(struct cpu *c, const struct insn *i, unsigned size)
{
    return linear(c, i->seg, offset_of(c, i), size);
}

uint64_t op_read_E(struct cpu *c, const struct insn *i, unsigned size)
{
    if (!i->is_mem)
        return reg_read(c, i->rm, size);
    return mem_readn(c, linear(c, i->seg, offset_of(c, i), size), size);
}

void op_write_E(struct cpu *c, const struct insn *i, uint64_t v, unsigned size)
{
    if (!i->is_mem)
        reg_write(c, i->rm, v, size);
    else
        mem_writen(c, linear(c, i->seg, offset_of(c, i), size), v, size);
}

/* ---- stack ---- */

static unsigned stack_size(struct cpu *c)
{
    if (c->mode == 8)
        return 8;
    return (c->seg[S_SS].attr & SA_DB) ? 4 : 2;
}

void cpu_push(struct cpu *c, uint64_t v, unsigned size)
{
    unsigned ss = stack_size(c);
    uint64_t sp = (c->r[R_SP] - size) & size_mask(ss);
    mem_writen(c, seg_linear(c, S_SS, sp, size), v, size);
    reg_write(c, R_SP, sp, ss);
}

uint64_t cpu_pop(struct cpu *c, unsigned size)
{
    unsigned ss = stack_size(c);
    uint64_t sp = c->r[R_SP] & size_mask(ss);
    uint64_t v = mem_readn(c, seg_linear(c, S_SS, sp, size), size);
    reg_write(c, R_SP, sp + size, ss);
    return v;
}

uint64_t cpu_peek(struct cpu *c, unsigned off, unsigned size)
{
    unsigned ss = stack_size(c);
    uint64_t sp = (c->r[R_SP] + off) & size_mask(ss);
    return mem_readn(c, seg_linear(c, S_SS, sp, size), size);
}

void cpu_jump(struct cpu *c, uint64_t target)
{
    if (c->mode == 8) {
        if (unlikely(!cpu_canonical(target)))
            cpu_gp0(c);
    } else {
        target = (uint32_t)target;
        if (target > c->seg[S_CS].limit)
            cpu_gp0(c);
    }
    c->rip = target;
    c->brk = 1;
}

/* ---- segment-register instructions ---- */

void op_mov_Ew_Sw(struct cpu *c, const struct insn *i)
{
    if (i->reg > S_GS)
        cpu_ud(c);
    uint16_t sel = c->seg[i->reg].sel;
    if (i->is_mem)
        op_write_E(c, i, sel, 2);
    else
        reg_write(c, i->rm, sel, i->osz); /* register forms zero-extend to the operand size */
}

void op_mov_Sw_Ew(struct cpu *c, const struct insn *i)
{
    if (i->reg > S_GS || i->reg == S_CS)
        cpu_ud(c);
    seg_load(c, i->reg, (uint16_t)op_read_E(c, i, 2));
    if (i->reg == S_SS)
        c->interrupt_shadow = 1;
}

/* LSS/LFS/LGS r, m16:16/32: the offset, then the selector above it; the segment is loaded
 * (with every check) before the register is written. AMD has no m16:64 form: REX.W gives
 * the 32-bit one, whatever 66 says (checked against the host by the difftest). */
void op_lxs_Gv_M(struct cpu *c, const struct insn *i)
{
    unsigned n = (i->pfx & P_REXW) ? 4 : i->osz;
    uint64_t ea = insn_ea(c, i, n + 2);
    uint64_t off = mem_readn(c, ea, n);
    uint16_t sel = (uint16_t)mem_readn(c, ea + n, 2);
    seg_load(c, i->aux, sel);
    reg_write(c, i->reg, off, n);
    if (i->aux == S_SS)
        c->interrupt_shadow = 1;
}

void op_push_Sw(struct cpu *c, const struct insn *i) { cpu_push(c, c->seg[i->aux].sel, i->osz); }

void op_pop_Sw(struct cpu *c, const struct insn *i)
{
    uint16_t sel = (uint16_t)cpu_peek(c, 0, i->osz);
    seg_load(c, i->aux, sel);
    (void)cpu_pop(c, i->osz);
    if (i->aux == S_SS)
        c->interrupt_shadow = 1;
}
