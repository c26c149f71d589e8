/* jit.h: the translator from decoded blocks to host code (jit.c), used by the engine. */
#ifndef SOFTCPU_JIT_H
#define SOFTCPU_JIT_H

#include "cpu.h"

/*
 * A translated block runs a prefix of a decoded block on the host CPU: guest integer
 * instructions are re-encoded with their register operands loaded from and stored back to
 * struct cpu, memory operands go through an inline TLB lookup, and arithmetic flags stay in the
 * host RFLAGS while the block runs. It returns the index of the first instruction it did not
 * run: n when the whole block ran (cpu->rip then holds the next RIP), less when it reached an
 * instruction it cannot translate or a memory access the TLB does not cover (the interpreter
 * continues from there and takes the slow path). It never faults.
 * flags_in: the guest's arithmetic flags, when the block needs them (struct jit_code).
 */
typedef unsigned (*jit_fn)(struct cpu *c, uint64_t flags_in);

struct jit_code {
    jit_fn fn;        /* NULL: nothing translatable at the block's start */
    uint8_t flags_in; /* the block reads the incoming flags */
};

struct jit_arena {
    uint8_t *mem;
    size_t used, size;
};

/* Executable memory for translations; false when the host refuses it (the engine then
 * interprets everything). BVM_SOFT_JIT=0 in the environment turns translation off. */
bool jit_arena_init(struct jit_arena *a);
void jit_arena_fini(struct jit_arena *a);
void jit_arena_reset(struct jit_arena *a);
/* Room for one more block's translation? (the engine flushes everything when not) */
bool jit_arena_has_room(const struct jit_arena *a);

/* Translate the block insns[0..n) whose first instruction is at block_rip, decoded at
 * privilege cpl in 64-bit mode. */
struct jit_code jit_translate(struct jit_arena *a, const struct insn *insns, unsigned n, unsigned cpl);

#endif
