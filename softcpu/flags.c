/* flags.c: lazy arithmetic flags: computed from the last flag-setting operation on demand. */
#include "cpu.h"

uint32_t flags_parity(uint8_t v)
{
    return (__builtin_popcount(v) & 1) ? 0 : F_PF;
}

static bool lf_cf(const struct lazyflags *lf)
{
    uint64_t m = size_mask(lf->size);
    uint64_t r = lf->res & m, a = lf->s1 & m, b = lf->s2 & m;
    switch (lf->op) {
    case LF_ADD: return r < a;
    case LF_ADC: return lf->aux ? r <= a : r < a;
    case LF_SUB: return a < b;
    case LF_SBB: return lf->aux ? a <= b : a < b;
    case LF_INC:
    case LF_DEC: return lf->aux != 0;
    case LF_SHL: return lf->s2 <= lf->size * 8u && ((a >> (lf->size * 8u - lf->s2)) & 1);
    case LF_SHR: return (a >> (lf->s2 - 1)) & 1;
    case LF_SAR: return ((uint64_t)(sext(a, lf->size) >> (lf->s2 > 64 ? 63 : lf->s2 - 1))) & 1;
    default: return false;
    }
}

static bool lf_of(const struct lazyflags *lf)
{
    uint64_t sign = size_sign(lf->size), m = size_mask(lf->size);
    uint64_t r = lf->res, a = lf->s1, b = lf->s2;
    switch (lf->op) {
    case LF_ADD:
    case LF_ADC: return ((a ^ r) & (b ^ r) & sign) != 0;
    case LF_SUB:
    case LF_SBB: return ((a ^ b) & (a ^ r) & sign) != 0;
    case LF_INC: return (r & m) == sign;
    case LF_DEC: return (r & m) == sign - 1;
    case LF_SHL: return ((r & sign) != 0) ^ lf_cf(lf); /* the count-1 rule, as shift.c */
    case LF_SHR: return (a & sign) != 0;
    default: return false;
    }
}

static bool lf_af(const struct lazyflags *lf)
{
    switch (lf->op) {
    case LF_ADD:
    case LF_ADC:
    case LF_SUB:
    case LF_SBB: return ((lf->s1 ^ lf->s2 ^ lf->res) & 0x10) != 0;
    /* INC/DEC: from the result alone, so handlers need not store s2 = 1 */
    case LF_INC: return (lf->res & 0xf) == 0;
    case LF_DEC: return (lf->res & 0xf) == 0xf;
    default: return false;
    }
}

/* LF_HOST: the LAHF byte holds SF ZF AF PF CF at their RFLAGS places. */
static uint32_t host_flags(const struct lazyflags *lf)
{
    return ((uint32_t)(lf->res >> 8) & (F_SF | F_ZF | F_AF | F_PF | F_CF)) | (lf->res & 1 ? F_OF : 0);
}

/* The six arithmetic flags of the pending lazy operation. */
static uint32_t lf_compute(const struct lazyflags *lf)
{
    if (lf->op == LF_HOST)
        return host_flags(lf);
    uint64_t r = lf->res & size_mask(lf->size);
    uint32_t f = flags_parity((uint8_t)r);
    if (r == 0)
        f |= F_ZF;
    if (r & size_sign(lf->size))
        f |= F_SF;
    if (lf_cf(lf))
        f |= F_CF;
    if (lf_of(lf))
        f |= F_OF;
    if (lf_af(lf))
        f |= F_AF;
    return f;
}

static void materialize(struct cpu *c)
{
    if (c->lf.op != LF_NONE) {
        c->rflags = (c->rflags & ~(uint64_t)F_ARITH) | lf_compute(&c->lf);
        c->lf.op = LF_NONE;
    }
}

uint64_t flags_get(struct cpu *c)
{
    materialize(c);
    return c->rflags | 2; /* bit 1 always reads as 1 */
}

void flags_set(struct cpu *c, uint64_t rflags)
{
    c->rflags = rflags | 2;
    c->lf.op = LF_NONE;
}

void flags_update(struct cpu *c, uint32_t mask, uint32_t v)
{
    materialize(c);
    c->rflags = (c->rflags & ~(uint64_t)mask) | (v & mask);
}

bool flags_cf(struct cpu *c)
{
    if (c->lf.op == LF_NONE)
        return (c->rflags & F_CF) != 0;
    if (c->lf.op == LF_HOST)
        return (host_flags(&c->lf) & F_CF) != 0;
    return lf_cf(&c->lf);
}

bool flags_zf(struct cpu *c)
{
    if (c->lf.op == LF_NONE)
        return (c->rflags & F_ZF) != 0;
    if (c->lf.op == LF_HOST)
        return (host_flags(&c->lf) & F_ZF) != 0;
    return (c->lf.res & size_mask(c->lf.size)) == 0;
}

/* CMP/SUB followed by Jcc is the common case: answer straight from the operands. */
static int cond_sub(const struct lazyflags *lf, unsigned cc)
{
    uint64_t m = size_mask(lf->size);
    uint64_t a = lf->s1 & m, b = lf->s2 & m;
    int64_t sa = sext(a, lf->size), sb = sext(b, lf->size);
    switch (cc >> 1) {
    case 1: return a < b;    /* B */
    case 2: return a == b;   /* Z */
    case 3: return a <= b;   /* BE */
    case 6: return sa < sb;  /* L */
    case 7: return sa <= sb; /* LE */
    default: return -1;
    }
}

bool cond_eval(struct cpu *c, unsigned cc)
{
    bool r;
    if ((cc >> 1) == 2) /* Z/NZ: the loop-closing case after DEC, SUB, TEST... */
        return flags_zf(c) ^ (cc & 1);
    if (c->lf.op == LF_SUB) {
        int v = cond_sub(&c->lf, cc);
        if (v >= 0)
            return (bool)v ^ (cc & 1);
    }
    uint32_t f = c->lf.op == LF_NONE ? (uint32_t)c->rflags : lf_compute(&c->lf);
    bool sf = (f & F_SF) != 0, of = (f & F_OF) != 0, zf = (f & F_ZF) != 0;
    switch (cc >> 1) {
    case 0: r = of; break;
    case 1: r = f & F_CF; break;
    case 2: r = zf; break;
    case 3: r = (f & F_CF) || zf; break;
    case 4: r = sf; break;
    case 5: r = f & F_PF; break;
    case 6: r = sf != of; break;
    default: r = zf || sf != of; break;
    }
    return r ^ (cc & 1);
}
