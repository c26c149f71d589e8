/* fputest.c: x87 and SSE instructions on special inputs (NaNs, infinities, denormals, signed
 * zeros, conversion limits) under several MXCSR settings and x87 control words, run on the host
 * CPU and on the soft CPU from the same state; one "PASS name" / "FAIL name: why" line a group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difftest.h"
#include "harness.h"

static struct dt_case tc;
static struct dt_result hr, sr;

/* ---- one group of cases: one line of output ---- */
struct group {
    const char *name;
    int runs, fails;
    char first[320];
    unsigned ign_lo, ign_hi; /* scratch bytes [lo, hi) not compared (selectors in FNSTENV) */
    unsigned ign2_lo, ign2_hi;
};

static void group_begin(struct group *g, const char *name)
{
    memset(g, 0, sizeof *g);
    g->name = name;
}

static void group_end(struct group *g)
{
    if (g->fails)
        test_report(g->name, TEST_FAIL, "%d of %d cases differ; first: %s", g->fails, g->runs, g->first);
    else
        test_report(g->name, TEST_PASS, "(%d cases)", g->runs);
}

static bool ignored(const struct group *g, unsigned off)
{
    return (off >= g->ign_lo && off < g->ign_hi) || (off >= g->ign2_lo && off < g->ign2_hi);
}

/* The state both CPUs must agree on. FOP/FIP/FDP and MXCSR_MASK are not compared: the host
 * kernel's signal frame and vendor differences make them meaningless here. */
static int compare(const struct group *g, char *why, size_t n)
{
    const struct dt_state *h = &hr.out, *s = &sr.out;
    if (s->vector == -1)
        return snprintf(why, n, "soft CPU did not finish: %s", sr.why), 1;
    if (h->vector != s->vector)
        return snprintf(why, n, "vector host %d soft %d", h->vector, s->vector), 1;
    for (int r = 0; r < 16; r++)
        if (h->r[r] != s->r[r])
            return snprintf(why, n, "r%d host %#llx soft %#llx", r, (unsigned long long)h->r[r],
                            (unsigned long long)s->r[r]), 1;
    if (h->rip != s->rip)
        return snprintf(why, n, "rip host %#llx soft %#llx", (unsigned long long)h->rip,
                        (unsigned long long)s->rip), 1;
    if ((h->rflags ^ s->rflags) & (F_ARITH | F_DF))
        return snprintf(why, n, "rflags host %#llx soft %#llx", (unsigned long long)h->rflags,
                        (unsigned long long)s->rflags), 1;
    static const struct { unsigned off, len; const char *what; } fx[] = {
        {FX_FCW, 2, "fcw"}, {FX_FSW, 2, "fsw"}, {FX_FTW, 1, "ftw"}, {FX_MXCSR, 4, "mxcsr"},
    };
    for (unsigned k = 0; k < sizeof fx / sizeof fx[0]; k++)
        if (memcmp(h->fx + fx[k].off, s->fx + fx[k].off, fx[k].len)) {
            unsigned hv = 0, sv = 0;
            memcpy(&hv, h->fx + fx[k].off, fx[k].len);
            memcpy(&sv, s->fx + fx[k].off, fx[k].len);
            return snprintf(why, n, "%s host %#x soft %#x", fx[k].what, hv, sv), 1;
        }
    for (int k = 0; k < 8; k++)
        if (memcmp(h->fx + FX_ST + 16 * k, s->fx + FX_ST + 16 * k, 10))
            return snprintf(why, n, "st%d differs", k), 1;
    for (int k = 0; k < 16; k++)
        if (memcmp(h->fx + FX_XMM + 16 * k, s->fx + FX_XMM + 16 * k, 16)) {
            uint64_t a[2], b[2];
            memcpy(a, h->fx + FX_XMM + 16 * k, 16);
            memcpy(b, s->fx + FX_XMM + 16 * k, 16);
            return snprintf(why, n, "xmm%d host %016llx%016llx soft %016llx%016llx", k,
                            (unsigned long long)a[1], (unsigned long long)a[0],
                            (unsigned long long)b[1], (unsigned long long)b[0]), 1;
        }
    for (unsigned k = 0; k < DT_SCRATCH_RW; k++)
        if (hr.mem[k] != sr.mem[k] && !ignored(g, k))
            return snprintf(why, n, "memory +%#x host %02x soft %02x", k, hr.mem[k], sr.mem[k]), 1;
    return 0;
}

static void run_case(struct group *g, const char *detail)
{
    char why[200];
    host_run(&tc, &hr);
    soft_run(&tc, &sr);
    g->runs++;
    if (compare(g, why, sizeof why) && !g->fails++)
        snprintf(g->first, sizeof g->first, "%s: %s", detail, why);
}

