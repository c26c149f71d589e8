/* systest_jit.c: cases about translated code itself: home registers at a fault, rsp's home across
 * blocks and handlers, the guest flags across links, stops in a chain of linked blocks,
 * superblocks. */
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "systest.h"

/* g_home_fault_a/_b over the supervisor page below NOTP, its quadword i holding 3i+1: the fault
 * comes at %rbx = NOTP (a) or at 8(%rbx) with %rbx = NOTP-8 (b), after 511 turns, translated. */
static void home_fault(const uint8_t *code, const uint8_t *end, bool b)
{
    uint64_t jit;
    machine(KCODE, false);
    memcpy(ram + KCODE, code, (size_t)(end - code));
    scpu_invalidate(cpu, KCODE, 4096);
    for (uint64_t k = 0; k < 512; k++)
        put64(SUPER + 8 * k, 3 * k + 1);
    uint64_t v = 3 * 511 + 1; /* the last quadword before NOTP */
    R.rbx = SUPER, R.rdx = R.rsi = R.rax = 0x5a5a;
    scpu_set_regs(cpu, &R);
    run_jit(&jit);
    EXPECT_VECTOR(14);
    CHECK(S.cr2 == NOTP, "cr2 %#lx", (unsigned long)S.cr2);
    CHECK(R.rdx == 2 * v, "rdx %#lx, want %#lx", (unsigned long)R.rdx, (unsigned long)(2 * v));
    if (b)
        CHECK(R.rsi == 2 * (2 * v + 1) && R.rax == v && R.rbx == NOTP - 8, "rsi %#lx rax %#lx rbx %#lx, want %#lx %#lx %#lx",
              (unsigned long)R.rsi, (unsigned long)R.rax, (unsigned long)R.rbx, (unsigned long)(2 * (2 * v + 1)),
              (unsigned long)v, (unsigned long)(NOTP - 8));
    CHECK_JIT(jit, 1000);
}
static void t_home_fault_a(void) { home_fault(g_home_fault_a, g_home_fault_a_end, false); }
static void t_home_fault_b(void) { home_fault(g_home_fault_b, g_home_fault_b_end, true); }

/* g_global_sp, 200 turns from the top of the supervisor page: rsp ends 3200 bytes lower, and each
 * POP read what the PUSHFQ before it wrote (RFLAGS, bit 1 set). (Each turn moves rsp by another
 * amount than the PUSHFQ: a handler that met a stale rsp would not land where the next one does.) */
static void t_global_sp(void)
{
    uint64_t jit;
    machine(KCODE, false);
    memcpy(ram + KCODE, g_global_sp, (size_t)(g_global_sp_end - g_global_sp));
    scpu_invalidate(cpu, KCODE, 4096);
    for (uint64_t k = 0; k < 512; k++)
        put64(SUPER + 8 * k, 0);
    R.rsp = SUPER + 4096, R.rcx = 200, R.rax = 0;
    scpu_set_regs(cpu, &R);
    CHECK(run_jit(&jit) == SCPU_EXIT_HLT, "exit %u rip %#lx", ex.reason, (unsigned long)R.rip);
    CHECK(R.rsp == SUPER + 4096 - 3200 && (R.rax & 2), "rsp %#lx (want %#lx), rax %#lx (want RFLAGS)",
          (unsigned long)R.rsp, (unsigned long)(SUPER + 4096 - 3200), (unsigned long)R.rax);
    CHECK(get64(SUPER + 4096 - 3200 - 8) == R.rax, "the last PUSHFQ's slot holds %#lx",
          (unsigned long)get64(SUPER + 4096 - 3200 - 8));
    CHECK_JIT(jit, 300);
}

/* The host's arithmetic flags after SUB $1 from v: the oracle for the guest's. */
static uint64_t host_sub1_flags(uint64_t v)
{
    uint64_t f;
    __asm__("sub $1, %1\n\tpushfq\n\tpop %0" : "=r"(f), "+r"(v) : : "cc");
    return f & 0x8d5;
}

/* g_flag_links over the supervisor page below NOTP (quadword k = k * 0x0123456789abcdef): 513
 * turns, the last ending at the #PF; registers as a C model of the loop has them, and the flags
 * in the fault's frame (error code, RIP, CS, RFLAGS) as the host's SUB leaves them. */
