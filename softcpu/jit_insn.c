/* jit_insn.c: the translator's integer instructions: ALU and moves re-encoded on host
 * registers, the stack, branches (see jit.c for the block around them). */
#include "jit_int.h"

struct regmap {
    int8_t host[16]; /* guest register -> host register, -1 unmapped */
    uint8_t busy;    /* host registers taken (bits 0..3) */
};

/* A ModRM operand may name its guest register's home (r10..r13, r8) itself, with REX.R or
 * REX.B, so that nothing is moved in and out around the instruction; not an implicit operand
 * (those keep their own numbers), and not in an instruction naming AH..BH (which no REX prefix
 * allows). */
static void map_home(const struct jctx *x, struct regmap *m, unsigned g)
{
    if (m->host[g] < 0 && x->home[g] >= 0)
        m->host[g] = x->home[g];
}

static bool names_high_byte(const struct insn *i, const struct jop *j)
{
    return (j->g && i->reg >= R_AH) || (j->kind == K_MODRM && !i->is_mem && i->rm >= R_AH);
}


static void map_reserve(struct regmap *m, unsigned g)
{
    g = jit_fold(g);
    if (g < 4 && m->host[g] < 0) {
        m->host[g] = (int8_t)g;
        m->busy |= (uint8_t)(1u << g);
    }
}

static void map_borrow(struct regmap *m, unsigned g)
{
    g = jit_fold(g);
    if (m->host[g] >= 0)
        return;
    for (int h = 0; h < 4; h++)
        if (!(m->busy & (1u << h))) {
            m->host[g] = (int8_t)h;
            m->busy |= (uint8_t)(1u << h);
            return;
        }
}

/* the 3-bit field naming guest register g (AH..BH keep their high-byte encoding) */
static unsigned reg_field(const struct regmap *m, unsigned g)
{
    return (unsigned)m->host[jit_fold(g)] + (g >= R_AH ? 4 : 0);
}

static void build_map(const struct jctx *x, const struct insn *i, const struct jop *j, struct regmap *m)
{
    memset(m->host, -1, sizeof m->host);
    m->busy = 0;
    for (unsigned g = 0; g < 3; g++)
        if (j->imp & (1u << g))
            map_reserve(m, g);
    if (x && !names_high_byte(i, j)) {
        if (j->g)
            map_home(x, m, i->reg);
        if (j->kind == K_MODRM && !i->is_mem)
            map_home(x, m, i->rm);
    }
    if (j->g)
        map_reserve(m, i->reg);
    if (j->kind == K_MODRM && !i->is_mem)
        map_reserve(m, i->rm);
    if (j->g)
        map_borrow(m, i->reg);
    if (j->kind == K_MODRM && !i->is_mem)
        map_borrow(m, i->rm);
}

/* the mapped registers, but skip (R_NONE: none) */
static void load_regs(struct jctx *x, const struct regmap *m, unsigned skip)
{
    for (unsigned g = 0; g < 16; g++)
        if (m->host[g] >= 0 && g != skip)
            j_get_reg(x, m->host[g], g);
}

/* the mapped registers, but skip (R_NONE: none) */
static void store_regs(struct jctx *x, const struct regmap *m, unsigned skip)
{
    for (unsigned g = 0; g < 16; g++)
        if (m->host[g] >= 0 && g != skip)
            j_put_reg(x, m->host[g], g);
}

static unsigned imm_bytes(const struct insn *i, const struct jop *j)
{
    return j->imm == IMM_OSZ ? (i->osz == 2 ? 2 : 4) : j->imm;
}

/* prefixes, REX and opcode of i as the host must see them (rh, bh: the host registers in the
 * ModRM reg and rm fields, for REX.R and REX.B) */
static void emit_head(struct jbuf *e, const struct insn *i, unsigned opcode, int rh, int bh)
{
    if (i->osz == 2)
        eb(e, 0x66);
    if (i->pfx & P_LOCK)
        eb(e, 0xf0);
    emit_rex(e, i->osz == 8, rh, 0, bh, (i->pfx & P_REX) != 0);
    if ((i->op >> 8) == MAP_0F)
        eb(e, 0x0f);
    eb(e, opcode);
}

