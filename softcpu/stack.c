/* stack.c: PUSH and POP (register, immediate, r/m), ENTER, LEAVE. */
#include "intops.h"

/* Stack-address size: 8 in 64-bit mode, else SS.B selects 4 or 2. */
static inline unsigned stk_asz(struct cpu *c)
{
    if (c->mode == 8)
        return 8;
    return (c->seg[S_SS].attr & SA_DB) ? 4 : 2;
}

OP_HANDLER(op_push_Zv) { cpu_push(c, reg_read(c, i->reg, i->osz), i->osz); }
OP_HANDLER(op_pop_Zv)
{
    /* POP rSP: the popped value wins over the increment, so write it after the pop. */
    uint64_t v = cpu_pop(c, i->osz);
    reg_write(c, i->reg, v, i->osz);
}
OP_HANDLER(op_push_Iz) { cpu_push(c, imm_z(i, i->osz), i->osz); }
OP_HANDLER(op_push_Ib) { cpu_push(c, imm_s8(i) & size_mask(i->osz), i->osz); }
/* The source address is computed before RSP moves (PUSH [RSP] pushes the old top). */
OP_HANDLER(op_push_Ev) { cpu_push(c, e_read(c, i, i->osz), i->osz); }

/* POP r/m: a memory destination's address uses RSP after the increment. The store comes
 * before RSP is committed so a faulting store leaves RSP alone. */
OP_HANDLER(op_pop_Ev)
{
    unsigned sz = i->osz;
    uint64_t v = cpu_peek(c, 0, sz);
    if (!i->is_mem) {
        cpu_pop(c, sz);
        reg_write(c, i->rm, v, sz);
        return;
    }
    /* The address is formed as if RSP had already moved (only a base can be RSP). */
    uint64_t off = insn_offset(c, i) + (i->base == R_SP ? sz : 0);
    uint64_t ea = seg_linear(c, i->seg, off & size_mask(i->asz), sz);
    mem_writen(c, ea, v, sz);
    cpu_pop(c, sz);
}

/* ENTER size, level. The nested copies run in order (a copy may read a slot an earlier copy
 * wrote); then, like AMD hardware, the new RSP is probed for writing (a fault there leaves
 * the stores done). RSP/RBP are committed last. */
OP_HANDLER(op_enter_Iw_Ib)
{
    unsigned sz = i->osz, sa = stk_asz(c), level = i->imm2 & 31;
    uint64_t m = size_mask(sa), bp = c->r[R_BP];
    uint64_t frame = (c->r[R_SP] - sz) & m;
    uint64_t bottom = (frame - (uint64_t)level * sz - (i->imm & 0xffff)) & m;
    uint64_t n;
    mem_writen(c, seg_linear(c, S_SS, frame, sz), bp, sz);
    uint64_t p = frame;
    for (unsigned k = 1; k < level; k++) {
        uint64_t v = mem_readn(c, seg_linear(c, S_SS, (bp - k * sz) & m, sz), sz);
        p = (p - sz) & m;
        mem_writen(c, seg_linear(c, S_SS, p, sz), v, sz);
    }
    if (level) {
        p = (p - sz) & m;
        mem_writen(c, seg_linear(c, S_SS, p, sz), frame, sz);
    }
    mem_span(c, seg_linear(c, S_SS, bottom, 1), 1, ACC_W, &n);
    reg_write(c, R_BP, frame, sz);
    areg_write(c, R_SP, bottom, sa);
}

/* LEAVE: rSP = rBP, then pop rBP (read first so a fault changes nothing). */
OP_HANDLER(op_leave_NONE)
{
    unsigned sz = i->osz, sa = stk_asz(c);
    uint64_t bp = c->r[R_BP] & size_mask(sa);
    uint64_t v = mem_readn(c, seg_linear(c, S_SS, bp, sz), sz);
    areg_write(c, R_SP, bp + sz, sa);
    reg_write(c, R_BP, v, sz);
}
