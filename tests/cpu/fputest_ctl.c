/* fputest_ctl.c: soft-CPU-only checks of what user mode cannot change on the host: #NM, #UD
 * and #XM versus CR0.TS/EM/MP and CR4.OSFXSR/OSXMMEXCPT, by decoding and running single
 * instructions on a bare soft CPU. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difftest.h"
#include "engine.h"
#include "harness.h"

struct ctl_case {
    const char *name;
    uint8_t code[8];
    unsigned len;
    uint64_t cr0_set, cr0_clear, cr4_clear;
    uint32_t mxcsr;
    int vector; /* expected: -1 = no fault */
};

#define B(...) {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})
static const struct ctl_case ctl_cases[] = {
    {"ctl addps CR0.TS -> #NM", B(0x0f, 0x58, 0xc1), CR0_TS, 0, 0, 0x1f80, EXC_NM},
    {"ctl addps CR0.EM -> #UD", B(0x0f, 0x58, 0xc1), CR0_EM, 0, 0, 0x1f80, EXC_UD},
    {"ctl addps !OSFXSR -> #UD", B(0x0f, 0x58, 0xc1), 0, 0, CR4_OSFXSR, 0x1f80, EXC_UD},
    {"ctl pxor CR0.TS -> #NM", B(0x66, 0x0f, 0xef, 0xc1), CR0_TS, 0, 0, 0x1f80, EXC_NM},
    {"ctl divss 1/0 ZE unmasked -> #XM", B(0xf3, 0x0f, 0x5e, 0xc2), 0, 0, 0, 0x1d80, EXC_XM},
    {"ctl divss 1/0 !OSXMMEXCPT -> #UD", B(0xf3, 0x0f, 0x5e, 0xc2), 0, 0, CR4_OSXMMEXCPT, 0x1d80, EXC_UD},
    {"ctl divss 1/0 ZE masked", B(0xf3, 0x0f, 0x5e, 0xc2), 0, 0, 0, 0x1f80, -1},
    {"ctl paddb mm CR0.EM -> #UD", B(0x0f, 0xfc, 0xc1), CR0_EM, 0, 0, 0x1f80, EXC_UD},
    {"ctl paddb mm CR0.TS -> #NM", B(0x0f, 0xfc, 0xc1), CR0_TS, 0, 0, 0x1f80, EXC_NM},
    {"ctl paddb mm !OSFXSR", B(0x0f, 0xfc, 0xc1), 0, 0, CR4_OSFXSR, 0x1f80, -1},
    {"ctl fadd CR0.EM -> #NM", B(0xd8, 0xc1), CR0_EM, 0, 0, 0x1f80, EXC_NM},
    {"ctl fadd CR0.TS -> #NM", B(0xd8, 0xc1), CR0_TS, 0, 0, 0x1f80, EXC_NM},
    {"ctl fwait TS without MP", B(0x9b), CR0_TS, CR0_MP, 0, 0x1f80, -1},
    {"ctl fwait TS+MP -> #NM", B(0x9b), CR0_TS | CR0_MP, 0, 0, 0x1f80, EXC_NM},
    {"ctl emms CR0.EM -> #UD", B(0x0f, 0x77), CR0_EM, 0, 0, 0x1f80, EXC_UD},
    {"ctl cvtsi2sd !OSFXSR -> #UD", B(0xf2, 0x0f, 0x2a, 0xc1), 0, 0, CR4_OSFXSR, 0x1f80, EXC_UD},
};
#undef B

static struct scpu_segment flat(uint16_t sel, uint8_t type, uint8_t l, uint8_t db)
{
    struct scpu_segment g = {.limit = 0xffffffff, .selector = sel, .type = type, .present = 1,
                             .s = 1, .l = l, .db = db, .g = 1};
    return g;
}

/* Run one decoded instruction; returns the vector it raised or -1. */
static int ctl_run(struct cpu *c, const struct ctl_case *k)
{
    struct fetch f;
    struct insn i;
    memset(&f, 0, sizeof f);
    memcpy(f.buf, k->code, k->len);
    f.avail = 15;
    f.gpa2 = ~0ull;
    if (decode_insn(c, 0x1000, &f, &i) != DEC_OK)
        return -2;
    c->cur = &i;
    c->pending_vector = -1;
    if (setjmp(c->fault_jmp))
        return c->fault_vector;
    i.fn(c, &i);
    return -1;
}

void fputest_ctl(void)
{
    struct scpu *s = scpu_create();
    if (!s) {
        test_report("ctl", TEST_FAIL, "scpu_create failed");
        return;
    }
    for (unsigned n = 0; n < sizeof ctl_cases / sizeof ctl_cases[0]; n++) {
        const struct ctl_case *k = &ctl_cases[n];
        struct scpu_sregs sr;
        memset(&sr, 0, sizeof sr);
        sr.cs = flat(0x08, 11, 1, 0);
        sr.ss = sr.ds = sr.es = sr.fs = sr.gs = flat(0x10, 3, 0, 1);
        sr.tr = flat(0, 11, 0, 0);
        sr.tr.s = 0;
        sr.ldt.unusable = 1;
        sr.cr0 = ((CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG) | k->cr0_set) & ~k->cr0_clear;
        sr.cr4 = (CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT) & ~k->cr4_clear;
        sr.efer = EFER_LME | EFER_LMA;
        if (scpu_set_sregs(s, &sr)) {
            test_report(k->name, TEST_FAIL, "scpu_set_sregs refused the state");
            continue;
        }
        struct cpu *c = (struct cpu *)(void *)s;
        memset(&c->fpu, 0, sizeof c->fpu);
        c->fpu.fcw = 0x37f;
        c->fpu.mxcsr = k->mxcsr;
        float one = 1.0f;
        memcpy(c->fpu.xmm[0], &one, 4);
        int v = ctl_run(c, k);
        EXPECT(k->name, v == k->vector, "vector %d, expected %d", v, k->vector);
    }
    scpu_destroy(s);
}
