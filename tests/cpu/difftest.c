/* difftest.c: differential test of the soft CPU against the host CPU, one line per instruction
 * form of scpu_optable (walked, never listed by hand), plus random instruction sequences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "difftest.h"
#include "harness.h"

struct group {
    char name[64];          /* difftest-<mnem>-<form> */
    unsigned first, n;      /* entries with this name (indices into scpu_optable) */
    unsigned idx[64];
    unsigned long cases, fails, host_ud, printed;
    unsigned no_gen, sys, no64;
};

static struct group *groups;
static unsigned ngroups;
static int verbose;
static unsigned max_print = 3;

static const char *form_name(unsigned f)
{
    static const char *names[] = {
#define FORM_NAME(name, m, imm, b) #name,
        FORMS(FORM_NAME)
#undef FORM_NAME
    };
    return f < FORM_COUNT ? names[f] : "?";
}

static void build_groups(void)
{
    groups = calloc(scpu_optable_len + 1, sizeof *groups);
    for (unsigned k = 0; k < scpu_optable_len; k++) {
        const struct opdesc *e = &scpu_optable[k];
        if (!e->mnem || !e->fn)
            continue;
        char name[64];
        snprintf(name, sizeof name, "difftest-%s-%s", e->mnem, form_name(e->form));
        for (char *p = name; *p; p++) /* one word per test name: "fld st(i)" -> fld_st_i_ */
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
                *p = '_';
        struct group *g = NULL;
        for (unsigned j = 0; j < ngroups; j++)
            if (strcmp(groups[j].name, name) == 0)
                g = &groups[j];
        if (!g) {
            g = &groups[ngroups++];
            memcpy(g->name, name, sizeof name);
        }
        if (g->n < 64)
            g->idx[g->n++] = k;
        if (e->flags & OPF_SYS)
            g->sys = 1;
        if (e->flags & OPF_NO64)
            g->no64++;
        if (!gen_has(e))
            g->no_gen = 1;
    }
}

