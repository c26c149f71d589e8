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
 * continues from there and takes the slow path). Instructions it does not re-encode run
 * through the interpreter's handlers, which may fault (longjmp out of it, state exact).
 */
typedef unsigned (*jit_fn)(struct cpu *c);

/* The return value: instructions completed, and which constant exit was taken unlinked
 * (1 + its index into jit_code.link, 0 for any other way out). */
#define JIT_RET_K(v) ((v) & 0xffffu)
#define JIT_RET_LINK(v) ((v) >> 16)

/* A constant exit (branch target, fall-through) linked by the engine to the translated block
 * that followed it: the code jumps straight into that block's entry while the link is current
 * (the block still valid, no TLB flush since, no stop or exit requested, TF clear). */
struct jit_link {
    const void *entry;    /* the successor's chain entry; NULL while unlinked */
    uint8_t *patch;       /* a constant exit's jump (rel32): to the checks above (at slow, in the
                           * cold part), or patched to the successor's fast entry (jit_patch) */
    uint8_t *slow;
    const uint8_t *valid; /* the successor's valid flag */
    void *block;          /* the successor (the engine finds the links patched into a block by it) */
    uint32_t epoch;       /* TLB epoch when linked */
    bool host_flags;      /* the exit leaves the guest flags in RFLAGS, not parked (a forward
                           * one): its jump is patched to the successor's fast_host */
    uint64_t rip;         /* the exit's target (set by the translator) */
};
#define JIT_LINKS (2 + SCPU_BLOCK_JCC) /* one for each Jcc within a superblock, two for its end */

struct jit_code {
    jit_fn fn;         /* NULL: not translated */
    const void *entry; /* where linked predecessors jump in */
    const void *fast;  /* where patched jumps come in: a stop or an exit goes back to the engine,
                        * then on to entry (the engine's current block is stored only where C
                        * reads it: a return to the engine, a handler's call) */
    const void *fast_host; /* where patched jumps from exits that leave the guest flags in RFLAGS
                            * come in (from blocks before this one: it may skip the stop test) */
    struct jit_link *link; /* its constant exits' links (in the translator's arena, beside the
                            * block's cold code: a block not translated has none) */
};

/* The return cache: translated blocks by guest RIP, one table per privilege (0: CPL 0, 1: CPL 3),
 * filled by the engine as blocks run. A RET's target is only known when it runs, so no link can
 * name its successor; the translated RET looks its target up here and jumps straight in while the
 * entry is current (same checks as a link), instead of going back to the engine each time.
 * Two ways per set (jit_rc_index: the set's first entry): with one, two hot targets whose index
 * met took each other's place at every call (a layout of the kernel did, under check). */
#define JIT_RC_BITS 13
#define JIT_RC_SIZE (1u << JIT_RC_BITS)
struct jit_rc_entry {
    struct jit_link link; /* all zero when none (a jump to 0 that finds it finds no entry either) */
} __attribute__((aligned(64))); /* 64 bytes: the translated lookup shifts instead of multiplying */
_Static_assert(sizeof(struct jit_rc_entry) == 64, "the lookup in j_exit_ret shifts by 6");
static inline unsigned jit_rc_index(uint64_t rip) { return (unsigned)((rip ^ (rip >> JIT_RC_BITS)) & (JIT_RC_SIZE - 2)); }

/* Where translated code finds the engine's current block and return cache; whether
 * CPL-3 TLB entries may carry byte bounds (TLB_BOUNDED), which the lookup then checks inline. */
struct jit_env {
    void **cur_block;
    struct jit_rc_entry (*rc)[JIT_RC_SIZE];
    bool bounds;
};

/* Each translation is in two parts: its straight path (the entries, the instructions, the links
 * out) among the other blocks' in the hot region [mem, mem + hot_size), and the code its straight
 * path rarely takes (the C entry, side exits, TLB fills, epilogues) in the cold region after it,
 * so that the hot paths of a large program share fewer cache lines and pages with cold code. */
struct jit_arena {
    unsigned hot_runs; /* a block is translated on its hot_runs-th run (BVM_SOFT_JIT_HOT) */
    uint8_t *mem;
    size_t used, size;      /* hot bytes taken; the whole mapping */
    size_t hot_size, cold_used; /* the hot region's end; the cold region's bytes taken (from mem) */
    bool perf_map;     /* BVM_SOFT_PERF_MAP=1: each translation is named in /tmp/perf-PID.map */
    int map_fd, map_pid;
};

/* Executable memory for translations; false when the host refuses it (the engine then
 * interprets everything). BVM_SOFT_JIT=0 in the environment turns translation off;
 * BVM_SOFT_JIT_HOT=N (1-255, default 8) translates a block on its N-th run; BVM_SOFT_PERF_MAP=1
 * writes perf's map of the translations ("ADDR SIZE guest_user_RIP", perf report shows the guest
 * address each sample's host code translates; a forked process writes its own). */
bool jit_arena_init(struct jit_arena *a);
void jit_arena_fini(struct jit_arena *a);
void jit_arena_reset(struct jit_arena *a);
/* Room for one more block's translation? (the engine flushes everything when not) */
bool jit_arena_has_room(const struct jit_arena *a);

/* Translate the block insns[0..n), decoded at privilege cpl in 64-bit mode, into *out (which
 * stays where it is: the code reads its links). */
/* A constant exit's jump straight to the fast entry of the block it is linked to, and back to
 * the checks (the successor invalidated, a TLB flush). */
void jit_patch(struct jit_link *l, const void *fast);
void jit_unpatch(struct jit_link *l);
void jit_translate(struct jit_arena *a, const struct insn *insns, unsigned n, unsigned cpl, void *block,
                   struct jit_code *out, const struct jit_env *env);

#endif
