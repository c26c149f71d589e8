/* fpu_state.c: x87/SSE state in FXSAVE layout: conversions, FXSAVE/FXRSTOR, LDMXCSR/STMXCSR,
 * and the public scpu_get_fpu/scpu_set_fpu. */
#include "simd.h"

/* FXSAVE64 layout offsets (SDM Vol. 1, 10.5.1) */
enum {
    FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_FOP = 6, FX_FIP = 8, FX_FDP = 16, FX_MXCSR = 24,
    FX_MXCSR_MASK = 28, FX_ST = 32, FX_XMM = 160, FX_USED = 464,
};

/* Registers are stored in stack order: slot k holds ST(k) = physical (TOP + k) mod 8. */
void fpu_x87_to_image(const struct fpu *f, uint8_t *img)
{
    uint16_t fsw = fpu_fsw(f), fop = f->fop & 0x7ff;
    memset(img, 0, FX_XMM);
    memcpy(img + FX_FCW, &f->fcw, 2);
    memcpy(img + FX_FSW, &fsw, 2);
    img[FX_FTW] = f->ftw;
    memcpy(img + FX_FOP, &fop, 2);
    memcpy(img + FX_FIP, &f->fip, 8);
    memcpy(img + FX_FDP, &f->fdp, 8);
    for (unsigned k = 0; k < 8; k++)
        memcpy(img + FX_ST + 16 * k, &f->st[(f->top + k) & 7], 10);
}

void fpu_x87_from_image(struct fpu *f, const uint8_t *img)
{
    memcpy(&f->fcw, img + FX_FCW, 2);
    memcpy(&f->fsw, img + FX_FSW, 2);
    f->top = (uint8_t)((f->fsw >> 11) & 7);
    f->ftw = img[FX_FTW];
    memcpy(&f->fop, img + FX_FOP, 2);
    f->fop &= 0x7ff;
    memcpy(&f->fip, img + FX_FIP, 8);
    memcpy(&f->fdp, img + FX_FDP, 8);
    for (unsigned k = 0; k < 8; k++) {
        uint8_t *p = (uint8_t *)&f->st[(f->top + k) & 7];
        memset(p, 0, sizeof(long double));
        memcpy(p, img + FX_ST + 16 * k, 10);
    }
}

/* What loading a control and status word does (FLDCW, FLDENV, FXRSTOR): the reserved
 * control bits read as the hardware fixes them, and ES/B follow the flags and masks. */
void fpu_x87_normalize(struct fpu *f)
{
    f->fcw = (uint16_t)((f->fcw & 0x1f3f) | 0x40);
    if (f->fsw & ~f->fcw & 0x3fu)
        f->fsw |= FSW_ES | FSW_B;
    else
        f->fsw &= (uint16_t)~(FSW_ES | FSW_B);
}

void fpu_to_fxsave(const struct fpu *f, uint8_t *img, uint32_t mxcsr_mask)
{
    fpu_x87_to_image(f, img);
    memcpy(img + FX_MXCSR, &f->mxcsr, 4);
    memcpy(img + FX_MXCSR_MASK, &mxcsr_mask, 4);
    memcpy(img + FX_XMM, f->xmm, 256);
    memset(img + FX_XMM + 256, 0, FX_USED - FX_XMM - 256);
}

void fpu_from_fxsave(struct fpu *f, const uint8_t *img)
{
    fpu_x87_from_image(f, img);
    f->fcs = f->fds = 0; /* the 64-bit layout has no selectors */
    fpu_x87_normalize(f);
    memcpy(&f->mxcsr, img + FX_MXCSR, 4);
    memcpy(f->xmm, img + FX_XMM, 256);
}

/* ---- public API: the state as KVM_GET_FPU/KVM_SET_FPU would give it ---- */

/* struct scpu is the engine's handle around struct cpu: the cpu comes first. */
static struct cpu *api_cpu(struct scpu *s) { return (struct cpu *)(void *)s; }

void scpu_get_fpu(struct scpu *cpu, struct scpu_fpu *out)
{
    memset(out->fxsave, 0, sizeof out->fxsave);
    fpu_to_fxsave(&api_cpu(cpu)->fpu, out->fxsave, fpu_mxcsr_mask(api_cpu(cpu)));
}

/* Bits the CPU does not support are dropped rather than refused: the API has no error. */
void scpu_set_fpu(struct scpu *cpu, const struct scpu_fpu *in)
{
    struct fpu *f = &api_cpu(cpu)->fpu;
    fpu_from_fxsave(f, in->fxsave);
    f->mxcsr &= fpu_mxcsr_mask(api_cpu(cpu));
}

/* ---- FXSAVE / FXRSTOR ---- */

/* Without REX.W the instruction pointer and data pointer are 32-bit offsets, each followed
 * by its selector (FCS, FDS). Outside 64-bit mode only XMM0-7 exist. */
static bool fx_is_legacy(struct cpu *c, const struct insn *i)
{
    return !(c->mode == 8 && (i->pfx & P_REXW));
}

