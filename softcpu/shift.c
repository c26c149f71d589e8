/* shift.c: SHL SHR SAR ROL ROR RCL RCR (group 2, counts 1/CL/imm8) and SHLD SHRD. */
#include "intops.h"

/* Group-2 kinds in ModRM.reg order; /6 (SAL) is an alias of SHL. */
enum { K_ROL, K_ROR, K_RCL, K_RCR, K_SHL, K_SHR, K_SAL, K_SAR };

/* SHL/SHR/SAR with a masked count n != 0: the result, and all six flags.
 * OF is only defined for n == 1; we compute the n == 1 formula for every n. AF is undefined
 * and left clear. Counts past the width shift in zeros (or sign bits), as hardware does. */
INL uint64_t shift_do(int k, unsigned sz, uint64_t a, unsigned n, uint32_t *fl)
{
    unsigned bits = sz * 8;
    uint64_t m = size_mask(sz), r;
    uint32_t cf, of;
    if (k == K_SHR) {
        r = n >= 64 ? 0 : a >> n;
        cf = (a >> (n - 1)) & 1;
        of = (a & size_sign(sz)) ? F_OF : 0;
    } else if (k == K_SAR) {
        int64_t s = sext(a, sz);
        r = (uint64_t)(s >> (n > 63 ? 63 : n)) & m;
        cf = (uint64_t)(s >> (n - 1 > 63 ? 63 : n - 1)) & 1;
        of = 0;
    } else {
        r = n >= 64 ? 0 : (a << n) & m;
        cf = n > bits ? 0 : (a >> (bits - n)) & 1;
        of = (((r & size_sign(sz)) != 0) ^ cf) ? F_OF : 0;
    }
    *fl = flags_szp(r, sz) | (cf ? F_CF : 0) | of;
    return r;
}

/* Rotates: result and CF/OF (the only flags they touch). n = count already masked, != 0. */
static inline uint64_t rot_do(struct cpu *c, int k, unsigned sz, uint64_t a, unsigned n, uint32_t *fl)
{
    unsigned bits = sz * 8;
    uint64_t m = size_mask(sz), r, msb = size_sign(sz);
    unsigned cf;
    if (k == K_ROL || k == K_ROR) {
        unsigned t = n & (bits - 1);
        if (k == K_ROR)
            t = (bits - t) & (bits - 1);
        r = t ? ((a << t) | (a >> (bits - t))) & m : a;
        cf = k == K_ROL ? (r & 1) : ((r & msb) != 0);
    } else {
        /* RCL/RCR rotate through CF: a (bits+1)-bit rotation of CF:a. */
        unsigned w = bits + 1, t = n % w;
        unsigned __int128 v = ((unsigned __int128)flags_cf(c) << bits) | a;
        unsigned __int128 wm = ((unsigned __int128)1 << w) - 1;
        if (k == K_RCR)
            t = (w - t) % w;
        if (t)
            v = ((v << t) | (v >> (w - t))) & wm;
        r = (uint64_t)v & m;
        cf = (unsigned)(v >> bits) & 1;
    }
    unsigned of;
    if (k == K_ROL || k == K_RCL)
        of = ((r & msb) != 0) ^ cf;
    else
        of = ((r & msb) != 0) ^ ((r & (msb >> 1)) != 0);
    *fl = (cf ? F_CF : 0) | (of ? F_OF : 0);
    return r;
}

/* count = the masked count, != 0; the operand in memory or a register. */
static __attribute__((noinline)) void grp2_full(struct cpu *c, const struct insn *i, int k, unsigned sz,
                                                unsigned n)
{
    struct eref ea = {0, 0};
    uint64_t a = e_load(c, i, sz, &ea), r;
    uint32_t fl;
    if (k >= K_SHL) {
        r = shift_do(k, sz, a, n, &fl);
        e_store(c, i, sz, &ea, r);
        flags_put(c, fl);
    } else {
        r = rot_do(c, k, sz, a, n, &fl);
        e_store(c, i, sz, &ea, r);
        flags_update(c, F_CF | F_OF, fl);
    }
}

