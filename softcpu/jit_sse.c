/* jit_sse.c: the translator's SSE/SSE2 instructions and the guest MXCSR around them.
 *
 * A block with translated SSE instructions runs them on the host's SSE unit under the guest's
 * MXCSR: its entry checks that the guest has every exception masked and SSE enabled (CR0.EM and
 * CR0.TS clear, CR4.OSFXSR set) and otherwise leaves the whole block to the interpreter, which
 * raises #XM, #UD or #NM exactly; it then loads the guest MXCSR, and every way out stores it
 * back (with the status flags the host accumulated) and restores the host's. Nothing in such a
 * block can change MXCSR, CR0 or CR4 (jit.c keeps SSE with the interpreter in blocks that could).
 * Guest xmm registers stay in struct cpu; each instruction works on host xmm0 (ModRM.reg) and
 * xmm1 or [rsi + rdi] (ModRM.rm).
 */
#include "jit_int.h"
#include "simd.h"

static const uint32_t host_mxcsr = 0x1f80; /* the x86-64 ABI's, which the monitor keeps */

static int32_t off_xmm(unsigned n) { return OFF(fpu.xmm) + 16 * (int32_t)n; }

/* movdqu xmm<h>, [rbp + xmm n] and back */
static void xmm_load(struct jbuf *e, int h, unsigned n)
{
    eb(e, 0xf3), eb(e, 0x0f), eb(e, 0x6f);
    emit_mem(e, h, H_BP, H_NONE, 0, off_xmm(n));
}

static void xmm_store(struct jbuf *e, int h, unsigned n)
{
    eb(e, 0xf3), eb(e, 0x0f), eb(e, 0x7f);
    emit_mem(e, h, H_BP, H_NONE, 0, off_xmm(n));
}

/* mandatory prefix, REX.W when asked, 0F and the opcode */
static void sse_head(struct jbuf *e, const struct insn *i, bool w)
{
    static const uint8_t pfx[4] = {0, 0x66, 0xf3, 0xf2};
    if (SX_PFX(i->aux))
        eb(e, pfx[SX_PFX(i->aux)]);
    emit_rex(e, w, 0, 0, 0, false);
    eb(e, 0x0f), eb(e, i->op & 0xff);
}

/* rsi + rdi = host address of the memory operand; 16-byte forms that demand alignment leave
 * the misaligned case to the interpreter (#GP; rsi, the linear address, has the host's alignment) */
static void sse_mem(struct jctx *x, unsigned k, const struct insn *i, unsigned size, bool write)
{
    struct jbuf *e = &x->e;
    j_ea(x, i);
    struct side_exit *s = j_tlb(x, k, size, write); /* (no SSE instruction reads the flags) */
    if (SX_SIZE(i->aux) == SX_M128) {
        eb(e, 0x40), eb(e, 0xf6), eb(e, 0xc6), eb(e, 15); /* test sil, 15 */
        s->at[2] = emit_jcc32(e, 0x5);
    }
    x->mem++;
}

/* the ModRM operand, register 0 in ModRM.reg: [rsi + rdi] after sse_mem, else register form */
static void sse_rm(struct jctx *x, const struct insn *i, uint8_t reg_form)
{
    if (i->is_mem)
        eb(&x->e, 0x04), eb(&x->e, 0x3e); /* SIB: base rsi, index rdi */
    else
        eb(&x->e, reg_form);
}

/* i itself on xmm0 (ModRM.reg) and xmm1 or [rsi + rdi] (ModRM.rm), both loaded from the guest */
static void sse_op(struct jctx *x, unsigned k, const struct insn *i, bool store)
{
    struct jbuf *e = &x->e;
    if (i->is_mem)
        sse_mem(x, k, i, sx_bytes(i->aux), store);
    xmm_load(e, 0, i->reg);
    if (!i->is_mem)
        xmm_load(e, 1, i->rm);
    sse_head(e, i, false);
    sse_rm(x, i, 0xc1);
}

/* xmm <- xmm/m: arithmetic, logic, moves, compares; comis/ucomis write RFLAGS instead */
static void emit_sse(struct jctx *x, unsigned k, const struct insn *i)
{
    sse_op(x, k, i, false);
    if ((i->op & 0xff) == 0xc2)
        eb(&x->e, (unsigned)i->imm & 7); /* legacy CMPPS/CMPPD/CMPSS/CMPSD: predicate bits 2:0 */
    if (!(i->aux & SX_EFL))
        xmm_store(&x->e, 0, i->reg);
}

/* xmm/m <- xmm (a register destination keeps what the store leaves of it) */
static void emit_sse_store(struct jctx *x, unsigned k, const struct insn *i)
{
    sse_op(x, k, i, true);
    if (!i->is_mem)
        xmm_store(&x->e, 1, i->rm);
}