static void fx_legacy_layout(struct cpu *c, const struct insn *i, uint8_t *img)
{
    if (!fx_is_legacy(c, i))
        return;
    memset(img + FX_FIP + 4, 0, 4);
    memset(img + FX_FDP + 4, 0, 4);
    memcpy(img + FX_FIP + 4, &c->fpu.fcs, 2);
    memcpy(img + FX_FDP + 4, &c->fpu.fds, 2);
}

/* FXRSTOR64 has no selector fields: they read as 0 afterwards. The legacy form loads
 * 32-bit offsets and the selectors. */
static void fx_legacy_selectors(struct cpu *c, const struct insn *i, const uint8_t *img)
{
    c->fpu.fcs = c->fpu.fds = 0;
    if (fx_is_legacy(c, i)) {
        memcpy(&c->fpu.fcs, img + FX_FIP + 4, 2);
        memcpy(&c->fpu.fds, img + FX_FDP + 4, 2);
        c->fpu.fip &= 0xffffffffu;
        c->fpu.fdp &= 0xffffffffu;
    }
}

/* The hardware we model (AMD) touches the last byte of the 512-byte area first, so a
 * fault on a later page reports that byte in CR2; a crossing write faults before storing.
 * Unlike SSE operands, the address's segment checks (#SS, #GP) come before alignment's. */
static uint64_t fx_area(struct cpu *c, const struct insn *i, int acc)
{
    uint64_t ea = insn_ea(c, i, 512), got;
    if (ea & 15)
        cpu_gp0(c);
    if (acc == ACC_W)
        mem_span(c, ea + 511, 1, ACC_W, &got);
    else
        mem_read8(c, ea + 511);
    return ea;
}

static bool cpu_is_amd(struct cpu *c)
{
    uint32_t r[4];
    cpu_cpuid(c, 0, 0, r);
    return r[1] == 0x68747541u; /* "Auth" */
}

/* AMD reports MXCSR.MM (bit 17, misaligned-SSE mode) as writable. We accept the bit but
 * keep the #GP alignment rule. */
uint32_t fpu_mxcsr_mask(struct cpu *c)
{
    return cpu_is_amd(c) ? MXCSR_SUPPORTED | 0x20000u : MXCSR_SUPPORTED;
}

/* AMD processors store FOP, FIP and FDP only while an exception is pending (ES); the
 * fields read as zero otherwise. We follow the vendor the CPUID table names. */
static void fx_vendor_pointers(struct cpu *c, uint8_t *img)
{
    if (cpu_is_amd(c) && !(c->fpu.fsw & FSW_ES))
        memset(img + FX_FOP, 0, FX_MXCSR - FX_FOP);
}

SIMD_HANDLER(sse_fxsave_M)
{
    uint8_t img[512] __attribute__((aligned(16)));
    if (c->cr0 & (CR0_EM | CR0_TS))
        cpu_fault(c, EXC_NM, 0);
    uint64_t ea = fx_area(c, i, ACC_W);
    unsigned len = c->mode == 8 ? FX_XMM + 256 : FX_XMM + 128; /* reserved tail untouched */
    fpu_to_fxsave(&c->fpu, img, fpu_mxcsr_mask(c));
    fx_legacy_layout(c, i, img);
    fx_vendor_pointers(c, img);
    mem_write(c, ea, img, len);
}

SIMD_HANDLER(sse_fxrstor_M)
{
    uint8_t img[512] __attribute__((aligned(16)));
    uint32_t mx;
    if (c->cr0 & (CR0_EM | CR0_TS))
        cpu_fault(c, EXC_NM, 0);
    mem_read(c, fx_area(c, i, ACC_R), img, 512);
    memcpy(&mx, img + FX_MXCSR, 4);
    if (mx & ~fpu_mxcsr_mask(c))
        cpu_gp0(c);
    if (c->mode != 8)
        memcpy(img + FX_XMM + 128, c->fpu.xmm[8], 128);
    fpu_from_fxsave(&c->fpu, img);
    fx_legacy_selectors(c, i, img);
}

/* ---- MXCSR ---- */

SIMD_HANDLER(sse_ldmxcsr_M)
{
    sse_check(c);
    uint32_t v = mem_read32(c, simd_ea(c, i, 4, false));
    if (v & ~fpu_mxcsr_mask(c))
        cpu_gp0(c);
    c->fpu.mxcsr = v;
}

SIMD_HANDLER(sse_stmxcsr_M)
{
    sse_check(c);
    mem_write32(c, simd_ea(c, i, 4, false), c->fpu.mxcsr);
}

/* ---- cache and ordering hints: one in-order vCPU needs none of them ---- */

SIMD_HANDLER(sse_fence) {}

/* CLFLUSH faults as a one-byte read would (canonical, segment, paging), then does nothing. */
SIMD_HANDLER(sse_clflush_M) { mem_read8(c, insn_ea(c, i, 1)); }

/* EMMS: every x87 register empty. */
SIMD_HANDLER(mmx_emms)
{
    mmx_check(c);
    mmx_enter(c);
    c->fpu.ftw = 0;
}