/* ---- state set-up ---- */
static void case_begin(const uint8_t *code, unsigned len)
{
    memset(&tc.in, 0, sizeof tc.in);
    memset(tc.mem, 0x5a, sizeof tc.mem);
    memcpy(tc.code, code, len);
    tc.len = len;
    tc.in.rip = DT_INSN;
    tc.in.rflags = 0x202;
    tc.in.r[R_SI] = DT_SCRATCH;
    tc.in.r[R_SP] = DT_SCRATCH + 0x1800;
    tc.in.r[R_AX] = 0x1111222233334444ull;
    tc.in.r[R_CX] = 0x5555666677778888ull;
    uint16_t fcw = 0x37f;
    uint32_t mx = 0x1f80;
    memcpy(tc.in.fx + FX_FCW, &fcw, 2);
    memcpy(tc.in.fx + FX_MXCSR, &mx, 4);
    for (int k = 2; k < 16; k++)
        memset(tc.in.fx + FX_XMM + 16 * k, 0x10 + k, 16);
    tc.undef = 0;
    tc.cmp_x87 = 1;
}

static void set_mxcsr(uint32_t mx) { memcpy(tc.in.fx + FX_MXCSR, &mx, 4); }
static void set_fcw(uint16_t cw) { memcpy(tc.in.fx + FX_FCW, &cw, 2); }
static void set_xmm(int r, const void *v) { memcpy(tc.in.fx + FX_XMM + 16 * r, v, 16); }

struct f80 {
    uint64_t m;
    uint16_t se;
};

/* x87 stack of n values, v[0] = ST0: TOP = 8 - n, registers in stack order. */
static void set_stack(const struct f80 *v, unsigned n, uint16_t extra_sw)
{
    uint16_t sw = (uint16_t)((((8 - n) & 7) << 11) | extra_sw);
    uint8_t tags = 0;
    memcpy(tc.in.fx + FX_FSW, &sw, 2);
    for (unsigned k = 0; k < 8; k++)
        memset(tc.in.fx + FX_ST + 16 * k, 0, 16);
    for (unsigned k = 0; k < n; k++) {
        memcpy(tc.in.fx + FX_ST + 16 * k, &v[k].m, 8);
        memcpy(tc.in.fx + FX_ST + 16 * k + 8, &v[k].se, 2);
        tags |= (uint8_t)(1u << ((8 - n + k) & 7));
    }
    tc.in.fx[FX_FTW] = tags;
}

/* ---- inputs ---- */
static const uint32_t f32v[] = {
    0, 0x80000000, 0x3f800000, 0xbfc00000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff,
    0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffc12345, 0x4f32d05e, 0xcf000000,
    0x4f000000, 0x3f000000, 0x40200000, 0x5f000000, 0x3eaaaaab,
};
static const uint64_t f64v[] = {
    0, 1ull << 63, 0x3ff0000000000000, 0xbff8000000000000, 1, 0x800fffffffffffff,
    0x0010000000000000, 0x7fefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000,
    0x7ff8000000000000, 0x7ff0000000000001, 0xfff8000000012345, 0x41e0000000000000,
    0xc1e0000000000000, 0x43e0000000000000, 0x3fe0000000000000, 0x4004000000000000,
    0x3ff0000000000001, 0x36a0000000000000,
};
static const int64_t intv[] = {
    0, 1, -1, 0x7fff, -0x8000, 0x7fffffff, -0x7fffffff - 1, 0x7fffffffffffffff,
    -0x7fffffffffffffff - 1, 12345678901234567, 3, -100000,
};
static const struct f80 x87v[] = {
    {0, 0}, {0, 0x8000}, {1ull << 63, 0x3fff}, {0xc000000000000000, 0xbfff},
    {0xc90fdaa22168c235, 0x4000}, {1ull << 63, 0x7ffe}, {1, 0}, {1ull << 63, 0x7fff},
    {1ull << 63, 0xffff}, {0xc000000000000000, 0x7fff}, {0xa000000000000000, 0x7fff},
    {0x4000000000000000, 0x3fff}, {1ull << 63, 0x403e}, {1ull << 63, 0x4045}, {1ull << 63, 0x3ffe},
    {0xa000000000000000, 0x4000}, {1ull << 63, 0x0001}, {0xffffffffffffffff, 0x3ffe},
    {0xb17217f7d1cf79ac, 0xbffe}, {0x8000000000000001, 0x3c00},
};
#define NV(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t mxcsrs[] = {
    0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9f80, 0x1fc0, 0xffc0, 0x1fbf,
    0x1f00, 0x1e80, 0x1d80, 0x1b80, 0x1780, 0x0f80,
};
static const uint16_t fcws[] = {
    0x37f, 0x27f, 0x07f, 0x77f, 0xb7f, 0xf7f, 0x37e, 0x37d, 0x37b, 0x377, 0x36f, 0x35f,
};