/* The register shifts are the hot case: inline; rotates and memory go out of line. */
INL void grp2(struct cpu *c, const struct insn *i, int k, unsigned sz, unsigned count)
{
    unsigned n = count & (sz == 8 ? 63 : 31);
    if (k == K_SAL)
        k = K_SHL;
    if (n == 0) {
        /* No flags change, but a 32-bit register destination is still written (zero-extended);
         * a memory operand is still accessed for writing (it can fault, as a write). */
        struct eref ea = {0, 0};
        uint64_t a = e_load(c, i, sz, &ea);
        if (!i->is_mem)
            reg_write(c, i->rm, a, sz);
        return;
    }
    if (likely(!i->is_mem) && k >= K_SHL) {
        uint32_t fl;
        uint64_t r = shift_do(k, sz, reg_read(c, i->rm, sz), n, &fl);
        reg_write(c, i->rm, r, sz);
        flags_put(c, fl);
        return;
    }
    grp2_full(c, i, k, sz, n);
}

#define GRP2_FAMILY(name, k)                                                                \
    OP_HANDLER(op_##name##_Eb_1) { grp2(c, i, k, 1, 1); }                                    \
    OP_HANDLER(op_##name##_Ev_1) { grp2(c, i, k, i->osz, 1); }                               \
    OP_HANDLER(op_##name##_Eb_CL) { grp2(c, i, k, 1, (uint8_t)c->r[R_CX]); }                 \
    OP_HANDLER(op_##name##_Ev_CL) { grp2(c, i, k, i->osz, (uint8_t)c->r[R_CX]); }            \
    OP_HANDLER(op_##name##_Eb_Ib) { grp2(c, i, k, 1, (uint8_t)i->imm); }                     \
    OP_HANDLER(op_##name##_Ev_Ib) { grp2(c, i, k, i->osz, (uint8_t)i->imm); }

GRP2_FAMILY(rol, K_ROL)
GRP2_FAMILY(ror, K_ROR)
GRP2_FAMILY(rcl, K_RCL)
GRP2_FAMILY(rcr, K_RCR)
GRP2_FAMILY(shl, K_SHL)
GRP2_FAMILY(shr, K_SHR)
GRP2_FAMILY(sar, K_SAR)

/* SHLD/SHRD: a double-width shift of dest with bits from the G register.
 */
static inline void shxd(struct cpu *c, const struct insn *i, int left, unsigned count)
{
    unsigned sz = i->osz, bits = sz * 8;
    unsigned n = count & (sz == 8 ? 63 : 31);
    struct eref ea = {0, 0}; uint64_t a = e_load(c, i, sz, &ea), b = op_read_G(c, i, sz), r, m = size_mask(sz);
    uint32_t cf;
    if (n == 0) {
        if (!i->is_mem)
            reg_write(c, i->rm, a, sz);
        return;
    }
    if (sz == 2) {
        /* Counts 17..31 are undefined; AMD shifts the 48-bit pattern a:b:b (left) or
         * b:b:a (right), which also gives the defined results for counts up to 16. */
        uint64_t v = left ? (a << 32) | (b << 16) | b : (b << 32) | (b << 16) | a;
        if (left) {
            r = (v >> (32 - n)) & m;
            cf = (v >> (48 - n)) & 1;
        } else {
            r = (v >> n) & m;
            cf = (v >> (n - 1)) & 1;
        }
    } else if (left) {
        r = ((a << n) | (b >> (bits - n))) & m;
        cf = (a >> (bits - n)) & 1;
    } else {
        r = ((a >> n) | (b << (bits - n))) & m;
        cf = (a >> (n - 1)) & 1;
    }
    e_store(c, i, sz, &ea, r);
    uint32_t of = ((r ^ a) & size_sign(sz)) ? F_OF : 0;
    flags_put(c, flags_szp(r, sz) | (cf ? F_CF : 0) | of);
}
OP_HANDLER(op_shld_Ev_Gv_Ib) { shxd(c, i, 1, (uint8_t)i->imm); }
OP_HANDLER(op_shld_Ev_Gv_CL) { shxd(c, i, 1, (uint8_t)c->r[R_CX]); }
OP_HANDLER(op_shrd_Ev_Gv_Ib) { shxd(c, i, 0, (uint8_t)i->imm); }
OP_HANDLER(op_shrd_Ev_Gv_CL) { shxd(c, i, 0, (uint8_t)c->r[R_CX]); }
