/* muldiv.c: MUL, IMUL (one-, two- and three-operand forms), DIV and IDIV with #DE. */
#include "intops.h"

/* CF = OF = `ovf`; SF ZF PF are undefined after multiplies: we derive them from the low
 * half of the product, AF clear. */
static inline void mul_flags(struct cpu *c, uint64_t lo, unsigned sz, int ovf)
{
    flags_put(c, flags_szp(lo & size_mask(sz), sz) | (ovf ? F_CF | F_OF : 0));
}

/* Store a double-width product/dividend pair: AX for bytes, rDX:rAX otherwise. */
static inline void put_pair(struct cpu *c, unsigned sz, uint64_t lo, uint64_t hi)
{
    if (sz == 1) {
        reg_write(c, R_AX, (lo & 0xff) | (hi & 0xff) << 8, 2);
    } else {
        reg_write(c, R_AX, lo, sz);
        reg_write(c, R_DX, hi, sz);
    }
}

static inline void mul_E(struct cpu *c, const struct insn *i, unsigned sz)
{
    uint64_t b = e_read(c, i, sz), a = reg_read(c, R_AX, sz);
    unsigned __int128 p = (unsigned __int128)a * b;
    uint64_t lo, hi;
    if (sz == 8) {
        lo = (uint64_t)p;
        hi = (uint64_t)(p >> 64);
    } else {
        lo = (uint64_t)p & size_mask(sz);
        hi = (uint64_t)(p >> (sz * 8)) & size_mask(sz);
    }
    put_pair(c, sz, lo, hi);
    mul_flags(c, lo, sz, hi != 0);
}
OP_HANDLER(op_mul_Eb) { mul_E(c, i, 1); }
OP_HANDLER(op_mul_Ev) { mul_E(c, i, i->osz); }

/* Signed product of two sz-byte values: low half, high half, and whether the full product
 * differs from the sign-extended low half (CF/OF). */
static inline uint64_t imul_core(unsigned sz, uint64_t a, uint64_t b, uint64_t *hi, int *ovf)
{
    __int128 p = (__int128)sext(a, sz) * (__int128)sext(b, sz);
    uint64_t lo = (uint64_t)p & size_mask(sz);
    *hi = (uint64_t)(p >> (sz * 8)) & size_mask(sz);
    *ovf = p != (__int128)sext(lo, sz);
    return lo;
}

static inline void imul_E(struct cpu *c, const struct insn *i, unsigned sz)
{
    uint64_t b = e_read(c, i, sz), a = reg_read(c, R_AX, sz), hi;
    int ovf;
    uint64_t lo = imul_core(sz, a, b, &hi, &ovf);
    put_pair(c, sz, lo, hi);
    mul_flags(c, lo, sz, ovf);
}
OP_HANDLER(op_imul_Eb) { imul_E(c, i, 1); }
OP_HANDLER(op_imul_Ev) { imul_E(c, i, i->osz); }

static inline void imul_G(struct cpu *c, const struct insn *i, uint64_t a, uint64_t b)
{
    uint64_t hi;
    int ovf;
    uint64_t lo = imul_core(i->osz, a, b, &hi, &ovf);
    op_write_G(c, i, lo, i->osz);
    mul_flags(c, lo, i->osz, ovf);
}
OP_HANDLER(op_imul_Gv_Ev) { imul_G(c, i, op_read_G(c, i, i->osz), e_read(c, i, i->osz)); }
OP_HANDLER(op_imul_Gv_Ev_Iz) { imul_G(c, i, e_read(c, i, i->osz), imm_z(i, i->osz)); }
OP_HANDLER(op_imul_Gv_Ev_Ib) { imul_G(c, i, e_read(c, i, i->osz), imm_s8(i) & size_mask(i->osz)); }

/* Dividend: AX for bytes, rDX:rAX otherwise, as a 128-bit unsigned value. */
static inline unsigned __int128 dividend(struct cpu *c, unsigned sz)
{
    if (sz == 1)
        return reg_read(c, R_AX, 2);
    return ((unsigned __int128)reg_read(c, R_DX, sz) << (sz * 8)) | reg_read(c, R_AX, sz);
}

/* DIV: #DE for a zero divisor or a quotient wider than the destination. Flags are undefined
 * after division; we leave them unchanged. The 128-bit path only runs when rDX holds
 * significant bits: 128-bit division is a slow library call. */
static inline void div_E(struct cpu *c, const struct insn *i, unsigned sz)
{
    uint64_t d = e_read(c, i, sz);
    if (d == 0)
        cpu_fault(c, EXC_DE, 0);
    unsigned __int128 n = dividend(c, sz);
    uint64_t q, r;
    if ((uint64_t)(n >> 64) == 0) {
        q = (uint64_t)n / d;
        r = (uint64_t)n % d;
    } else {
        unsigned __int128 qq = n / d;
        if (qq >> 64)
            cpu_fault(c, EXC_DE, 0);
        q = (uint64_t)qq;
        r = (uint64_t)(n % d);
    }
    if (q > size_mask(sz))
        cpu_fault(c, EXC_DE, 0); /* quotient does not fit the destination */
    put_pair(c, sz, q, r);
}
OP_HANDLER(op_div_Eb) { div_E(c, i, 1); }
OP_HANDLER(op_div_Ev) { div_E(c, i, i->osz); }

/* IDIV: as DIV, signed; the quotient must fit [-2^(w-1), 2^(w-1)-1] (INT_MIN / -1 faults). */
static inline void idiv_E(struct cpu *c, const struct insn *i, unsigned sz)
{
    int64_t d = sext(e_read(c, i, sz), sz);
    if (d == 0)
        cpu_fault(c, EXC_DE, 0);
    unsigned bits = sz * 8;
    /* Sign-extend the 2*bits-wide dividend to 128 bits. */
    unsigned __int128 un = dividend(c, sz);
    __int128 n = (__int128)(un << (128 - 2 * bits)) >> (128 - 2 * bits), q, r;
    if (d == -1) {
        /* n / -1 can overflow even 128 bits; the fit test below catches every overflow */
        if (n == (__int128)((unsigned __int128)1 << 127))
            cpu_fault(c, EXC_DE, 0);
        q = -n;
        r = 0;
    } else if (n == (int64_t)n) {
        q = (int64_t)n / d;
        r = (int64_t)n % d;
    } else {
        q = n / d;
        r = n % d;
    }
    __int128 qmax = ((__int128)1 << (bits - 1)) - 1;
    if (q > qmax || q < -qmax - 1)
        cpu_fault(c, EXC_DE, 0);
    put_pair(c, sz, (uint64_t)q & size_mask(sz), (uint64_t)r & size_mask(sz));
}
OP_HANDLER(op_idiv_Eb) { idiv_E(c, i, 1); }
OP_HANDLER(op_idiv_Ev) { idiv_E(c, i, i->osz); }
