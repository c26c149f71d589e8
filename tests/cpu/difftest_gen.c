/* difftest_gen.c: random test cases for an opcode-table entry, driven by its operand form:
 * prefixes, REX, ModRM/SIB with memory operands solved into the scratch area, immediates,
 * and the implicit operands some mnemonics need (stack, string registers, branch targets). */
#include <stdio.h>
#include <string.h>

#include "difftest.h"

struct form_info { const char *name; uint8_t modrm, imm, byteop; };
static const struct form_info forms[] = {
#define FORM_ROW(name, m, imm, b) {#name, m, imm, b},
    FORMS(FORM_ROW)
#undef FORM_ROW
};

uint64_t rng_next(struct rng *r)
{
    /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

static uint64_t edge_value(struct rng *r)
{
    static const uint64_t edges[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
        0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
        ~0ull, ~0ull - 1, 0x8000000000000001ull, 0xffffffff80000000ull, 0xffffffffffff8000ull,
        0xffffffffffffff80ull,
    };
    switch (rng_below(r, 5)) {
    case 0: case 1: return edges[rng_below(r, sizeof edges / sizeof edges[0])];
    case 2: return (uint64_t)((int64_t)rng_below(r, 33) - 16);
    case 3: { /* random value of a random width, maybe sign-extended */
        unsigned w = 8u << rng_below(r, 4);
        uint64_t v = rng_next(r) & (w == 64 ? ~0ull : (1ull << w) - 1);
        return rng_below(r, 2) ? (uint64_t)sext(v, w / 8) : v;
    }
    default: return rng_next(r);
    }
}

/* Floating-point lanes with NaN, infinities, denormals and signed zeros. */
static void fp_lanes(struct rng *r, uint8_t *x, unsigned n)
{
    static const uint32_t f32[] = { 0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
                                    0x7f800001, 0x00000001, 0x807fffff, 0x3f800000, 0xbf800000,
                                    0x7f7fffff, 0x00800000, 0x4f000000, 0xcf000000 };
    static const uint64_t f64[] = { 0, 0x8000000000000000ull, 0x7ff0000000000000ull,
                                    0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull,
                                    1, 0x800fffffffffffffull, 0x3ff0000000000000ull,
                                    0xbff0000000000000ull, 0x0010000000000000ull, 0x43e0000000000000ull,
                                    0xc3e0000000000000ull, 0x41dfffffffc00000ull };
    for (unsigned k = 0; k < n; k += 8) {
        uint64_t v;
        switch (rng_below(r, 4)) {
        case 0: {
            uint32_t a = f32[rng_below(r, sizeof f32 / 4)], b = f32[rng_below(r, sizeof f32 / 4)];
            v = a | (uint64_t)b << 32;
            break;
        }
        case 1: v = f64[rng_below(r, sizeof f64 / 8)]; break;
        case 2: v = edge_value(r); break;
        default: v = rng_next(r); break;
        }
        memcpy(x + k, &v, n - k < 8 ? n - k : 8);
    }
}

/* An 80-bit x87 register value in its 16-byte FXSAVE slot. */
static void x87_value(struct rng *r, uint8_t *st)
{
    uint64_t mant = rng_next(r) | 1ull << 63;
    uint16_t se = (uint16_t)(0x3fff + (int)rng_below(r, 129) - 64);
    switch (rng_below(r, 8)) {
    case 0: mant = 0; se = 0; break;                       /* zero */
    case 1: mant = 1ull << 63; se = 0x7fff; break;         /* infinity */
    case 2: mant = 3ull << 62; se = 0x7fff; break;         /* QNaN */
    case 3: mant >>= 1 + rng_below(r, 60); se = 0; break;  /* denormal */
    default: break;
    }
    if (rng_below(r, 2))
        se |= 0x8000;
    memset(st, 0, 16);
    memcpy(st, &mant, 8);
    memcpy(st + 8, &se, 2);
}

void gen_state(struct rng *r, struct dt_case *tc)
{
    struct dt_state *s = &tc->in;
    memset(s, 0, sizeof *s);
    for (int k = 0; k < 16; k++)
        s->r[k] = edge_value(r);
    s->r[R_SP] = DT_SCRATCH + 0x800 + 8 * rng_below(r, 128);
    s->rip = DT_INSN;
    s->rflags = (rng_next(r) & F_ARITH) | (rng_below(r, 4) == 0 ? F_DF : 0) | 2;
    /* FPU: default control words, some registers holding values */
    uint16_t fcw = rng_below(r, 4) ? 0x37f : (uint16_t)(0x37f ^ (rng_below(r, 16) << 8));
    memcpy(s->fx + FX_FCW, &fcw, 2);
    uint32_t mxcsr = rng_below(r, 4) ? 0x1f80 : (uint32_t)(0x1f80 ^ (rng_below(r, 4) << 13) ^ (rng_below(r, 2) << 15) ^ (rng_below(r, 2) << 6));
    memcpy(s->fx + FX_MXCSR, &mxcsr, 4);
    unsigned top = rng_below(r, 8);
    uint16_t fsw = (uint16_t)(top << 11);
    memcpy(s->fx + FX_FSW, &fsw, 2);
    s->fx[FX_FTW] = (uint8_t)rng_next(r);
    for (int k = 0; k < 8; k++)
        x87_value(r, s->fx + FX_ST + 16 * k);
    for (int k = 0; k < 16; k++)
        fp_lanes(r, s->fx + FX_XMM + 16 * k, 16);
    /* scratch: random bytes with runs of edge patterns */
    for (unsigned k = 0; k < DT_SCRATCH_LEN; k += 8) {
        uint64_t v = rng_below(r, 3) ? rng_next(r) : edge_value(r);
        memcpy(tc->mem + k, &v, 8);
    }
    if (rng_below(r, 4) == 0) /* equal runs for REPE CMPS/SCAS */
        memset(tc->mem + rng_below(r, DT_SCRATCH_LEN - 512), (int)rng_below(r, 256), 512);
    tc->len = 0;
    tc->undef = 0;
}

/* ---- encoding ---- */
struct gctx {
    struct rng *r;
    struct dt_case *tc;
    const struct opdesc *e;
    const struct form_info *f;
    unsigned at, osz, asz;
    uint8_t pre[8], op[4], b[32]; /* legacy prefixes, opcode bytes, ModRM..immediate */
    unsigned npre, nop, n;
    unsigned rex;      /* 0: none */
    uint32_t pinned;   /* registers whose value a constraint fixed */
    int seq;           /* inside a sequence: no register-relative memory */
    int disp_pos, disp_len, riprel;
    uint64_t T;        /* memory target */
    int has_mem;
};

static int mn_is(const struct gctx *g, const char *s) { return strcmp(g->e->mnem, s) == 0; }
static int mn_pre(const struct gctx *g, const char *s) { return strncmp(g->e->mnem, s, strlen(s)) == 0; }
static int is_string(const struct gctx *g)
{
    static const char *s[] = { "movs", "stos", "lods", "scas", "cmps" };
    if (g->e->form != FORM_NONE)
        return 0;
    for (unsigned k = 0; k < 5; k++)
        if (mn_pre(g, s[k]))
            return 1;
    return 0;
}
static int is_shift(const struct gctx *g)
{
    static const char *s[] = { "rol", "ror", "rcl", "rcr", "shl", "sal", "shr", "sar" };
    for (unsigned k = 0; k < 8; k++)
        if (mn_pre(g, s[k]))
            return 1;
    return 0;
}
static void put(struct gctx *g, uint64_t v, unsigned len)
{
    memcpy(g->b + g->n, &v, len);
    g->n += len;
}
static void pin(struct gctx *g, unsigned reg, uint64_t v)
{
    g->tc->in.r[reg] = v;
    g->pinned |= 1u << reg;
}

/* A memory target: mostly inside the RW scratch pages, sometimes at a page edge (crossing
 * into the RW/RO/guard pages) or somewhere unmapped / non-canonical. */
static uint64_t mem_target(struct gctx *g, unsigned margin)
{
    struct rng *r = g->r;
    unsigned k = rng_below(r, 20);
    if (g->seq || k < 16) {
        uint64_t t = DT_SCRATCH + margin + rng_below(r, DT_SCRATCH_RW - 2 * margin - 16);
        return rng_below(r, 2) ? t & ~7ull : t;
    }
    if (k < 19) {
        static const uint64_t edges[] = { DT_SCRATCH + 0x1000, DT_SCRATCH + DT_SCRATCH_RW,
                                          DT_SCRATCH + DT_SCRATCH_LEN, DT_SCRATCH };
        return edges[rng_below(r, 4)] - 16 + rng_below(r, 32);
    }
    return rng_below(r, 2) ? DT_BASE + 0x4000 + rng_below(r, 0x1000) : 0x8000000010010000ull;
}

static int fits(int64_t v, unsigned len) { return len == 4 ? v == (int32_t)v : v == (int8_t)v; }

/* ModRM (+SIB, disp) for a memory operand reaching g->T; registers are set to match. */
static void gen_modrm_mem(struct gctx *g, unsigned reg3)
{
    struct rng *r = g->r;
    struct dt_state *s = &g->tc->in;
    uint64_t am = size_mask(g->asz);
    for (int tries = 0;; tries++) {
        unsigned mod = 1 + (unsigned)rng_below(r, 2), rm, base = R_NONE, index = R_NONE, scale = 0;
        int sib = 0, rip = 0;
        unsigned kind = g->seq ? 3 + (unsigned)rng_below(r, 2) : (unsigned)rng_below(r, 6);
        if (tries > 20)
            kind = 4;
        if (kind == 3) { /* RIP-relative */
            mod = 0, rm = 5, rip = 1;
        } else if (kind == 4) { /* SIB, no base, no index: absolute disp32 */
            mod = 0, rm = 4, sib = 1;
        } else if (kind == 5) { /* SIB with base and index */
            rm = 4, sib = 1;
            base = (unsigned)rng_below(r, 16);
            index = (unsigned)rng_below(r, 16);
            if (index == R_SP)
                index = R_NONE;
            scale = (unsigned)rng_below(r, 4);
            if ((base & 7) == 5 && rng_below(r, 2))
                mod = 0, base = R_NONE; /* no base: disp32 */
        } else {
            rm = (unsigned)rng_below(r, 16);
            if ((rm & 7) == 4)
                rm = (rm & 8) | 3;
            base = rm;
            if (rng_below(r, 3) == 0 && (rm & 7) != 5)
                mod = 0;
        }
        uint64_t T = g->T;
        int64_t disp = 0;
        unsigned dl = mod == 1 ? 1 : (mod == 2 || (mod == 0 && (rip || base == R_NONE))) ? 4 : 0;
        uint64_t iv = 0;
        if (index != R_NONE) {
            if (!(g->pinned >> index & 1))
                s->r[index] = (rng_below(r, 64) & am) | (g->asz == 4 ? rng_next(r) << 32 : 0);
            iv = s->r[index] << scale;
        }
        if (rip) {
            disp = 0; /* patched when the length is known */
        } else if (base == R_NONE) {
            disp = (int64_t)(T - iv);
            if (g->asz == 4)
                disp = (int32_t)(uint32_t)(T - iv);
        } else if ((g->pinned >> base & 1) || base == index) {
            if (base == index)
                continue; /* keep the solver simple */
            disp = (int64_t)((T - s->r[base] - iv) & am);
            if (g->asz == 4)
                disp = (int32_t)(uint32_t)disp;
            if (!fits(disp, dl ? dl : 1) || (dl == 0 && disp != 0)) {
                if (!fits(disp, 4) || mod == 0)
                    continue;
                mod = 2, dl = 4;
            }
        } else {
            disp = dl == 1 ? (int64_t)rng_below(r, 256) - 128 : dl == 4 ? (int64_t)rng_below(r, 1 << 20) - (1 << 19) : 0;
            s->r[base] = (T - iv - (uint64_t)disp) & am;
            if (g->asz == 4)
                s->r[base] |= rng_next(r) << 32; /* 67h: the upper half must not matter */
        }
        g->rex |= ((reg3 >> 3) & 1) << 2;
        if (sib) {
            unsigned bb = base == R_NONE ? 5 : base, ii = index == R_NONE ? 4 : index;
            g->rex |= ((ii >> 3) & 1) << 1 | ((bb >> 3) & 1);
            g->b[g->n++] = (uint8_t)(mod << 6 | (reg3 & 7) << 3 | 4);
            g->b[g->n++] = (uint8_t)(scale << 6 | (ii & 7) << 3 | (bb & 7));
        } else {
            g->rex |= (rm >> 3) & 1;
            g->b[g->n++] = (uint8_t)(mod << 6 | (reg3 & 7) << 3 | (rm & 7));
        }
        g->disp_pos = (int)g->n;
        g->disp_len = (int)dl;
        g->riprel = rip;
        if (dl)
            put(g, (uint64_t)disp, dl);
        if (base != R_NONE)
            g->pinned |= 1u << base;
        if (index != R_NONE)
            g->pinned |= 1u << index;
        return;
    }
}

static int in_scratch(uint64_t a, unsigned len)
{
    return a >= DT_SCRATCH && a + len <= DT_SCRATCH + DT_SCRATCH_LEN;
}
static void mem_put(struct gctx *g, uint64_t a, uint64_t v, unsigned len)
{
    if (in_scratch(a, len))
        memcpy(g->tc->mem + (a - DT_SCRATCH), &v, len);
}
static uint64_t mem_get(struct gctx *g, uint64_t a, unsigned len)
{
    uint64_t v = 0;
    if (in_scratch(a, len))
        memcpy(&v, g->tc->mem + (a - DT_SCRATCH), len);
    return v;
}

/* A branch target: mostly inside the INT3-filled code page (outside the instruction itself
 * and the host prologue), sometimes unmapped or non-canonical. */
static uint64_t code_target(struct gctx *g, uint64_t start, uint64_t end)
{
    struct rng *r = g->r;
    switch (rng_below(r, 12)) {
    case 0: return DT_BASE + 0x4000 + rng_below(r, 0x100);
    case 1: return 0x0000800000000000ull + rng_below(r, 16);
    default: {
        uint64_t t;
        do
            t = DT_CODE + 0x100 + rng_below(r, 0xf00);
        while (t >= start && t < end + 1);
        return t;
    }
    }
}

static uint64_t shift_count(struct rng *r)
{
    static const uint8_t c[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255 };
    return rng_below(r, 4) ? c[rng_below(r, sizeof c)] : rng_below(r, 256);
}

/* Implicit operands of particular mnemonics (before the memory operand is solved). */
static int gen_implicit(struct gctx *g)
{
    struct rng *r = g->r;
    struct dt_state *s = &g->tc->in;
    uint64_t am = size_mask(g->asz), hi = g->asz == 4 ? rng_next(r) << 32 : 0;
    if (is_string(g) || mn_pre(g, "maskmov")) {
        if (g->seq)
            return 0;
        pin(g, R_SI, ((DT_SCRATCH + 0x200 + rng_below(r, DT_SCRATCH_RW - 0x400)) & am) | hi);
        pin(g, R_DI, ((DT_SCRATCH + 0x200 + rng_below(r, DT_SCRATCH_RW - 0x400)) & am) | hi);
        uint64_t n = rng_below(r, 8) ? rng_below(r, 48) : rng_below(r, 1200);
        pin(g, R_CX, (n & am) | hi);
        /* STOS of zero (compilers zero structures so) or of zero low bytes; chosen from n, not
         * by another draw, so that the cases after this one stay what they were */
        if (n % 4 == 1)
            pin(g, R_AX, n % 8 == 1 ? 0 : 0xffffffff00000000ull);
    }
    if (mn_is(g, "xlat")) {
        if (g->seq)
            return 0;
        pin(g, R_BX, ((DT_SCRATCH + 0x100 + rng_below(r, 0x1000)) & am) | hi);
    }
    if (mn_is(g, "enter") || mn_is(g, "leave")) {
        if (g->seq)
            return 0;
        uint64_t bp = DT_SCRATCH + 0x400 + rng_below(r, 0x800);
        pin(g, R_BP, rng_below(r, 4) ? bp & ~7ull : bp);
    }
    if (is_shift(g) && !g->seq)
        pin(g, R_CX, (s->r[R_CX] & ~0xffull) | shift_count(r));
    if ((mn_is(g, "div") || mn_is(g, "idiv")) && rng_below(r, 2)) {
        /* a dividend that usually fits: rDX = sign or zero extension of rAX */
        s->r[R_DX] = mn_is(g, "idiv") && (int64_t)s->r[R_AX] < 0 ? ~0ull : 0;
    }
    if (mn_pre(g, "loop") || mn_is(g, "jrcxz"))
        s->r[R_CX] = rng_below(r, 2) ? rng_below(r, 3) | hi : s->r[R_CX];
    g->pinned |= 1u << R_SP; /* RSP always points into scratch (gen_state) */
    return 1;
}

/* Operand size the decoder will pick in 64-bit mode. */
static unsigned eff_osz(const struct gctx *g, int p66)
{
    return g->f->byteop ? 1 : opdesc_osz64(g->e, g->rex & 8, p66);
}

static void gen_prefixes(struct gctx *g, int *p66)
{
    struct rng *r = g->r;
    const struct opdesc *e = g->e;
    int mem_possible = g->f->modrm && e->modsel != MOD_REG;
    *p66 = 0;
    if (e->pfx == PFX_ANY && !g->f->byteop && !(e->flags & OPF_F64) && rng_below(r, 4) == 0)
        *p66 = 1;
    if ((e->flags & OPF_LOCK) && rng_below(r, 3) == 0 && e->modsel != MOD_REG)
        g->pre[g->npre++] = 0xf0; /* only kept when the operand ends up in memory */
    if (*p66)
        g->pre[g->npre++] = 0x66;
    int p67 = (mem_possible || is_string(g) || mn_is(g, "xlat") || mn_pre(g, "loop") ||
               mn_is(g, "jrcxz") || g->f->imm == IMM_MOFFS) && !g->seq && rng_below(r, 6) == 0;
    g->asz = p67 ? 4 : 8;
    if (p67)
        g->pre[g->npre++] = 0x67;
    if (is_string(g) && rng_below(r, 3))
        g->pre[g->npre++] = rng_below(r, 2) ? 0xf3 : 0xf2;
    switch (e->pfx) {
    case PFX_66: g->pre[g->npre++] = 0x66; break;
    case PFX_F3: g->pre[g->npre++] = 0xf3; break;
    case PFX_F2: g->pre[g->npre++] = 0xf2; break;
    default: break;
    }
    if (!(e->flags & OPF_W_IGNORED) && !g->f->byteop && rng_below(r, 2))
        g->rex |= 0x48;
    else if (rng_below(r, 4) == 0)
        g->rex |= 0x40;
}

static void gen_imm(struct gctx *g, unsigned len_before_imm)
{
    struct rng *r = g->r;
    const struct opdesc *e = g->e;
    unsigned kind = g->f->imm;
    uint64_t v = edge_value(r);
    uint64_t start = DT_INSN + g->at;
    switch (kind) {
    case IMM_B:
        if (e->form == FORM_Jb) {
            uint64_t next = start + len_before_imm + 1, t;
            do
                t = next + (uint64_t)((int64_t)rng_below(r, 256) - 128);
            while (t >= start && t < next);
            v = t - next;
        } else if (is_shift(g)) {
            v = shift_count(r);
        }
        put(g, v, 1);
        break;
    case IMM_W: put(g, rng_below(r, 4) ? rng_below(r, 8) * 8 : v, 2); break;
    case IMM_W_B: put(g, rng_below(r, 3) ? rng_below(r, 64) : v, 2); put(g, rng_below(r, 6) ? rng_below(r, 4) : rng_below(r, 32), 1); break;
    case IMM_Z:
        if (e->form == FORM_Jz) {
            uint64_t next = start + len_before_imm + 4;
            v = code_target(g, start, next) - next;
        }
        put(g, v, g->osz == 2 ? 2 : 4);
        break;
    case IMM_V: put(g, v, g->osz); break;
    case IMM_MOFFS: {
        uint64_t t = mem_target(g, 32);
        put(g, t, g->asz);
        g->T = t;
        g->has_mem = 1;
        break;
    }
    case IMM_FARPTR: put(g, v, g->osz == 2 ? 4 : 6); break;
    default: break;
    }
}

/* MOV Sreg, r/m: only selectors that mean the same in the host's GDT and ours (null, the
 * Linux user data/code selectors, kernel ones that must fault); others could differ. */
static uint64_t safe_selector(struct rng *r)
{
    static const uint16_t sel[] = { 0, 1, 2, 3, 0x2b, 0x33, 0x28, 0x10, 0x18, 0x2a };
    return (rng_next(r) & ~0xffffull) | sel[rng_below(r, sizeof sel / sizeof sel[0])];
}

/* After the operands are known: values that make the interesting paths likely. */
static void gen_fixups(struct gctx *g, unsigned reg3, unsigned rm4)
{
    struct rng *r = g->r;
    struct dt_state *s = &g->tc->in;
    const struct opdesc *e = g->e;
    uint64_t start = DT_INSN + g->at, end = start + g->npre + (g->rex ? 1 : 0) + g->nop + g->n;
    if (mn_is(g, "ret"))
        mem_put(g, s->r[R_SP], rng_below(r, 8) ? code_target(g, start, end) : edge_value(r), 8);
    if ((mn_is(g, "jmp") || mn_is(g, "call")) && e->form == FORM_Ev) {
        uint64_t t = rng_below(r, 8) ? code_target(g, start, end) : edge_value(r);
        if (g->has_mem)
            mem_put(g, g->T, t, 8);
        else if (rm4 != R_SP)
            s->r[rm4] = t;
    }
    if (mn_pre(g, "cmpxchg") && rng_below(r, 2)) {
        if (e->form == FORM_M) {
            s->r[R_AX] = mem_get(g, g->T, 8);
            s->r[R_DX] = mem_get(g, g->T + 8, 8);
            if (!(g->rex & 8))
                s->r[R_DX] = s->r[R_AX] >> 32;
        } else if (g->has_mem) {
            s->r[R_AX] = mem_get(g, g->T, 8);
        } else if (!(g->pinned >> R_AX & 1)) {
            s->r[R_AX] = s->r[rm4];
        }
    }
    if (e->form == FORM_Sw_Ew) {
        if (g->has_mem)
            mem_put(g, g->T, safe_selector(r), 2);
        else
            s->r[rm4] = safe_selector(r);
    }
    (void)reg3;
}

int gen_has(const struct opdesc *e)
{
    return e->form != FORM_Ap;
}

/* Encode one instruction for e at code offset `at` of tc; 0 if not possible here. */
int gen_insn(struct rng *r, const struct opdesc *e, struct dt_case *tc, unsigned at)
{
    struct gctx g;
    memset(&g, 0, sizeof g);
    g.r = r, g.tc = tc, g.e = e, g.f = &forms[e->form], g.at = at, g.seq = tc->seq;
    g.disp_pos = -1;
    if (!gen_has(e) || (e->flags & OPF_NO64))
        return 0;
    if (g.seq && (e->flags & OPF_BRANCH))
        return 0;
    int p66;
    gen_prefixes(&g, &p66);
    g.osz = eff_osz(&g, p66);
    if (e->map != MAP_1B)
        g.op[g.nop++] = 0x0f;
    if (e->map == MAP_0F38)
        g.op[g.nop++] = 0x38;
    if (e->map == MAP_0F3A)
        g.op[g.nop++] = 0x3a;
    g.op[g.nop++] = e->opcode;
    unsigned reg3 = 0, rm4 = 0;
    if (!gen_implicit(&g))
        return 0;
    if (g.f->modrm) {
        reg3 = e->regsel != SEL_ANY ? e->regsel : (unsigned)rng_below(r, 16);
        if (e->regsel != SEL_ANY && rng_below(r, 2))
            reg3 |= 8; /* REX.R is ignored for group opcodes */
        if (g.seq && reg3 == R_SP)
            reg3 = R_BX;
        int mem = e->modsel == MOD_MEM || (e->modsel == MOD_ANY && rng_below(r, 2));
        if (e->rmsel != SEL_ANY)
            mem = 0;
        if (mem) {
            g.has_mem = 1;
            if (mn_pre(&g, "bt") && e->form == FORM_Ev_Gv && (reg3 & 7) != R_SP) {
                if (g.seq)
                    return 0;
                pin(&g, reg3, (uint64_t)((int64_t)rng_below(r, 512) - 256));
            }
            g.T = mem_target(&g, 64);
            if (mn_is(&g, "cmpxchg8b") && rng_below(r, 4))
                g.T &= ~15ull;
            else if (g.f->name[0] == 'V' || g.f->name[0] == 'W' || e->form == FORM_M)
                g.T = rng_below(r, 4) ? g.T & ~15ull : g.T;
            gen_modrm_mem(&g, reg3);
        } else {
            rm4 = e->rmsel != SEL_ANY ? e->rmsel : (unsigned)rng_below(r, 16);
            if (g.seq && rm4 == R_SP)
                rm4 = R_SI;
            g.rex |= ((reg3 >> 3) & 1) << 2 | ((rm4 >> 3) & 1);
            g.b[g.n++] = (uint8_t)(0xc0 | (reg3 & 7) << 3 | (rm4 & 7));
        }
    } else if (e->form == FORM_Zv || e->form == FORM_Zb_Ib || e->form == FORM_Zv_Iv) {
        if (rng_below(r, 2))
            g.rex |= 0x41; /* REX.B: r8..r15 */
        unsigned zr = (e->opcode & 7) | ((g.rex & 1) << 3);
        if (g.seq && zr == R_SP)
            return 0;
    }
    if (g.rex)
        g.rex |= 0x40;
    g.osz = eff_osz(&g, p66);
    /* a LOCK prefix that ended up with a register operand is #UD on both sides: tested too */
    unsigned head = g.npre + (g.rex ? 1 : 0) + g.nop;
    gen_imm(&g, head + g.n);
    unsigned len = head + g.n;
    if (at + len > sizeof tc->code)
        return 0;
    if (g.riprel) {
        int32_t d = (int32_t)(g.T - (DT_INSN + at + len));
        memcpy(g.b + g.disp_pos, &d, 4);
    }
    gen_fixups(&g, reg3, rm4);
    uint8_t *p = tc->code + at;
    memcpy(p, g.pre, g.npre);
    p += g.npre;
    if (g.rex)
        *p++ = (uint8_t)g.rex;
    memcpy(p, g.op, g.nop);
    p += g.nop;
    memcpy(p, g.b, g.n);
    tc->len = at + len;
    tc->undef |= e->undef;
    /* SHLD/SHRD with a 16-bit operand and a count above 16: flags undefined */
    if ((mn_is(&g, "shld") || mn_is(&g, "shrd")) && g.osz == 2)
        tc->undef |= F_ARITH;
    if (g.f->name[0] == 'P' || g.f->name[0] == 'Q' || g.f->name[0] == 'N' || e->form == FORM_ST ||
        strstr(g.f->name, "Pq") || strstr(g.f->name, "Nq"))
        tc->cmp_x87 = 1;
    return (int)len;
}
