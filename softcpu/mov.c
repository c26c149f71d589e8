/* mov.c: data movement: MOV (all forms), MOVZX/MOVSX/MOVSXD, LEA, XCHG, CMPXCHG(8B/16B), XADD,
 * BSWAP, CMOVcc, SETcc, CBW/CWD families, XLAT, LAHF/SAHF. */
#include "intops.h"

OP_HANDLER(op_mov_Eb_Gb) { e_write(c, i, op_read_G(c, i, 1), 1); }
OP_HANDLER(op_mov_Ev_Gv) { e_write(c, i, op_read_G(c, i, i->osz), i->osz); }
OP_HANDLER(op_mov_Gb_Eb) { op_write_G(c, i, e_read(c, i, 1), 1); }
OP_HANDLER(op_mov_Gv_Ev) { op_write_G(c, i, e_read(c, i, i->osz), i->osz); }
OP_HANDLER(op_mov_Eb_Ib) { e_write(c, i, i->imm, 1); }
OP_HANDLER(op_mov_Ev_Iz) { e_write(c, i, imm_z(i, i->osz), i->osz); }
OP_HANDLER(op_mov_Zb_Ib) { reg_write(c, i->reg, i->imm, 1); }
OP_HANDLER(op_mov_Zv_Iv) { reg_write(c, i->reg, i->imm, i->osz); }

/* moffs: an absolute offset (address-size wide) in the segment of the instruction. */
static inline uint64_t moffs_lin(struct cpu *c, const struct insn *i, unsigned size)
{
    return seg_linear(c, i->seg, i->imm & size_mask(i->asz), size);
}
OP_HANDLER(op_mov_AL_Ob) { reg_write(c, R_AX, mem_read8(c, moffs_lin(c, i, 1)), 1); }
OP_HANDLER(op_mov_rAX_Ov) { reg_write(c, R_AX, mem_readn(c, moffs_lin(c, i, i->osz), i->osz), i->osz); }
OP_HANDLER(op_mov_Ob_AL) { mem_write8(c, moffs_lin(c, i, 1), (uint8_t)c->r[R_AX]); }
OP_HANDLER(op_mov_Ov_rAX) { mem_writen(c, moffs_lin(c, i, i->osz), c->r[R_AX], i->osz); }

OP_HANDLER(op_movzx_Gv_Eb) { op_write_G(c, i, e_read(c, i, 1), i->osz); }
OP_HANDLER(op_movzx_Gv_Ew) { op_write_G(c, i, e_read(c, i, 2), i->osz); }
OP_HANDLER(op_movsx_Gv_Eb) { op_write_G(c, i, (uint64_t)sext(e_read(c, i, 1), 1), i->osz); }
OP_HANDLER(op_movsx_Gv_Ew) { op_write_G(c, i, (uint64_t)sext(e_read(c, i, 2), 2), i->osz); }
/* MOVSXD: sign-extends with REX.W; without it, a plain 32-bit (or 16-bit) move. The source
 * is always read as 32 bits (AMD does so even for a 16-bit destination: it can fault). */
OP_HANDLER(op_movsxd_Gv_Ed)
{
    uint64_t v = e_read(c, i, 4);
    op_write_G(c, i, (uint64_t)sext(v, 4), i->osz);
}

/* LEA: the offset truncated to the operand size (no segment base, no memory access). */
OP_HANDLER(op_lea_Gv_M) { op_write_G(c, i, ea_offset(c, i), i->osz); }

/* XCHG with memory is implicitly locked; single-vCPU, so a plain swap is atomic enough. */
static inline void xchg_E(struct cpu *c, const struct insn *i, unsigned sz)
{
    struct eref ea = {0, 0}; uint64_t a = e_load(c, i, sz, &ea), b = op_read_G(c, i, sz);
    e_store(c, i, sz, &ea, b);
    op_write_G(c, i, a, sz);
}
OP_HANDLER(op_xchg_Eb_Gb) { xchg_E(c, i, 1); }
OP_HANDLER(op_xchg_Ev_Gv) { xchg_E(c, i, i->osz); }
/* 90+r: with r = rAX (no REX.B) this is NOP/PAUSE: EAX is not zero-extended. */
OP_HANDLER(op_xchg_Zv)
{
    unsigned sz = i->osz;
    if (i->reg == R_AX)
        return;
    uint64_t a = reg_read(c, R_AX, sz), b = reg_read(c, i->reg, sz);
    reg_write(c, R_AX, b, sz);
    reg_write(c, i->reg, a, sz);
}

/* CMPXCHG: flags as CMP accumulator, dest. A memory destination is always written (the old
 * value on failure); a register destination only on success, and rAX only on failure. */
static inline void cmpxchg_E(struct cpu *c, const struct insn *i, unsigned sz)
{
    struct eref ea = {0, 0}; uint64_t d = e_load(c, i, sz, &ea), acc = reg_read(c, R_AX, sz);
    uint64_t r = (acc - d) & size_mask(sz);
    if (acc == d) {
        e_store(c, i, sz, &ea, op_read_G(c, i, sz));
    } else {
        if (i->is_mem)
            e_store(c, i, sz, &ea, d);
        reg_write(c, R_AX, d, sz);
    }
    lf_set(c, LF_SUB, sz, r, acc, d);
}
OP_HANDLER(op_cmpxchg_Eb_Gb) { cmpxchg_E(c, i, 1); }
OP_HANDLER(op_cmpxchg_Ev_Gv) { cmpxchg_E(c, i, i->osz); }