/* ---- SSE ---- */
enum { F32, F64, I32, GPR32, GPR64 };
struct sse_op {
    const char *name;
    uint8_t code[8];
    unsigned len;
    int fmt;   /* lane format of xmm0/xmm1 inputs (GPR*: the integer source is in rcx) */
    int unary; /* only the source matters */
};

static const struct sse_op sse_ops[] = {
#define B(...) {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})
    {"addps", B(0x0f, 0x58, 0xc1), F32, 0}, {"addss", B(0xf3, 0x0f, 0x58, 0xc1), F32, 0},
    {"addpd", B(0x66, 0x0f, 0x58, 0xc1), F64, 0}, {"addsd", B(0xf2, 0x0f, 0x58, 0xc1), F64, 0},
    {"subps", B(0x0f, 0x5c, 0xc1), F32, 0}, {"subsd", B(0xf2, 0x0f, 0x5c, 0xc1), F64, 0},
    {"mulss", B(0xf3, 0x0f, 0x59, 0xc1), F32, 0}, {"mulpd", B(0x66, 0x0f, 0x59, 0xc1), F64, 0},
    {"divps", B(0x0f, 0x5e, 0xc1), F32, 0}, {"divsd", B(0xf2, 0x0f, 0x5e, 0xc1), F64, 0},
    {"minps", B(0x0f, 0x5d, 0xc1), F32, 0}, {"minsd", B(0xf2, 0x0f, 0x5d, 0xc1), F64, 0},
    {"maxss", B(0xf3, 0x0f, 0x5f, 0xc1), F32, 0}, {"maxpd", B(0x66, 0x0f, 0x5f, 0xc1), F64, 0},
    {"sqrtps", B(0x0f, 0x51, 0xc1), F32, 1}, {"sqrtsd", B(0xf2, 0x0f, 0x51, 0xc1), F64, 1},
    {"rcpps", B(0x0f, 0x53, 0xc1), F32, 1}, {"rsqrtss", B(0xf3, 0x0f, 0x52, 0xc1), F32, 1},
    {"cmpps lt", B(0x0f, 0xc2, 0xc1, 1), F32, 0}, {"cmpps unord", B(0x0f, 0xc2, 0xc1, 3), F32, 0},
    {"cmpss nle", B(0xf3, 0x0f, 0xc2, 0xc1, 6), F32, 0},
    {"cmppd eq", B(0x66, 0x0f, 0xc2, 0xc1, 0), F64, 0},
    {"cmpsd le", B(0xf2, 0x0f, 0xc2, 0xc1, 2), F64, 0},
    {"cmpsd neq", B(0xf2, 0x0f, 0xc2, 0xc1, 4), F64, 0},
    {"cmpsd nlt", B(0xf2, 0x0f, 0xc2, 0xc1, 5), F64, 0},
    {"cmpps ord", B(0x0f, 0xc2, 0xc1, 7), F32, 0},
    {"comiss", B(0x0f, 0x2f, 0xc1), F32, 0}, {"ucomiss", B(0x0f, 0x2e, 0xc1), F32, 0},
    {"comisd", B(0x66, 0x0f, 0x2f, 0xc1), F64, 0}, {"ucomisd", B(0x66, 0x0f, 0x2e, 0xc1), F64, 0},
    {"cvtsi2ss r32", B(0xf3, 0x0f, 0x2a, 0xc1), GPR32, 1},
    {"cvtsi2sd r64", B(0xf2, 0x48, 0x0f, 0x2a, 0xc1), GPR64, 1},
    {"cvtsi2ss r64", B(0xf3, 0x48, 0x0f, 0x2a, 0xc1), GPR64, 1},
    {"cvtss2si r32", B(0xf3, 0x0f, 0x2d, 0xc1), F32, 1},
    {"cvttss2si r64", B(0xf3, 0x48, 0x0f, 0x2c, 0xc1), F32, 1},
    {"cvtsd2si r64", B(0xf2, 0x48, 0x0f, 0x2d, 0xc1), F64, 1},
    {"cvttsd2si r32", B(0xf2, 0x0f, 0x2c, 0xc1), F64, 1},
    {"cvtsd2ss", B(0xf2, 0x0f, 0x5a, 0xc1), F64, 1}, {"cvtss2sd", B(0xf3, 0x0f, 0x5a, 0xc1), F32, 1},
    {"cvtps2pd", B(0x0f, 0x5a, 0xc1), F32, 1}, {"cvtpd2ps", B(0x66, 0x0f, 0x5a, 0xc1), F64, 1},
    {"cvtdq2ps", B(0x0f, 0x5b, 0xc1), I32, 1}, {"cvtdq2pd", B(0xf3, 0x0f, 0xe6, 0xc1), I32, 1},
    {"cvtps2dq", B(0x66, 0x0f, 0x5b, 0xc1), F32, 1}, {"cvttps2dq", B(0xf3, 0x0f, 0x5b, 0xc1), F32, 1},
    {"cvtpd2dq", B(0xf2, 0x0f, 0xe6, 0xc1), F64, 1}, {"cvttpd2dq", B(0x66, 0x0f, 0xe6, 0xc1), F64, 1},
    {"andnps", B(0x0f, 0x55, 0xc1), F32, 0}, {"xorpd", B(0x66, 0x0f, 0x57, 0xc1), F64, 0},
    {"unpckhps", B(0x0f, 0x15, 0xc1), F32, 0}, {"shufps 0x1b", B(0x0f, 0xc6, 0xc1, 0x1b), F32, 0},
    {"shufpd 2", B(0x66, 0x0f, 0xc6, 0xc1, 2), F64, 0},
    {"movmskps", B(0x0f, 0x50, 0xc1), F32, 1}, {"movmskpd", B(0x66, 0x0f, 0x50, 0xc1), F64, 1},
    {"movss reg", B(0xf3, 0x0f, 0x10, 0xc1), F32, 0}, {"movsd reg", B(0xf2, 0x0f, 0x10, 0xc1), F64, 0},
    {"addss xmm9,xmm12", B(0xf3, 0x45, 0x0f, 0x58, 0xcc), F32, 0},
    {"cvtps2pi", B(0x0f, 0x2d, 0xc1), F32, 1}, {"cvttpd2pi", B(0x66, 0x0f, 0x2c, 0xc1), F64, 1},
#undef B
};

