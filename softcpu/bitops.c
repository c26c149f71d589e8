/* bitops.c: BT BTS BTR BTC, BSF BSR, and POPCNT LZCNT TZCNT (gated on CPUID). */
#include "intops.h"

enum { K_BT, K_BTS, K_BTR, K_BTC };

static inline uint64_t bit_apply(int k, uint64_t v, uint64_t bit)
{
    switch (k) {
    case K_BTS: return v | bit;
    case K_BTR: return v & ~bit;
    case K_BTC: return v ^ bit;
    default: return v;
    }
}

/* CF = the selected bit; OF SF AF PF are undefined (left unchanged), ZF unchanged. */
static inline void bit_op(struct cpu *c, const struct insn *i, int k, uint64_t off, int from_reg)
{
    unsigned sz = i->osz, bits = sz * 8;
    uint64_t ea, v, bit;
    if (!i->is_mem) {
        v = reg_read(c, i->rm, sz);
        bit = 1ull << (off & (bits - 1));
        if (k != K_BT)
            reg_write(c, i->rm, bit_apply(k, v, bit), sz);
    } else {
        if (from_reg) {
            /* A register bit offset is signed and may reach outside the operand: the
             * operand-sized unit holding the bit is addressed relative to the EA. */
            int64_t soff = sext(off, sz);
            int shift = bits == 16 ? 4 : bits == 32 ? 5 : 6;
            uint64_t o = insn_offset(c, i) + (uint64_t)((soff >> shift) * (int64_t)sz);
            ea = seg_linear(c, i->seg, o & size_mask(i->asz), sz);
        } else {
            ea = insn_ea(c, i, sz);
        }
        bit = 1ull << (off & (bits - 1));
        if (k == K_BT) {
            v = mem_readn(c, ea, sz);
        } else {
            uint8_t *p = mem_rmw_ptr(c, ea, sz);
            v = p ? load_n(p, sz) : mem_readn(c, ea, sz);
            if (p)
                store_n(p, bit_apply(k, v, bit), sz);
            else
                mem_writen(c, ea, bit_apply(k, v, bit), sz);
        }
    }
    flags_update(c, F_CF, (v & bit) ? F_CF : 0);
}

#define BT_FAMILY(name, k)                                                                  \
    OP_HANDLER(op_##name##_Ev_Gv) { bit_op(c, i, k, op_read_G(c, i, i->osz), 1); }           \
    OP_HANDLER(op_##name##_Ev_Ib) { bit_op(c, i, k, i->imm & 0xff, 0); }

BT_FAMILY(bt, K_BT)
BT_FAMILY(bts, K_BTS)
BT_FAMILY(btr, K_BTR)
BT_FAMILY(btc, K_BTC)

/* BSF/BSR: ZF = (source == 0). On a zero source the destination is left unchanged, as
 * AMD documents (no zero-extension of a 32-bit destination either). Other flags are
 * undefined and left unchanged. */
OP_HANDLER(op_bsf_Gv_Ev)
{
    uint64_t s = e_read(c, i, i->osz);
    if (s)
        op_write_G(c, i, (uint64_t)__builtin_ctzll(s), i->osz);
    flags_update(c, F_ZF, s ? 0 : F_ZF);
}
OP_HANDLER(op_bsr_Gv_Ev)
{
    uint64_t s = e_read(c, i, i->osz);
    if (s)
        op_write_G(c, i, (uint64_t)(63 - __builtin_clzll(s)), i->osz);
    flags_update(c, F_ZF, s ? 0 : F_ZF);
}

/* CPUID gates: popcnt 1.ECX[23], lzcnt (ABM) 80000001h.ECX[5], bmi1 (tzcnt) 7.EBX[3]. */
OP_HANDLER(op_tzcnt_Gv_Ev)
{
    if (!cpu_has_feature(c, 7, 1, 3)) {
        op_bsf_Gv_Ev(c, i); /* without BMI1, F3 0F BC is a REP-prefixed BSF */
        return;
    }
    unsigned sz = i->osz;
    uint64_t s = e_read(c, i, sz);
    uint64_t r = s ? (uint64_t)__builtin_ctzll(s) : sz * 8;
    op_write_G(c, i, r, sz);
    flags_update(c, F_CF | F_ZF, (s ? 0 : F_CF) | (r ? 0 : F_ZF));
}
OP_HANDLER(op_lzcnt_Gv_Ev)
{
    if (!cpu_has_feature(c, 0x80000001u, 2, 5)) {
        op_bsr_Gv_Ev(c, i);
        return;
    }
    unsigned sz = i->osz;
    uint64_t s = e_read(c, i, sz);
    uint64_t r = s ? (uint64_t)(__builtin_clzll(s) - (64 - sz * 8)) : sz * 8;
    op_write_G(c, i, r, sz);
    flags_update(c, F_CF | F_ZF, (s ? 0 : F_CF) | (r ? 0 : F_ZF));
}
/* POPCNT clears OF SF AF CF PF and sets ZF for a zero source. */
OP_HANDLER(op_popcnt_Gv_Ev)
{
    if (!cpu_has_feature(c, 1, 2, 23))
        cpu_ud(c);
    uint64_t s = e_read(c, i, i->osz);
    op_write_G(c, i, (uint64_t)__builtin_popcountll(s), i->osz);
    flags_put(c, s ? 0 : F_ZF);
}
