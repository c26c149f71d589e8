/* jit_int.h: the translator's internals, shared by jit.c (blocks, exits, links, handler
 * calls), jit_mem.c (memory operands, the TLB lookup), jit_insn.c (integer instructions) and
 * jit_sse.c (SSE instructions). */
#ifndef SOFTCPU_JIT_INT_H
#define SOFTCPU_JIT_INT_H

#include <stddef.h>

#include "jit.h"
#include "jit_emit.h"
#include "jit_ops.h"

#define MAX_EXITS (2 * SCPU_BLOCK_MAX + 4)
#define OFF_R(g) ((int32_t)(offsetof(struct cpu, r) + 8 * (unsigned)(g)))
#define OFF(f) ((int32_t)offsetof(struct cpu, f))
_Static_assert(sizeof(struct tlb_entry) == 32, "the lookup scales 4 * the TLB index by 8");

/* A side exit to be emitted after the block's straight-line code. */
struct side_exit {
    uint8_t *at[5];   /* rel32 fields jumping here */
    unsigned k;       /* instruction to resume at */
    unsigned mem;     /* memory accesses completed before it */
    bool flags_saved; /* r9 holds the guest flags (lahf/seto) */
    bool fhost;       /* guest flags are in RFLAGS (after restoring) */
    /* a lookup whose entry may carry byte bounds: its tag miss jumps (rel32 at bnd_at) to an
     * inline check of them before this exit, which goes on at bnd_back when they allow it */
    uint8_t *bnd_at, *bnd_back;
    /* a lookup's: where it starts (rsi the linear address), taken again after its tag missed
     * and jit_tlb_fill made the entry (miss_at: the jumps of the miss; NULL: not a lookup) */
    uint8_t *retry, *miss_at;
    unsigned redo;    /* not 0: RFLAGS lost the guest flags, which instruction redo - 1 wrote and
                       * the exit computes again (jit_redo.c) */
    bool write; /* the lookup is for a store */
    uint8_t size; /* ... of this many bytes */
};

/* Guest registers with the same home in every translated block (JIT_GLOBAL_HOME for rsp): linked
 * blocks pass them in it, not through struct cpu. Every way into C stores them (the epilogue, and
 * each handler's call, whose writeback sets hold them) and the C entry loads them; a chain entry
 * does not, and a link writes them back to nothing. */
#define JIT_GLOBALS (1u << R_SP)
#define JIT_GLOBAL_HOME H_R12

/* Where a block's first instruction wants the guest flags, which its two entries see to (flags
 * in RFLAGS from a link whose exit left them there, parked in r9 from anywhere else): parked
 * when something may leave before any flag is read or written (or the block runs SSE, whose
 * entry checks clobber RFLAGS); in RFLAGS when a reader comes first; either, as they come, when
 * a full writer comes first. */
enum jit_start { START_PARKED, START_HOST, START_ANY };

struct jctx {
    struct jbuf e;
    const struct insn *ins;
    unsigned n, cpl;
    unsigned done;   /* instructions complete when the one being translated leaves (a constant
                      * exit from a Jcc within the block has done fewer than n) */
    bool fhost;      /* guest flags are in the host RFLAGS now (else in struct cpu) */
    bool fparked;    /* ... in r9 instead (lahf/seto, by a lookup), RFLAGS free to clobber */
    unsigned mem;    /* memory accesses so far on the straight path */
    uint8_t *top;    /* first instruction (target of a self loop) */
    int8_t home[16]; /* guest register -> host r10..r13 or r8 holding it for the whole block, or -1 */
    uint16_t load;   /* the homes the entry loads (plan_homes) */
    uint16_t wb[SCPU_BLOCK_MAX + 1]; /* before instruction k: the homes that may differ from struct cpu
                                      * (those the instructions before it may have written) */
    uint8_t *epi_flags_at[MAX_EXITS + 8], *epi_plain_at[MAX_EXITS + 8];
    unsigned n_epi_flags, n_epi_plain;
    struct side_exit exits[MAX_EXITS];
    unsigned nexits;
    const struct jop *ops;     /* the classified instructions */
    struct jit_code *code;     /* links of this block */
    const struct jit_env *env;
    unsigned nlinks, maxlinks;
    bool sse;                  /* runs SSE instructions on the host (jit_sse.c) */
    bool sse_fp;               /* ... some of which depend on MXCSR: the guest's is loaded */
    uint8_t *bail[3];          /* entry checks for SSE that failed: back to the interpreter */
    uint8_t *fast_out[2];      /* the fast entry's checks that failed: likewise */
    uint8_t start;             /* where the first instruction wants the flags (enum jit_start) */
    struct jit_taken {         /* a Jcc within the block: its exit when taken, emitted after the
                                * block's straight line (which then has no jump over it) */
        uint8_t *at;           /* the Jcc's rel32 */
        uint64_t rip;          /* its target */
        bool fhost, fparked;   /* the state there */
        unsigned mem, done;
    } taken[SCPU_BLOCK_JCC];
    unsigned ntaken;
    void *block;               /* the engine's block being translated (its current block) */
};


