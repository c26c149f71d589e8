/* jit_stack.c: stack runs. A prologue's pushes, an epilogue's pops and the stack slots in between
 * each took a TLB lookup of their own (a dozen host instructions per access): a run is a stretch
 * of a block whose memory operands all lie at offsets known at translation from the stack
 * pointer at its start (push, pop, call, ret, [rsp + disp], and [rbp + disp] after mov rbp, rsp),
 * within RUN_SPAN bytes, and which does not leave the block before its end.
 * One lookup checks the run's whole span at its start; when the span lies in one page the TLB
 * holds, every access is a plain host access at [rsi + disp]. When it does not (it crosses a
 * page, the tag misses, the entry is slow or bounded), the same instructions follow translated one
 * by one as usual, with their own lookups and side exits: the run is emitted twice.
 */
#include "jit_int.h"

#include <stdint.h>

#define RUN_SPAN 512
#define UNKNOWN INT64_MIN

struct run {
    unsigned k, end;              /* instructions [k, end) */
    unsigned anchor;              /* the register k's access is relative to */
    int64_t at[SCPU_BLOCK_MAX];   /* each one's access, as an offset from the anchor's value at
                                   * k, or UNKNOWN for none */
    int64_t lo, hi;               /* the accesses' span [lo, hi) */
    unsigned accesses;
    bool write;                   /* some access stores */
    bool ends;                    /* the last instruction leaves the block (call, ret) */
    int32_t sp_due;               /* the grouped pushes' and pops' change of rsp, added once
                                   * before anything else (sp_settle) */
};

/* guest register g gets a value the run cannot follow */
static void clobber(int64_t *t, unsigned g)
{
    g = jit_fold(g);
    if (g < 16)
        t[g] = UNKNOWN;
}

/* the offset of [base + disp] (index none, no FS/GS), or UNKNOWN */
static int64_t mem_at(const struct insn *i, const int64_t *t)
{
    if (i->base >= 16 || t[i->base] == UNKNOWN || i->index != R_NONE || i->seg == S_FS || i->seg == S_GS)
        return UNKNOWN;
    return t[i->base] + i->disp;
}

/* An instruction with a ModRM operand: its access and the registers it writes. */
static bool modrm_step(const struct insn *i, const struct jop *j, int64_t *t, int64_t *acc, unsigned *size)
{
    unsigned op = i->op & 0xff, digit = (i->modrm >> 3) & 7;
    bool one = (i->op >> 8) == MAP_1B;
    for (unsigned g = 0; g < 3; g++)
        if (j->imp & (1u << g))
            t[g] = UNKNOWN;
    if (i->is_mem) {
        *acc = mem_at(i, t);
        *size = j->msize ? j->msize : i->osz;
        if (j->g && !j->ro && !(one && (op == 0x88 || op == 0x89))) /* mov stores read ModRM.reg */
            clobber(t, i->reg);
        return *acc != UNKNOWN;
    }
    if (one && (op == 0x81 || op == 0x83) && i->rm < 16 && i->osz == 8 && (digit == 0 || digit == 5)) {
        int64_t v = (int64_t)i->imm; /* add/sub r64, imm (a pointer stepping through an array) */
        if (t[i->rm] != UNKNOWN)
            t[i->rm] += digit == 0 ? v : -v;
        return true;
    }
    if (one && (op == 0x89 || op == 0x8b) && i->osz == 8) { /* mov r64, r64 */
        t[op == 0x89 ? i->rm : i->reg] = t[op == 0x89 ? i->reg : i->rm];
        return true;
    }
    if (!j->ro) {
        if (j->g)
            clobber(t, i->reg);
        clobber(t, i->rm);
    }
    return true;
}

/* Instruction i in a run: false when it cannot be in one; else its access (offset *acc, *size
 * bytes; UNKNOWN for none) and its effect on the known offsets t. */
static bool step(const struct insn *i, const struct jop *j, int64_t *t, int64_t *acc, unsigned *size)
{
    bool stack = j->kind == K_PUSH || j->kind == K_PUSHI || j->kind == K_POP || j->kind == K_CALL || j->kind == K_RET;
    *acc = UNKNOWN;
    *size = 8;
    if (stack && (t[R_SP] == UNKNOWN || ((j->kind == K_PUSH || j->kind == K_POP) && i->reg == R_SP)))
        return false;
    switch (j->kind) {
    case K_PUSH:
    case K_PUSHI: t[R_SP] -= 8; *acc = t[R_SP]; return true;
    case K_POP:
        *acc = t[R_SP];
        t[R_SP] += 8;
        clobber(t, i->reg);
        return true;
    case K_CALL: *acc = t[R_SP] - 8; return true;
    case K_RET: *acc = t[R_SP]; return true;
    case K_NOP:
    case K_SWAPGS: return true;
    case K_MOVI:
    case K_BSWAP: clobber(t, i->reg); return true;
    case K_PLAIN:
        for (unsigned g = 0; g < 3; g++)
            if (j->imp & (1u << g))
                t[g] = UNKNOWN;
        return true;
    case K_LEA: t[i->reg] = i->osz == 8 ? mem_at(i, t) : UNKNOWN; return true;
    case K_MODRM: return modrm_step(i, j, t, acc, size);
    default: return false;
    }
}

