/* sse_int.c: integer SIMD instructions with an immediate or an implicit operand:
 * shifts by immediate, byte shifts, shuffles, PINSRW/PEXTRW, MASKMOVDQU/MASKMOVQ. */
#include "simd.h"

/* Shift groups 0F 71/72/73 /2 /4 /6 by imm8 behave exactly like the 0F Dx/Ex/Fx shifts
 * with that count in a register, so the host runs the register form. */
static unsigned shift_count_op(const struct insn *i)
{
    unsigned ext = (i->modrm >> 3) & 7, sz = (i->op & 0xff) - 0x70;
    return (ext == 2 ? 0xd0 : ext == 4 ? 0xe0 : 0xf0) + sz;
}

SIMD_HANDLER(sse_shift_Ux_Ib)
{
    struct host_io io = {0};
    sse_check(c);
    memcpy(io.x0, xmm(c, i->rm), 16);
    io.x1[0] = (uint8_t)i->imm;
    host_sse_run(host_sse_stub(SX_PFX(SX_66), 0, shift_count_op(i)), &io, c->fpu.mxcsr);
    memcpy(xmm(c, i->rm), io.x0, 16);
}

SIMD_HANDLER(mmx_shift_Nq_Ib)
{
    struct host_io io = {0};
    mmx_check(c);
    st64(io.x0, mm_get(c, i->rm & 7));
    io.x1[0] = (uint8_t)i->imm;
    host_mmx_run(host_sse_stub(0, 0, shift_count_op(i)), &io);
    mmx_enter(c);
    mm_set(c, i->rm & 7, ld64(io.x0));
}

/* PSRLDQ (73 /3) and PSLLDQ (73 /7): whole-register byte shifts; counts > 15 clear it. */
SIMD_HANDLER(sse_bshift_Ux_Ib)
{
    uint8_t src[16], dst[16] = {0};
    unsigned n = (unsigned)(i->imm & 0xff);
    bool left = ((i->modrm >> 3) & 7) == 7;
    sse_check(c);
    memcpy(src, xmm(c, i->rm), 16);
    for (unsigned k = 0; k < 16 && n < 16; k++) {
        if (left && k >= n)
            dst[k] = src[k - n];
        if (!left && k + n < 16)
            dst[k] = src[k + n];
    }
    memcpy(xmm(c, i->rm), dst, 16);
}

/* PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2) xmm, xmm/m128, imm8. */
SIMD_HANDLER(sse_pshuf_Vx_Wx_Ib)
{
    uint8_t s[16], d[16];
    unsigned imm = (unsigned)i->imm & 0xff, pfx = SX_PFX(i->aux);
    sse_check(c);
    sse_read_W(c, i, s);
    memcpy(d, s, 16);
    for (unsigned k = 0; k < 4; k++) {
        unsigned sel = (imm >> (2 * k)) & 3;
        if (pfx == SX_PFX(SX_66))
            memcpy(d + 4 * k, s + 4 * sel, 4);
        else if (pfx == SX_PFX(SX_F3))
            memcpy(d + 8 + 2 * k, s + 8 + 2 * sel, 2);
        else
            memcpy(d + 2 * k, s + 2 * sel, 2);
    }
    memcpy(xmm(c, i->reg), d, 16);
}

/* PSHUFW mm, mm/m64, imm8. */
SIMD_HANDLER(mmx_pshufw_Pq_Qq_Ib)
{
    mmx_check(c);
    uint64_t s = mmx_read_Q(c, i), d = 0;
    for (unsigned k = 0; k < 4; k++)
        d |= ((s >> (16 * ((i->imm >> (2 * k)) & 3))) & 0xffff) << (16 * k);
    mmx_enter(c);
    mm_set(c, i->reg & 7, d);
}

/* SHUFPS: low half from the destination, high half from the source (4 x 32 bits);
 * SHUFPD likewise with 2 x 64 bits. */
SIMD_HANDLER(sse_shuf_Vx_Wx_Ib)
{
    uint8_t s[16], d[16], r[16];
    unsigned imm = (unsigned)i->imm & 0xff;
    sse_check(c);
    sse_read_W(c, i, s);
    memcpy(d, xmm(c, i->reg), 16);
    if (SX_PFX(i->aux) == SX_PFX(SX_66)) {
        memcpy(r, d + 8 * (imm & 1), 8);
        memcpy(r + 8, s + 8 * ((imm >> 1) & 1), 8);
    } else {
        for (unsigned k = 0; k < 4; k++)
            memcpy(r + 4 * k, (k < 2 ? d : s) + 4 * ((imm >> (2 * k)) & 3), 4);
    }
    memcpy(xmm(c, i->reg), r, 16);
}

/* PINSRW xmm, r32/m16, imm8: word imm&7. */
SIMD_HANDLER(sse_pinsrw_Vx_Ew_Ib)
{
    sse_check(c);
    uint16_t v = (uint16_t)op_read_E(c, i, 2);
    memcpy(xmm(c, i->reg) + 2 * (i->imm & 7), &v, 2);
}

SIMD_HANDLER(mmx_pinsrw_Pq_Ew_Ib)
{
    mmx_check(c);
    uint64_t v = op_read_E(c, i, 2), sh = 16 * (i->imm & 3);
    uint64_t d = (mm_get(c, i->reg & 7) & ~(0xffffull << sh)) | (v << sh);
    mmx_enter(c);
    mm_set(c, i->reg & 7, d);
}

/* PEXTRW r32, xmm, imm8 (zero-extended into the full register). */
SIMD_HANDLER(sse_pextrw_Gd_Ux_Ib)
{
    uint16_t v;
    sse_check(c);
    memcpy(&v, xmm(c, i->rm) + 2 * (i->imm & 7), 2);
    reg_write(c, i->reg, v, 4);
}

SIMD_HANDLER(mmx_pextrw_Gd_Nq_Ib)
{
    mmx_check(c);
    uint64_t v = (mm_get(c, i->rm & 7) >> (16 * (i->imm & 3))) & 0xffff;
    mmx_enter(c);
    reg_write(c, i->reg, v, 4);
}

/* Byte-masked store to DS:rDI (segment overridable). The bytes are read, merged and written
 * as one access so a fault leaves memory untouched; an all-zero mask writes nothing. */
static void maskmov(struct cpu *c, const struct insn *i, const uint8_t *data, const uint8_t *mask,
                    unsigned n)
{
    uint8_t buf[16];
    unsigned any = 0;
    for (unsigned k = 0; k < n; k++)
        any |= mask[k] & 0x80;
    /* the destination must be writable even for an all-zero mask (the host CPU faults then
     * too), and a fault is a write's (#PF error code W) */
    uint64_t lin = seg_linear(c, i->seg, c->r[R_DI] & size_mask(i->asz), n);
    mem_check(c, lin, n, ACC_W);
    if (!any)
        return;
    mem_read(c, lin, buf, n);
    for (unsigned k = 0; k < n; k++)
        if (mask[k] & 0x80)
            buf[k] = data[k];
    mem_write(c, lin, buf, n);
}

SIMD_HANDLER(sse_maskmovdqu_Vx_Ux)
{
    sse_check(c);
    maskmov(c, i, xmm(c, i->reg), xmm(c, i->rm), 16);
}

SIMD_HANDLER(mmx_maskmovq_Pq_Nq)
{
    uint8_t d[8], m[8];
    mmx_check(c);
    st64(d, mm_get(c, i->reg & 7));
    st64(m, mm_get(c, i->rm & 7));
    maskmov(c, i, d, m, 8);
    mmx_enter(c);
}