/* memory operand address translated into rsi + rdi; the flags stay parked unless i reads them */
static void emit_mem_operand(struct jctx *x, unsigned k, const struct insn *i, const struct jop *j)
{
    unsigned size = j->msize ? j->msize : i->osz;
    j_ea(x, i);
    j_tlb(x, k, size, j->mem & M_W);
    if (j->fl == FL_READ || j->fl == FL_PART)
        j_unpark(x);
    x->mem++;
}

/* The guest register i writes whole without reading it (jop.wo, a 32- or 64-bit destination
 * that is not also its source), or R_NONE: it is not loaded first, and the only one stored. */
static unsigned write_only(const struct insn *i, const struct jop *j)
{
    if (!j->wo || i->osz < 4 || (j->wo == W_RM && i->is_mem))
        return R_NONE;
    unsigned dst = jit_fold(j->wo == W_REG ? i->reg : i->rm);
    if (!i->is_mem && jit_fold(j->wo == W_REG ? i->rm : i->reg) == dst)
        return R_NONE;
    return dst;
}

/* The guest register i only reads (jop.src), or R_NONE: it is not stored back. Not when the
 * instruction writes it all the same, as its other operand (add rax, rax; add al, ah) or an
 * implicit one (mul rax). */
static unsigned read_only(const struct insn *i, const struct jop *j)
{
    if (!j->src || (j->src == W_RM && i->is_mem))
        return R_NONE;
    unsigned s = jit_fold(j->src == W_REG ? i->reg : i->rm);
    if ((j->imp >> s) & 1)
        return R_NONE;
    if (!i->is_mem && jit_fold(j->src == W_REG ? i->rm : i->reg) == s)
        return R_NONE;
    return s;
}

static unsigned reg_bit(unsigned g)
{
    if (g == R_NONE || g == R_RIP)
        return 0;
    return jit_fold(g) < 16 ? 1u << jit_fold(g) : 0xffffu;
}

void j_insn_regs(const struct jctx *x, unsigned q, struct jregs *r)
{
    const struct insn *i = &x->ins[q];
    const struct jop *j = &x->ops[q];
    uint8_t k = j->kind;
    bool sse = k >= K_SSE && k <= K_SSE_FROMGPR;
    if (k == K_HELPER) {
        *r = (struct jregs){HOMES_ALL, HOMES_ALL, 0};
        return;
    }
    unsigned imp = j->imp & 7u, addr = i->is_mem ? reg_bit(i->base) | reg_bit(i->index) : 0;
    unsigned reg = j->g || sse || k == K_LEA || k == K_MOVI || k == K_BSWAP || k == K_PUSH || k == K_POP
                       ? reg_bit(i->reg) : 0;
    unsigned rm = !i->is_mem && (k == K_MODRM || sse || k == K_JMPI || k == K_CALLI) ? reg_bit(i->rm) : 0;
    unsigned sp = k >= K_PUSH && k != K_JCC && k != K_JMP && !sse ? reg_bit(R_SP) : 0;
    unsigned stos = k == K_REPSTOS ? reg_bit(R_CX) | reg_bit(R_DI) : 0;
    r->writes = sp | stos;
    if (k == K_MODRM || k == K_PLAIN)
        r->writes |= j->ro ? 0 : (imp | reg | rm) & ~reg_bit(read_only(i, j)); /* what store_regs stores */
    else if (k != K_PUSH && k != K_JMPI && k != K_CALLI)
        r->writes |= reg | rm;
    unsigned wo = k == K_MODRM ? write_only(i, j) : R_NONE;
    r->whole = 0;
    if (wo != R_NONE)
        r->whole = reg_bit(wo);
    else if ((k == K_MOVI || k == K_LEA) && i->osz >= 4)
        r->whole = reg;
    else if (k == K_POP && i->osz == 8 && i->reg != R_SP)
        r->whole = reg;
    r->whole &= ~(addr | imp);
    r->touch = imp | addr | reg | rm | sp | stos | (k == K_REPSTOS ? reg_bit(R_AX) : 0) | r->whole | r->writes;
}

