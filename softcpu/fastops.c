/* fastops.c: specialised handlers for the hottest integer forms, chosen once at decode time. */
#include "fastops.h"
#include "intops.h"

/*
 * The generic handlers switch on the operand size, test is_mem and evaluate conditions
 * through a call on every execution. Here each decoded instruction gets a handler with those
 * choices folded in (64- or 32-bit register operands, 64-bit-mode memory operands without
 * FS/GS, a constant condition code). Anything unusual keeps its table handler, so these
 * only cover cases whose behaviour is simple to state; the differential tests reach them
 * through the decoder like any other handler.
 */

/* Table handler prototypes, from the same lists optable.c uses. */
#define OP(map, opcode, pfx, regsel, modsel, rmsel, form, aux, flags, undef, mnem, fn) \
    void fn(struct cpu *c, const struct insn *i);
#include "opcodes_int.def"
#undef OP

enum { K_ADD, K_OR, K_AND, K_SUB, K_XOR, K_CMP };

/* Run the next instruction of the block from here rather than returning to the engine's
 * loop: each handler then has its own indirect jump, which the host predicts far better
 * than one shared call site, and the loop's per-instruction work goes away. c->cur follows
 * so that faults and the engine still see the instruction that runs. The recursion is at
 * most one block deep (the engine bounds it with chain_end), and usually a tail call. */
INL void chain(struct cpu *c, const struct insn *i)
{
    const struct insn *n = i + 1;
    if (likely(n < c->chain_end)) {
        c->cur = n;
        n->fn(c, n);
    }
}
/* Register-only handlers never stop the block; a memory access may (a store into code
 * sets brk), so those chain only if it did not. */