static void t_flag_links(void)
{
    uint64_t jit, m = 0x0123456789abcdefull, d = 0x9e3779b97f4a7c15ull, r9 = 0x8000000000000000ull + 512;
    machine(KCODE, false);
    LOAD(KCODE, g_flag_links);
    for (uint64_t k = 0; k < 512; k++)
        put64(SUPER + 8 * k, k * m);
    R.rbx = SUPER, R.rcx = 0, R.rdx = d, R.r8 = R.r10 = 0, R.r9 = r9, R.rflags = 2;
    scpu_set_regs(cpu, &R);
    uint64_t rcx = 0, r8 = 0, r10 = 0, rax = 0, cf = 0;
    for (uint64_t k = 0; k <= 512; k++) {
        r10 += cf;
        cf = rcx + d < rcx, rcx += d;
        r8 += cf;
        if (k < 512)
            rax = k * m, cf = rcx < rax;
    }
    run_jit(&jit);
    EXPECT_VECTOR(14);
    CHECK(S.cr2 == NOTP, "cr2 %#lx", (unsigned long)S.cr2);
    CHECK(R.rcx == rcx && R.r8 == r8 && R.r10 == r10 && R.rax == rax && R.r9 == r9 - 513,
          "rcx %#lx r8 %lu r10 %lu rax %#lx r9 %#lx, want %#lx %lu %lu %#lx %#lx", (unsigned long)R.rcx,
          (unsigned long)R.r8, (unsigned long)R.r10, (unsigned long)R.rax, (unsigned long)R.r9, (unsigned long)rcx,
          (unsigned long)r8, (unsigned long)r10, (unsigned long)rax, (unsigned long)(r9 - 513));
    uint64_t want = host_sub1_flags(r9 - 512);
    CHECK((frame(3) & 0x8d5) == want, "flags at the #PF %#lx, want %#lx", (unsigned long)(frame(3) & 0x8d5),
          (unsigned long)want);
    CHECK_JIT(jit, 3000);
}

/* host flags (CF PF ZF SF OF: TEST leaves AF undefined) of test $mask, %al */
static uint64_t host_test_flags(uint64_t al, uint64_t mask)
{
    uint64_t f;
    __asm__("test %2, %1\n\tpushfq\n\tpop %0" : "=r"(f), "+r"(al) : "r"(mask) : "cc");
    return f & 0x8c5;
}

/* insns_executed and insns_jit over a run() */
static unsigned run_counted(uint64_t *executed, uint64_t *jit)
{
    struct scpu_stats a, b;
    scpu_get_stats(cpu, &a);
    unsigned r = run();
    scpu_get_stats(cpu, &b);
    *executed = b.insns_executed - a.insns_executed;
    *jit = b.insns_jit - a.insns_jit;
    return r;
}

/* g_superblock over the supervisor page below NOTP (quadword k = k * m) to the #PF at rax = 512,
 * in 2f: registers, the flags in the fault's frame and its RIP, and the instructions counted
 * (those before the fault, and the stub's HLT) as a C model of the loop has them. */