/* Lane k of operand `which` for case (a, b): rotating through the values so packed forms see
 * every value in every lane. */
static void fill_lanes(int fmt, unsigned a, unsigned b, uint8_t *x0, uint8_t *x1, uint64_t *rcx)
{
    for (unsigned k = 0; k < 4; k++) {
        uint32_t v0, v1;
        if (fmt == F32) {
            v0 = f32v[(a + k) % NV(f32v)];
            v1 = f32v[(b + 3 * k) % NV(f32v)];
        } else {
            v0 = (uint32_t)intv[(a + k) % NV(intv)];
            v1 = (uint32_t)intv[(b + k) % NV(intv)];
        }
        memcpy(x0 + 4 * k, &v0, 4);
        memcpy(x1 + 4 * k, &v1, 4);
    }
    if (fmt == F64)
        for (unsigned k = 0; k < 2; k++) {
            memcpy(x0 + 8 * k, &f64v[(a + k) % NV(f64v)], 8);
            memcpy(x1 + 8 * k, &f64v[(b + 7 * k) % NV(f64v)], 8);
        }
    *rcx = (uint64_t)intv[b % NV(intv)];
}

static unsigned nvalues(int fmt)
{
    return fmt == F32 ? NV(f32v) : fmt == F64 ? NV(f64v) : NV(intv);
}

static void test_sse_op(const struct sse_op *op)
{
    struct group g;
    char detail[96];
    group_begin(&g, op->name);
    unsigned n = nvalues(op->fmt);
    for (unsigned m = 0; m < NV(mxcsrs); m++)
        for (unsigned a = 0; a < (op->unary ? 2 : n); a++)
            for (unsigned b = 0; b < n; b++) {
                uint8_t x0[16], x1[16];
                uint64_t rcx;
                case_begin(op->code, op->len);
                fill_lanes(op->fmt, a, b, x0, x1, &rcx);
                set_xmm(0, x0);
                set_xmm(1, x1);
                set_xmm(9, x0);
                set_xmm(12, x1);
                tc.in.r[R_CX] = rcx;
                set_mxcsr(mxcsrs[m]);
                snprintf(detail, sizeof detail, "mxcsr %#x a %u b %u", mxcsrs[m], a, b);
                run_case(&g, detail);
            }
    group_end(&g);
}