static inline unsigned jit_fold(unsigned g) { return g >= R_AH ? g - R_AH : g; }

/* the instructions and memory accesses done, counted in registers until the code returns to
 * C (lea: flags untouched) */
void j_count_insns(struct jbuf *e, int v);
void j_count_mem(struct jbuf *e, unsigned v);
/* host register h = guest register g, and back (home register or struct cpu) */
void j_get_reg(struct jctx *x, int h, unsigned g);
void j_put_reg(struct jctx *x, int h, unsigned g);
/* guest flags into r9 (lahf/seto, clobbers rax) and back */
void j_flags_save(struct jbuf *e);
void j_flags_restore(struct jbuf *e);
/* Park the guest flags (when in RFLAGS) in r9 before code that clobbers RFLAGS, and take them
 * back before code that reads them: they stay parked across lookups and the instructions that
 * neither read nor write flags, so a run of memory accesses saves them once and restores them
 * (clobbering rax) only where an instruction, a handler or an exit reads them. */
void j_park(struct jctx *x);
void j_unpark(struct jctx *x);
/* The guest registers (bit g) instruction q may touch in any way, those it may write, and
 * those it writes whole (32 or 64 bits) without reading them first. */
struct jregs {
    unsigned touch, writes, whole;
};
#define HOMES_ALL 0xffffu
void j_insn_regs(const struct jctx *x, unsigned q, struct jregs *r);
/* the home registers in regs (bit g: guest g) stored to struct cpu, or loaded from it */
void j_writeback_homes(struct jctx *x, unsigned regs);
void j_reload_homes(struct jctx *x, unsigned regs);
/* the register holding guest g for an address (its home, or loaded into scratch) */
int j_addr_reg(struct jctx *x, unsigned g, int scratch);
/* Flags in RFLAGS that are dead on the straight path from instruction k on, which every side exit
 * until they die can compute again (jit_redo.c): w + 1, w the instruction that wrote them, or 0
 * (park them). */
unsigned j_redo_at(const struct jctx *x, unsigned k);
/* their computation at such an exit, into RFLAGS (clobbers rax, rcx and what w's own code does) */
void j_emit_redo(struct jctx *x, unsigned w);
/* flags in RFLAGS parked before a lookup for instruction k, unless j_redo_at says they need not
 * be: 0, or what j_redo_at returned */
unsigned j_park_for(struct jctx *x, unsigned k);
/* a side exit resuming at instruction k, in the state the code is in now (flags parked, or
 * computed again there: side_exit.redo) */
struct side_exit *j_new_exit(struct jctx *x, unsigned k);
/* rsi = linear address of i's memory operand; or into host h, with hx as the index's scratch */
void j_ea(struct jctx *x, const struct insn *i);
void j_ea_to(struct jctx *x, const struct insn *i, int h, int hx);
/* instruction k, translated by itself; the incoming guest flags into RFLAGS first if it needs them */
void j_emit_insn(struct jctx *x, unsigned k, const struct jop *j);
void j_emit_taken(struct jctx *x);
void j_flags_for(struct jctx *x, unsigned k, const struct jop *j);
/* instruction k needs the incoming guest flags (a reader, or a partial writer whose kept flags
 * may be read or leave the block) */