/* 0F C7 /1: CMPXCHG8B, or CMPXCHG16B with REX.W (16-byte aligned, else #GP(0)). */
OP_HANDLER(op_cmpxchg8b_M)
{
    if (i->pfx & P_REXW) {
        if (!cpu_has_feature(c, 1, 2, 13))
            cpu_ud(c);
        /* Alignment is checked before the canonical/segment checks (#GP(0), not #SS). */
        uint64_t base = (i->seg == S_FS || i->seg == S_GS || c->mode != 8) ? c->seg[i->seg].base : 0;
        if ((insn_offset(c, i) + base) & 15)
            cpu_gp0(c);
        uint64_t ea = insn_ea(c, i, 16);
        uint64_t m[2];
        mem_rmw_ptr(c, ea, 16);
        mem_read(c, ea, m, 16);
        int eq = m[0] == c->r[R_AX] && m[1] == c->r[R_DX];
        uint64_t w[2] = { c->r[R_BX], c->r[R_CX] };
        mem_write(c, ea, eq ? w : m, 16);
        if (!eq) {
            c->r[R_AX] = m[0];
            c->r[R_DX] = m[1];
        }
        flags_update(c, F_ZF, eq ? F_ZF : 0);
        return;
    }
    uint64_t ea = insn_ea(c, i, 8);
    mem_rmw_ptr(c, ea, 8);
    uint64_t m = mem_read64(c, ea);
    uint64_t cmp = (uint32_t)c->r[R_AX] | (uint64_t)(uint32_t)c->r[R_DX] << 32;
    int eq = m == cmp;
    mem_write64(c, ea, eq ? ((uint32_t)c->r[R_BX] | (uint64_t)(uint32_t)c->r[R_CX] << 32) : m);
    if (!eq) {
        reg_write(c, R_AX, m, 4);
        reg_write(c, R_DX, m >> 32, 4);
    }
    flags_update(c, F_ZF, eq ? F_ZF : 0);
}

/* XADD: dest = dest + src, src = old dest; flags as ADD. */
static inline void xadd_E(struct cpu *c, const struct insn *i, unsigned sz)
{
    struct eref ea = {0, 0}; uint64_t d = e_load(c, i, sz, &ea), s = op_read_G(c, i, sz);
    uint64_t r = (d + s) & size_mask(sz);
    /* SRC = old DEST first, then DEST = sum: with G == E the register ends up as the sum. */
    if (i->is_mem)
        e_store(c, i, sz, &ea, r);
    op_write_G(c, i, d, sz);
    if (!i->is_mem)
        reg_write(c, i->rm, r, sz);
    lf_set(c, LF_ADD, sz, r, d, s);
}
OP_HANDLER(op_xadd_Eb_Gb) { xadd_E(c, i, 1); }
OP_HANDLER(op_xadd_Ev_Gv) { xadd_E(c, i, i->osz); }

/* BSWAP: with a 16-bit operand the result is undefined; AMD (and Intel) give zero. */
OP_HANDLER(op_bswap_Zv)
{
    unsigned sz = i->osz;
    uint64_t v = c->r[i->reg];
    if (sz == 8)
        c->r[i->reg] = __builtin_bswap64(v);
    else if (sz == 4)
        reg_write(c, i->reg, __builtin_bswap32((uint32_t)v), 4);
    else
        reg_write(c, i->reg, 0, 2);
}

/* CMOVcc: the source is read (and may fault) either way; a 32-bit destination is
 * zero-extended even when the condition is false. */
OP_HANDLER(op_cmov_Gv_Ev)
{
    unsigned sz = i->osz;
    uint64_t s = e_read(c, i, sz);
    op_write_G(c, i, cond_eval(c, i->aux) ? s : op_read_G(c, i, sz), sz);
}
OP_HANDLER(op_set_Eb) { e_write(c, i, cond_eval(c, i->aux), 1); }

/* 98: CBW / CWDE / CDQE; 99: CWD / CDQ / CQO. */
OP_HANDLER(op_cbw_NONE)
{
    unsigned h = i->osz / 2;
    reg_write(c, R_AX, (uint64_t)sext(c->r[R_AX], h), i->osz);
}
OP_HANDLER(op_cwd_NONE)
{
    unsigned sz = i->osz;
    reg_write(c, R_DX, sext(c->r[R_AX], sz) < 0 ? ~0ull : 0, sz);
}

/* XLAT: AL = [seg:rBX + AL], rBX at the address size. */
OP_HANDLER(op_xlat_NONE)
{
    uint64_t off = (areg_read(c, R_BX, i->asz) + (uint8_t)c->r[R_AX]) & size_mask(i->asz);
    reg_write(c, R_AX, mem_read8(c, seg_linear(c, i->seg, off, 1)), 1);
}

/* LAHF/SAHF exist in 64-bit mode only with CPUID 80000001h.ECX[0]. */
static inline void lahf_check(struct cpu *c)
{
    if (c->mode == 8 && !cpu_has_feature(c, 0x80000001u, 2, 0))
        cpu_ud(c);
}
OP_HANDLER(op_lahf_NONE)
{
    lahf_check(c);
    uint64_t f = flags_get(c);
    reg_write(c, R_AH, (f & (F_SF | F_ZF | F_AF | F_PF | F_CF)) | 2, 1);
}
OP_HANDLER(op_sahf_NONE)
{
    lahf_check(c);
    uint32_t ah = (uint32_t)(c->r[R_AX] >> 8) & (F_SF | F_ZF | F_AF | F_PF | F_CF);
    flags_update(c, F_SF | F_ZF | F_AF | F_PF | F_CF, ah);
}