/* Memory operands: alignment rules, partial accesses, stores. rsi = scratch. */
struct mem_op {
    const char *name;
    uint8_t code[8];
    unsigned len;
};
static const struct mem_op mem_ops[] = {
#define B(...) {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})
    {"movaps load", B(0x0f, 0x28, 0x46, 0x00)}, {"movaps load misaligned", B(0x0f, 0x28, 0x46, 0x08)},
    {"movups load misaligned", B(0x0f, 0x10, 0x46, 0x03)},
    {"movdqa store misaligned", B(0x66, 0x0f, 0x7f, 0x46, 0x04)},
    {"movdqu store", B(0xf3, 0x0f, 0x7f, 0x46, 0x05)},
    {"addps m128 misaligned", B(0x0f, 0x58, 0x46, 0x04)},
    {"addsd m64 misaligned", B(0xf2, 0x0f, 0x58, 0x46, 0x03)},
    {"pxor m128", B(0x66, 0x0f, 0xef, 0x46, 0x10)},
    {"movss load", B(0xf3, 0x0f, 0x10, 0x46, 0x01)}, {"movsd store", B(0xf2, 0x0f, 0x11, 0x46, 0x07)},
    {"movlps load", B(0x0f, 0x12, 0x46, 0x01)}, {"movhpd store", B(0x66, 0x0f, 0x17, 0x46, 0x02)},
    {"movhlps", B(0x0f, 0x12, 0xc1)}, {"movlhps", B(0x0f, 0x16, 0xc1)},
    {"movq xmm,m64", B(0xf3, 0x0f, 0x7e, 0x46, 0x00)}, {"movq m64,xmm", B(0x66, 0x0f, 0xd6, 0x46, 0x00)},
    {"movq xmm,xmm (d6)", B(0x66, 0x0f, 0xd6, 0xc8)},
    {"movd xmm,r32", B(0x66, 0x0f, 0x6e, 0xc1)}, {"movq r64,xmm", B(0x66, 0x48, 0x0f, 0x7e, 0xc1)},
    {"movd m32,xmm", B(0x66, 0x0f, 0x7e, 0x46, 0x09)},
    {"movnti m64", B(0x48, 0x0f, 0xc3, 0x46, 0x01)}, {"movntdq misaligned", B(0x66, 0x0f, 0xe7, 0x46, 0x08)},
    {"ldmxcsr", B(0x0f, 0xae, 0x56, 0x20)}, {"ldmxcsr reserved", B(0x0f, 0xae, 0x56, 0x24)},
    {"stmxcsr", B(0x0f, 0xae, 0x5e, 0x01)},
    {"fxsave", B(0x48, 0x0f, 0xae, 0x46, 0x00)}, {"fxsave misaligned", B(0x48, 0x0f, 0xae, 0x46, 0x08)},
    {"fxrstor", B(0x48, 0x0f, 0xae, 0x8e, 0x00, 0x02, 0x00, 0x00)},
    {"fxrstor bad mxcsr", B(0x48, 0x0f, 0xae, 0x8e, 0x00, 0x04, 0x00, 0x00)},
    {"pshufd", B(0x66, 0x0f, 0x70, 0xc1, 0x9c)}, {"pshufhw", B(0xf3, 0x0f, 0x70, 0xc1, 0x4e)},
    {"pshuflw m128", B(0xf2, 0x0f, 0x70, 0x46, 0x00, 0xe1)},
    {"psrldq 3", B(0x66, 0x0f, 0x73, 0xd8, 0x03)}, {"pslldq 17", B(0x66, 0x0f, 0x73, 0xf8, 0x11)},
    {"psraw 5", B(0x66, 0x0f, 0x71, 0xe0, 0x05)}, {"psllq 65", B(0x66, 0x0f, 0x73, 0xf0, 0x41)},
    {"psrld xmm count", B(0x66, 0x0f, 0xd2, 0xc1)},
    {"pinsrw m16", B(0x66, 0x0f, 0xc4, 0x46, 0x01, 0x05)}, {"pextrw", B(0x66, 0x0f, 0xc5, 0xc1, 0x0b)},
    {"pmovmskb", B(0x66, 0x0f, 0xd7, 0xc1)}, {"packsswb", B(0x66, 0x0f, 0x63, 0xc1)},
    {"pmaddwd", B(0x66, 0x0f, 0xf5, 0xc1)}, {"psadbw", B(0x66, 0x0f, 0xf6, 0xc1)},
    {"maskmovdqu", B(0x66, 0x0f, 0xf7, 0xc1)},
    {"mmx movq mm0,m64", B(0x0f, 0x6f, 0x46, 0x01)}, {"mmx paddw", B(0x0f, 0xfd, 0xc1)},
    {"mmx packsswb", B(0x0f, 0x63, 0xc1)}, {"mmx punpckhbw", B(0x0f, 0x68, 0xc1)},
    {"mmx pshufw", B(0x0f, 0x70, 0xc1, 0x1b)}, {"mmx psrlq 7", B(0x0f, 0x73, 0xd1, 0x07)},
    {"mmx pmovmskb", B(0x0f, 0xd7, 0xc1)}, {"mmx pextrw", B(0x0f, 0xc5, 0xc1, 0x02)},
    {"mmx pinsrw", B(0x0f, 0xc4, 0xc1, 0x01)}, {"mmx movd eax,mm1", B(0x0f, 0x7e, 0xc8)},
    {"mmx movq2dq", B(0xf3, 0x0f, 0xd6, 0xc1)}, {"mmx movdq2q", B(0xf2, 0x0f, 0xd6, 0xc1)},
    {"mmx maskmovq", B(0x0f, 0xf7, 0xc1)}, {"emms", B(0x0f, 0x77)},
    {"cvtpi2ps xmm,mm", B(0x0f, 0x2a, 0xc1)}, {"cvtpi2pd xmm,m64", B(0x66, 0x0f, 0x2a, 0x46, 0x01)},
    {"cvtpd2pi m128 misaligned", B(0x66, 0x0f, 0x2d, 0x46, 0x08)},
    {"cvttps2pi m64", B(0x0f, 0x2c, 0x46, 0x04)},
    {"mmx movq m64 then fld", B(0x0f, 0x7f, 0x0e, 0xdd, 0x46, 0x10)},
#undef B
};

