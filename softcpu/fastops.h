/* fastops.h: decode-time choice of specialised handlers for the hottest integer forms. */
#ifndef SOFTCPU_FASTOPS_H
#define SOFTCPU_FASTOPS_H

#include "cpu.h"

/* Called by the decoder once an instruction is fully decoded with its table handler in
 * i->fn: may replace i->fn with a variant that has the operand size, register-or-memory
 * choice and (for Jcc/CMOVcc) the condition folded in. The variant must behave exactly as
 * the table handler for this decoded instruction (same results, flags, faults). */
void fast_select(const struct cpu *c, struct insn *i);
/* Called once a block's n instructions are decoded: may swap in variants that skip flag
 * updates no later instruction can observe (see fastops.c). */
void fast_block(struct insn *v, unsigned n);
/* The handler with every flag update for f (f itself unless fast_block chose a twin that
 * skips one): single-step traps expose RFLAGS after each instruction. */
op_fn fast_live(op_fn f);

#endif
