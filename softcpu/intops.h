/* intops.h: helpers shared by the integer instruction handlers (alu.c, shift.c, mov.c, ...). */
#ifndef SOFTCPU_INTOPS_H
#define SOFTCPU_INTOPS_H

#include "cpu.h"

#define OP_HANDLER(name) void name(struct cpu *c, const struct insn *i)
/* Helpers a handler family is generated from: inlined so each handler's constants fold. */
#define INL static inline __attribute__((always_inline))

/* Replace all six arithmetic flags with `arith` (every bit computed by the caller). */
INL void flags_put(struct cpu *c, uint32_t arith)
{
    c->rflags = (c->rflags & ~(uint64_t)F_ARITH) | arith;
    c->lf.op = LF_NONE;
}

/* CF from the lazy state, inline for the common producers (their CF is defined in cpu.h's
 * enum lf_op); the rest through flags_cf. INC/DEC/ADC/SBB read it on every execution. */
INL unsigned cf_fast(struct cpu *c)
{
    uint64_t m = size_mask(c->lf.size);
    switch (c->lf.op) {
    case LF_NONE: return (c->rflags & F_CF) != 0;
    case LF_INC: case LF_DEC: return c->lf.aux;
    case LF_LOGIC: return 0;
    case LF_SUB: return (c->lf.s1 & m) < (c->lf.s2 & m);
    case LF_ADD: return (c->lf.res & m) < (c->lf.s1 & m);
    default: return flags_cf(c);
    }
}

/* SF, ZF and PF of a result of `size` bytes (already masked). */
INL uint32_t flags_szp(uint64_t res, unsigned size)
{
    uint32_t f = __builtin_parity((uint8_t)res) ? 0 : F_PF; /* inline: x86 computes it in PF */
    if (res == 0)
        f |= F_ZF;
    if (res & size_sign(size))
        f |= F_SF;
    return f;
}

/* E operand for read-modify-write. The memory operand is translated once, for writing: an
 * RMW instruction faults as a write even on its load (#PF error code W=1), as hardware does.
 * Nothing is committed before the store, so a fault leaves the CPU state untouched. */