static void test_mem_op(const struct mem_op *op)
{
    struct group g;
    group_begin(&g, op->name);
    g.ign_lo = 28, g.ign_hi = 32; /* FXSAVE's MXCSR_MASK is vendor-specific */
    for (unsigned v = 0; v < 6; v++) {
        uint8_t x0[16], x1[16];
        uint64_t rcx;
        char detail[32];
        case_begin(op->code, op->len);
        fill_lanes(F32, v * 3, v * 5 + 1, x0, x1, &rcx);
        set_xmm(0, x0);
        set_xmm(1, x1);
        tc.in.r[R_CX] = rcx;
        tc.in.r[R_DI] = DT_SCRATCH + 0x40 + v;
        for (unsigned k = 0; k < 0x100; k++)
            tc.mem[k] = (uint8_t)(k * 37 + v);
        uint32_t mx = 0x1f80 | (v & 1 ? 0x6000 : 0), bad = 0x11f80;
        memcpy(tc.mem + 0x20, &mx, 4);
        memcpy(tc.mem + 0x24, &bad, 4);
        memset(tc.mem + 0x200, 0, 512);
        memcpy(tc.mem + 0x200, (uint16_t[]){0x27f, 0x0800}, 4);
        memcpy(tc.mem + 0x200 + 24, &mx, 4);
        memcpy(tc.mem + 0x400, tc.mem + 0x200, 512);
        memcpy(tc.mem + 0x400 + 24, &bad, 4);
        tc.mem[0x200 + 4] = 0x80;
        set_stack((const struct f80[]){x87v[v], x87v[v + 2]}, v & 1 ? 2 : 0, 0);
        snprintf(detail, sizeof detail, "input %u", v);
        run_case(&g, detail);
    }
    group_end(&g);
}

/* SSE availability and exception delivery the host can show: #XM from a packed op with an
 * unmasked exception is covered by the MXCSR list above. */

