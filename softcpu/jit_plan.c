/* jit_plan.c: what the translator decides about a block before it emits any code: which
 * instructions it translates (the rest call the interpreter's handler), whether the block runs
 * SSE on the host and under which MXCSR, which guest registers get a home host register, and
 * which of those homes the entry loads and each point writes back (see jit.c). */
#include "jit_int.h"

#include <string.h>

/* Instruction k translated? (rep stos not where user pages carry byte bounds: the handler
 * checks each byte) */
static bool ops_ok(const struct jctx *x, unsigned k, struct jop *ops, bool sse)
{
    if (!jit_classify(&x->ins[k], &ops[k], sse, x->cpl))
        return false;
    return !(ops[k].kind == K_REPSTOS && x->cpl == 3 && x->env->bounds);
}

/* Classify every instruction (K_HELPER for what the translator leaves to the interpreter). */
static void plan(struct jctx *x, struct jop *ops)
{
    bool sse = true;
    x->ops = ops;
    for (unsigned k = 0; k < x->n; k++)
        sse &= !jit_sse_unsafe(&x->ins[k]);
    for (unsigned k = 0; k < x->n; k++) {
        if (!ops_ok(x, k, ops, sse)) {
            memset(&ops[k], 0, sizeof ops[k]);
            ops[k].kind = K_HELPER; /* takes the flags from struct cpu */
        }
        bool is_sse = ops[k].kind >= K_SSE && ops[k].kind <= K_SSE_FROMGPR;
        x->sse |= is_sse;
        x->sse_fp |= is_sse && jit_sse_mxcsr(&x->ins[k]);
    }
}

static void use(unsigned *cnt, unsigned g, unsigned w)
{
    if (g != R_NONE && g != R_RIP)
        cnt[jit_fold(g)] += w;
}

/* Whether the block branches back to its start (from its end, or from a Jcc within it). */
static bool loops(const struct jctx *x)
{
    for (unsigned q = 0; q < x->n; q++) {
        const struct insn *i = &x->ins[q];
        uint8_t kind = x->ops[q].kind;
        if ((kind == K_JCC || kind == K_JMP) && insn_next(i) + i->imm == x->ins[0].rip)
            return true;
    }
    return false;
}

/* Which homes the entry loads and each point writes back (jctx.load, jctx.wb): a home needs no
 * load when an instruction writes it whole before any touches it otherwise (its value is then
 * the block's own from there on), and at instruction k only the homes instructions before k
 * may have written can differ from struct cpu (each of them loaded, or written whole first).
 * A block that loops to its start loads and writes them all: its second pass has them in
 * registers from the first. */
static void plan_homes(struct jctx *x)
{
    unsigned homes = 0, whole = 0, written = 0;
    for (unsigned g = 0; g < 16; g++)
        homes |= (x->home[g] >= 0 ? 1u : 0u) << g;
    x->load = 0;
    for (unsigned q = 0; q < x->n; q++) {
        struct jregs r;
        x->wb[q] = (uint16_t)(written & homes);
        j_insn_regs(x, q, &r);
        x->load |= r.touch & ~r.whole & ~whole;
        whole |= r.whole;
        written |= r.writes | r.whole;
    }
    x->wb[x->n] = (uint16_t)(written & homes);
    x->load &= homes;
    if (loops(x)) {
        x->load = (uint16_t)homes;
        for (unsigned q = 0; q <= x->n; q++)
            x->wb[q] = (uint16_t)homes;
    }
    x->load &= (uint16_t)~JIT_GLOBALS; /* in their homes already */
    for (unsigned q = 0; q <= x->n; q++)
        x->wb[q] |= JIT_GLOBALS; /* struct cpu may not have them at all */
}

/* rsp's home is JIT_GLOBAL_HOME; give the most used other guest registers of insns[0..k) a home
 * in r10, r11, r13 and r8 for the block. */
static void choose_homes(struct jctx *x, const struct jop *ops, unsigned k)
{
    unsigned cnt[16] = {0};
    for (unsigned q = 0; q < k; q++) {
        const struct insn *i = &x->ins[q];
        const struct jop *j = &ops[q];
        if (j->kind == K_REPSTOS) {
            use(cnt, R_AX, 2), use(cnt, R_CX, 2), use(cnt, R_DI, 2);
            continue;
        }
        if (j->kind >= K_PUSH && j->kind != K_JCC && j->kind != K_JMP && j->kind != K_HELPER)
            use(cnt, R_SP, 2);
        if (j->kind == K_PUSH || j->kind == K_POP)
            use(cnt, i->reg, 2);
        if (j->kind >= K_PUSH || j->kind == K_NOP || j->kind == K_HELPER)
            continue;
        if (j->g || j->kind == K_LEA || j->kind == K_MOVI || j->kind == K_BSWAP)
            use(cnt, i->reg, 2);
        if (j->kind == K_MODRM && !i->is_mem)
            use(cnt, i->rm, 2);
        if (i->is_mem)
            use(cnt, i->base, 2), use(cnt, i->index, 2);
        for (unsigned g = 0; g < 3; g++)
            if (j->imp & (1u << g))
                use(cnt, g, 2);
    }
    memset(x->home, -1, sizeof x->home);
    _Static_assert(JIT_GLOBALS == 1u << R_SP, "one global home");
    x->home[R_SP] = JIT_GLOBAL_HOME;
    static const int8_t homes[] = {H_R10, H_R11, H_R13, H_R8};
    for (unsigned n = 0; n < sizeof homes; n++) {
        int h = homes[n];
        unsigned best = 16;
        for (unsigned g = 0; g < 16; g++)
            if (x->home[g] < 0 && cnt[g] >= 4 && (best == 16 || cnt[g] > cnt[best]))
                best = g;
        if (best == 16)
            return;
        x->home[best] = (int8_t)h;
    }
}

void jit_plan(struct jctx *x, struct jop *ops)
{
    plan(x, ops);
    choose_homes(x, ops, x->n);
    plan_homes(x);
}
