/* simd_ops.c: SSE/MMX availability checks, operand access, and the generic handlers that
 * run an instruction on the host CPU with normalised operands. */
#include "simd.h"

void sse_check(struct cpu *c)
{
    if ((c->cr0 & CR0_EM) || !(c->cr4 & CR4_OSFXSR))
        cpu_ud(c);
    if (c->cr0 & CR0_TS)
        cpu_fault(c, EXC_NM, 0);
}

/* MMX instructions are x87-state instructions: they report a pending x87 exception
 * before doing anything. #MF is raised even with CR0.NE clear (where hardware would
 * signal FERR# and freeze): the host's x87 must never see a pending exception. */
void mmx_check(struct cpu *c)
{
    if (c->cr0 & CR0_EM)
        cpu_ud(c);
    if (c->cr0 & CR0_TS)
        cpu_fault(c, EXC_NM, 0);
    if (c->fpu.fsw & FSW_ES)
        cpu_fault(c, EXC_MF, 0);
}

/* Every MMX instruction, EMMS included, sets TOP to 0 (EMMS then empties the tags). */
void mmx_enter(struct cpu *c)
{
    c->fpu.top = 0;
    c->fpu.ftw = 0xff;
}

/* #NM for EM as well as TS (x87 emulation is not offered); #MF as in mmx_check. */
void x87_check(struct cpu *c, bool waiting)
{
    if (c->cr0 & (CR0_EM | CR0_TS))
        cpu_fault(c, EXC_NM, 0);
    if (waiting && (c->fpu.fsw & FSW_ES))
        cpu_fault(c, EXC_MF, 0);
}

/* Legacy SSE requires 16-byte alignment of 128-bit operands: #GP(0), before any #PF and
 * before a non-canonical stack address's #SS (as the host CPU orders them). */
uint64_t simd_ea(struct cpu *c, const struct insn *i, unsigned size, bool align16)
{
    uint64_t base = (c->mode != 8 || i->seg == S_FS || i->seg == S_GS) ? c->seg[i->seg].base : 0;
    if (align16 && ((insn_offset(c, i) + base) & 15))
        cpu_gp0(c);
    return insn_ea(c, i, size);
}

unsigned sx_bytes(unsigned aux)
{
    static const uint8_t bytes[8] = {16, 16, 16, 8, 4, 2, 16, 16};
    return bytes[SX_SIZE(aux)];
}

void sse_read_W(struct cpu *c, const struct insn *i, uint8_t out[16])
{
    if (!i->is_mem) {
        memcpy(out, xmm(c, i->rm), 16);
        return;
    }
    unsigned n = sx_bytes(i->aux);
    uint64_t ea = simd_ea(c, i, n, SX_SIZE(i->aux) == SX_M128);
    memset(out, 0, 16);
    mem_read(c, ea, out, n);
}

/* m64, or m32 for the MMX PUNPCKL forms (SX_M32). */
uint64_t mmx_read_Q(struct cpu *c, const struct insn *i)
{
    if (!i->is_mem)
        return mm_get(c, i->rm & 7);
    if (SX_SIZE(i->aux) == SX_M32)
        return mem_read32(c, simd_ea(c, i, 4, false));
    return mem_read64(c, simd_ea(c, i, 8, false));
}

/* IE, DE and ZE are detected before the operation: when one of them is unmasked the
 * hardware stops there and reports only those; otherwise every raised flag is set (with
 * PE as sse_xm_flags recomputed it for an unmasked overflow or underflow). */
