/* branch.c: near JMP/Jcc/CALL/RET and LOOP/JrCXZ; every handler sets cpu->rip and ends the block. */
#include "intops.h"

/* Relative target, truncated to the operand size (16/32-bit code wraps within its IP). */
static inline uint64_t rel_target(const struct insn *i, int64_t disp)
{
    return (insn_next(i) + (uint64_t)disp) & size_mask(i->osz);
}

OP_HANDLER(op_jcc_Jb)
{
    if (cond_eval(c, i->aux))
        cpu_jump(c, rel_target(i, sext(i->imm, 1)));
    else
        cpu_end_block(c, insn_next(i));
}
OP_HANDLER(op_jcc_Jz)
{
    if (cond_eval(c, i->aux))
        cpu_jump(c, rel_target(i, sext(i->imm, i->osz == 2 ? 2 : 4)));
    else
        cpu_end_block(c, insn_next(i));
}
OP_HANDLER(op_jmp_Jb) { cpu_jump(c, rel_target(i, sext(i->imm, 1))); }
OP_HANDLER(op_jmp_Jz) { cpu_jump(c, rel_target(i, sext(i->imm, i->osz == 2 ? 2 : 4))); }
OP_HANDLER(op_jmp_Ev) { cpu_jump(c, e_read(c, i, i->osz)); }

/* CALL: the target is checked (cpu_jump may fault) before the return address is pushed;
 * a faulting push rewinds RIP to the CALL itself. */
OP_HANDLER(op_call_Jz)
{
    cpu_jump(c, rel_target(i, sext(i->imm, i->osz == 2 ? 2 : 4)));
    cpu_push(c, insn_next(i), i->osz);
}
OP_HANDLER(op_call_Ev)
{
    uint64_t t = e_read(c, i, i->osz); /* before the push: the address may use RSP */
    cpu_jump(c, t);
    cpu_push(c, insn_next(i), i->osz);
}

static inline void ret_near(struct cpu *c, const struct insn *i, unsigned extra)
{
    unsigned sz = i->osz;
    cpu_jump(c, cpu_peek(c, 0, sz));
    cpu_pop(c, sz);
    if (extra) {
        unsigned sa = c->mode == 8 ? 8 : (c->seg[S_SS].attr & SA_DB) ? 4 : 2;
        areg_write(c, R_SP, c->r[R_SP] + extra, sa);
    }
}
OP_HANDLER(op_ret_NONE) { ret_near(c, i, 0); }
OP_HANDLER(op_ret_Iw) { ret_near(c, i, i->imm & 0xffff); }

/* LOOP family: the counter is rCX at the address size; it is written after the jump is
 * validated so a faulting target leaves it unchanged. */
static inline void loop_common(struct cpu *c, const struct insn *i, int cond)
{
    unsigned asz = i->asz;
    uint64_t n = (c->r[R_CX] - 1) & size_mask(asz);
    if (n != 0 && cond)
        cpu_jump(c, rel_target(i, sext(i->imm, 1)));
    else
        cpu_end_block(c, insn_next(i));
    areg_write(c, R_CX, n, asz);
}
OP_HANDLER(op_loopne_Jb) { loop_common(c, i, !flags_zf(c)); }
OP_HANDLER(op_loope_Jb) { loop_common(c, i, flags_zf(c)); }
OP_HANDLER(op_loop_Jb) { loop_common(c, i, 1); }
OP_HANDLER(op_jrcxz_Jb)
{
    if (areg_read(c, R_CX, i->asz) == 0)
        cpu_jump(c, rel_target(i, sext(i->imm, 1)));
    else
        cpu_end_block(c, insn_next(i));
}
