/* jit_redo.c: guest flags that a side exit computes again instead of the straight path parking
 * them. A lookup clobbers RFLAGS, so the flags in it are parked (lahf/seto) before each one that
 * may leave; but when a later instruction writes them all before anything reads them (sub rsp
 * then a store; shr, then xor from memory), only the side exits before that writer need them,
 * and each can compute them again from the registers the instruction that wrote them (w) left:
 * a compare or test runs again, an add or sub of a constant or register is undone on a copy and
 * done again, a logic operation's flags follow from its result. The exit hands them on exactly,
 * for the interpreter and for a fault's frame. See jit.c for the frame these run in. */
#include "jit_int.h"

enum redo { REDO_NONE, REDO_SAME, REDO_ADD, REDO_SUB, REDO_LOGIC };

struct redo_op {
    uint8_t how;   /* enum redo */
    uint8_t dst;   /* the register w wrote (ADD, SUB, LOGIC) */
    uint8_t src;   /* ADD, SUB: the register it added or subtracted, or R_NONE: i->imm */
    unsigned need; /* the guest registers the exit reads again (bit g) */
};

/* ALU operation of row or group digit d (0 add, 1 or, 4 and, 5 sub, 6 xor) as a redo */
static uint8_t alu_redo(unsigned d)
{
    return d == 0 ? REDO_ADD : d == 5 ? REDO_SUB : (d == 1 || d == 4 || d == 6) ? REDO_LOGIC : REDO_NONE;
}

/* How the flags of w, a full writer, can be had again (REDO_NONE: not), and from what. */
static void redo_of(const struct jctx *x, unsigned w, struct redo_op *r)
{
    const struct insn *i = &x->ins[w];
    const struct jop *j = &x->ops[w];
    unsigned op = i->op;
    *r = (struct redo_op){REDO_NONE, R_NONE, R_NONE, 0};
    if (j->fl != FL_FULL || (j->kind != K_MODRM && j->kind != K_PLAIN))
        return;
    if (j->ro) { /* cmp, test: their operands are the registers they name */
        struct jregs g;
        j_insn_regs(x, w, &g);
        if (!i->is_mem)
            *r = (struct redo_op){REDO_SAME, R_NONE, R_NONE, g.touch};
        return;
    }
    if (i->osz < 4 || op >= 0x100)
        return;
    if (op == 0x81 || op == 0x83) { /* group 1, op r/m, imm */
        if (!i->is_mem)
            r->how = alu_redo((i->modrm >> 3) & 7), r->dst = i->rm;
    } else if (op < 0x40 && (op & 7) == 5) { /* op eax/rax, imm */
        r->how = alu_redo(op >> 3), r->dst = R_AX;
    } else if (op < 0x40 && (op & 7) == 1) { /* op r/m, r */
        if (!i->is_mem)
            r->how = alu_redo(op >> 3), r->dst = i->rm, r->src = i->reg;
    } else if (op < 0x40 && (op & 7) == 3) { /* op r, r/m */
        r->how = alu_redo(op >> 3), r->dst = i->reg, r->src = i->is_mem ? R_NONE : i->rm;
        if (i->is_mem && r->how != REDO_LOGIC)
            r->how = REDO_NONE;
    }
    if (r->how == REDO_LOGIC)
        r->src = R_NONE; /* (from the result alone) */
    if ((r->how == REDO_ADD || r->how == REDO_SUB) && r->src != R_NONE && jit_fold(r->src) == jit_fold(r->dst))
        r->how = REDO_NONE; /* (sub rax, rax: what it was is gone) */
    r->need = (r->dst != R_NONE ? 1u << jit_fold(r->dst) : 0) | (r->src != R_NONE ? 1u << jit_fold(r->src) : 0);
}

/* The instruction that wrote the flags now in RFLAGS, as the straight path reaches k: the last
 * one before k that writes any (Jccs within a superblock only read them), or -1 when it is not a
 * full writer of this block. */
static int last_writer(const struct jctx *x, unsigned k)
{
    for (int q = (int)k - 1; q >= 0; q--) {
        const struct jop *j = &x->ops[q];
        if (j->kind == K_HELPER)
            return -1;
        if (j->fl == FL_FULL)
            return q;
        if (j->fl != FL_NONE && j->kind != K_JCC)
            return -1;
    }
    return -1;
}

unsigned j_redo_at(const struct jctx *x, unsigned k)
{
    unsigned f = k;
    for (; f < x->n; f++) { /* the full writer that kills them */
        const struct jop *j = &x->ops[f];
        if (j->kind == K_HELPER || j->fl == FL_READ || j->fl == FL_PART)
            return 0;
        if (j->fl == FL_FULL)
            break;
    }
    int w = last_writer(x, k);
    if (f == x->n || w < 0)
        return 0;
    struct redo_op r;
    redo_of(x, (unsigned)w, &r);
    if (r.how == REDO_NONE)
        return 0;
    for (unsigned q = (unsigned)w + 1; q < f; q++) { /* each exit before f reads them as w left them */
        struct jregs g;
        j_insn_regs(x, q, &g);
        if ((g.writes | g.whole) & r.need)
            return 0;
    }
    return (unsigned)w + 1;
}

/* [REX.W] op eax, ecx or [REX.W] 81 /digit eax, imm32 (w8: 64 bits) */
static void alu_rax(struct jbuf *e, bool w8, unsigned digit, bool reg, uint64_t imm)
{
    emit_rex(e, w8, 0, 0, 0, false);
    if (reg) {
        eb(e, digit << 3 | 1), eb(e, 0xc8); /* op eax, ecx */
        return;
    }
    eb(e, 0x81), eb(e, 0xc0 | digit << 3), en(e, imm, 4);
}

void j_emit_redo(struct jctx *x, unsigned w)
{
    const struct insn *i = &x->ins[w];
    struct redo_op r;
    redo_of(x, w, &r);
    if (r.how == REDO_SAME) {
        jit_emit_int(x, w, &x->ops[w]); /* (only reads: no lookup, no store) */
        return;
    }
    struct jbuf *e = &x->e;
    bool w8 = i->osz == 8, reg = r.src != R_NONE;
    j_get_reg(x, H_AX, r.dst);
    if (r.how == REDO_LOGIC) {
        emit_rex(e, w8, 0, 0, 0, false), eb(e, 0x85), eb(e, 0xc0); /* test eax, eax */
        return;
    }
    if (reg)
        j_get_reg(x, H_CX, r.src);
    unsigned undo = r.how == REDO_ADD ? 5 : 0, redo = r.how == REDO_ADD ? 0 : 5;
    alu_rax(e, true, undo, reg, i->imm); /* what dst was (its low bytes are all the op reads) */
    alu_rax(e, w8, redo, reg, i->imm);
}
