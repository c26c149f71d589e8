/* sse_xm.c: the MXCSR flags an SSE arithmetic instruction reports when an unmasked overflow or
 * underflow makes it take #XM (the host only ever runs with exceptions masked). */
#include "simd.h"

/*
 * With OE or UE unmasked, the precision flag no longer describes the delivered (infinite,
 * huge or denormal) value but the result rounded to the destination precision with an
 * unbounded exponent. The host's x87, set to 24 or 53 bits of precision, rounds exactly
 * that way, so it tells whether that rounding was inexact.
 */
enum { XM_ADD, XM_SUB, XM_MUL, XM_DIV, XM_SQRT, XM_CVT, XM_NONE };

static int xm_kind(unsigned op)
{
    switch (op) {
    case 0x58: return XM_ADD;
    case 0x5c: return XM_SUB;
    case 0x59: return XM_MUL;
    case 0x5e: return XM_DIV;
    case 0x51: return XM_SQRT;
    case 0x5a: return XM_CVT;
    default: return XM_NONE;
    }
}

static bool x87_inexact(int kind, long double a, long double b, bool dbl, unsigned rc)
{
    uint16_t saved, sw, cw = (uint16_t)(0x3f | (dbl ? 0x200 : 0) | (rc << 10));
    if (kind == XM_SQRT || kind == XM_CVT) {
        a = b; /* the source operand */
        b = 0;
    }
    __asm__ volatile("fnstcw %[saved]\n\t"
                     "fldcw %[cw]\n\t"
                     "fnclex\n\t"
                     "fldt %[b]\n\t"
                     "fldt %[a]\n\t"
                     "cmpl $0, %[k]\n\t je 1f\n\t"
                     "cmpl $1, %[k]\n\t je 2f\n\t"
                     "cmpl $2, %[k]\n\t je 3f\n\t"
                     "cmpl $3, %[k]\n\t je 4f\n\t"
                     "cmpl $4, %[k]\n\t je 5f\n\t"
                     "1: fadd %%st(1), %%st\n\t jmp 9f\n\t"
                     "2: fsub %%st(1), %%st\n\t jmp 9f\n\t"
                     "3: fmul %%st(1), %%st\n\t jmp 9f\n\t"
                     "4: fdiv %%st(1), %%st\n\t jmp 9f\n\t"
                     "5: fsqrt\n\t"
                     "9: fnstsw %[sw]\n\t"
                     "fstp %%st(0)\n\t"
                     "fstp %%st(0)\n\t"
                     "fnclex\n\t"
                     "fldcw %[saved]\n\t"
                     : [saved] "=m"(saved), [sw] "=m"(sw)
                     : [cw] "m"(cw), [a] "m"(a), [b] "m"(b), [k] "r"(kind == XM_CVT ? 0 : kind)
                     : "st", "st(1)", "cc");
    return (sw & 0x20) != 0;
}

/* Lane k of a vector as a long double (DAZ: denormal inputs read as signed zero). */
static long double lane_value(const uint8_t *v, unsigned k, bool dbl, bool daz)
{
    if (dbl) {
        double d;
        uint64_t bits = ld64(v + 8 * k);
        if (daz && !(bits & 0x7ff0000000000000ull))
            bits &= 1ull << 63;
        memcpy(&d, &bits, 8);
        return d;
    }
    float f;
    uint32_t bits;
    memcpy(&bits, v + 4 * k, 4);
    if (daz && !(bits & 0x7f800000u))
        bits &= 1u << 31;
    memcpy(&f, &bits, 4);
    return f;
}

/* x0/x1: the operands as they were before the instruction. One lane at a time, with every
 * other lane holding 1.0 (which raises nothing), gives each lane's own flags. */
uint32_t sse_xm_flags(struct cpu *c, unsigned pfx, unsigned op, const uint8_t *x0,
                      const uint8_t *x1, uint32_t flags)
{
    int kind = xm_kind(op);
    uint32_t mx = c->fpu.mxcsr, unmasked = ~(mx >> 7) & (MXCSR_OE | MXCSR_UE), all = 0;
    bool in_dbl = pfx == 1 || pfx == 3, out_dbl = in_dbl && kind != XM_CVT;
    unsigned lanes = pfx >= 2 ? 1 : in_dbl ? 2 : 4, w = in_dbl ? 8 : 4;
    static const uint8_t one32[4] = {0, 0, 0x80, 0x3f}, one64[8] = {0, 0, 0, 0, 0, 0, 0xf0, 0x3f};
    if (kind == XM_NONE || (kind == XM_CVT && !in_dbl))
        return flags;
    for (unsigned k = 0; k < lanes; k++) {
        struct host_io io = {0};
        memcpy(io.x0, x0, 16);
        memcpy(io.x1, x1, 16);
        for (unsigned j = 0; j < lanes; j++)
            if (j != k) {
                memcpy(io.x0 + w * j, in_dbl ? one64 : one32, w);
                memcpy(io.x1 + w * j, in_dbl ? one64 : one32, w);
            }
        uint32_t fk = sse_host_exec(c, host_sse_stub(pfx, 0, op), &io);
        if (fk & unmasked) {
            bool daz = mx & MXCSR_DAZ;
            bool pe = x87_inexact(kind, lane_value(x0, k, in_dbl, daz), lane_value(x1, k, in_dbl, daz),
                                  out_dbl, (mx >> 13) & 3);
            fk = (fk & ~MXCSR_PE) | (pe ? MXCSR_PE : 0);
        }
        all |= fk;
    }
    return all;
}