/* i on the host with its memory operand (if any) at [rsi + rdi + disp] */
static void emit_modrm_at(struct jctx *x, const struct insn *i, const struct jop *j, const struct regmap *m,
                          int32_t disp)
{
    struct jbuf *e = &x->e;
    unsigned wo = write_only(i, j);
    load_regs(x, m, wo);
    unsigned reg = j->g ? reg_field(m, i->reg) : (i->modrm >> 3) & 7;
    unsigned rm = i->is_mem ? H_SI : reg_field(m, i->rm);
    emit_head(e, i, i->op & 0xff, j->g ? (int)reg : 0, (int)rm);
    if (i->is_mem)
        emit_mem(e, (int)reg, H_SI, H_DI, 0, disp);
    else
        eb(e, 0xc0 | (reg & 7) << 3 | (rm & 7));
    en(e, i->imm, imm_bytes(i, j));
    if (wo != R_NONE)
        j_put_reg(x, m->host[wo], wo);
    else if (!j->ro)
        store_regs(x, m, read_only(i, j));
}

static void emit_modrm_insn(struct jctx *x, unsigned k, const struct insn *i, const struct jop *j)
{
    struct regmap m;
    build_map(x, i, j, &m);
    if (i->is_mem)
        emit_mem_operand(x, k, i, j);
    emit_modrm_at(x, i, j, &m, 0);
}

void j_modrm_grouped(struct jctx *x, const struct insn *i, const struct jop *j, int32_t disp)
{
    struct regmap m;
    build_map(x, i, j, &m);
    emit_modrm_at(x, i, j, &m, disp);
}

static void emit_plain_insn(struct jctx *x, const struct insn *i, const struct jop *j)
{
    struct regmap m;
    build_map(NULL, i, j, &m);
    load_regs(x, &m, R_NONE);
    emit_head(&x->e, i, i->op & 0xff, 0, 0);
    en(&x->e, i->imm, imm_bytes(i, j));
    if (!j->ro)
        store_regs(x, &m, R_NONE);
}

/* computed in rax (rcx the index's scratch), leaving rsi alone: a stack run keeps its pages'
 * host address there */
static void emit_lea(struct jctx *x, const struct insn *i)
{
    struct insn a = *i;
    a.seg = S_DS; /* LEA computes the offset: no segment base */
    j_ea_to(x, &a, H_AX, H_CX);
    if (i->osz == 4)
        eb(&x->e, 0x89), eb(&x->e, 0xc0); /* mov eax, eax: zero-extend */
    j_put_reg(x, H_AX, i->reg);
}

static void emit_movi_insn(struct jctx *x, const struct insn *i)
{
    uint64_t v = i->osz == 4 ? (uint32_t)i->imm : i->imm;
    emit_movi(&x->e, H_AX, v);
    j_put_reg(x, H_AX, i->reg);
}

static void emit_bswap(struct jctx *x, const struct insn *i)
{
    j_get_reg(x, H_AX, i->reg);
    emit_rex(&x->e, i->osz == 8, 0, 0, 0, false);
    eb(&x->e, 0x0f), eb(&x->e, 0xc8);
    j_put_reg(x, H_AX, i->reg);
}

void j_reg_add(struct jctx *x, unsigned g, int32_t delta)
{
    if (x->home[g] >= 0) {
        emit_rm64(&x->e, 0x8d, x->home[g], x->home[g], H_NONE, 0, delta);
        return;
    }
    emit_load(&x->e, H_CX, OFF_R(g));
    emit_rm64(&x->e, 0x8d, H_CX, H_CX, H_NONE, 0, delta);
    emit_store(&x->e, H_CX, OFF_R(g));
}

/* rsi + rdi = host address of the 8 stack bytes at rsp + delta (SS base is 0 in 64-bit mode) */
static struct side_exit *emit_stack_ref(struct jctx *x, unsigned k, int32_t delta, bool write)
{
    int b = j_addr_reg(x, R_SP, H_SI);
    emit_rm64(&x->e, 0x8d, H_SI, b, H_NONE, 0, delta);
    struct side_exit *s = j_tlb(x, k, 8, write);
    x->mem++;
    return s;
}