struct eref {
    uint64_t ea;
    uint8_t *p; /* host pointer when the operand lies in one page, else NULL */
};
INL uint64_t load_n(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}
INL void store_n(uint8_t *p, uint64_t v, unsigned size)
{
    switch (size) {
    case 1: *p = (uint8_t)v; break;
    case 2: { uint16_t w = (uint16_t)v; memcpy(p, &w, 2); break; }
    case 4: { uint32_t w = (uint32_t)v; memcpy(p, &w, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}
/* TLB hit for writing (hence reading) `size` bytes at lin within one page, or NULL.
 * Relies on the TLB layout of cpu.h ([0] supervisor, [1] CPL 3) and on mmu.c indexing it by
 * the low bits of the page number; a TLB_SLOW tag never matches, so code pages and watched
 * pages still take mem_span's slow path. */
INL uint8_t *tlb_hit_w(struct cpu *c, uint64_t lin, unsigned size)
{
    const struct tlb_entry *e = &c->tlb[c->cpl == 3][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_w == (lin & ~4095ull) && (lin & 4095) + size <= 4096)) {
        c->stats.mem_accesses++;
        return (uint8_t *)(uintptr_t)(lin + e->addend);
    }
    return NULL;
}

/* Translate [ea, ea+size) for writing; returns the host pointer if it is in one page. */
INL uint8_t *mem_rmw_ptr(struct cpu *c, uint64_t ea, unsigned size)
{
    uint8_t *p = tlb_hit_w(c, ea, size);
    if (likely(p != NULL))
        return p;
    uint64_t n;
    mem_align_check(c, ea, size); /* mem_span checks no alignment; #AC precedes #PF */
    p = mem_span(c, ea, size, ACC_W, &n);
    if (likely(n >= size))
        return p;
    mem_check(c, ea, size, ACC_W); /* the second page must be writable too, byte bounds allow it */
    return NULL;
}
/* ---- fast paths (performance): the common case inline, everything else through the
 * engine's checked helpers, which raise the right fault. ---- */

/* Offset of a ModRM memory operand (what LEA stores), at the address size. */
INL uint64_t ea_offset(const struct cpu *c, const struct insn *i) { return ea_sum(c, i) & size_mask(i->asz); }

/* Linear address of the memory operand: in 64-bit mode without FS/GS it is the offset
 * itself when canonical; otherwise insn_ea (segment bases, limits, #GP/#SS). */
INL uint64_t ea_lin(struct cpu *c, const struct insn *i, unsigned size)
{
    if (likely(c->mode == 8 && i->seg != S_FS && i->seg != S_GS && i->asz != 2)) {
        uint64_t off = ea_offset(c, i);
        if (likely(cpu_canonical(off)))
            return off;
    }
    return insn_ea(c, i, size);
}

/* TLB hit for reading `size` bytes at lin within one page, or NULL (see tlb_hit_w). */
INL uint8_t *tlb_hit_r(struct cpu *c, uint64_t lin, unsigned size)
{
    const struct tlb_entry *e = &c->tlb[c->cpl == 3][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_r == (lin & ~4095ull) && (lin & 4095) + size <= 4096)) {
        c->stats.mem_accesses++;
        return (uint8_t *)(uintptr_t)(lin + e->addend);
    }
    return NULL;
}

/* E operand read / write (op_read_E / op_write_E with the fast paths inline). */
INL uint64_t e_read(struct cpu *c, const struct insn *i, unsigned size)
{
    if (likely(!i->is_mem))
        return reg_read(c, i->rm, size);
    uint64_t lin = ea_lin(c, i, size);
    uint8_t *p = tlb_hit_r(c, lin, size);
    return p ? load_n(p, size) : mem_readn(c, lin, size);
}
INL void e_write(struct cpu *c, const struct insn *i, uint64_t v, unsigned size)
{
    if (likely(!i->is_mem)) {
        reg_write(c, i->rm, v, size);
        return;
    }
    uint64_t lin = ea_lin(c, i, size);
    uint8_t *p = tlb_hit_w(c, lin, size);
    if (p)
        store_n(p, v, size);
    else
        mem_writen(c, lin, v, size);
}

INL uint64_t e_load(struct cpu *c, const struct insn *i, unsigned size, struct eref *r)
{
    if (!i->is_mem)
        return reg_read(c, i->rm, size);
    r->ea = ea_lin(c, i, size);
    r->p = mem_rmw_ptr(c, r->ea, size);
    return r->p ? load_n(r->p, size) : mem_readn(c, r->ea, size);
}
INL void e_store(struct cpu *c, const struct insn *i, unsigned size, const struct eref *r,
                           uint64_t v)
{
    if (!i->is_mem)
        reg_write(c, i->rm, v, size);
    else if (r->p)
        store_n(r->p, v, size);
    else
        mem_writen(c, r->ea, v, size);
}

/* Immediates: the decoder may or may not have sign-extended them already; these are exact
 * either way. */
static inline uint64_t imm_s8(const struct insn *i) { return (uint64_t)sext(i->imm, 1); }
static inline uint64_t imm_z(const struct insn *i, unsigned size)
{
    return (size == 8 ? (uint64_t)sext(i->imm, 4) : i->imm) & size_mask(size);
}

/* Address-size register access (string ops, LOOP, XLAT): 2, 4 or 8 bytes. A 4-byte
 * update zero-extends as any 32-bit write does; a 2-byte one merges. */
static inline uint64_t areg_read(struct cpu *c, unsigned r, unsigned asz)
{
    return c->r[r] & size_mask(asz);
}
static inline void areg_write(struct cpu *c, unsigned r, uint64_t v, unsigned asz)
{
    reg_write(c, r, v, asz);
}

#endif