static void t_superblock(void)
{
    uint64_t m = 0x0123456789abcdefull, exe, jit;
    uint64_t rax = 0, rbx = 0, r8 = 0, r9 = 0, r10 = 0, n = 1; /* (the HLT) */
    uint64_t rcx = 3, rdx = 5, rdi = 7, rbp = 11;
    machine(KCODE, false);
    LOAD(KCODE, g_superblock);
    for (uint64_t k = 0; k < 512; k++)
        put64(SUPER + 8 * k, k * m);
    R.rax = R.rbx = R.r8 = R.r9 = R.r10 = 0, R.rsi = SUPER, R.rflags = 2;
    R.rcx = rcx, R.rdx = rdx, R.rdi = rdi, R.rbp = rbp;
    scpu_set_regs(cpu, &R);
    for (;;) {
        rax++, n += 3;
        if (rax % 8 == 0 && rax == 512)
            break;
        if (rax % 8 == 0) {
            r10 += rax * m, n += 1;
        } else {
            r9 = 2 * rax, rbx += r9, n += 5;
            if (rax % 4 != 0)
                r8 += rax * m + r9, n += 3;
        }
        rdx += rcx, rbp += rdi, rdi += rcx, rbp += rdx, n += 5; /* 3f */
    }
    run_counted(&exe, &jit);
    EXPECT_VECTOR(14);
    CHECK(S.cr2 == NOTP && frame(1) == KCODE + (uint64_t)(g_superblock_d - g_superblock), "cr2 %#lx rip %#lx",
          (unsigned long)S.cr2, (unsigned long)frame(1));
    CHECK(R.rax == rax && R.rbx == rbx && R.r8 == r8 && R.r9 == r9 && R.r10 == r10,
          "rax %lu rbx %lu r8 %#lx r9 %#lx r10 %#lx, want %lu %lu %#lx %#lx %#lx", (unsigned long)R.rax,
          (unsigned long)R.rbx, (unsigned long)R.r8, (unsigned long)R.r9, (unsigned long)R.r10,
          (unsigned long)rax, (unsigned long)rbx, (unsigned long)r8, (unsigned long)r9, (unsigned long)r10);
    CHECK(R.rdx == rdx && R.rdi == rdi && R.rbp == rbp, "rdx %#lx rdi %#lx rbp %#lx, want %#lx %#lx %#lx",
          (unsigned long)R.rdx, (unsigned long)R.rdi, (unsigned long)R.rbp, (unsigned long)rdx,
          (unsigned long)rdi, (unsigned long)rbp);
    uint64_t want = host_test_flags(rax, 7);
    CHECK((frame(3) & 0x8c5) == want, "flags at the #PF %#lx, want %#lx", (unsigned long)(frame(3) & 0x8c5),
          (unsigned long)want);
    CHECK(exe == n, "%lu instructions counted, want %lu", (unsigned long)exe, (unsigned long)n);
    CHECK_JIT(jit, exe * 9 / 10); /* (not when the superblock fails to translate) */
}

/* g_superblock_loop to rax = 10001: rbx and the instructions counted as a C model has them */
static void t_superblock_loop(void)
{
    uint64_t exe, jit, rbx = 0, n = 1; /* (the HLT) */
    machine(KCODE, false);
    LOAD(KCODE, g_superblock_loop);
    R.rax = R.rbx = 0, R.rdx = 10001;
    scpu_set_regs(cpu, &R);
    for (uint64_t rax = 1; rax <= 10001; rax++) {
        n += 3;
        if (rax % 4 != 0)
            rbx += rax, n += 3;
    }
    CHECK(run_counted(&exe, &jit) == SCPU_EXIT_HLT, "exit %u rip %#lx", ex.reason, (unsigned long)R.rip);
    CHECK(R.rax == 10001 && R.rbx == rbx, "rax %lu rbx %lu, want 10001 %lu", (unsigned long)R.rax,
          (unsigned long)R.rbx, (unsigned long)rbx);
    CHECK(exe == n, "%lu instructions counted, want %lu", (unsigned long)exe, (unsigned long)n);
    CHECK_JIT(jit, exe * 9 / 10);
}

/* The host's arithmetic flags (CF PF AF ZF SF OF) after a op= b: the oracle for the guest's. */
#define HOST_FLAGS(name, insn, type)                                                          \
    static uint64_t name(type a, type b)                                                      \
    {                                                                                         \
        uint64_t f;                                                                           \
        __asm__(insn " %2, %1\n\tpushfq\n\tpop %0" : "=r"(f), "+r"(a) : "r"(b) : "cc");      \
        return f & 0x8d5;                                                                     \
    }
HOST_FLAGS(host_sub32, "subl", uint32_t)
HOST_FLAGS(host_add64, "addq", uint64_t)
HOST_FLAGS(host_cmp64, "cmpq", uint64_t)
HOST_FLAGS(host_xor64, "xorq", uint64_t)

/* One of the g_redo_ loops from rax = 0 to its #PF at NOTP, translated: the frame's flags as the
 * host's instruction leaves them (mask: AF is undefined after XOR), and r8 the sum of the loads. */