bool j_needs_flags(const struct jctx *x, unsigned k);
/* the TLB lookup inline: the host address of size bytes at linear rsi unless the jump *miss
 * is taken: the tag is not their page's, or they cross the page (clobbers rdi, rcx and RFLAGS).
 * The address is rsi (ix false) or rsi + rdi (ix: rdi the page's addend; the access names
 * [rsi + rdi + d] and the add is off the path from the address to the data). */
void j_lookup(struct jctx *x, unsigned size, bool write, bool ix, uint8_t **miss);
/* the same with ix, else a side exit resuming at k */
struct side_exit *j_tlb(struct jctx *x, unsigned k, unsigned size, bool write);
/* side exit s's lookup out of line (in the cold part, before its exit): its bounds check and its
 * fill, whichever it has */
void j_tlb_out_of_line(struct jctx *x, struct side_exit *s);
/* leave the block: finished at rip or at the rip in rdx (plain), through a linkable constant
 * exit, or with eax set */
void j_exit_rip(struct jctx *x, uint64_t rip);
void j_exit_rdx(struct jctx *x);
void j_exit_ret(struct jctx *x); /* a RET's or an indirect branch's: rdx its target */
void j_exit_to(struct jctx *x, uint64_t rip);
void j_to_epilogue(struct jctx *x, bool fhost);
/* flags where the block's first instruction finds them (parked), for a loop back */
void j_sync_top(struct jctx *x);

/* jit_plan.c: classify the block's instructions into ops, choose its home registers, and
 * which homes its entry loads and each point writes back (x->load, x->wb) */
void jit_plan(struct jctx *x, struct jop *ops);
void jit_emit_int(struct jctx *x, unsigned k, const struct jop *j);
/* jit_stack.c: when a stack run starts at instruction k, its translation; returns the
 * instruction after it (k: none starts there) */
unsigned jit_stack_run(struct jctx *x, unsigned k);
/* jit_insn.c's pieces for stack runs (jit_stack.c): i with its memory operand at [rsi + disp],
 * rsi already the host address of the run's pages (the caller counts the access); guest register
 * g += delta, flags untouched; a RET whose target is in rdx, read through side exit s's lookup:
 * the target checked canonical (else s, where the interpreter raises #GP), rsp += 8, out */
void j_modrm_grouped(struct jctx *x, const struct insn *i, const struct jop *j, int32_t disp);
void j_reg_add(struct jctx *x, unsigned g, int32_t delta);
void j_ret_rdx(struct jctx *x, struct side_exit *s);
void jit_emit_sse(struct jctx *x, unsigned k, const struct jop *j);
/* blocks with translated SSE: the guest MXCSR in the host's, and back (clobbers rcx) */
void jit_mxcsr_guest(struct jbuf *e);
void jit_mxcsr_host(struct jbuf *e);
/* three jumps (stored in bail; the first NULL without fp) taken when SSE cannot run on the
 * host (clobbers rax): fp, the block's SSE depends on MXCSR */
void jit_sse_guard(struct jbuf *e, uint8_t **bail, bool fp);
/* Whether i's result or exceptions depend on MXCSR (rounding, DAZ and FTZ, exception masks):
 * floating-point arithmetic, compares and conversions do; moves, shuffles, logic and integer
 * instructions do not, and a block of only those runs under the host's MXCSR (LDMXCSR and
 * STMXCSR at each entry and exit had cost glibc malloc's MOVDQU blocks a fifth of their time). */
bool jit_sse_mxcsr(const struct insn *i);

/* jit_arena.c: the translation at [start, start + len) of the guest block at rip, named in perf's
 * map of this process (BVM_SOFT_PERF_MAP). */
void jit_perf_map_note(struct jit_arena *a, const void *start, size_t len, uint64_t rip, unsigned cpl);

#endif
