/* difftest_soft.c: runs a test case on the soft CPU through scpu_run: a tiny long-mode machine
 * with identity page tables, CPL-3 test code and ring-0 exception handlers that HLT. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cpuid.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "difftest.h"

/* guest-physical layout of the system area (slot 0 at SYS_BASE, identity-mapped, supervisor
 * only), far from every address the tests use */
#define SYS_BASE 0x40000000ull
#define SYS_SIZE 0x20000ull
#define SYS_PML4 (SYS_BASE + 0x1000)
#define SYS_PDPT (SYS_BASE + 0x2000)
#define SYS_PD (SYS_BASE + 0x3000)      /* covers 0..1 GiB: the test region */
#define SYS_PT_LOW (SYS_BASE + 0x4000)  /* maps the system area */
#define SYS_PT_TEST (SYS_BASE + 0x5000)
#define SYS_GDT (SYS_BASE + 0x6000)
#define SYS_IDT (SYS_BASE + 0x7000)
#define SYS_TSS (SYS_BASE + 0x8000)
#define SYS_HANDLERS (SYS_BASE + 0x9000) /* 16 bytes per vector: HLT; JMP back */
#define SYS_KSTACK (SYS_BASE + 0xc000)   /* TSS.RSP0 */
#define SYS_PD2 (SYS_BASE + 0xd000)     /* covers 1..2 GiB: the system area */

static struct scpu *soft_cpu;
unsigned soft_timeout = 10; /* seconds before a run counts as hung (wall clock: generous for loaded machines) */
static uint8_t *sysmem, *testmem;

static void put64(uint8_t *m, uint64_t gpa, uint64_t v) { memcpy(m + (gpa - SYS_BASE), &v, 8); }
static uint64_t get64(const uint8_t *m, uint64_t gpa)
{
    uint64_t v;
    memcpy(&v, m + (gpa - SYS_BASE), 8);
    return v;
}

static void build_tables(void)
{
    put64(sysmem, SYS_PML4, SYS_PDPT | 7);
    put64(sysmem, SYS_PDPT, SYS_PD | 7);
    put64(sysmem, SYS_PDPT + 8, SYS_PD2 | 7);
    put64(sysmem, SYS_PD2, SYS_PT_LOW | 7);
    put64(sysmem, SYS_PD + 8 * (DT_BASE >> 21), SYS_PT_TEST | 7);
    for (uint64_t k = 0; k < SYS_SIZE / 4096; k++)
        put64(sysmem, SYS_PT_LOW + 8 * k, (SYS_BASE + (k << 12)) | 3); /* supervisor RW */
    uint64_t pt0 = (DT_BASE >> 12) & 511;
    put64(sysmem, SYS_PT_TEST + 8 * pt0, DT_CODE | 7);
    for (uint64_t p = 0; p < DT_SCRATCH_LEN; p += 4096) {
        uint64_t a = DT_SCRATCH + p;
        put64(sysmem, SYS_PT_TEST + 8 * ((a >> 12) & 511), a | (p < DT_SCRATCH_RW ? 7 : 5) | 1ull << 63); /* NX, as on the host */
    }
    /* GDT laid out as Linux's, so user selectors read the same as on the host:
     * kernel 32-bit code 08, kernel code 10, kernel data 18, user 32-bit code 23, user data 2b,
     * user code 33, TSS 40, cpunode 78 (TLS entries 60-70 empty) */
    put64(sysmem, SYS_GDT + 0x08, 0x00cf9b000000ffffull); /* kernel 32-bit code */
    put64(sysmem, SYS_GDT + 0x10, 0x00af9a000000ffffull);
    put64(sysmem, SYS_GDT + 0x18, 0x00cf92000000ffffull);
    put64(sysmem, SYS_GDT + 0x20, 0x00cffb000000ffffull); /* user 32-bit code */
    put64(sysmem, SYS_GDT + 0x28, 0x00cff2000000ffffull);
    put64(sysmem, SYS_GDT + 0x30, 0x00affa000000ffffull);
    /* Linux's per-CPU "cpunode" entry (RDPID fallback): user read-only data, limit = CPU number */
    put64(sysmem, SYS_GDT + 0x78, 0x0040f50000000000ull);
    put64(sysmem, SYS_GDT + 0x40, 0x67 | (SYS_TSS & 0xffffff) << 16 | 0x8bull << 40 | (SYS_TSS >> 24 & 0xff) << 56);
    put64(sysmem, SYS_TSS + 4, SYS_KSTACK);
    sysmem[SYS_TSS + 0x66 - SYS_BASE] = 0x68; /* I/O map base past the limit: user port I/O faults, as on Linux */
    for (uint64_t v = 0; v < 256; v++) {
        uint64_t h = SYS_HANDLERS + 16 * v;
        put64(sysmem, SYS_IDT + 16 * v, (h & 0xffff) | 0x10ull << 16 | 0xeeull << 40 | (h >> 16 & 0xffff) << 48);
        put64(sysmem, SYS_IDT + 16 * v + 8, h >> 32);
        memcpy(sysmem + (h - SYS_BASE), "\xf4\xeb\xfd", 3); /* hlt; jmp hlt */
    }
}