static void redo_fault(const uint8_t *code, const uint8_t *end, uint64_t rdx, uint64_t want, uint64_t mask)
{
    uint64_t jit, m = 0x0123456789abcdefull;
    machine(KCODE, false);
    memcpy(ram + KCODE, code, (size_t)(end - code));
    scpu_invalidate(cpu, KCODE, 4096);
    for (uint64_t k = 0; k < 512; k++)
        put64(SUPER + 8 * k, k * m);
    R.rax = R.r8 = R.r9 = 0, R.rsi = SUPER, R.rflags = 2, R.rbx = SUPER - 16;
    R.rcx = 100, R.rdx = rdx, R.rdi = 0x5555aaaa3333ccccull;
    scpu_set_regs(cpu, &R);
    run_jit(&jit);
    EXPECT_VECTOR(14);
    CHECK(S.cr2 == NOTP, "cr2 %#lx", (unsigned long)S.cr2);
    CHECK(code == g_redo_run || R.r8 == 511 * 512 / 2 * m, "r8 %#lx, want %#lx", (unsigned long)R.r8,
          (unsigned long)(511 * 512 / 2 * m));
    CHECK((frame(3) & mask) == (want & mask), "flags at the #PF %#lx, want %#lx", (unsigned long)(frame(3) & mask),
          (unsigned long)(want & mask));
    CHECK_JIT(jit, 1000);
}

static void t_redo_flags(void)
{
    uint64_t m = 0x0123456789abcdefull, rdi = 0x5555aaaa3333ccccull, d = 0x9e3779b97f4a7c15ull;
    redo_fault(g_redo_sub, g_redo_sub_end, d, host_sub32(100 - 3 * 511, 3), 0x8d5);
    CHECK(R.rcx == (uint32_t)(100 - 3 * 512), "rcx %#lx", (unsigned long)R.rcx);
    redo_fault(g_redo_add, g_redo_add_end, d, host_add64(100 + 511 * d, d), 0x8d5);
    redo_fault(g_redo_cmp, g_redo_cmp_end, 512, host_cmp64(512, 512), 0x8d5);
    for (uint64_t k = 0; k < 511; k++)
        rdi ^= k * m;
    redo_fault(g_redo_xor, g_redo_xor_end, d, host_xor64(rdi, 511 * m), 0x8c5);
    redo_fault(g_redo_run, g_redo_run_end, d, host_add64(NOTP - 16, 16), 0x8d5);
    CHECK(R.rbx == NOTP && R.rax == 256, "rbx %#lx rax %lu", (unsigned long)R.rbx, (unsigned long)R.rax);
}

static void on_no_stop(int sig)
{
    static const char m[] = "FAIL sys_stop_in_flag_chain: no stop after 30 s of CPU time\n";
    (void)sig;
    (void)!write(1, m, sizeof m - 1);
    _exit(1);
}

/* A stop requested from a signal ends g_flag_spin, whose links carry the flags in RFLAGS (every
 * cycle of linked blocks passes an entry that tests for a stop), and g_flag_loop, whose loop
 * back keeps them in RFLAGS; a watchdog fails the test rather than let it hang. */
static void flag_spin_stop(const uint8_t *code, const uint8_t *end)
{
    machine(KCODE, false);
    memcpy(ram + KCODE, code, (size_t)(end - code));
    scpu_invalidate(cpu, KCODE, 4096);
    R.rax = R.rbx = 0;
    scpu_set_regs(cpu, &R);
    signal(SIGPROF, on_no_stop);
    struct itimerval w = {{0, 0}, {30, 0}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_PROF, &w, NULL);
    struct itimerval t = {{0, 0}, {0, 50000}}; /* the harness's SIGALRM handler requests the stop */
    setitimer(ITIMER_REAL, &t, NULL);
    scpu_run(cpu, &ex);
    setitimer(ITIMER_PROF, &off, NULL);
    scpu_get_regs(cpu, &R);
    CHECK(ex.reason == SCPU_EXIT_INTR, "exit %u: want the stop", ex.reason);
    CHECK(R.rax > 1000 && R.rbx == 0, "rax %lu rbx %lu: the loop ran, no carry", (unsigned long)R.rax,
          (unsigned long)R.rbx);
}
static void t_flag_spin_stop(void)
{
    flag_spin_stop(g_flag_spin, g_flag_spin_end);
    flag_spin_stop(g_flag_loop, g_flag_loop_end);
}

const struct systest jit_cases[] = {
    {"sys_home_first_write_faults", t_home_fault_a},
    {"sys_home_written_then_fault", t_home_fault_b},
    {"sys_global_home_to_handler", t_global_sp},
    {"sys_flags_across_links", t_flag_links},
    {"sys_stop_in_flag_chain", t_flag_spin_stop},
    {"sys_superblock", t_superblock},
    {"sys_superblock_loop", t_superblock_loop},
    {"sys_redo_flags", t_redo_flags},
};
const unsigned jit_ncases = sizeof jit_cases / sizeof jit_cases[0];