/* ---- x87 ---- */
enum { K_ST2, K_ST1, K_ST0, K_M32, K_M64, K_M80, K_I16, K_I32, K_I64, K_STORE, K_FLAGS };
struct x87_op {
    const char *name;
    uint8_t code[4];
    unsigned len;
    int kind;
};
static const struct x87_op x87_ops[] = {
#define B(...) {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})
    {"fadd st,st1", B(0xd8, 0xc1), K_ST2}, {"fsub st,st1", B(0xd8, 0xe1), K_ST2},
    {"fsubr st,st1", B(0xd8, 0xe9), K_ST2}, {"fmul st,st1", B(0xd8, 0xc9), K_ST2},
    {"fdiv st,st1", B(0xd8, 0xf1), K_ST2}, {"fdivr st,st1", B(0xd8, 0xf9), K_ST2},
    {"faddp", B(0xde, 0xc1), K_ST2}, {"fdivp", B(0xde, 0xf9), K_ST2}, {"fsubrp", B(0xde, 0xe1), K_ST2},
    {"fmul st1,st", B(0xdc, 0xc9), K_ST2},
    {"fcom", B(0xd8, 0xd1), K_ST2}, {"fcomp", B(0xd8, 0xd9), K_ST2}, {"fcompp", B(0xde, 0xd9), K_ST2},
    {"fucom", B(0xdd, 0xe1), K_ST2}, {"fucompp", B(0xda, 0xe9), K_ST2},
    {"fcomi", B(0xdb, 0xf1), K_ST2}, {"fucomi", B(0xdb, 0xe9), K_ST2},
    {"fcomip", B(0xdf, 0xf1), K_ST2}, {"fucomip", B(0xdf, 0xe9), K_ST2},
    {"fxch", B(0xd9, 0xc9), K_ST2}, {"fprem", B(0xd9, 0xf8), K_ST2}, {"fprem1", B(0xd9, 0xf5), K_ST2},
    {"fscale", B(0xd9, 0xfd), K_ST2}, {"fpatan", B(0xd9, 0xf3), K_ST2}, {"fyl2x", B(0xd9, 0xf1), K_ST2},
    {"fyl2xp1", B(0xd9, 0xf9), K_ST2},
    {"fcmovb", B(0xda, 0xc1), K_FLAGS}, {"fcmove", B(0xda, 0xc9), K_FLAGS},
    {"fcmovnbe", B(0xdb, 0xd1), K_FLAGS}, {"fcmovu", B(0xda, 0xd9), K_FLAGS},
    {"fchs", B(0xd9, 0xe0), K_ST1}, {"fabs", B(0xd9, 0xe1), K_ST1}, {"ftst", B(0xd9, 0xe4), K_ST1},
    {"fxam", B(0xd9, 0xe5), K_ST1}, {"fsqrt", B(0xd9, 0xfa), K_ST1}, {"frndint", B(0xd9, 0xfc), K_ST1},
    {"fxtract", B(0xd9, 0xf4), K_ST1}, {"fsin", B(0xd9, 0xfe), K_ST1}, {"fcos", B(0xd9, 0xff), K_ST1},
    {"fsincos", B(0xd9, 0xfb), K_ST1}, {"fptan", B(0xd9, 0xf2), K_ST1}, {"f2xm1", B(0xd9, 0xf0), K_ST1},
    {"fld st1", B(0xd9, 0xc1), K_ST1}, {"fst st1", B(0xdd, 0xd1), K_ST1}, {"fstp st1", B(0xdd, 0xd9), K_ST1},
    {"ffree st1", B(0xdd, 0xc1), K_ST1}, {"fincstp", B(0xd9, 0xf7), K_ST1}, {"fdecstp", B(0xd9, 0xf6), K_ST1},
    {"fld1", B(0xd9, 0xe8), K_ST0}, {"fldz", B(0xd9, 0xee), K_ST0}, {"fldpi", B(0xd9, 0xeb), K_ST0},
    {"fldl2e", B(0xd9, 0xea), K_ST0}, {"fldl2t", B(0xd9, 0xe9), K_ST0}, {"fldlg2", B(0xd9, 0xec), K_ST0},
    {"fldln2", B(0xd9, 0xed), K_ST0}, {"fninit", B(0xdb, 0xe3), K_ST0}, {"fnclex", B(0xdb, 0xe2), K_ST0},
    {"fnstsw ax", B(0xdf, 0xe0), K_ST0}, {"fwait", B(0x9b), K_ST0}, {"fnop", B(0xd9, 0xd0), K_ST0},
    {"fld m32", B(0xd9, 0x06), K_M32}, {"fadd m32", B(0xd8, 0x06), K_M32}, {"fdivr m32", B(0xd8, 0x3e), K_M32},
    {"fld m64", B(0xdd, 0x06), K_M64}, {"fmul m64", B(0xdc, 0x0e), K_M64}, {"fcomp m64", B(0xdc, 0x1e), K_M64},
    {"fld m80", B(0xdb, 0x2e), K_M80}, {"fbld", B(0xdf, 0x26), K_M80},
    {"fild m16", B(0xdf, 0x06), K_I16}, {"fidiv m16", B(0xde, 0x36), K_I16},
    {"fild m32", B(0xdb, 0x06), K_I32}, {"ficom m32", B(0xda, 0x16), K_I32}, {"fisub m32", B(0xda, 0x26), K_I32},
    {"fild m64", B(0xdf, 0x2e), K_I64},
    {"fst m32", B(0xd9, 0x16), K_STORE}, {"fstp m32", B(0xd9, 0x1e), K_STORE},
    {"fst m64", B(0xdd, 0x16), K_STORE}, {"fstp m80", B(0xdb, 0x3e), K_STORE},
    {"fist m16", B(0xdf, 0x16), K_STORE}, {"fistp m32", B(0xdb, 0x1e), K_STORE},
    {"fistp m64", B(0xdf, 0x3e), K_STORE}, {"fbstp", B(0xdf, 0x36), K_STORE},
    {"fisttp m32", B(0xdb, 0x0e), K_STORE},
    {"fnstcw", B(0xd9, 0x3e), K_STORE}, {"fnstsw m16", B(0xdd, 0x3e), K_STORE},
    {"fldcw", B(0xd9, 0x2e), K_I16},
    {"fnstenv", B(0xd9, 0x36), K_STORE}, {"fldenv", B(0xd9, 0x26), K_STORE},
    {"fnsave", B(0xdd, 0x36), K_STORE}, {"frstor", B(0xdd, 0x26), K_STORE},
#undef B
};

