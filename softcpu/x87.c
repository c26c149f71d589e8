/* x87.c: x87 FPU instructions. Arithmetic, loads, stores, compares and stack operations run
 * on the host's x87 loaded with the guest's whole FPU state; environment instructions are C. */
#include "simd.h"

/* FOP: the low 3 bits of the escape byte and the ModRM byte (11 bits). */
static uint16_t x87_fop(const struct insn *i)
{
    return (uint16_t)(((i->op & 7u) << 8) | i->modrm);
}

/* FCMOVcc (DA/DB C0..DF) reads the guest's arithmetic flags (FCOMI's host run starts from
 * them too, so flags it leaves alone stay the guest's). */
static bool x87_reads_flags(const struct insn *i)
{
    unsigned op = i->op & 0xff;
    return !i->is_mem && (op == 0xda || op == 0xdb) && i->modrm < 0xe0;
}

/* FDS: the operand's segment selector; 64-bit mode has no data segment to name, and the
 * hardware we model stores 0 there. */
static uint16_t x87_data_selector(struct cpu *c, const struct insn *i)
{
    return c->mode == 8 ? 0 : c->seg[i->seg].sel;
}

/* The area of FLDENV/FNSTENV/FNSAVE/FRSTOR: the hardware we model (AMD) touches its first
 * word (a dword in the 32-bit layout), then its last byte, and that order decides which
 * address CR2 reports when the area crosses into a bad page. */
static uint64_t x87_area(struct cpu *c, const struct insn *i, unsigned n, int acc)
{
    uint64_t ea = insn_ea(c, i, n);
    unsigned head = i->osz == 2 ? 2 : 4;
    uint8_t tmp[4];
    if (acc == ACC_W) {
        mem_align_check(c, ea, head); /* the first store is a word/dword access: #AC first */
        mem_check(c, ea, head, ACC_W);
        mem_check(c, ea + n - 1, 1, ACC_W);
    } else {
        mem_read(c, ea, tmp, head);
        mem_read8(c, ea + n - 1);
    }
    return ea;
}

/* A store is suppressed when it raises an unmasked exception other than precision.
 * (Non-waiting stores, FNSTCW/FNSTSW, raise nothing and always store.) fcw/fsw: after it. */
static bool x87_store_done(const uint8_t *img)
{
    uint16_t fcw, fsw;
    memcpy(&fcw, img, 2);
    memcpy(&fsw, img + 2, 2);
    unsigned unmasked = fsw & ~fcw & 0x3fu;
    return (unmasked & ~0x20u) == 0;
}

/* FIP/FOP/FCS (and FDP/FDS for a memory operand) name the last non-control instruction;
 * fpu_x87_from_image overwrote them with the host's values, `old` holds the guest's. */
struct x87_ptrs {
    uint64_t fip, fdp;
    uint16_t fop;
};

static void x87_pointers(struct cpu *c, const struct insn *i, const struct x87_ptrs *old)
{
    struct fpu *f = &c->fpu;
    f->fip = old->fip;
    f->fdp = old->fdp;
    f->fop = old->fop;
    if (i->aux & XA_CTRL)
        return;
    f->fip = i->rip;
    f->fop = x87_fop(i);
    f->fcs = c->seg[S_CS].sel;
    if (i->is_mem) {
        f->fdp = insn_offset(c, i); /* an offset, like FIP: no segment base */
        f->fds = x87_data_selector(c, i);
    }
}

/*
 * Every memory access happens before any state is committed: loads are read first, and a
 * store goes to guest memory from the host's scratch copy before the new FPU state is
 * committed, so a #PF leaves the guest's FPU exactly as it was.
 */
SIMD_HANDLER(x87_host_ST)
{
    uint8_t img[512] __attribute__((aligned(16)));
    uint8_t mem[16] = {0};
    unsigned aux = i->aux, n = XA_SIZE(aux);
    uint64_t ea = 0, fl = 0;
    x87_check(c, !(aux & XA_NOWAIT));
    if (i->is_mem) {
        ea = insn_ea(c, i, n);
        if (!(aux & XA_STORE))
            mem_read(c, ea, mem, n);
    }
    if (x87_reads_flags(i) || (aux & XA_EFL))
        fl = flags_get(c);
    fpu_x87_to_image(&c->fpu, img);
    host_x87_run(img, host_x87_stub(i->op & 0xff, i->modrm), mem, &fl);

    if (i->is_mem && (aux & XA_STORE) && ((aux & XA_NOWAIT) || x87_store_done(img)))
        mem_write(c, ea, mem, n);
    struct x87_ptrs old = {c->fpu.fip, c->fpu.fdp, c->fpu.fop};
    fpu_x87_from_image(&c->fpu, img);
    x87_pointers(c, i, &old);
    if (aux & XA_EFL)
        flags_update(c, F_ARITH, (uint32_t)fl & (F_ZF | F_PF | F_CF));
}

/* FISTTP (SSE3): #UD unless CPUID advertises SSE3. */
SIMD_HANDLER(x87_fisttp_ST)
{
    if (!cpu_has_feature(c, 1, 2, 0))
        cpu_ud(c);
    x87_host_ST(c, i);
}

/* FNSTSW AX. */
SIMD_HANDLER(x87_fnstsw_AX)
{
    x87_check(c, false);
    reg_write(c, R_AX, fpu_fsw(&c->fpu), 2);
}

/* FNINIT: FCW 037F, everything else cleared, every register empty. */
static void x87_init(struct fpu *f)
{
    f->fcw = 0x37f;
    f->fsw = 0;
    f->top = 0;
    f->ftw = 0;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
}

SIMD_HANDLER(x87_fninit)
{
    x87_check(c, false);
    x87_init(&c->fpu);
}