/* The host's CPUID; with `reduced`, without POPCNT, CX16, LZCNT, BMI1 and LAHF-SAHF, to
 * check the instructions those bits gate. */
void soft_set_cpuid(int reduced)
{
    static const uint32_t leaves[][2] = { {0, 0}, {1, 0}, {7, 0}, {0xd, 0}, {0xd, 1},
                                          {0x80000000, 0}, {0x80000001, 0}, {0x80000008, 0} };
    struct scpu_cpuid_entry e[8];
    unsigned n = sizeof leaves / sizeof leaves[0];
    for (unsigned k = 0; k < n; k++) {
        memset(&e[k], 0, sizeof e[k]);
        e[k].function = leaves[k][0];
        e[k].index = leaves[k][1];
        e[k].flags = (leaves[k][0] == 7 || leaves[k][0] == 0xd) ? SCPU_CPUID_SIGNIFICANT_INDEX : 0;
        __cpuid_count(leaves[k][0], leaves[k][1], e[k].eax, e[k].ebx, e[k].ecx, e[k].edx);
        if (reduced && e[k].function == 1)
            e[k].ecx &= ~(1u << 23 | 1u << 13);
        if (reduced && e[k].function == 7)
            e[k].ebx &= ~(1u << 3);
        if (reduced && e[k].function == 0x80000001)
            e[k].ecx &= ~(1u << 5 | 1u << 0);
    }
    scpu_set_cpuid(soft_cpu, e, n);
}

void soft_stats(struct scpu_stats *s) { scpu_get_stats(soft_cpu, s); }

int soft_translates(void) { return scpu_translates(soft_cpu); }

void soft_stop(void) { scpu_request_stop(soft_cpu); }

static void soft_alarm(int sig) { soft_stop(); }

void soft_init(void)
{
    soft_cpu = scpu_create();
    sysmem = aligned_alloc(4096, SYS_SIZE);
    testmem = aligned_alloc(4096, DT_REGION_LEN);
    if (!soft_cpu || !sysmem || !testmem) {
        fprintf(stderr, "difftest: soft CPU setup failed\n");
        exit(2);
    }
    memset(sysmem, 0, SYS_SIZE);
    memset(testmem, 0, DT_REGION_LEN);
    build_tables();
    if (scpu_set_memory_region(soft_cpu, 0, SYS_BASE, SYS_SIZE, sysmem) ||
        scpu_set_memory_region(soft_cpu, 1, DT_BASE, DT_REGION_LEN, testmem)) {
        fprintf(stderr, "difftest: scpu_set_memory_region failed\n");
        exit(2);
    }
    soft_set_cpuid(0);
    if (soft_timeout)
        signal(SIGALRM, soft_alarm);
}

static struct scpu_segment seg(uint16_t sel, uint8_t type, uint8_t dpl, uint8_t s, uint8_t l, uint8_t db)
{
    struct scpu_segment g = { .base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
                              .present = 1, .dpl = dpl, .db = db, .s = s, .l = l, .g = 1 };
    return g;
}