/* Memory operand bytes for value index b of a load kind. */
static void x87_mem(int kind, unsigned b, uint8_t *m)
{
    int64_t iv = intv[b % NV(intv)];
    switch (kind) {
    case K_M32: memcpy(m, &f32v[b % NV(f32v)], 4); break;
    case K_M64: memcpy(m, &f64v[b % NV(f64v)], 8); break;
    case K_M80: memcpy(m, &x87v[b % NV(x87v)].m, 8); memcpy(m + 8, &x87v[b % NV(x87v)].se, 2); break;
    case K_I16: case K_I32: case K_I64: memcpy(m, &iv, 8); break;
    default: break;
    }
    if (kind == K_I16 && b % 3 == 0) /* FLDCW sees plausible control words too */
        memcpy(m, &fcws[b % NV(fcws)], 2);
}

static unsigned x87_depth(int kind, unsigned variant)
{
    static const unsigned depth[] = {2, 1, 0, 1, 1, 1, 1, 1, 1, 1, 2};
    if (variant == 1)
        return 0; /* stack underflow */
    if (variant == 2)
        return 8; /* stack overflow for pushes */
    return depth[kind];
}

static void test_x87_op(const struct x87_op *op)
{
    struct group g;
    char detail[96];
    group_begin(&g, op->name);
    /* FNSTENV/FNSAVE: the CS and DS selectors stored are environment-specific */
    g.ign_lo = 16, g.ign_hi = 18, g.ign2_lo = 24, g.ign2_hi = 26;
    unsigned nb = op->kind == K_ST2 || op->kind == K_FLAGS ? NV(x87v) : 12;
    for (unsigned cw = 0; cw < NV(fcws); cw++)
        for (unsigned variant = 0; variant < 3; variant++)
            for (unsigned a = 0; a < NV(x87v); a++)
                for (unsigned b = 0; b < (variant ? 1 : nb); b++) {
                    struct f80 st[8];
                    case_begin(op->code, op->len);
                    for (unsigned k = 0; k < 8; k++)
                        st[k] = x87v[(a + k * b + k) % NV(x87v)];
                    set_stack(st, x87_depth(op->kind, variant), 0);
                    set_fcw(fcws[cw]);
                    x87_mem(op->kind, b, tc.mem);
                    if (op->kind == K_FLAGS)
                        tc.in.rflags = 0x202 | (b & 1 ? F_CF : 0) | (b & 2 ? F_ZF : 0) | (b & 4 ? F_PF : 0);
                    snprintf(detail, sizeof detail, "fcw %#x depth %u a %u b %u", fcws[cw],
                             x87_depth(op->kind, variant), a, b);
                    run_case(&g, detail);
                }
    group_end(&g);
}

/* A pending unmasked exception is reported by the next waiting instruction (#MF). */
static void test_x87_pending(void)
{
    static const struct x87_op seq[] = {
        {"pending #MF: fsqrt(-1) then fadd", {0xd9, 0xfa, 0xd8, 0xc1}, 4, K_ST2},
        {"pending #MF: fsqrt(-1) then fnstsw ax", {0xd9, 0xfa, 0xdf, 0xe0}, 4, K_ST2},
        {"pending #MF: fsqrt(-1) then fwait", {0xd9, 0xfa, 0x9b}, 3, K_ST2},
        {"pending #MF: fsqrt(-1) then fnclex fwait", {0xd9, 0xfa, 0xdb, 0xe2}, 4, K_ST2},
        {"pending #MF: fsqrt(-1) then paddb mm", {0xd9, 0xfa, 0x0f, 0xfc}, 4, K_ST2},
    };
    for (unsigned k = 0; k < NV(seq); k++) {
        struct group g;
        group_begin(&g, seq[k].name);
        case_begin(seq[k].code, seq[k].len);
        if (seq[k].code[2] == 0x0f)
            tc.code[tc.len++] = 0xc1;
        set_stack((const struct f80[]){x87v[3], x87v[2]}, 2, 0);
        set_fcw(0x37e);
        run_case(&g, "IE unmasked");
        group_end(&g);
    }
}

void fputest_ctl(void); /* fputest_ctl.c */

int main(void)
{
    fputest_ctl();
    host_init();
    soft_init();
    for (unsigned k = 0; k < NV(sse_ops); k++)
        test_sse_op(&sse_ops[k]);
    for (unsigned k = 0; k < NV(mem_ops); k++)
        test_mem_op(&mem_ops[k]);
    for (unsigned k = 0; k < NV(x87_ops); k++)
        test_x87_op(&x87_ops[k]);
    test_x87_pending();
    return 0;
}