/* FWAIT: #NM only when CR0.MP and CR0.TS are both set; then any pending #MF. */
SIMD_HANDLER(x87_fwait)
{
    if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        cpu_fault(c, EXC_NM, 0);
    if (c->fpu.fsw & FSW_ES)
        cpu_fault(c, EXC_MF, 0);
}

/* ---- FNSTENV / FLDENV / FNSAVE / FRSTOR ---- */

/* Full tag of a valid register: 0 valid, 1 zero, 2 special (NaN, infinity, denormal,
 * unsupported encodings). */
static unsigned x87_tag(const struct fpu *f, unsigned phys)
{
    const uint8_t *p = (const uint8_t *)&f->st[phys];
    uint64_t mant = ld64(p);
    unsigned exp = (p[8] | (unsigned)p[9] << 8) & 0x7fff;
    if (!(f->ftw & (1u << phys)))
        return 3;
    if (exp == 0x7fff)
        return 2;
    if (exp == 0)
        return mant ? 2 : 1;
    return (mant >> 63) ? 0 : 2;
}

static uint16_t x87_full_tags(const struct fpu *f)
{
    uint16_t t = 0;
    for (unsigned r = 0; r < 8; r++)
        t |= (uint16_t)(x87_tag(f, r) << (2 * r));
    return t;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static unsigned get16(const uint8_t *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Protected-mode layout: 28 bytes with 32-bit operand size, 14 with 16-bit (no FOP).
 * Reserved halves read as FFFF, as the hardware writes them. Returns the size. */
static unsigned x87_env_store(struct cpu *c, const struct insn *i, uint8_t *e)
{
    const struct fpu *f = &c->fpu;
    unsigned cs = f->fcs, ds = f->fds;
    if (i->osz == 2) {
        unsigned w[7] = {f->fcw, fpu_fsw(f), x87_full_tags(f), (uint16_t)f->fip, cs,
                         (uint16_t)f->fdp, ds};
        for (unsigned k = 0; k < 7; k++)
            put16(e + 2 * k, w[k]);
        return 14;
    }
    memset(e, 0xff, 28);
    put16(e, f->fcw);
    put16(e + 4, fpu_fsw(f));
    put16(e + 8, x87_full_tags(f));
    put32(e + 12, (uint32_t)f->fip);
    put16(e + 16, cs);
    put16(e + 18, f->fop & 0x7ff);
    put32(e + 20, (uint32_t)f->fdp);
    put16(e + 24, ds);
    return 28;
}

/* Tags other than 3 (empty) mean the register holds something. */
static unsigned x87_env_load(struct fpu *f, const struct insn *i, const uint8_t *e)
{
    bool w16 = i->osz == 2;
    unsigned tags;
    f->fcw = (uint16_t)get16(e);
    f->fsw = (uint16_t)get16(e + (w16 ? 2 : 4));
    f->top = (uint8_t)((f->fsw >> 11) & 7);
    tags = get16(e + (w16 ? 4 : 8));
    f->ftw = 0;
    for (unsigned r = 0; r < 8; r++)
        if (((tags >> (2 * r)) & 3) != 3)
            f->ftw |= (uint8_t)(1u << r);
    f->fip = w16 ? get16(e + 6) : get32(e + 12);
    f->fop = w16 ? 0 : (uint16_t)(get16(e + 18) & 0x7ff);
    f->fdp = w16 ? get16(e + 10) : get32(e + 20);
    f->fcs = (uint16_t)get16(e + (w16 ? 8 : 16));
    f->fds = (uint16_t)get16(e + (w16 ? 12 : 24));
    return w16 ? 14 : 28;
}

SIMD_HANDLER(x87_fnstenv_M)
{
    uint8_t e[28];
    x87_check(c, false);
    unsigned n = x87_env_store(c, i, e);
    mem_write(c, x87_area(c, i, n, ACC_W), e, n);
    c->fpu.fcw |= 0x3f; /* FNSTENV masks every exception after storing: none is pending */
    fpu_x87_normalize(&c->fpu);
}

/* FLDENV waits: a pending unmasked exception (ES, say from an FRSTOR) is #MF before it runs,
 * as the host raises it (only the FN forms do not wait). */
SIMD_HANDLER(x87_fldenv_M)
{
    uint8_t e[28];
    unsigned n = i->osz == 2 ? 14 : 28;
    x87_check(c, true);
    mem_read(c, x87_area(c, i, n, ACC_R), e, n);
    x87_env_load(&c->fpu, i, e);
    fpu_x87_normalize(&c->fpu);
}

SIMD_HANDLER(x87_fnsave_M)
{
    uint8_t e[108];
    x87_check(c, false);
    unsigned n = x87_env_store(c, i, e);
    for (unsigned k = 0; k < 8; k++)
        memcpy(e + n + 10 * k, &c->fpu.st[(c->fpu.top + k) & 7], 10);
    mem_write(c, x87_area(c, i, n + 80, ACC_W), e, n + 80);
    x87_init(&c->fpu);
}

SIMD_HANDLER(x87_frstor_M)
{
    uint8_t e[108];
    unsigned n = i->osz == 2 ? 14 : 28;
    x87_check(c, true);
    mem_read(c, x87_area(c, i, n + 80, ACC_R), e, n + 80);
    x87_env_load(&c->fpu, i, e);
    for (unsigned k = 0; k < 8; k++) {
        uint8_t *p = (uint8_t *)&c->fpu.st[(c->fpu.top + k) & 7];
        memset(p, 0, sizeof(long double));
        memcpy(p, e + n + 10 * k, 10);
    }
    fpu_x87_normalize(&c->fpu);
}