/* push: the slot's host address in rsi + rdi first (the lookup clobbers rax), then the value */
static void emit_push_slot(struct jctx *x, unsigned k)
{
    emit_stack_ref(x, k, -8, true); /* (the flags stay parked: no stack instruction reads them) */
}

static void emit_push_rax(struct jctx *x)
{
    emit_rm64(&x->e, 0x89, H_AX, H_SI, H_DI, 0, 0); /* mov [rsi + rdi], rax */
    j_reg_add(x, R_SP, -8);
}

static void emit_push(struct jctx *x, unsigned k, const struct insn *i)
{
    emit_push_slot(x, k);
    j_get_reg(x, H_AX, i->reg);
    emit_push_rax(x);
}

static void emit_push_imm(struct jctx *x, unsigned k, uint64_t v)
{
    emit_push_slot(x, k);
    emit_movi(&x->e, H_AX, v);
    emit_push_rax(x);
}

/* push m64: the value read into rdx first (its address from the old rsp), which the slot's
 * lookup leaves alone (a miss's fill saves it) */
static void emit_push_mem(struct jctx *x, unsigned k, const struct insn *i)
{
    j_ea(x, i);
    j_tlb(x, k, 8, false);
    x->mem++;
    emit_rm64(&x->e, 0x8b, H_DX, H_SI, H_DI, 0, 0); /* mov rdx, [rsi + rdi] */
    emit_push_slot(x, k);
    emit_rm64(&x->e, 0x89, H_DX, H_SI, H_DI, 0, 0); /* mov [rsi + rdi], rdx */
    j_reg_add(x, R_SP, -8);
}

static void emit_swapgs(struct jctx *x)
{
    emit_load(&x->e, H_AX, OFF(seg[S_GS].base));
    emit_load(&x->e, H_CX, OFF(kernel_gs_base));
    emit_store(&x->e, H_CX, OFF(seg[S_GS].base));
    emit_store(&x->e, H_AX, OFF(kernel_gs_base));
}

/* rep stos of at most REP_JIT_BYTES, forward, within a page: the host's own rep stos at the host
 * address (the kernel's memsets of a block and of its record, twice a malloc under check, had
 * each cost a call of the interpreter's handler); a TLB miss is filled and looked up again; the
 * rest (DF set, more bytes, across the page, a fault) takes the side exit, where the
 * interpreter runs it. Not on CPL 3 with byte bounds (plan() leaves it to the handler). */
#define REP_JIT_BYTES 4096

static void emit_rep_stos(struct jctx *x, unsigned k, const struct insn *i)
{
    struct jbuf *e = &x->e;
    unsigned sz = (i->op & 0xff) == 0xaa ? 1 : i->osz, shift = sz == 8 ? 3 : sz == 4 ? 2 : sz == 2 ? 1 : 0;
    struct side_exit *s = j_new_exit(x, k); /* (parks the flags: the tests below clobber them) */
    eb(e, 0xf6), emit_mem(e, 0, H_BP, H_NONE, 0, OFF(rflags) + 1), eb(e, F_DF >> 8); /* test byte DF */
    s->at[0] = emit_jcc32(e, 0x5);
    j_get_reg(x, H_CX, R_CX);
    emit_rr(e, 0x85, H_CX, H_CX);                                   /* test rcx, rcx */
    uint8_t *none = emit_jcc32(e, 0x4);
    eb(e, 0x48), eb(e, 0x81), eb(e, 0xf9), en(e, REP_JIT_BYTES >> shift, 4); /* cmp rcx, limit */
    s->at[1] = emit_jcc32(e, 0x7);
    emit_rm64(e, 0x8d, H_DX, H_NONE, H_CX, (int)shift, 0);          /* lea rdx, [rcx*sz]: bytes */
    j_get_reg(x, H_SI, R_DI);
    eb(e, 0x89), eb(e, 0xf1);                                       /* mov ecx, esi */
    eb(e, 0x81), eb(e, 0xe1), en(e, 0xfff, 4);                      /* and ecx, 0xfff */
    emit_rr(e, 0x01, H_DX, H_CX);                                   /* add rcx, rdx */
    eb(e, 0x48), eb(e, 0x81), eb(e, 0xf9), en(e, 4096, 4);          /* cmp rcx, 4096 */
    s->at[2] = emit_jcc32(e, 0x7);                                  /* ja: across the page */
    s->retry = e->p;
    s->write = true;
    s->size = 1;
    j_lookup(x, 1, true, false, &s->miss_at);                       /* (keeps rdx) */
    emit_rr(e, 0x89, H_SI, H_DI);                                   /* mov rdi, rsi: the host's */
    j_get_reg(x, H_CX, R_CX);
    j_get_reg(x, H_AX, R_AX);
    eb(e, 0xf3);
    if (sz == 2)
        eb(e, 0x66);
    if (sz == 8)
        eb(e, 0x48);
    eb(e, sz == 1 ? 0xaa : 0xab);                                   /* rep stos */
    j_get_reg(x, H_SI, R_DI);
    emit_rr(e, 0x01, H_DX, H_SI);                                   /* add rsi, rdx */
    j_put_reg(x, H_SI, R_DI);
    j_put_reg(x, H_CX, R_CX);                                       /* (0) */
    patch32(e, none, e->p);
    x->mem++;
}