void sse_raise_flags(struct cpu *c, uint32_t flags)
{
    uint32_t unmasked = flags & ~(c->fpu.mxcsr >> 7) & MXCSR_FLAGS;
    if (!unmasked) {
        c->fpu.mxcsr |= flags;
        return;
    }
    uint32_t pre = flags & (MXCSR_IE | MXCSR_DE | MXCSR_ZE);
    if (pre & unmasked)
        flags = pre;
    c->fpu.mxcsr |= flags;
    cpu_fault(c, (c->cr4 & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD, 0);
}

/* The host runs with every exception masked, and a masked underflow is only flagged when the
 * tiny result is also inexact; unmasked, any tiny result counts. Flush-to-zero flags every
 * tiny result, so a second run with FTZ tells whether there was one. */
uint32_t sse_host_exec(struct cpu *c, const void *stub, struct host_io *io)
{
    struct host_io again = *io;
    uint32_t mx = c->fpu.mxcsr, fl = host_sse_run(stub, io, mx);
    if (!(mx & (MXCSR_UE << 7)) && !(fl & MXCSR_UE) &&
        (host_sse_run(stub, &again, mx | MXCSR_FTZ) & MXCSR_UE))
        fl |= MXCSR_UE;
    return fl;
}

/* ---- generic handlers: the host executes "op xmm0, xmm1" ---- */

static uint32_t run_V_W(struct cpu *c, const struct insn *i, const void *stub, struct host_io *io)
{
    sse_check(c);
    sse_read_W(c, i, io->x1);
    memcpy(io->x0, xmm(c, i->reg), 16);
    io->rcx = io->rax = 0;
    return sse_host_exec(c, stub, io);
}

/* Arithmetic, logic, compare, pack/unpack, conversions xmm <- xmm/m; COMISS-style
 * entries (SX_EFL) write RFLAGS instead of the register. */
SIMD_HANDLER(sse_host_Vx_Wx)
{
    struct host_io io;
    unsigned pfx = SX_PFX(i->aux), op = i->op & 0xff;
    uint32_t fl = run_V_W(c, i, host_sse_stub(pfx, 0, op), &io);
    if (fl & ~(c->fpu.mxcsr >> 7) & (MXCSR_OE | MXCSR_UE)) /* the register still holds the input */
        fl = sse_xm_flags(c, pfx, op, xmm(c, i->reg), io.x1, fl);
    sse_raise_flags(c, fl);
    if (i->aux & SX_EFL)
        flags_update(c, F_ARITH, (uint32_t)io.rflags & (F_ZF | F_PF | F_CF));
    else
        memcpy(xmm(c, i->reg), io.x0, 16);
}

/* CMPPS/CMPPD/CMPSS/CMPSD: legacy SSE uses predicate bits 2:0 only. */
SIMD_HANDLER(sse_cmp_Vx_Wx_Ib)
{
    struct host_io io;
    uint32_t fl = run_V_W(c, i, host_cmp_stub(SX_PFX(i->aux), (unsigned)i->imm & 7), &io);
    sse_raise_flags(c, fl);
    memcpy(xmm(c, i->reg), io.x0, 16);
}

/* CVT(T)SS2SI / CVT(T)SD2SI r32/r64, xmm/m. */
SIMD_HANDLER(sse_cvt_Gv_Wx)
{
    struct host_io io;
    unsigned w = i->osz == 8;
    uint32_t fl = run_V_W(c, i, host_sse_stub(SX_PFX(i->aux), w, i->op & 0xff), &io);
    sse_raise_flags(c, fl);
    reg_write(c, i->reg, io.rax, w ? 8 : 4);
}

/* CVTSI2SS / CVTSI2SD xmm, r/m32 or r/m64. */
SIMD_HANDLER(sse_cvt_Vx_Ev)
{
    struct host_io io;
    unsigned w = i->osz == 8;
    sse_check(c);
    io.rcx = op_read_E(c, i, w ? 8 : 4);
    io.rax = 0;
    memset(io.x1, 0, 16);
    memcpy(io.x0, xmm(c, i->reg), 16);
    uint32_t fl = host_sse_run(host_sse_stub(SX_PFX(i->aux), w, i->op & 0xff), &io, c->fpu.mxcsr);
    sse_raise_flags(c, fl);
    memcpy(xmm(c, i->reg), io.x0, 16);
}

/* MOVMSKPS/MOVMSKPD/PMOVMSKB r32, xmm (zero-extended into the 64-bit register). */
SIMD_HANDLER(sse_host_Gd_Ux)
{
    struct host_io io;
    run_V_W(c, i, host_sse_stub(SX_PFX(i->aux), 0, i->op & 0xff), &io);
    reg_write(c, i->reg, (uint32_t)io.rax, 4);
}

/* ---- MMX: the host executes "op mm0, mm1" ---- */

static void run_P_Q(struct cpu *c, const struct insn *i, struct host_io *io)
{
    mmx_check(c);
    memset(io, 0, sizeof *io);
    st64(io->x1, mmx_read_Q(c, i));
    st64(io->x0, mm_get(c, i->reg & 7));
    host_mmx_run(host_sse_stub(0, 0, i->op & 0xff), io);
    mmx_enter(c);
}

SIMD_HANDLER(mmx_host_Pq_Qq)
{
    struct host_io io;
    run_P_Q(c, i, &io);
    mm_set(c, i->reg & 7, ld64(io.x0));
}

/* PMOVMSKB r32, mm. */
SIMD_HANDLER(mmx_host_Gd_Nq)
{
    struct host_io io;
    run_P_Q(c, i, &io);
    reg_write(c, i->reg, (uint32_t)io.rax, 4);
}

/* ---- conversions between MMX and XMM registers ---- */

/* CVTPI2PS / CVTPI2PD xmm, mm/m64: an MMX register source makes the x87-to-MMX
 * transition; a memory source does not touch the x87 state. */
SIMD_HANDLER(sse_cvt_Vx_Qq)
{
    struct host_io io = {0};
    sse_check(c);
    if (!i->is_mem)
        mmx_check(c);
    st64(io.x1, mmx_read_Q(c, i));
    memcpy(io.x0, xmm(c, i->reg), 16);
    uint32_t fl = host_mix_run(host_sse_stub(SX_PFX(i->aux), 0, i->op & 0xff), &io, c->fpu.mxcsr);
    if (!i->is_mem)
        mmx_enter(c); /* the transition happens even when #XM follows */
    sse_raise_flags(c, fl);
    memcpy(xmm(c, i->reg), io.x0, 16);
}

/* CVT(T)PS2PI / CVT(T)PD2PI mm, xmm/m. */
SIMD_HANDLER(sse_cvt_Pq_Wx)
{
    struct host_io io = {0};
    sse_check(c);
    mmx_check(c);
    sse_read_W(c, i, io.x1);
    uint32_t fl = host_mix_run(host_sse_stub(SX_PFX(i->aux), 0, i->op & 0xff), &io, c->fpu.mxcsr);
    mmx_enter(c); /* the transition happens even when #XM follows */
    sse_raise_flags(c, fl);
    mm_set(c, i->reg & 7, io.mm0);
}