static bool stores(const struct jop *j) { return j->kind == K_PUSH || j->kind == K_PUSHI || j->kind == K_CALL || (j->mem & M_W); }

/* The register instruction k's access is relative to (a push's, a [rbx + 8]'s), or R_NONE. */
static unsigned anchor_of(const struct jctx *x, unsigned k)
{
    const struct insn *i = &x->ins[k];
    switch (x->ops[k].kind) {
    case K_PUSH: case K_PUSHI: case K_POP: case K_CALL: case K_RET: return R_SP;
    case K_MODRM:
        if (i->is_mem && i->base < 16 && i->index == R_NONE && i->seg != S_FS && i->seg != S_GS)
            return i->base;
        return R_NONE;
    default: return R_NONE;
    }
}

/* The run starting at instruction k (which must access memory), up to its last access: false
 * when there is none of two accesses or more. Its anchor: the base register of k's access. */
static bool scan(const struct jctx *x, unsigned k, struct run *r)
{
    int64_t t[16];
    r->anchor = anchor_of(x, k);
    if (r->anchor == R_NONE)
        return false;
    if (r->anchor != R_SP && x->cpl == 3 && x->env->bounds)
        return false; /* heap pages carry byte bounds: the grouped lookup would always miss */
    for (unsigned g = 0; g < 16; g++)
        t[g] = UNKNOWN;
    t[r->anchor] = 0;
    r->k = r->end = k;
    r->lo = INT64_MAX, r->hi = INT64_MIN;
    r->accesses = 0;
    r->write = r->ends = false;
    for (unsigned q = k; q < x->n; q++) {
        int64_t nt[16], acc;
        unsigned size;
        memcpy(nt, t, sizeof t);
        if (!step(&x->ins[q], &x->ops[q], nt, &acc, &size))
            break;
        if (acc != UNKNOWN) {
            int64_t lo = acc < r->lo ? acc : r->lo, hi = acc + size > r->hi ? acc + (int64_t)size : r->hi;
            if (hi - lo > RUN_SPAN)
                break;
            r->lo = lo, r->hi = hi;
            r->accesses++;
            r->write |= stores(&x->ops[q]);
            r->end = q + 1;
        }
        r->at[q - k] = acc;
        memcpy(t, nt, sizeof t);
        if (x->ops[q].kind == K_CALL || x->ops[q].kind == K_RET) {
            r->ends = true;
            break;
        }
    }
    return r->accesses >= 2;
}

/* mov qword [rsi + rdi + d], v */
static void store_imm(struct jctx *x, uint64_t v, int32_t d)
{
    struct jbuf *e = &x->e;
    if ((int64_t)v == (int32_t)v) {
        emit_rex(e, true, 0, H_DI, H_SI, false);
        eb(e, 0xc7);
        emit_mem(e, 0, H_SI, H_DI, 0, d);
        en(e, v, 4);
    } else {
        emit_movi(e, H_AX, v);
        emit_rm64(e, 0x89, H_AX, H_SI, H_DI, 0, d);
    }
}

/* the host register guest g is in (its home, else loaded into rax) */
static int reg_in(struct jctx *x, unsigned g)
{
    int h = x->home[g] >= 0 ? x->home[g] : H_AX;
    j_get_reg(x, h, g);
    return h;
}

/* The run's pushes and pops so far moved rsp by r->sp_due: now rsp has it (lea: the flags stay). */
static void sp_settle(struct jctx *x, struct run *r)
{
    if (r->sp_due)
        j_reg_add(x, R_SP, r->sp_due);
    r->sp_due = 0;
}

/* Instruction q of the run, its access (if it has one) at [rsi + rdi + d]. A push or a pop of
 * another register than rsp leaves rsp's change due; anything else settles it first (it may
 * read rsp, leave the block or call C). */