/* CVT(T)SS2SI/CVT(T)SD2SI r, xmm/m (ModRM.reg is the general register); MOVD/MOVQ r/m, xmm */
static void emit_sse_to_gpr(struct jctx *x, unsigned k, const struct insn *i)
{
    struct jbuf *e = &x->e;
    bool w = i->osz == 8, movd = (i->op & 0xff) == 0x7e;
    if (movd) {
        if (i->is_mem)
            sse_mem(x, k, i, w ? 8 : 4, true);
        xmm_load(e, 0, i->reg);
        sse_head(e, i, w);
        sse_rm(x, i, 0xc0); /* movd [rsi + rdi]/eax, xmm0 */
        if (!i->is_mem)
            j_put_reg(x, H_AX, i->rm);
        return;
    }
    if (i->is_mem)
        sse_mem(x, k, i, sx_bytes(i->aux), false);
    else
        xmm_load(e, 1, i->rm);
    sse_head(e, i, w);
    sse_rm(x, i, 0xc1); /* cvt eax/rax, xmm1/[rsi + rdi] */
    j_put_reg(x, H_AX, i->reg);
}

/* CVTSI2SS/CVTSI2SD xmm, r/m; MOVD/MOVQ xmm, r/m (the general register read as eax/rax) */
static void emit_sse_from_gpr(struct jctx *x, unsigned k, const struct insn *i)
{
    struct jbuf *e = &x->e;
    bool w = i->osz == 8;
    if (i->is_mem)
        sse_mem(x, k, i, w ? 8 : 4, false);
    else
        j_get_reg(x, H_AX, i->rm);
    xmm_load(e, 0, i->reg);
    sse_head(e, i, w);
    sse_rm(x, i, 0xc0);
    xmm_store(e, 0, i->reg);
}

void jit_emit_sse(struct jctx *x, unsigned k, const struct jop *j)
{
    const struct insn *i = &x->ins[k];
    switch (j->kind) {
    case K_SSE: emit_sse(x, k, i); break;
    case K_SSE_ST: emit_sse_store(x, k, i); break;
    case K_SSE_TOGPR: emit_sse_to_gpr(x, k, i); break;
    case K_SSE_FROMGPR: emit_sse_from_gpr(x, k, i); break;
    default: break;
    }
}

/* ---- MXCSR around the block ---- */

static void mxcsr_op(struct jbuf *e, unsigned digit, int base, int32_t off) /* ldmxcsr 2, stmxcsr 3 */
{
    emit_rex(e, false, 0, 0, base, false);
    eb(e, 0x0f), eb(e, 0xae);
    emit_mem(e, (int)digit, base, H_NONE, 0, off);
}

void jit_mxcsr_guest(struct jbuf *e) { mxcsr_op(e, 2, H_BP, OFF(fpu.mxcsr)); }

void jit_mxcsr_host(struct jbuf *e)
{
    mxcsr_op(e, 3, H_BP, OFF(fpu.mxcsr));
    emit_movi(e, H_CX, (uintptr_t)&host_mxcsr);
    mxcsr_op(e, 2, H_CX, 0);
}

/* Leave for the interpreter (jump site returned) unless SSE can run on the host as is (with
 * fp, unless the guest MXCSR masks every exception too). */
void jit_sse_guard(struct jbuf *e, uint8_t **bail, bool fp)
{
    bail[0] = NULL;
    if (fp) {
        emit_rm32(e, 0x8b, H_AX, OFF(fpu.mxcsr));
        eb(e, 0x25), en(e, MXCSR_MASKS, 4);         /* and eax, masks */
        eb(e, 0x3d), en(e, MXCSR_MASKS, 4);         /* cmp eax, masks */
        bail[0] = emit_jcc32(e, 0x5);
    }
    emit_rm32(e, 0x8b, H_AX, OFF(cr0));
    eb(e, 0xa9), en(e, CR0_TS | CR0_EM, 4);     /* test eax, TS|EM */
    bail[1] = emit_jcc32(e, 0x5);
    emit_rm32(e, 0x8b, H_AX, OFF(cr4));
    eb(e, 0xa9), en(e, CR4_OSFXSR, 4);          /* test eax, OSFXSR */
    bail[2] = emit_jcc32(e, 0x4);
}

bool jit_sse_mxcsr(const struct insn *i)
{
    unsigned b = i->op & 0xff;
    if ((i->op >> 8) != MAP_0F)
        return true;
    if (b <= 0x17 || b == 0x28 || b == 0x29 || b == 0x2b || b == 0x50 || (b >= 0x54 && b <= 0x57) || b == 0xc6)
        return false; /* moves, unpcklps/unpckhps, movmskps, and/andn/or/xor, shufps */
    if (b >= 0x60 && b <= 0x7f)
        return b == 0x7c || b == 0x7d; /* integer and moves, but haddp/hsubp */
    if (b >= 0xc4)
        return b == 0xd0 || b == 0xe6; /* integer and moves, but addsubp and the cvt*dq */
    return true;
}