/* ---- comparison and reports ---- */
static const char *regname[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

static void print_state(const char *tag, const struct dt_state *s, int with_fault)
{
    printf("    %s:", tag);
    for (int k = 0; k < 16; k++)
        printf("%s%s=%016llx", k % 4 ? " " : "\n      ", regname[k], (unsigned long long)s->r[k]);
    printf("\n      rip=%016llx rflags=%08llx", (unsigned long long)s->rip, (unsigned long long)s->rflags);
    if (with_fault)
        printf(" vector=%d err=%#x cr2=%#llx", s->vector, s->err, (unsigned long long)s->cr2);
    printf("\n");
}

int dt_compare(const struct dt_case *tc, const struct dt_result *h, const struct dt_result *s, char *why,
               size_t wl)
{
    const struct dt_state *a = &h->out, *b = &s->out;
    if (b->vector < 0)
        return snprintf(why, wl, "soft: %s", s->why), 1;
    if (a->vector != b->vector)
        return snprintf(why, wl, "vector host %d soft %d", a->vector, b->vector), 1;
    /* Outside the test region the host's page tables are not ours: ignore the P bit. */
    uint32_t em = a->cr2 >= DT_BASE && a->cr2 < DT_BASE + DT_REGION_LEN ? 0x1f : 0x1e;
    if (a->vector == EXC_PF && (a->cr2 != b->cr2 || (a->err & em) != (b->err & em)))
        return snprintf(why, wl, "#PF host cr2 %#llx err %#x, soft cr2 %#llx err %#x",
                        (unsigned long long)a->cr2, a->err, (unsigned long long)b->cr2, b->err), 1;
    for (int k = 0; k < 16; k++)
        if (a->r[k] != b->r[k])
            return snprintf(why, wl, "%s host %#llx soft %#llx", regname[k],
                            (unsigned long long)a->r[k], (unsigned long long)b->r[k]), 1;
    if (a->rip != b->rip)
        return snprintf(why, wl, "rip host %#llx soft %#llx", (unsigned long long)a->rip,
                        (unsigned long long)b->rip), 1;
    /* A faulting single instruction must leave every flag alone; undefined flags only
     * count once an instruction completed. */
    uint64_t fm = F_ARITH | F_DF;
    if (a->vector == EXC_BP || tc->seq)
        fm &= ~(uint64_t)tc->undef;
    if ((a->rflags ^ b->rflags) & fm)
        return snprintf(why, wl, "rflags host %#llx soft %#llx (compared %#llx)",
                        (unsigned long long)a->rflags, (unsigned long long)b->rflags,
                        (unsigned long long)fm), 1;
    for (unsigned k = 0; k < DT_SCRATCH_LEN; k++)
        if (h->mem[k] != s->mem[k])
            return snprintf(why, wl, "memory at %#llx: host %02x soft %02x",
                            (unsigned long long)(DT_SCRATCH + k), h->mem[k], s->mem[k]), 1;
    if (memcmp(a->fx + FX_MXCSR, b->fx + FX_MXCSR, 4))
        return snprintf(why, wl, "mxcsr differs"), 1;
    for (int k = 0; k < 16; k++)
        if (memcmp(a->fx + FX_XMM + 16 * k, b->fx + FX_XMM + 16 * k, 16))
            return snprintf(why, wl, "xmm%d host %016llx%016llx soft %016llx%016llx", k,
                            *(unsigned long long *)(a->fx + FX_XMM + 16 * k + 8),
                            *(unsigned long long *)(a->fx + FX_XMM + 16 * k),
                            *(unsigned long long *)(b->fx + FX_XMM + 16 * k + 8),
                            *(unsigned long long *)(b->fx + FX_XMM + 16 * k)), 1;
    if (tc->cmp_x87) {
        if (memcmp(a->fx, b->fx, 5))
            return snprintf(why, wl, "x87 control/status/tag differ"), 1;
        for (int k = 0; k < 8; k++)
            if (memcmp(a->fx + FX_ST + 16 * k, b->fx + FX_ST + 16 * k, 10))
                return snprintf(why, wl, "x87/mmx register %d differs", k), 1;
    }
    return 0;
}

void dt_report(const char *name, const struct dt_case *tc, const struct dt_result *h, const struct dt_result *s,
               const char *why)
{
    printf("  mismatch %s: %s\n    bytes:", name, why);
    for (unsigned k = 0; k < tc->len; k++)
        printf(" %02x", tc->code[k]);
    printf("\n");
    print_state("input", &tc->in, 0);
    print_state("host", &h->out, 1);
    print_state("soft", &s->out, 1);
}

static struct dt_case tc;
static struct dt_result hr, sr;

/* One case; returns 1 on mismatch (printed while the group's quota lasts). */
static int run_case(struct group *g, int *host_ud)
{
    char why[256];
    host_run(&tc, &hr);
    soft_run(&tc, &sr);
    *host_ud = hr.out.vector == EXC_UD && sr.out.vector != EXC_UD;
    if (!dt_compare(&tc, &hr, &sr, why, sizeof why))
        return 0;
    if (g->printed++ < max_print || verbose)
        dt_report(g->name, &tc, &hr, &sr, why);
    return 1;
}

static void run_group(struct group *g, struct rng *r, unsigned count)
{
    for (unsigned c = 0; c < count; c++) {
        const struct opdesc *e = &scpu_optable[g->idx[rng_below(r, g->n)]];
        memset(&tc, 0, sizeof tc);
        gen_state(r, &tc);
        if (!gen_insn(r, e, &tc, 0))
            continue;
        int ud;
        g->cases++;
        g->fails += run_case(g, &ud);
        g->host_ud += ud;
    }
}

/* The table starts with the entries of opcodes_int.def (optable.c concatenates it first). */
#define OP(...) +1
static const unsigned n_int_entries = 0
#include "opcodes_int.def"
    ;
#undef OP

/* What a sequence may draw from: no branches, no undefined flags that a later flag reader
 * could see; the integer tier only takes entries of opcodes_int.def. */
static int seq_usable(unsigned k, int int_only)
{
    const struct opdesc *e = &scpu_optable[k];
    if (e->flags & (OPF_SYS | OPF_BRANCH | OPF_NO64) || !gen_has(e) || !e->fn)
        return 0;
    if (e->undef & ~(uint32_t)F_AF)
        return 0;
    if (!strcmp(e->mnem, "lahf") || !strcmp(e->mnem, "pushf") || !strcmp(e->mnem, "ud2"))
        return 0; /* they read AF, which the pool leaves undefined */
    return !int_only || k < n_int_entries;
}

static void run_sequences(struct group *g, struct rng *r, unsigned count, int int_only)
{
    unsigned *pool = malloc(sizeof *pool * scpu_optable_len), np = 0;
    for (unsigned k = 0; k < scpu_optable_len; k++)
        if (seq_usable(k, int_only))
            pool[np++] = k;
    for (unsigned c = 0; c < count && np; c++) {
        memset(&tc, 0, sizeof tc);
        gen_state(r, &tc);
        tc.seq = 1;
        unsigned want = 1 + (unsigned)rng_below(r, 20), got = 0;
        for (unsigned tries = 0; got < want && tries < 200; tries++)
            if (gen_insn(r, &scpu_optable[pool[rng_below(r, np)]], &tc, tc.len))
                got++;
        if (!got)
            continue;
        if (verbose) {
            fprintf(stderr, "seq:");
            for (unsigned k = 0; k < tc.len; k++)
                fprintf(stderr, " %02x", tc.code[k]);
            fprintf(stderr, "\n");
        }
        int ud;
        g->cases++;
        g->fails += run_case(g, &ud);
    }
    free(pool);
}

static void run_stack_cases(struct group *g, struct rng *r, unsigned count)
{
    for (unsigned c = 0; c < count; c++) {
        memset(&tc, 0, sizeof tc);
        gen_stack_case(r, &tc);
        int ud;
        g->cases++;
        g->fails += run_case(g, &ud);
    }
}

static void print_group(const struct group *g)
{
    if (g->sys)
        return;
    if (g->no_gen)
        test_report(g->name, TEST_FAIL, "no generator for this form");
    else if (g->n && g->no64 == g->n)
        test_report(g->name, TEST_SKIP, "not encodable in 64-bit mode");
    else if (g->cases && g->host_ud == g->cases)
        test_report(g->name, TEST_SKIP, "the host CPU lacks it (%lu cases)", g->cases);
    else if (!g->cases)
        test_report(g->name, TEST_FAIL, "no case could be generated");
    else if (g->fails)
        test_report(g->name, TEST_FAIL, "%lu of %lu cases differ", g->fails, g->cases);
    else
        test_report(g->name, TEST_PASS, "(%lu cases)", g->cases);
}

static const struct opdesc *find_entry(const char *mnem, unsigned map, unsigned opcode)
{
    for (unsigned k = 0; k < scpu_optable_len; k++) {
        const struct opdesc *e = &scpu_optable[k];
        if (e->mnem && !strcmp(e->mnem, mnem) && e->map == map && e->opcode == opcode)
            return e;
    }
    return NULL;
}

/* CPUID-gated forms on a soft CPU whose CPUID lacks the feature: F3 0F BC/BD must behave as
 * BSF/BSR (the host runs the same bytes with a CS override in place of F3, same length);
 * POPCNT, CMPXCHG16B, LAHF/SAHF must raise #UD. */
static void run_cpuid_gates(struct group *g, struct rng *r, unsigned count)
{
    const struct opdesc *bsf = find_entry("bsf", MAP_0F, 0xbc), *bsr = find_entry("bsr", MAP_0F, 0xbd);
    static const uint8_t ud_forms[][4] = { {0xf3, 0x0f, 0xb8, 0xc0}, {0x48, 0x0f, 0xc7, 0x0e},
                                           {0x9f}, {0x9e} };
    static const unsigned ud_len[] = { 4, 4, 1, 1 };
    char why[256];
    soft_set_cpuid(1);
    for (unsigned c = 0; c < count && bsf && bsr; c++) {
        memset(&tc, 0, sizeof tc);
        gen_state(r, &tc);
        tc.code[0] = 0x2e;
        if (!gen_insn(r, c & 1 ? bsr : bsf, &tc, 1))
            continue;
        tc.undef |= (c & 1 ? bsr : bsf)->undef;
        host_run(&tc, &hr);
        tc.code[0] = 0xf3;
        soft_run(&tc, &sr);
        g->cases++;
        if (dt_compare(&tc, &hr, &sr, why, sizeof why)) {
            g->fails++;
            if (g->printed++ < max_print)
                dt_report(g->name, &tc, &hr, &sr, why);
        }
    }
    for (unsigned k = 0; k < 4; k++) {
        memset(&tc, 0, sizeof tc);
        gen_state(r, &tc);
        tc.in.r[R_SI] = DT_SCRATCH + 0x100;
        memcpy(tc.code, ud_forms[k], ud_len[k]);
        tc.len = ud_len[k];
        soft_run(&tc, &sr);
        g->cases++;
        if (sr.out.vector != EXC_UD || sr.out.rip != DT_INSN) {
            g->fails++;
            printf("  mismatch %s: form %u ran (vector %d) without its CPUID bit\n", g->name, k,
                   sr.out.vector);
        }
    }
    soft_set_cpuid(0);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be shared */
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* --bench: integer loops (ALU, LEA, shifts, a memory RMW, a counted branch) timed natively
 * and on the soft CPU, in CPU time; prints the slowdown factors. */
static void bench_one(const char *name, const uint8_t *loop, unsigned len, unsigned ninsn)
{
    const uint64_t iters = 50000000;
    memset(&tc, 0, sizeof tc);
    memcpy(tc.code, loop, len);
    tc.len = len;
    tc.in.rip = DT_INSN;
    tc.in.r[R_DX] = iters;
    tc.in.r[R_SI] = DT_SCRATCH + 0x100;
    tc.in.r[R_SP] = DT_SCRATCH + 0x800;
    tc.in.rflags = 2;
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;
    memcpy(tc.in.fx + FX_FCW, &fcw, 2);
    memcpy(tc.in.fx + FX_MXCSR, &mxcsr, 4);
    soft_timeout = 600;
    double t0 = now();
    host_run(&tc, &hr);
    double t1 = now();
    soft_run(&tc, &sr);
    double t2 = now();
    char why[256];
    int bad = dt_compare(&tc, &hr, &sr, why, sizeof why);
    printf("bench %s: %llu iterations x %u insns: native %.3f s, soft %.3f s (%.1f ns/insn), "
           "slowdown %.1fx%s%s\n", name, (unsigned long long)iters, ninsn, t1 - t0, t2 - t1,
           (t2 - t1) * 1e9 / ((double)iters * ninsn), (t2 - t1) / (t1 - t0),
           bad ? ", MISMATCH: " : "", bad ? why : "");
}

static void bench(void)
{
    static const uint8_t mixed[] = {
        0x48, 0x01, 0xd8,             /* add rax, rbx */
        0x48, 0x31, 0xcb,             /* xor rbx, rcx */
        0x48, 0x8d, 0x4c, 0x41, 0x01, /* lea rcx, [rcx+rax*2+1] */
        0x48, 0x01, 0x06,             /* add [rsi], rax */
        0x48, 0xc1, 0xe3, 0x03,       /* shl rbx, 3 */
        0x48, 0x83, 0xea, 0x01,       /* sub rdx, 1 */
        0x75, 0xe8,                   /* jnz loop */
    };
    static const uint8_t regs[] = {
        0x48, 0x01, 0xd8,             /* add rax, rbx */
        0x48, 0x31, 0xcb,             /* xor rbx, rcx */
        0x48, 0x89, 0xc7,             /* mov rdi, rax */
        0x48, 0x21, 0xdf,             /* and rdi, rbx */
        0x48, 0x83, 0xc1, 0x07,       /* add rcx, 7 */
        0x48, 0xff, 0xca,             /* dec rdx */
        0x75, 0xeb,                   /* jnz loop */
    };
    bench_one("mixed", mixed, sizeof mixed, 7);
    bench_one("regs", regs, sizeof regs, 7);
}

/* The cases ran through the translator (when it is on). */
static void report_translated(void)
{
    static const char name[] = "difftest-translated";
    struct scpu_stats st;
    soft_stats(&st);
    unsigned long long jit = st.insns_jit, all = st.insns_executed;
    if (!soft_translates())
        test_report(name, TEST_SKIP, "translation is off (BVM_SOFT_JIT=0, or no LAHF in 64-bit mode)");
    else if (jit * 4 > all) /* cases end in a trap, which the count misses */
        test_report(name, TEST_PASS, "(%llu of %llu guest instructions ran in translated blocks)", jit, all);
    else
        test_report(name, TEST_FAIL, "only %llu of %llu guest instructions ran in translated blocks", jit, all);
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    unsigned count = 300, seqs = 2000;
    double seconds = 0;
    const char *only = NULL;
    int do_bench = 0;
    unsigned long fuzz = 0;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--seed") && k + 1 < argc)
            seed = strtoull(argv[++k], NULL, 0);
        else if (!strcmp(argv[k], "--count") && k + 1 < argc)
            count = (unsigned)strtoul(argv[++k], NULL, 0);
        else if (!strcmp(argv[k], "--seconds") && k + 1 < argc)
            seconds = strtod(argv[++k], NULL);
        else if (!strcmp(argv[k], "--seqs") && k + 1 < argc)
            seqs = (unsigned)strtoul(argv[++k], NULL, 0);
        else if (!strcmp(argv[k], "--only") && k + 1 < argc)
            only = argv[++k];
        else if (!strcmp(argv[k], "-v"))
            verbose = 1;
        else if (!strcmp(argv[k], "--bench"))
            do_bench = 1;
        else if (!strcmp(argv[k], "--fuzz") && k + 1 < argc)
            fuzz = strtoul(argv[++k], NULL, 0);
        else {
            fprintf(stderr, "usage: difftest [--seed N] [--count N] [--seconds S] [--seqs N] [--only SUBSTR] [--bench] [-v]\n"
                            "       difftest --fuzz N [--seed N] [-v]\n");
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    host_init();
    soft_init();
    build_groups();
    if (do_bench) {
        bench();
        return 0;
    }
    if (fuzz)
        return dt_fuzz(seed, fuzz, verbose) ? 1 : 0;
    struct rng r = { seed * 0x9e3779b97f4a7c15ull + 1 };
    time_t t0 = time(NULL);
    do {
        for (unsigned k = 0; k < ngroups; k++) {
            struct group *g = &groups[k];
            if (g->sys || g->no_gen || g->no64 == g->n || (only && !strstr(g->name, only)))
                continue;
            if (verbose)
                fprintf(stderr, "running %s\n", g->name);
            run_group(g, &r, count);
        }
    } while (seconds > 0 && difftime(time(NULL), t0) < seconds);
    unsigned long total = 0, skipped = 0;
    for (unsigned k = 0; k < ngroups; k++) {
        if (only && !strstr(groups[k].name, only))
            continue;
        print_group(&groups[k]);
        total += groups[k].cases;
        skipped += groups[k].no64 == groups[k].n || (groups[k].cases && groups[k].host_ud == groups[k].cases);
    }
    if (!only) {
        struct group sq_int = { .name = "difftest-seq-int" }, sq_all = { .name = "difftest-seq-all" };
        struct group gates = { .name = "difftest-cpuid-gates" }, stack = { .name = "difftest-stack-runs" };
        run_cpuid_gates(&gates, &r, 200);
        print_group(&gates);
        total += gates.cases;
        run_sequences(&sq_int, &r, seqs, 1);
        run_sequences(&sq_all, &r, seqs, 0);
        print_group(&sq_int);
        print_group(&sq_all);
        run_stack_cases(&stack, &r, seqs);
        print_group(&stack);
        total += sq_int.cases + sq_all.cases + stack.cases;
    }
    fprintf(stderr, "difftest: seed %llu, %lu cases, %lu forms skipped\n",
            (unsigned long long)seed, total, skipped);
    report_translated();
    return 0;
}