static void soft_set_state(const struct dt_state *in)
{
    struct scpu_sregs s;
    memset(&s, 0, sizeof s);
    s.cs = seg(0x33, 11, 3, 1, 1, 0);
    s.ss = seg(0x2b, 3, 3, 1, 0, 1);
    s.ds = s.es = s.fs = s.gs = seg(0, 0, 0, 0, 0, 0);
    s.ds.unusable = s.es.unusable = s.fs.unusable = s.gs.unusable = 1;
    s.ds.present = s.es.present = s.fs.present = s.gs.present = 0;
    s.tr = seg(0x40, 11, 0, 0, 0, 0);
    s.tr.base = SYS_TSS;
    s.tr.limit = 0x67;
    s.tr.g = 0;
    s.ldt.unusable = 1;
    s.gdt.base = SYS_GDT;
    s.gdt.limit = 0x7f; /* 16 entries, as Linux has */
    s.idt.base = SYS_IDT;
    s.idt.limit = 0xfff;
    s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG; /* AM as Linux sets it */
    s.cr3 = SYS_PML4;
    s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    if (scpu_set_sregs(soft_cpu, &s)) {
        fprintf(stderr, "difftest: scpu_set_sregs refused the test machine\n");
        exit(2);
    }
    struct scpu_regs r = {
        .rax = in->r[0], .rcx = in->r[1], .rdx = in->r[2], .rbx = in->r[3],
        .rsp = in->r[4], .rbp = in->r[5], .rsi = in->r[6], .rdi = in->r[7],
        .r8 = in->r[8], .r9 = in->r[9], .r10 = in->r[10], .r11 = in->r[11],
        .r12 = in->r[12], .r13 = in->r[13], .r14 = in->r[14], .r15 = in->r[15],
        .rip = in->rip, .rflags = in->rflags | 0x202,
    };
    scpu_set_regs(soft_cpu, &r);
    struct scpu_fpu f;
    memcpy(f.fxsave, in->fx, 512);
    scpu_set_fpu(soft_cpu, &f);
}

static int has_errcode(int v) { return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21; }

/* The handler HLTed on the ring-0 stack: user RIP/RFLAGS/RSP come from the frame. */
static void soft_get_state(struct dt_state *o, int vector)
{
    struct scpu_regs r;
    struct scpu_sregs s;
    struct scpu_fpu f;
    scpu_get_regs(soft_cpu, &r);
    scpu_get_sregs(soft_cpu, &s);
    scpu_get_fpu(soft_cpu, &f);
    uint64_t v[16] = { r.rax, r.rcx, r.rdx, r.rbx, r.rsp, r.rbp, r.rsi, r.rdi,
                       r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15 };
    memcpy(o->r, v, sizeof v);
    uint64_t fr = r.rsp;
    o->vector = vector;
    o->err = 0;
    o->cr2 = 0;
    if (has_errcode(vector) && fr >= SYS_BASE && fr + 8 <= SYS_BASE + SYS_SIZE) { /* the frame is in the system area */
        uint32_t err = (uint32_t)get64(sysmem, fr);
        fr += 8;
        if (vector == EXC_PF) {
            o->err = err;
            o->cr2 = s.cr2;
        }
    }
    if (fr >= SYS_BASE && fr + 40 <= SYS_BASE + SYS_SIZE) {
        o->rip = get64(sysmem, fr);
        o->rflags = get64(sysmem, fr + 16);
        o->r[R_SP] = get64(sysmem, fr + 24);
    }
    memcpy(o->fx, f.fxsave, 512);
}

void soft_run(const struct dt_case *tc, struct dt_result *res)
{
    memset(testmem, 0xcc, 4096);
    memcpy(testmem + (DT_INSN - DT_BASE), tc->code, tc->len);
    memcpy(testmem + (DT_SCRATCH - DT_BASE), tc->mem, DT_SCRATCH_LEN);
    scpu_invalidate(soft_cpu, DT_CODE, 4096);
    soft_set_state(&tc->in);
    memset(&res->out, 0, sizeof res->out);
    res->skipped = 0;
    struct scpu_exit ex;
    struct itimerval t = { .it_value = { .tv_sec = soft_timeout } }, zero = { 0 };
    if (soft_timeout)
        setitimer(ITIMER_REAL, &t, NULL);
    int rc = scpu_run(soft_cpu, &ex);
    if (soft_timeout)
        setitimer(ITIMER_REAL, &zero, NULL);
    memcpy(res->mem, testmem + (DT_SCRATCH - DT_BASE), DT_SCRATCH_LEN);
    if (rc != 0 || ex.reason != SCPU_EXIT_HLT) {
        res->out.vector = -1;
        if (rc != 0)
            snprintf(res->why, sizeof res->why, "scpu_run returned %d", rc);
        else if (ex.reason == SCPU_EXIT_INTERNAL_ERROR)
            snprintf(res->why, sizeof res->why, "internal error at %#llx: %s",
                     (unsigned long long)ex.u.internal.rip, ex.u.internal.why);
        else
            snprintf(res->why, sizeof res->why, "exit reason %u", ex.reason);
        return;
    }
    struct scpu_regs r;
    scpu_get_regs(soft_cpu, &r);
    int vector = (int)((r.rip - 1 - SYS_HANDLERS) / 16);
    soft_get_state(&res->out, vector);
}