static void emit_pop(struct jctx *x, unsigned k, const struct insn *i)
{
    emit_stack_ref(x, k, 0, false);
    emit_rm64(&x->e, 0x8b, H_AX, H_SI, H_DI, 0, 0); /* mov rax, [rsi + rdi] */
    j_reg_add(x, R_SP, 8);
    j_put_reg(x, H_AX, i->reg);
}

/* A branch target in rdx must be canonical, else the interpreter raises #GP at the branch:
 * side exit s (its third jump) is taken. Clobbers rcx and RFLAGS. */
static void canonical_check(struct jctx *x, struct side_exit *s)
{
    struct jbuf *e = &x->e;
    emit_rr(e, 0x89, H_DX, H_CX);                      /* mov rcx, rdx */
    eb(e, 0x48), eb(e, 0xc1), eb(e, 0xf9), eb(e, 47);  /* sar rcx, 47 */
    emit_rm64(e, 0x8d, H_CX, H_CX, H_NONE, 0, 1);      /* lea rcx, [rcx + 1] */
    eb(e, 0x48), eb(e, 0x83), eb(e, 0xf9), eb(e, 1);   /* cmp rcx, 1 */
    s->at[2] = emit_jcc32(e, 0x7);                     /* ja: not canonical */
}

void j_ret_rdx(struct jctx *x, struct side_exit *s)
{
    canonical_check(x, s);
    j_reg_add(x, R_SP, 8);
    j_exit_ret(x);
}

static void emit_ret(struct jctx *x, unsigned k)
{
    struct side_exit *s = emit_stack_ref(x, k, 0, false);
    emit_rm64(&x->e, 0x8b, H_DX, H_SI, H_DI, 0, 0); /* mov rdx, [rsi + rdi] */
    j_ret_rdx(x, s);
}

/* jmp/call r/m64: rdx = the target, read and checked before anything changes (a side exit
 * resumes at k, where the interpreter raises the fault); a call then pushes its return
 * address (through a lookup of its own). */
static void emit_indirect(struct jctx *x, unsigned k, const struct insn *i, bool call)
{
    struct jbuf *e = &x->e;
    struct side_exit *s;
    if (i->is_mem) {
        j_ea(x, i);
        s = j_tlb(x, k, 8, false);
        x->mem++;
        emit_rm64(e, 0x8b, H_DX, H_SI, H_DI, 0, 0); /* mov rdx, [rsi + rdi] */
    } else {
        s = j_new_exit(x, k);
        j_get_reg(x, H_DX, i->rm);
    }
    canonical_check(x, s);
    if (call)
        emit_push_imm(x, k, insn_next(i)); /* keeps rdx */
    j_exit_ret(x);
}

/* Back to the block's start: the flags where the top wants them, then out if a stop was
 * requested, else count the pass. The test is a compare unless the flags are live in RFLAGS;
 * then JRCXZ, which leaves them alone (and is slower: in every chain entry it had cost malloc
 * 4%). */