#define FX_REG(name)                                                         \
    INL void name##_body(struct cpu *c, const struct insn *i);           \
    static void name(struct cpu *c, const struct insn *i) { name##_body(c, i); chain(c, i); } \
    INL void name##_body(struct cpu *c, const struct insn *i)
#define FX_MEM(name)                                                         \
    INL void name##_body(struct cpu *c, const struct insn *i);           \
    static void name(struct cpu *c, const struct insn *i)                 \
    {                                                                    \
        name##_body(c, i);                                               \
        if (likely(!c->brk))                                             \
            chain(c, i);                                                 \
    }                                                                    \
    INL void name##_body(struct cpu *c, const struct insn *i)

INL uint64_t rget(const struct cpu *c, unsigned r, unsigned sz)
{
    return sz == 8 ? c->r[r] : (uint32_t)c->r[r];
}
/* 32-bit writes zero the upper half (64-bit mode rule). */
INL void rset(struct cpu *c, unsigned r, uint64_t v, unsigned sz)
{
    c->r[r] = sz == 8 ? v : (uint32_t)v;
}

/* Result and lazy flags of ADD OR AND SUB XOR CMP, as alu.c's alu_res/alu_flags. */
INL uint64_t alu_do_f(struct cpu *c, int k, unsigned sz, uint64_t a, uint64_t b, int fl)
{
    uint64_t r;
    switch (k) {
    case K_ADD: r = a + b; break;
    case K_OR: r = a | b; break;
    case K_AND: r = a & b; break;
    case K_XOR: r = a ^ b; break;
    default: r = a - b; break;
    }
    r &= size_mask(sz);
    int lop = k == K_ADD ? LF_ADD : (k == K_SUB || k == K_CMP) ? LF_SUB : LF_LOGIC;
    if (fl)
        lf_set(c, lop, sz, r, a, b);
    return r;
}
#define alu_do(c, k, sz, a, b) alu_do_f(c, k, sz, a, b, 1)

/* ---- memory operands (only chosen in 64-bit mode, 64-bit addressing, no FS/GS) ---- */
/* The offset, which is also the linear address there (LEA stores it as is). */
INL uint64_t lea64(const struct cpu *c, const struct insn *i) { return ea_sum(c, i); }
/* Host pointer for the operand on a TLB hit (canonical, within one page), else NULL: the
 * caller then runs the table handler, whose checked path faults or exits as it must. Kept
 * free of calls so the hit path needs no register saves. */
INL uint8_t *mptr(struct cpu *c, const struct insn *i, unsigned sz, int w)
{
    uint64_t a = lea64(c, i);
    if (unlikely(!cpu_canonical(a)))
        return NULL;
    return w ? tlb_hit_w(c, a, sz) : tlb_hit_r(c, a, sz);
}

/* ---- ALU: dest E register, G register, immediate; G <- G op mem; mem <- mem op G ---- */
#define W32(x) ((uint64_t)(uint32_t)(x))
/* Register forms; each also has a twin (name_nf_...) without the flag update, which
 * fast_block substitutes when no later instruction can observe those flags. */
#define FX_ALU_REG(name, k, fl)                                                                \
    FX_REG(name##_rr64) { rset(c, i->rm, alu_do_f(c, k, 8, c->r[i->rm], c->r[i->reg], fl), 8); } \
    FX_REG(name##_rr32) { rset(c, i->rm, alu_do_f(c, k, 4, W32(c->r[i->rm]), W32(c->r[i->reg]), fl), 4); } \
    FX_REG(name##_gr64) { rset(c, i->reg, alu_do_f(c, k, 8, c->r[i->reg], c->r[i->rm], fl), 8); } \
    FX_REG(name##_gr32) { rset(c, i->reg, alu_do_f(c, k, 4, W32(c->r[i->reg]), W32(c->r[i->rm]), fl), 4); } \
    FX_REG(name##_ri64) { rset(c, i->rm, alu_do_f(c, k, 8, c->r[i->rm], i->imm, fl), 8); }      \
    FX_REG(name##_ri32) { rset(c, i->rm, alu_do_f(c, k, 4, W32(c->r[i->rm]), W32(i->imm), fl), 4); }
#define FX_ALU(name, k)                                                                        \
    FX_ALU_REG(fx_##name, k, 1)                                                                \
    FX_ALU_REG(fx_##name##_nf, k, 0)                                                           \
    FX_MEM(fx_##name##_gm64) { FX_GM(k, 8, op_##name##_Gv_Ev); }                              \
    FX_MEM(fx_##name##_gm32) { FX_GM(k, 4, op_##name##_Gv_Ev); }                              \
    FX_MEM(fx_##name##_mr64) { FX_MR(k, 8, op_##name##_Ev_Gv); }                              \
    FX_MEM(fx_##name##_mr32) { FX_MR(k, 4, op_##name##_Ev_Gv); }
/* G op= mem */
#define FX_GM(k, sz, slow)                                                                     \
    uint8_t *p = mptr(c, i, sz, 0);                                                            \
    if (unlikely(!p))                                                                          \
        return slow(c, i);                                                                     \
    uint64_t r = alu_do(c, k, sz, c->r[i->reg] & size_mask(sz), load_n(p, sz));               \
    if (k != K_CMP)                                                                            \
        rset(c, i->reg, r, sz)
/* mem op= G: an RMW is translated for writing even when it only reads (as hardware
 * reports the fault); CMP only reads. */
#define FX_MR(k, sz, slow)                                                                     \
    uint8_t *p = mptr(c, i, sz, k != K_CMP);                                                   \
    if (unlikely(!p))                                                                          \
        return slow(c, i);                                                                     \
    uint64_t r = alu_do(c, k, sz, load_n(p, sz), c->r[i->reg] & size_mask(sz));               \
    if (k != K_CMP)                                                                            \
        store_n(p, r, sz)

FX_ALU(add, K_ADD)
FX_ALU(or, K_OR)
FX_ALU(and, K_AND)
FX_ALU(sub, K_SUB)
FX_ALU(xor, K_XOR)

/* CMP writes no register; TEST is AND without a store. */
FX_REG(fx_cmp_rr64) { alu_do(c, K_CMP, 8, c->r[i->rm], c->r[i->reg]); }
FX_REG(fx_cmp_rr32) { alu_do(c, K_CMP, 4, W32(c->r[i->rm]), W32(c->r[i->reg])); }
FX_REG(fx_cmp_gr64) { alu_do(c, K_CMP, 8, c->r[i->reg], c->r[i->rm]); }
FX_REG(fx_cmp_gr32) { alu_do(c, K_CMP, 4, W32(c->r[i->reg]), W32(c->r[i->rm])); }
FX_REG(fx_cmp_ri64) { alu_do(c, K_CMP, 8, c->r[i->rm], i->imm); }
FX_REG(fx_cmp_ri32) { alu_do(c, K_CMP, 4, W32(c->r[i->rm]), W32(i->imm)); }
FX_MEM(fx_cmp_gm64) { FX_GM(K_CMP, 8, op_cmp_Gv_Ev); }
FX_MEM(fx_cmp_gm32) { FX_GM(K_CMP, 4, op_cmp_Gv_Ev); }
FX_MEM(fx_cmp_mr64) { FX_MR(K_CMP, 8, op_cmp_Ev_Gv); }
FX_MEM(fx_cmp_mr32) { FX_MR(K_CMP, 4, op_cmp_Ev_Gv); }
FX_REG(fx_test_ri64) { uint64_t r = c->r[i->rm] & i->imm; lf_set(c, LF_LOGIC, 8, r, r, i->imm); }
FX_REG(fx_test_ri32) { uint64_t b = W32(i->imm), r = c->r[i->rm] & b; lf_set(c, LF_LOGIC, 4, r, r, b); }
FX_REG(fx_test_al) { uint64_t r = c->r[R_AX] & i->imm & 0xff; lf_set(c, LF_LOGIC, 1, r, r, 0); }
FX_REG(fx_test_rr64) { uint64_t r = c->r[i->rm] & c->r[i->reg]; lf_set(c, LF_LOGIC, 8, r, r, c->r[i->reg]); }
FX_REG(fx_test_rr32)
{
    uint64_t b = (uint32_t)c->r[i->reg], r = c->r[i->rm] & b;
    lf_set(c, LF_LOGIC, 4, r, r, b);
}

/* ---- MOV, LEA ---- */
FX_REG(fx_mov_rr64) { c->r[i->rm] = c->r[i->reg]; }
FX_REG(fx_mov_rr32) { c->r[i->rm] = (uint32_t)c->r[i->reg]; }
FX_REG(fx_mov_gr64) { c->r[i->reg] = c->r[i->rm]; }
FX_REG(fx_mov_gr32) { c->r[i->reg] = (uint32_t)c->r[i->rm]; }
/* Loads and stores: the table handler on a TLB miss. */
#define FX_LOAD(sz, slow)                                                                      \
    uint8_t *p = mptr(c, i, sz, 0);                                                            \
    if (unlikely(!p))                                                                          \
        return slow(c, i);                                                                     \
    c->r[i->reg] = load_n(p, sz)
FX_MEM(fx_mov_load64) { FX_LOAD(8, op_mov_Gv_Ev); }
FX_MEM(fx_mov_load32) { FX_LOAD(4, op_mov_Gv_Ev); }
FX_MEM(fx_movzx_load8) { FX_LOAD(1, op_movzx_Gv_Eb); }
FX_MEM(fx_movzx_load16) { FX_LOAD(2, op_movzx_Gv_Ew); }
#define FX_STORE(sz, slow)                                                                     \
    uint8_t *p = mptr(c, i, sz, 1);                                                            \
    if (unlikely(!p))                                                                          \
        return slow(c, i);                                                                     \
    store_n(p, c->r[i->reg], sz)
FX_MEM(fx_mov_store64) { FX_STORE(8, op_mov_Ev_Gv); }
FX_MEM(fx_mov_store32) { FX_STORE(4, op_mov_Ev_Gv); }
FX_REG(fx_mov_ri) { c->r[i->reg] = i->imm; } /* imm already at the operand size */
FX_REG(fx_lea64) { c->r[i->reg] = lea64(c, i); }
FX_REG(fx_lea32) { c->r[i->reg] = (uint32_t)lea64(c, i); }

/* ---- shifts by a nonzero immediate count: flags left lazy ---- */
#define FX_SHIFT(name, sz, lop, expr)                                                          \
    FX_REG(name)                                                                               \
    {                                                                                          \
        uint64_t a = rget(c, i->rm, sz), n = i->imm2, r = (expr);                              \
        c->r[i->rm] = r;                                                                       \
        lf_set(c, lop, sz, r, a, n);                                                           \
    }                                                                                          \
    FX_REG(name##_nf) { uint64_t a = rget(c, i->rm, sz), n = i->imm2; c->r[i->rm] = (expr); }
FX_SHIFT(fx_shl64, 8, LF_SHL, a << n)
FX_SHIFT(fx_shr64, 8, LF_SHR, a >> n)
FX_SHIFT(fx_sar64, 8, LF_SAR, (uint64_t)((int64_t)a >> n))
FX_SHIFT(fx_shl32, 4, LF_SHL, (uint32_t)(a << n))
FX_SHIFT(fx_shr32, 4, LF_SHR, a >> n)
FX_SHIFT(fx_sar32, 4, LF_SAR, (uint32_t)((int32_t)a >> n))

/* ---- rotates by a nonzero immediate count: only CF and OF change ---- */
INL uint64_t rotl(uint64_t a, unsigned t, unsigned sz)
{
    return sz == 8 ? (a << t) | (a >> ((64 - t) & 63)) : (uint32_t)((a << t) | (a >> (32 - t)));
}
/* ROR by n is ROL by width - n; CF/OF as shift.c's rot_do. */
INL void rot_flags(struct cpu *c, uint64_t r, unsigned sz, int right)
{
    uint64_t msb = size_sign(sz);
    unsigned cf = right ? (r & msb) != 0 : (unsigned)(r & 1);
    unsigned of = right ? ((r & msb) != 0) ^ ((r & (msb >> 1)) != 0) : ((r & msb) != 0) ^ cf;
    flags_update(c, F_CF | F_OF, (cf ? F_CF : 0) | (of ? F_OF : 0));
}
#define FX_ROT(name, sz, right)                                                                \
    FX_REG(name)                                                                               \
    {                                                                                          \
        uint64_t r = rotl(rget(c, i->rm, sz), (unsigned)i->imm2, sz);                          \
        c->r[i->rm] = r;                                                                       \
        rot_flags(c, r, sz, right);                                                            \
    }                                                                                          \
    FX_REG(name##_nf) { c->r[i->rm] = rotl(rget(c, i->rm, sz), (unsigned)i->imm2, sz); }
FX_ROT(fx_rol64, 8, 0)
FX_ROT(fx_rol32, 4, 0)
FX_ROT(fx_ror64, 8, 1)
FX_ROT(fx_ror32, 4, 1)

/* ---- INC DEC NOT on registers ---- */
#define FX_INCDEC(name, sz, d, lop)                                                            \
    FX_REG(name)                                                                               \
    {                                                                                          \
        uint64_t a = rget(c, i->rm, sz), r = (a + (uint64_t)(d)) & size_mask(sz);              \
        uint8_t cf = (uint8_t)cf_fast(c);                                                      \
        c->r[i->rm] = r;                                                                       \
        lf_set(c, lop, sz, r, a, 1);                                                           \
        c->lf.aux = cf;                                                                        \
    }
FX_INCDEC(fx_inc64, 8, 1, LF_INC)
FX_INCDEC(fx_inc32, 4, 1, LF_INC)
FX_INCDEC(fx_dec64, 8, -1, LF_DEC)
FX_INCDEC(fx_dec32, 4, -1, LF_DEC)
FX_REG(fx_not64) { c->r[i->rm] = ~c->r[i->rm]; }
FX_REG(fx_not32) { c->r[i->rm] = (uint32_t)~c->r[i->rm]; }

/* ---- conditions: the common lazy producers answered inline, the rest by cond_eval ---- */
INL bool cond_fast(struct cpu *c, unsigned cc)
{
    const struct lazyflags *lf = &c->lf;
    uint64_t m = size_mask(lf->size);
    bool r;
    if (lf->op == LF_SUB) {
        uint64_t a = lf->s1 & m, b = lf->s2 & m;
        int64_t sa = sext(a, lf->size), sb = sext(b, lf->size);
        switch (cc >> 1) {
        case 1: r = a < b; break;
        case 2: r = a == b; break;
        case 3: r = a <= b; break;
        case 6: r = sa < sb; break;
        case 7: r = sa <= sb; break;
        default: return cond_eval(c, cc);
        }
        return r ^ (cc & 1);
    }
    if (lf->op == LF_LOGIC) { /* CF = OF = 0 */
        uint64_t v = lf->res & m;
        bool sf = (v & size_sign(lf->size)) != 0;
        switch (cc >> 1) {
        case 0: case 1: r = false; break;
        case 2: case 3: r = v == 0; break;
        case 4: case 6: r = sf; break;
        case 7: r = v == 0 || sf; break;
        default: return cond_eval(c, cc);
        }
        return r ^ (cc & 1);
    }
    return cond_eval(c, cc);
}

/* Jcc with the target precomputed in imm2 (64-bit mode): a non-canonical target is #GP. */
INL void jcc_do(struct cpu *c, const struct insn *i, unsigned cc)
{
    uint64_t t = cond_fast(c, cc) ? i->imm2 : insn_next(i);
    if (unlikely(!cpu_canonical(t)))
        cpu_gp0(c);
    c->rip = t;
    c->brk = 1;
}
INL void cmov_do(struct cpu *c, const struct insn *i, unsigned cc, unsigned sz)
{
    uint64_t s = rget(c, i->rm, sz);
    rset(c, i->reg, cond_fast(c, cc) ? s : rget(c, i->reg, sz), sz);
}
#define FX_CC(cc)                                                                              \
    OP_HANDLER(fx_jcc_##cc) { jcc_do(c, i, cc); }                                              \
    FX_REG(fx_cmov64_##cc) { cmov_do(c, i, cc, 8); }                                       \
    FX_REG(fx_cmov32_##cc) { cmov_do(c, i, cc, 4); }
FX_CC(0) FX_CC(1) FX_CC(2) FX_CC(3) FX_CC(4) FX_CC(5) FX_CC(6) FX_CC(7)
FX_CC(8) FX_CC(9) FX_CC(10) FX_CC(11) FX_CC(12) FX_CC(13) FX_CC(14) FX_CC(15)
#define CC_LIST(p)                                                                             \
    {p##0, p##1, p##2, p##3, p##4, p##5, p##6, p##7, p##8, p##9, p##10, p##11, p##12, p##13, p##14, p##15}
static const op_fn fx_jcc[16] = CC_LIST(fx_jcc_);
static const op_fn fx_cmov64[16] = CC_LIST(fx_cmov64_);
static const op_fn fx_cmov32[16] = CC_LIST(fx_cmov32_);

/* ---- stack (64-bit mode, 8-byte operands): the table handler on a miss ---- */
INL uint8_t *stk_ptr(struct cpu *c, uint64_t sp, int w)
{
    if (unlikely(!cpu_canonical(sp)))
        return NULL;
    return w ? tlb_hit_w(c, sp, 8) : tlb_hit_r(c, sp, 8);
}
FX_MEM(fx_push64)
{
    uint64_t sp = c->r[R_SP] - 8;
    uint8_t *p = stk_ptr(c, sp, 1);
    if (unlikely(!p))
        return op_push_Zv(c, i);
    store_n(p, c->r[i->reg], 8); /* PUSH RSP stores the old value */
    c->r[R_SP] = sp;
}
FX_MEM(fx_pop64)
{
    uint8_t *p = stk_ptr(c, c->r[R_SP], 0);
    if (unlikely(!p))
        return op_pop_Zv(c, i);
    uint64_t v = load_n(p, 8);
    c->r[R_SP] += 8;
    c->r[i->reg] = v; /* POP RSP: the loaded value wins */
}
/* CALL rel32 with the target in imm2; the table handler checks and faults as it must. */
OP_HANDLER(fx_call)
{
    uint64_t sp = c->r[R_SP] - 8;
    uint8_t *p = cpu_canonical(i->imm2) ? stk_ptr(c, sp, 1) : NULL;
    if (unlikely(!p))
        return op_call_Jz(c, i);
    store_n(p, insn_next(i), 8);
    c->r[R_SP] = sp;
    c->rip = i->imm2;
    c->brk = 1;
}
OP_HANDLER(fx_ret)
{
    uint8_t *p = stk_ptr(c, c->r[R_SP], 0);
    uint64_t t = p ? load_n(p, 8) : 0;
    if (unlikely(!p || !cpu_canonical(t)))
        return op_ret_NONE(c, i);
    c->r[R_SP] += 8;
    c->rip = t;
    c->brk = 1;
}

/* ---- selection ---- */
/* Variants of one ALU kind, by operand shape. */
struct alu_set {
    op_fn ev_gv, gv_ev, ev_iz, ev_ib, rax_iz;      /* table handlers */
    op_fn rr[2], gr[2], ri[2], gm[2], mr[2];       /* [0] 32-bit, [1] 64-bit */
};
#define ALU_SET(name)                                                                          \
    {op_##name##_Ev_Gv, op_##name##_Gv_Ev, op_##name##_Ev_Iz, op_##name##_Ev_Ib, op_##name##_rAX_Iz, \
     {fx_##name##_rr32, fx_##name##_rr64}, {fx_##name##_gr32, fx_##name##_gr64},               \
     {fx_##name##_ri32, fx_##name##_ri64}, {fx_##name##_gm32, fx_##name##_gm64},               \
     {fx_##name##_mr32, fx_##name##_mr64}}
static const struct alu_set alu_sets[] = {
    ALU_SET(add), ALU_SET(or), ALU_SET(and), ALU_SET(sub), ALU_SET(xor), ALU_SET(cmp),
    {op_mov_Ev_Gv, op_mov_Gv_Ev, NULL, NULL, NULL, {fx_mov_rr32, fx_mov_rr64}, {fx_mov_gr32, fx_mov_gr64},
     {NULL, NULL}, {fx_mov_load32, fx_mov_load64}, {fx_mov_store32, fx_mov_store64}},
};

/* A memory operand the fast paths can address: 64-bit addressing, segment base ignored. */
static bool mem_simple(const struct insn *i)
{
    return i->asz == 8 && i->seg != S_FS && i->seg != S_GS;
}

/* The mov row reuses gm/mr for plain load/store (its "gm" is G <- mem, "mr" is mem <- G).
 * Returns true when i has one of the set's table handlers (replaced or not). */
static bool select_alu(struct insn *i, bool mem_ok)
{
    unsigned w = i->osz == 8;
    for (unsigned k = 0; k < sizeof alu_sets / sizeof alu_sets[0]; k++) {
        const struct alu_set *s = &alu_sets[k];
        if (i->fn == s->ev_gv) {
            if (!i->is_mem || mem_ok)
                i->fn = i->is_mem ? s->mr[w] : s->rr[w];
            return true;
        }
        if (i->fn == s->gv_ev) {
            if (!i->is_mem || mem_ok)
                i->fn = i->is_mem ? s->gm[w] : s->gr[w];
            return true;
        }
        if (s->rax_iz && i->fn == s->rax_iz) {
            i->rm = R_AX; /* no ModRM: rm is free to name the fixed register */
            i->imm &= size_mask(i->osz);
            i->fn = s->ri[w];
            return true;
        }
        if (s->ev_iz && (i->fn == s->ev_iz || i->fn == s->ev_ib)) {
            if (!i->is_mem) {
                i->imm &= size_mask(i->osz); /* decoded sign-extended; the handler wants it sized */
                i->fn = s->ri[w];
            }
            return true;
        }
    }
    return false;
}

static void select_shift(struct insn *i)
{
    unsigned n = (unsigned)i->imm & (i->osz == 8 ? 63 : 31), w = i->osz == 8;
    if (i->is_mem || n == 0)
        return; /* count 0 changes no flags but still writes a 32-bit register: table */
    i->imm2 = n;
    if (i->fn == op_shl_Ev_Ib)
        i->fn = w ? fx_shl64 : fx_shl32;
    else if (i->fn == op_shr_Ev_Ib)
        i->fn = w ? fx_shr64 : fx_shr32;
    else if (i->fn == op_sar_Ev_Ib)
        i->fn = w ? fx_sar64 : fx_sar32;
    else if (i->fn == op_rol_Ev_Ib)
        i->fn = w ? fx_rol64 : fx_rol32;
    else if (i->fn == op_ror_Ev_Ib) {
        i->imm2 = (w ? 64 : 32) - n; /* as a left rotation */
        i->fn = w ? fx_ror64 : fx_ror32;
    }
}

/* INC DEC NOT with a register operand. */
static void select_unary(struct insn *i)
{
    static const struct { op_fn table, f64, f32; } map[] = {
        {op_inc_Ev, fx_inc64, fx_inc32}, {op_dec_Ev, fx_dec64, fx_dec32}, {op_not_Ev, fx_not64, fx_not32},
    };
    for (unsigned k = 0; k < sizeof map / sizeof map[0]; k++)
        if (i->fn == map[k].table && !i->is_mem)
            i->fn = i->osz == 8 ? map[k].f64 : map[k].f32;
}

void fast_select(const struct cpu *c, struct insn *i)
{
    if (c->mode != 8 || (i->pfx & P_LOCK))
        return;
    bool mem_ok = !i->is_mem || mem_simple(i);
    if (i->osz == 8 || i->osz == 4) {
        if (select_alu(i, mem_ok))
            return;
        if (i->fn == op_test_Ev_Gv && !i->is_mem)
            i->fn = i->osz == 8 ? fx_test_rr64 : fx_test_rr32;
        else if (i->fn == op_test_Ev_Iz && !i->is_mem) {
            i->imm &= size_mask(i->osz);
            i->fn = i->osz == 8 ? fx_test_ri64 : fx_test_ri32;
        }
        else if (i->fn == op_lea_Gv_M && i->asz == 8)
            i->fn = i->osz == 8 ? fx_lea64 : fx_lea32;
        else if (i->fn == op_cmov_Gv_Ev && !i->is_mem)
            i->fn = (i->osz == 8 ? fx_cmov64 : fx_cmov32)[i->aux & 15];
        else if (i->fn == op_mov_Zv_Iv)
            i->fn = fx_mov_ri; /* the decoder zero-extended imm from osz bytes */
        else if (i->fn == op_movzx_Gv_Eb && i->is_mem && mem_ok)
            i->fn = fx_movzx_load8;
        else if (i->fn == op_movzx_Gv_Ew && i->is_mem && mem_ok)
            i->fn = fx_movzx_load16;
        else if (i->fn == op_shl_Ev_Ib || i->fn == op_shr_Ev_Ib || i->fn == op_sar_Ev_Ib ||
                 i->fn == op_rol_Ev_Ib || i->fn == op_ror_Ev_Ib)
            select_shift(i);
        else
            select_unary(i);
    }
    if (i->fn == op_test_AL_Ib)
        i->fn = fx_test_al;
    else if (i->osz == 8 && (i->fn == op_push_Zv || i->fn == op_pop_Zv))
        i->fn = i->fn == op_push_Zv ? fx_push64 : fx_pop64;
    else if (i->osz == 8 && i->fn == op_ret_NONE)
        i->fn = fx_ret;
    else if (i->osz == 8 && i->fn == op_call_Jz) {
        i->imm2 = insn_next(i) + (uint64_t)sext(i->imm, 4);
        i->fn = fx_call;
    }
    if ((i->fn == op_jcc_Jb || i->fn == op_jcc_Jz) && i->osz == 8) {
        unsigned isz = i->fn == op_jcc_Jb ? 1 : 4;
        i->imm2 = insn_next(i) + (uint64_t)sext(i->imm, isz);
        i->fn = fx_jcc[i->aux & 15];
    }
}

/* ---- dead flags within a block ---- */
/* Handlers with a flagless twin. kill: the live one rewrites all six arithmetic flags
 * (ALU, shifts by a nonzero count); rotates write only CF and OF. */
static const struct twin {
    op_fn live, dead;
    uint8_t kill;
} twins[] = {
#define TW(f, k) {f, f##_nf, k}
#define TW_ALU(n)                                                                              \
    {fx_##n##_rr64, fx_##n##_nf_rr64, 1}, {fx_##n##_rr32, fx_##n##_nf_rr32, 1},                \
    {fx_##n##_gr64, fx_##n##_nf_gr64, 1}, {fx_##n##_gr32, fx_##n##_nf_gr32, 1},                \
    {fx_##n##_ri64, fx_##n##_nf_ri64, 1}, {fx_##n##_ri32, fx_##n##_nf_ri32, 1}
    TW_ALU(add), TW_ALU(or), TW_ALU(and), TW_ALU(sub), TW_ALU(xor),
    TW(fx_shl64, 1), TW(fx_shr64, 1), TW(fx_sar64, 1), TW(fx_shl32, 1), TW(fx_shr32, 1), TW(fx_sar32, 1),
    TW(fx_rol64, 0), TW(fx_rol32, 0), TW(fx_ror64, 0), TW(fx_ror32, 0),
#undef TW_ALU
#undef TW
};
#define NTWINS (sizeof twins / sizeof twins[0])

static const struct twin *twin_of(op_fn f, int dead)
{
    for (unsigned k = 0; k < NTWINS; k++)
        if ((dead ? twins[k].dead : twins[k].live) == f)
            return &twins[k];
    return NULL;
}

op_fn fast_live(op_fn f)
{
    const struct twin *t = twin_of(f, 1);
    return t ? t->live : f;
}

/* How a handler treats the arithmetic flags, for fast_block; only register-only handlers
 * (which cannot fault, store or stop the block) are classified, the rest count as readers.
 * A flagless twin counts as its live self: its own flags die at a later writer too. */
enum { FE_READ, FE_PASS, FE_KILL };
static int flag_effect(op_fn f)
{
    static const op_fn pass[] = {
        fx_mov_rr64, fx_mov_rr32, fx_mov_gr64, fx_mov_gr32, fx_mov_ri, fx_lea64, fx_lea32,
        fx_not64, fx_not32,
    };
    static const op_fn kill[] = {
        fx_test_rr64, fx_test_rr32, fx_test_ri64, fx_test_ri32, fx_test_al,
        fx_cmp_rr64, fx_cmp_rr32, fx_cmp_gr64, fx_cmp_gr32,
        fx_cmp_ri64, fx_cmp_ri32,
    };
    for (unsigned k = 0; k < sizeof pass / sizeof pass[0]; k++)
        if (f == pass[k])
            return FE_PASS;
    for (unsigned k = 0; k < sizeof kill / sizeof kill[0]; k++)
        if (f == kill[k])
            return FE_KILL;
    const struct twin *t = twin_of(f, 0);
    if (!t)
        t = twin_of(f, 1);
    return !t ? FE_READ : t->kill ? FE_KILL : FE_PASS;
}

/* An instruction's flag update is dead when, before anything reads a flag or can fault,
 * store or stop (each would expose RFLAGS), a later instruction of the same block rewrites
 * all six. Blocks are only entered at their start and resumed after a fault at the
 * faulting instruction (decoded anew as a block of its own), so the proof holds whenever
 * the instruction runs; single-step runs the live twin (fast_live). */
void fast_block(struct insn *v, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        const struct twin *t = twin_of(v[k].fn, 0);
        if (!t)
            continue;
        for (unsigned j = k + 1; j < n; j++) {
            int e = flag_effect(v[j].fn);
            if (e == FE_KILL)
                v[k].fn = t->dead;
            if (e != FE_PASS)
                break;
        }
    }
}