static void emit_grouped(struct jctx *x, struct run *r, unsigned q, bool access, int32_t d)
{
    const struct insn *i = &x->ins[q];
    const struct jop *j = &x->ops[q];
    int h;
    x->done = q + 1;
    if (!(j->kind == K_PUSH || j->kind == K_PUSHI || j->kind == K_POP) || i->reg == R_SP)
        sp_settle(x, r);
    j_flags_for(x, q, j); /* as the one-by-one code does (rotates, cmov, adc read them) */
    x->mem += access;
    switch (j->kind) {
    case K_PUSH:
        emit_rm64(&x->e, 0x89, reg_in(x, i->reg), H_SI, H_DI, 0, d); /* mov [rsi + rdi + d], r */
        r->sp_due -= 8;
        break;
    case K_PUSHI:
        store_imm(x, i->imm, d);
        r->sp_due -= 8;
        break;
    case K_POP:
        h = x->home[i->reg] >= 0 ? x->home[i->reg] : H_AX;
        emit_rm64(&x->e, 0x8b, h, H_SI, H_DI, 0, d); /* mov r, [rsi + rdi + d] */
        r->sp_due += 8;
        j_put_reg(x, h, i->reg);
        break;
    case K_CALL:
        store_imm(x, insn_next(i), d);
        j_reg_add(x, R_SP, -8);
        j_exit_to(x, insn_next(i) + i->imm);
        return;
    case K_RET:
        emit_rm64(&x->e, 0x8b, H_DX, H_SI, H_DI, 0, d); /* mov rdx, [rsi + rdi + d] */
        j_ret_rdx(x, j_new_exit(x, q));
        return;
    case K_MODRM:
        if (i->is_mem) {
            j_modrm_grouped(x, i, j, d);
            break;
        }
        /* fallthrough */
    default:
        jit_emit_int(x, q, j); /* no memory operand: nothing here touches rsi */
        break;
    }
    if (j->fl != FL_NONE)
        x->fhost = true, x->fparked = false;
}

/* Whether the flags end up parked after the run translated one by one: an instruction that needs
 * the incoming flags takes them into RFLAGS (j_flags_for, in both translations), each lookup parks
 * them (j_new_exit), each flag writer or reader leaves them in RFLAGS; the grouped code has no
 * lookup, so it differs only in being unparked where this is parked (RFLAGS holding the same). */
static bool parked_after(const struct jctx *x, const struct run *r, bool fhost, bool parked)
{
    for (unsigned q = r->k; q < r->end; q++) {
        if (j_needs_flags(x, q))
            fhost = true, parked = false;
        if (r->at[q - r->k] != UNKNOWN && !(fhost && !parked && j_redo_at(x, q)))
            parked = fhost; /* (as j_park_for decides) */
        if (x->ops[q].fl != FL_NONE)
            fhost = true, parked = false;
    }
    return parked;
}

unsigned jit_stack_run(struct jctx *x, unsigned k)
{
    static struct run r; /* one translation at a time (as jit_translate's context) */
    struct jbuf *e = &x->e;
    if (!scan(x, k, &r))
        return k;
    for (unsigned q = k; q < r.end && !x->fhost; q++)
        if (j_needs_flags(x, q))
            j_flags_for(x, q, &x->ops[q]); /* from struct cpu now: that may call C, which rsi must not meet */
    j_park_for(x, k);
    int b = j_addr_reg(x, r.anchor, H_SI);
    emit_rm64(e, 0x8d, H_SI, b, H_NONE, 0, (int32_t)r.lo); /* lea rsi, [anchor + lo] */
    uint8_t *miss, *join = NULL;
    j_lookup(x, (unsigned)(r.hi - r.lo), r.write, true, &miss);
    bool fhost = x->fhost, parked = x->fparked;
    unsigned mem = x->mem;
    r.sp_due = 0;
    for (unsigned q = k; q < r.end; q++)
        emit_grouped(x, &r, q, r.at[q - k] != UNKNOWN, (int32_t)(r.at[q - k] == UNKNOWN ? 0 : r.at[q - k] - r.lo));
    sp_settle(x, &r);
    if (!r.ends) {
        if (parked_after(x, &r, fhost, parked))
            j_park(x); /* as the one-by-one code leaves them */
        join = emit_jmp32(e);
    }
    bool gf = x->fhost, gp = x->fparked;
    patch32(e, miss, e->p);
    x->fhost = fhost, x->fparked = parked, x->mem = mem;
    for (unsigned q = k; q < r.end; q++)
        j_emit_insn(x, q, &x->ops[q]);
    if (!r.ends) {
        if (x->fhost != gf || x->fparked != gp)
            e->full = true; /* cannot happen (parked_after): the block stays with the interpreter */
        patch32(e, join, e->p);
    }
    return r.end;
}
