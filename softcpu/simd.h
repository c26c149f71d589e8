/* simd.h: helpers shared by the soft CPU's x87, MMX and SSE handlers (not for other families). */
#ifndef SOFTCPU_SIMD_H
#define SOFTCPU_SIMD_H

#include "cpu.h"

#define SIMD_HANDLER(name) void name(struct cpu *c, const struct insn *i)

/* aux encodings SX_* (SSE/MMX) and XA_* (x87) live in cpu.h beside the table. */

/* ---- MXCSR ---- */
#define MXCSR_IE 0x01u
#define MXCSR_DE 0x02u
#define MXCSR_ZE 0x04u
#define MXCSR_OE 0x08u
#define MXCSR_UE 0x10u
#define MXCSR_PE 0x20u
#define MXCSR_FTZ 0x8000u
#define MXCSR_FLAGS 0x3fu
#define MXCSR_MASKS 0x1f80u
#define MXCSR_DAZ 0x40u
#define MXCSR_SUPPORTED 0xffffu /* MXCSR_MASK we report: DAZ supported */

/* x87 status word bits */
#define FSW_ES 0x0080u
#define FSW_TOP 0x3800u
#define FSW_B 0x8000u

/* ---- the host CPU executing one instruction (simd_host.c) ---- */
/* Operands exchanged with a host stub: xmm0 (destination), xmm1 (source), rcx (integer
 * source), rax (integer result), rflags after. Stubs use ModRM 0xC1: reg 0, rm 1. */
struct host_io {
    uint8_t x0[16], x1[16];
    uint64_t rcx, rax, rflags;
    uint64_t mm0; /* host_mix_run only: mm0 after the stub */
};
/* Stub running "pfx [REX.W] 0F op C1"; pfx index as SX_PFX(aux). */
const void *host_sse_stub(unsigned pfx, unsigned rexw, unsigned op);
/* Stub for CMPPS/PD/SS/SD xmm0, xmm1 with predicate imm (0..7). */
const void *host_cmp_stub(unsigned pfx, unsigned imm);
/* Stub for x87 escape op (D8..DF) with ModRM; memory forms address [rdi]. */
const void *host_x87_stub(unsigned op, unsigned modrm);
/* Run an SSE stub under the guest's rounding/DAZ/FZ with all exceptions masked;
 * returns the MXCSR status flags the operation raised. */
uint32_t host_sse_run(const void *stub, struct host_io *io, uint32_t guest_mxcsr);
/* Run a stub mixing registers (CVTPI2PS xmm0, mm1; CVTPS2PI mm0, xmm1): xmm0 = x0,
 * xmm1 = x1, mm1 = x1[0..7]; out: x0 = xmm0, mm0. MXCSR as host_sse_run. */
uint32_t host_mix_run(const void *stub, struct host_io *io, uint32_t guest_mxcsr);
/* Run an MMX stub with mm0 = x0[0..7], mm1 = x1[0..7] (host x87 left empty). */
void host_mmx_run(const void *stub, struct host_io *io);
/* Run an x87 stub with the host FPU loaded from the FXSAVE image img (16-aligned, written
 * back), mem = [rdi]; *rflags in: guest arithmetic flags (FCMOVcc); out: host flags. */
void host_x87_run(uint8_t *img, const void *stub, void *mem, uint64_t *rflags);

/* ---- state conversions (fpu_state.c) ---- */
/* FXSAVE64 image of the state; bytes 464..511 are left untouched. */
void fpu_to_fxsave(const struct fpu *f, uint8_t *img, uint32_t mxcsr_mask);
/* Load from an FXSAVE64 image (MXCSR must have been validated by the caller). */
void fpu_from_fxsave(struct fpu *f, const uint8_t *img);
/* MXCSR bits LDMXCSR/FXRSTOR accept (the MXCSR_MASK FXSAVE reports). */
uint32_t fpu_mxcsr_mask(struct cpu *c);
/* The x87 part only (bytes 0..159): the host FPU runs guest x87 instructions from it. */
void fpu_x87_to_image(const struct fpu *f, uint8_t *img);
void fpu_x87_from_image(struct fpu *f, const uint8_t *img);
/* FCW reserved bits and the ES/B summary as loading the words leaves them. */
void fpu_x87_normalize(struct fpu *f);
/* Full 16-bit status word with TOP. */
static inline uint16_t fpu_fsw(const struct fpu *f)
{
    return (uint16_t)((f->fsw & ~FSW_TOP) | ((f->top & 7u) << 11));
}

/* ---- checks and operand access (simd_ops.c) ---- */
void sse_check(struct cpu *c);   /* #UD if CR0.EM or !CR4.OSFXSR, #NM if CR0.TS */
void mmx_check(struct cpu *c);   /* #UD if EM, #NM if TS, #MF if an x87 exception pends */
void mmx_enter(struct cpu *c);   /* after the checks: TOP = 0, every tag valid */
void x87_check(struct cpu *c, bool waiting); /* #NM if EM or TS; #MF pending if waiting */
/* Linear address of a memory operand of `size` bytes; #GP(0) if align16 and misaligned. */
uint64_t simd_ea(struct cpu *c, const struct insn *i, unsigned size, bool align16);
/* Bytes and alignment rule of an SX_ size code. */
unsigned sx_bytes(unsigned aux);
/* W operand into out[16]: a register's 16 bytes, or memory of the entry's size (rest 0). */
void sse_read_W(struct cpu *c, const struct insn *i, uint8_t out[16]);
/* Q operand (mm register or m64). */
uint64_t mmx_read_Q(struct cpu *c, const struct insn *i);
/* host_sse_run under the guest's MXCSR, with unmasked-underflow detection. */
uint32_t sse_host_exec(struct cpu *c, const void *stub, struct host_io *io);
/* Flags to report when an unmasked OE/UE was raised by op (pfx index as SX_PFX) on the
 * inputs x0 (destination) and x1 (source) (sse_xm.c). */
uint32_t sse_xm_flags(struct cpu *c, unsigned pfx, unsigned op, const uint8_t *x0,
                      const uint8_t *x1, uint32_t flags);
/* Apply raised MXCSR flags: #XM (or #UD without CR4.OSXMMEXCPT) if any is unmasked. */
void sse_raise_flags(struct cpu *c, uint32_t flags);

static inline uint8_t *xmm(struct cpu *c, unsigned n) { return c->fpu.xmm[n & 15]; }

/* MMX register n is the mantissa of physical x87 register n. */
static inline uint64_t mm_get(const struct cpu *c, unsigned n)
{
    uint64_t v;
    memcpy(&v, &c->fpu.st[n & 7], 8);
    return v;
}
/* Writing one sets the exponent and sign to all ones, as hardware does. */
static inline void mm_set(struct cpu *c, unsigned n, uint64_t v)
{
    uint8_t *p = (uint8_t *)&c->fpu.st[n & 7];
    memcpy(p, &v, 8);
    p[8] = p[9] = 0xff;
}

static inline uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline void st64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

#endif
