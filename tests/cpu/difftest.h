/* difftest.h: shared state and interfaces of the CPU differential tester (host CPU vs soft CPU). */
#ifndef DIFFTEST_H
#define DIFFTEST_H

#include <stdint.h>
#include <stddef.h>

#include "cpu.h"

/* Fixed linear addresses, identical in the host process and in the soft machine, so that
 * absolute and RIP-relative addresses mean the same thing on both sides. */
#define DT_BASE 0x10000000ull
#define DT_CODE DT_BASE                 /* one RWX code page, 0xCC (INT3) everywhere else */
#define DT_PROLOGUE DT_CODE             /* host-only register loader */
#define DT_INSN (DT_CODE + 0x800)       /* the instruction(s) under test start here */
#define DT_SCRATCH (DT_BASE + 0x10000)  /* two RW pages, then a read-only page */
#define DT_SCRATCH_RW 0x2000ull
#define DT_SCRATCH_LEN 0x3000ull        /* RW + RO; the pages around are unmapped */
#define DT_REGION_LEN 0x20000ull        /* code .. guard, reserved on the host */

/* Complete user-visible state: input and output of one run. XMM/x87/MXCSR in FXSAVE form. */
struct dt_state {
    uint64_t r[16]; /* x86 numbering: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
    uint64_t rip, rflags;
    uint8_t fx[512] __attribute__((aligned(16)));
    /* outcome: vector 3 (INT3 after the code) means "completed"; DT_HOST_TIMEOUT: the host
     * ran out of time (random code looping) */
    int vector;
    uint32_t err;     /* #PF error code (other vectors: 0) */
    uint64_t cr2;     /* #PF linear address */
};

#define DT_HOST_TIMEOUT (-2)

/* FXSAVE offsets */
#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4
#define FX_MXCSR 24
#define FX_ST 32
#define FX_XMM 160

struct dt_case {
    uint8_t code[320];      /* bytes placed at DT_INSN */
    unsigned len;
    struct dt_state in;
    uint8_t mem[DT_SCRATCH_LEN]; /* initial scratch contents */
    uint32_t undef;         /* RFLAGS bits not compared */
    int cmp_x87;            /* compare the x87/MMX registers too */
    int seq;                /* a sequence: no register-relative memory, no branches */
};

struct dt_result {
    struct dt_state out;
    uint8_t mem[DT_SCRATCH_LEN];
    int skipped;            /* harness could not run it */
    char why[128];
};

/* difftest_host.c */
void host_init(void);
void host_run(const struct dt_case *tc, struct dt_result *res);

/* difftest_soft.c */
extern unsigned soft_timeout; /* seconds (SIGALRM); 0: none, the caller stops a run with soft_stop */
void soft_stop(void);          /* from another thread or a signal handler: the current run ends */
void soft_init(void);
void soft_run(const struct dt_case *tc, struct dt_result *res);
void soft_stats(struct scpu_stats *s); /* counters of the soft CPU all cases ran on */
int soft_translates(void);
void soft_set_cpuid(int reduced);

/* difftest.c: compare the outcome of one case (0: same, else *why says how), print a mismatch. */
int dt_compare(const struct dt_case *tc, const struct dt_result *h, const struct dt_result *s, char *why,
               size_t wl);
void dt_report(const char *name, const struct dt_case *tc, const struct dt_result *h, const struct dt_result *s,
               const char *why);

/* difftest_fuzz.c: n random instruction byte strings, host against soft; returns the failures. */
unsigned long dt_fuzz(uint64_t seed, unsigned long n, int verbose);

/* difftest_gen.c: build a random case for table entry e; returns 0 if the form has no
 * generator. `seq` asks for an instruction usable inside a sequence (no branches). */
struct rng { uint64_t s; };
uint64_t rng_next(struct rng *r);
static inline uint64_t rng_below(struct rng *r, uint64_t n) { return n ? rng_next(r) % n : 0; }
int gen_has(const struct opdesc *e);
void gen_state(struct rng *r, struct dt_case *tc);
int gen_insn(struct rng *r, const struct opdesc *e, struct dt_case *tc, unsigned at);

/* difftest_stack.c: a case for the translator's stack runs (a loop over stack instructions) */
void gen_stack_case(struct rng *r, struct dt_case *tc);

#endif