static void emit_loop(struct jctx *x, uint64_t rip)
{
    struct jbuf *e = &x->e;
    uint8_t *stop;
    j_sync_top(x);
    if (x->fhost && !x->fparked) {
        emit_rm32(e, 0x8b, H_CX, OFF(stop_requested)); /* mov ecx, [stop_requested] */
        eb(e, 0xe3), eb(e, 5);                         /* jrcxz over the jump */
        stop = emit_jmp32(e);
    } else {
        eb(e, 0x83), emit_mem(e, 7, H_BP, H_NONE, 0, OFF(stop_requested)), eb(e, 0); /* cmp dword, 0 */
        stop = emit_jcc32(e, 0x5);
    }
    j_count_insns(e, (int)x->done);
    j_count_mem(e, x->mem);
    patch32(e, emit_jmp32(e), x->top);
    patch32(e, stop, e->p);
    j_exit_rip(x, rip);
}

static void emit_branch_to(struct jctx *x, uint64_t target)
{
    bool fhost = x->fhost, parked = x->fparked;
    if (target == x->ins[0].rip)
        emit_loop(x, target);
    else
        j_exit_to(x, target);
    x->fhost = fhost, x->fparked = parked; /* the other path starts from the same state */
}

/* The exits of the Jccs within the block (jctx.taken), after its straight line. */
void j_emit_taken(struct jctx *x)
{
    for (unsigned k = 0; k < x->ntaken; k++) {
        struct jit_taken *t = &x->taken[k];
        patch32(&x->e, t->at, x->e.p);
        x->fhost = t->fhost, x->fparked = t->fparked, x->mem = t->mem, x->done = t->done;
        emit_branch_to(x, t->rip);
    }
}

/* The block's last instruction leaves both ways; one within it (a superblock's: engine.c) leaves
 * when taken, to an exit after the straight line (j_emit_taken), which goes on when not. */
static void emit_jcc(struct jctx *x, const struct insn *i, const struct jop *j)
{
    uint64_t next = insn_next(i), target = next + i->imm;
    if (x->done < x->n) {
        if (x->ntaken == SCPU_BLOCK_JCC) { /* (a superblock has no more) */
            x->e.full = true;
            return;
        }
        x->taken[x->ntaken++] = (struct jit_taken){emit_jcc32(&x->e, j->cc), target, x->fhost, x->fparked,
                                                   x->mem, x->done};
        return;
    }
    uint8_t *taken = emit_jcc32(&x->e, j->cc);
    emit_branch_to(x, next);
    patch32(&x->e, taken, x->e.p);
    emit_branch_to(x, target);
}

void jit_emit_int(struct jctx *x, unsigned k, const struct jop *j)
{
    const struct insn *i = &x->ins[k];
    switch (j->kind) {
    case K_MODRM: emit_modrm_insn(x, k, i, j); break;
    case K_PLAIN: emit_plain_insn(x, i, j); break;
    case K_LEA: emit_lea(x, i); break;
    case K_MOVI: emit_movi_insn(x, i); break;
    case K_BSWAP: emit_bswap(x, i); break;
    case K_JCC: emit_jcc(x, i, j); break;
    case K_JMP: emit_branch_to(x, insn_next(i) + i->imm); break;
    case K_PUSH: emit_push(x, k, i); break;
    case K_PUSHI: emit_push_imm(x, k, i->imm); break;
    case K_POP: emit_pop(x, k, i); break;
    case K_PUSHM: emit_push_mem(x, k, i); break;
    case K_SWAPGS: emit_swapgs(x); break;
    case K_REPSTOS: emit_rep_stos(x, k, i); break;
    case K_CALL:
        emit_push_imm(x, k, insn_next(i));
        j_exit_to(x, insn_next(i) + i->imm);
        break;
    case K_RET: emit_ret(x, k); break;
    case K_JMPI: emit_indirect(x, k, i, false); break;
    case K_CALLI: emit_indirect(x, k, i, true); break;
    default: break; /* K_NOP */
    }
}
