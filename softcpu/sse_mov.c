/* sse_mov.c: SSE/SSE2/MMX data movement: full, scalar and half-register moves, MOVD/MOVQ,
 * non-temporal stores. Pure copies: no MXCSR involvement. */
#include "simd.h"

/* MOVAPS MOVAPD MOVDQA (aligned) and MOVUPS MOVUPD MOVDQU (unaligned) loads. */
SIMD_HANDLER(sse_mov_Vx_Wx)
{
    uint8_t v[16];
    sse_check(c);
    sse_read_W(c, i, v);
    memcpy(xmm(c, i->reg), v, 16);
}

/* The matching stores, and MOVNTPS/MOVNTPD/MOVNTDQ (aligned, memory only). */
SIMD_HANDLER(sse_mov_Wx_Vx)
{
    sse_check(c);
    if (!i->is_mem) {
        memcpy(xmm(c, i->rm), xmm(c, i->reg), 16);
        return;
    }
    uint64_t ea = simd_ea(c, i, 16, SX_SIZE(i->aux) == SX_M128);
    mem_write(c, ea, xmm(c, i->reg), 16);
}

/* MOVSS/MOVSD load: a register source merges the low element, memory zeroes the rest. */
SIMD_HANDLER(sse_movs_Vx_Wx)
{
    unsigned n = sx_bytes(i->aux);
    uint8_t v[16];
    sse_check(c);
    if (!i->is_mem) {
        memcpy(xmm(c, i->reg), xmm(c, i->rm), n);
        return;
    }
    sse_read_W(c, i, v);
    memcpy(xmm(c, i->reg), v, 16);
}

/* MOVSS/MOVSD store, and every store of a low element: MOVLPS/MOVLPD m64 (0F 13),
 * MOVQ xmm/m64, xmm (66 0F D6, whose register form zeroes the upper half). */
SIMD_HANDLER(sse_movs_Wx_Vx)
{
    unsigned n = sx_bytes(i->aux);
    sse_check(c);
    if (i->is_mem) {
        mem_write(c, simd_ea(c, i, n, false), xmm(c, i->reg), n);
        return;
    }
    uint8_t *d = xmm(c, i->rm);
    memmove(d, xmm(c, i->reg), n);
    if ((i->op & 0xff) == 0xd6)
        memset(d + 8, 0, 8);
}

/* 0F 12: MOVLPS/MOVLPD xmm, m64 (low half), or MOVHLPS xmm, xmm (high half to low). */
SIMD_HANDLER(sse_movlp_Vx_Wx)
{
    uint8_t v[8];
    sse_check(c);
    if (i->is_mem)
        mem_read(c, simd_ea(c, i, 8, false), v, 8);
    else
        memcpy(v, xmm(c, i->rm) + 8, 8);
    memcpy(xmm(c, i->reg), v, 8);
}

/* 0F 16: MOVHPS/MOVHPD xmm, m64 (high half), or MOVLHPS xmm, xmm (low half to high). */
SIMD_HANDLER(sse_movhp_Vx_Wx)
{
    uint8_t v[8];
    sse_check(c);
    if (i->is_mem)
        mem_read(c, simd_ea(c, i, 8, false), v, 8);
    else
        memcpy(v, xmm(c, i->rm), 8);
    memcpy(xmm(c, i->reg) + 8, v, 8);
}

/* 0F 17: MOVHPS/MOVHPD m64, xmm. */
SIMD_HANDLER(sse_movhp_Wx_Vx)
{
    sse_check(c);
    mem_write(c, simd_ea(c, i, 8, false), xmm(c, i->reg) + 8, 8);
}

/* MOVQ xmm, xmm/m64 (F3 0F 7E): the upper half is zeroed. */
SIMD_HANDLER(sse_movq_Vx_Wx)
{
    uint8_t v[16] = {0};
    sse_check(c);
    if (i->is_mem)
        mem_read(c, simd_ea(c, i, 8, false), v, 8);
    else
        memcpy(v, xmm(c, i->rm), 8);
    memcpy(xmm(c, i->reg), v, 16);
}

/* MOVD/MOVQ xmm, r/m32 or r/m64 (66 [REX.W] 0F 6E): zero-extended to 128 bits. */
SIMD_HANDLER(sse_movd_Vx_Ev)
{
    uint8_t v[16] = {0};
    sse_check(c);
    st64(v, op_read_E(c, i, i->osz == 8 ? 8 : 4));
    memcpy(xmm(c, i->reg), v, 16);
}

/* MOVD/MOVQ r/m32 or r/m64, xmm (66 [REX.W] 0F 7E). */
SIMD_HANDLER(sse_movd_Ev_Vx)
{
    sse_check(c);
    op_write_E(c, i, ld64(xmm(c, i->reg)), i->osz == 8 ? 8 : 4);
}

/* MOVNTI m32/m64, r (0F C3): an ordinary store here. */
SIMD_HANDLER(sse_movnti_Ev_Gv)
{
    unsigned n = i->osz == 8 ? 8 : 4;
    op_write_E(c, i, op_read_G(c, i, n), n);
}

/* ---- MMX moves ---- */

/* MOVD/MOVQ mm, r/m32 or r/m64 (0F 6E). */
SIMD_HANDLER(mmx_movd_Pq_Ev)
{
    mmx_check(c);
    uint64_t v = op_read_E(c, i, i->osz == 8 ? 8 : 4);
    mmx_enter(c);
    mm_set(c, i->reg & 7, v);
}

/* MOVD/MOVQ r/m32 or r/m64, mm (0F 7E). */
SIMD_HANDLER(mmx_movd_Ev_Pq)
{
    mmx_check(c);
    op_write_E(c, i, mm_get(c, i->reg & 7), i->osz == 8 ? 8 : 4);
    mmx_enter(c);
}

/* MOVQ mm, mm/m64 (0F 6F). */
SIMD_HANDLER(mmx_movq_Pq_Qq)
{
    mmx_check(c);
    uint64_t v = mmx_read_Q(c, i);
    mmx_enter(c);
    mm_set(c, i->reg & 7, v);
}

/* MOVQ mm/m64, mm (0F 7F) and MOVNTQ m64, mm (0F E7). */
SIMD_HANDLER(mmx_movq_Qq_Pq)
{
    mmx_check(c);
    uint64_t v = mm_get(c, i->reg & 7);
    if (i->is_mem)
        mem_write64(c, simd_ea(c, i, 8, false), v);
    mmx_enter(c);
    if (!i->is_mem)
        mm_set(c, i->rm & 7, v);
}

/* MOVQ2DQ xmm, mm (F3 0F D6). Both SSE2 and x87-state rules apply. */
SIMD_HANDLER(sse_movq2dq_Vx_Pq)
{
    uint8_t v[16] = {0};
    sse_check(c);
    mmx_check(c);
    st64(v, mm_get(c, i->rm & 7));
    mmx_enter(c);
    memcpy(xmm(c, i->reg), v, 16);
}

/* MOVDQ2Q mm, xmm (F2 0F D6). */
SIMD_HANDLER(sse_movdq2q_Pq_Wx)
{
    sse_check(c);
    mmx_check(c);
    uint64_t v = ld64(xmm(c, i->rm));
    mmx_enter(c);
    mm_set(c, i->reg & 7, v);
}
