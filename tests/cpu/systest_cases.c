/* systest_cases.c: the system test cases; each expectation is taken from the SDM / AMD APM. */
#include <stdlib.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "systest.h"

/* ---- exits ---- */

static void t_hlt_exit(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_hlt);
    CHECK(run() == SCPU_EXIT_HLT, "exit %u", ex.reason);
    CHECK(R.rip == KCODE + 2, "rip %#lx after hlt, want %#llx", (unsigned long)R.rip, KCODE + 2);
}

static void t_port_io(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_io);
    CHECK(run() == SCPU_EXIT_IO && ex.u.io.direction == SCPU_IO_OUT && ex.u.io.size == 1 &&
              ex.u.io.port == 0x80 && ex.u.io.data[0] == 0x41 && ex.u.io.count == 1,
          "first exit: reason %u dir %u size %u port %#x", ex.reason, ex.u.io.direction, ex.u.io.size,
          ex.u.io.port);
    uint32_t d;
    CHECK(run() == SCPU_EXIT_IO && ex.u.io.size == 4 && ex.u.io.port == 0x3f8, "out dx,eax exit");
    memcpy(&d, ex.u.io.data, 4);
    CHECK(d == 0x12345678, "out data %#x", d);
    CHECK(run() == SCPU_EXIT_IO && ex.u.io.direction == SCPU_IO_IN && ex.u.io.size == 1 &&
              ex.u.io.port == 0x71, "in al,0x71 exit");
    ex.u.io.data[0] = 0x5a;
    CHECK(run() == SCPU_EXIT_IO && ex.u.io.direction == SCPU_IO_IN && ex.u.io.size == 2 &&
              ex.u.io.port == 0x3f8, "in ax,dx exit");
    ex.u.io.data[0] = 0xef, ex.u.io.data[1] = 0xbe;
    CHECK(run() == SCPU_EXIT_HLT, "exit %u after IN", ex.reason);
    CHECK(R.rax == 0x1234beef, "rax %#lx, want 0x1234beef (IN merges AL/AX)", (unsigned long)R.rax);
}

static void t_request_stop(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_spin);
    scpu_request_stop(cpu); /* before the run: the first block boundary stops it */
    CHECK(run() == SCPU_EXIT_INTR, "pre-requested stop: exit %u", ex.reason);
    struct itimerval t = {{0, 0}, {0, 20000}}; /* the harness's SIGALRM handler requests the stop */
    setitimer(ITIMER_REAL, &t, NULL);
    scpu_run(cpu, &ex);
    CHECK(ex.reason == SCPU_EXIT_INTR, "stop from a signal: exit %u", ex.reason);
    scpu_get_regs(cpu, &R);
    CHECK(R.rip == KCODE, "rip %#lx after stop", (unsigned long)R.rip);
}

/* What the CPU does not implement stops it with an internal error naming the instruction
 * (only the kernel can get there: string port I/O at CPL 0); an encoding outside the
 * extensions the CPUID offers is #UD, counted. */
static void t_unimplemented(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_outs);
    CHECK(run() == SCPU_EXIT_INTERNAL_ERROR, "exit %u, want INTERNAL_ERROR", ex.reason);
    CHECK(ex.u.internal.rip == KCODE, "internal.rip %#lx", (unsigned long)ex.u.internal.rip);
    CHECK(ex.u.internal.nbytes >= 1 && ex.u.internal.bytes[0] == 0x6e, "bytes not reported");
    CHECK(strstr(ex.u.internal.why, "string port I/O") != NULL, "why: '%s'", ex.u.internal.why);
    struct scpu_stats before, after;
    scpu_get_stats(cpu, &before);
    machine(KCODE, false);
    LOAD(KCODE, g_vmmcall);
    run();
    EXPECT_VECTOR(6);
    scpu_get_stats(cpu, &after);
    CHECK(after.ud_unimplemented == before.ud_unimplemented + 1, "ud_unimplemented %lu -> %lu",
          (unsigned long)before.ud_unimplemented, (unsigned long)after.ud_unimplemented);
}

/* ---- decoder-raised exceptions ---- */

static void t_ud_cases(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_ud2);
    run();
    EXPECT_VECTOR(6);
    CHECK(frame(0) == KCODE, "ud2: pushed rip %#lx", (unsigned long)frame(0));
    machine(KCODE, false);
    LOAD(KCODE, g_lock_nop);
    run();
    EXPECT_VECTOR(6);
    machine(KCODE, false);
    LOAD(KCODE, g_too_long);
    run();
    EXPECT_VECTOR(13);
    CHECK(frame(0) == 0 && frame(1) == KCODE, "16-byte insn: err %#lx rip %#lx",
          (unsigned long)frame(0), (unsigned long)frame(1));
}

/* ---- IDT delivery: IST, alignment, #DF, triple fault, benign pairs ---- */

static void t_ist_align(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_ud2);
    R.rsp = KSTACK - 0x108; /* not 16-byte aligned */
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(6);
    CHECK(R.rsp == ((KSTACK - 0x108) & ~15ull) - 40, "rsp %#lx: frame not 16-byte aligned",
          (unsigned long)R.rsp);
    CHECK(frame(3) == KSTACK - 0x108, "pushed rsp %#lx", (unsigned long)frame(3));
    machine(KCODE, false);
    LOAD(KCODE, g_int3);
    set_gate(3, STUBS + 3 * 16, 0, 1, true);
    run();
    EXPECT_VECTOR(3);
    CHECK(R.rsp == IST1 - 40, "rsp %#lx, want IST1-40", (unsigned long)R.rsp);
    CHECK(frame(0) == KCODE + 1, "int3 pushed rip %#lx, want next instruction", (unsigned long)frame(0));
}

static void t_double_fault(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_wrmsr);
    set_gate(13, STUBS + 13 * 16, 0, 0, false); /* #GP -> #NP (contributory twice) -> #DF */
    R.rcx = 0xdead;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(8);
    CHECK(frame(0) == 0, "#DF error code %#lx", (unsigned long)frame(0));
}

static void t_triple_fault(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_wrmsr);
    set_gate(13, STUBS + 13 * 16, 0, 0, false);
    set_gate(8, STUBS + 8 * 16, 0, 0, false);
    R.rcx = 0xdead;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_SHUTDOWN, "exit %u, want SHUTDOWN", ex.reason);
}

/* #UD (benign) whose RSP0 stack is not present: the #PF is delivered next, not a #DF. */
static void t_benign_then_pf(void)
{
    machine(UCODE, true);
    LOAD(UCODE, g_ud2);
    put64(TSS + 4, NOTP + 0x1000);
    set_gate(14, STUBS + 14 * 16, 0, 1, true);
    run();
    EXPECT_VECTOR(14);
    CHECK(S.cr2 == NOTP + 0xff8, "cr2 %#lx, want the first push (SS slot)", (unsigned long)S.cr2);
    CHECK(frame(0) == 2, "err %#lx, want W (supervisor, not present)", (unsigned long)frame(0));
    CHECK(frame(1) == UCODE && frame(2) == SEL_UCODE, "frame rip %#lx cs %#lx", (unsigned long)frame(1),
          (unsigned long)frame(2));
}

/* #PF while delivering #PF (its RSP0 stack is not present): #DF, on IST1. */
static void t_pf_in_pf(void)
{
    machine(UCODE, true);
    LOAD(UCODE, g_load_rbx);
    put64(TSS + 4, NOTP + 0x1000);
    set_gate(8, STUBS + 8 * 16, 0, 1, true);
    R.rbx = NOTP;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(8);
    CHECK(frame(0) == 0 && R.rsp == IST1 - 48, "#DF err %#lx rsp %#lx", (unsigned long)frame(0),
          (unsigned long)R.rsp);
    CHECK(S.cr2 == NOTP + 0xff8, "cr2 %#lx: the second #PF's address", (unsigned long)S.cr2);
}

static void t_int_gate_dpl(void)
{
    machine(UCODE, true);
    LOAD(UCODE, g_int80);
    run();
    EXPECT_VECTOR(13);
    CHECK(frame(0) == 0x80 * 8 + 2, "err %#lx, want IDT index | 2", (unsigned long)frame(0));
}

/* ---- ring transitions ---- */

/* SYSCALL to KCODE (kernel CS 0x10, user CS 0x2b by SYSRETQ), FMASK clearing TF and IF; int3
 * allowed from user mode */
static void syscall_msrs(void)
{
    set_gate(3, STUBS + 3 * 16, 3, 0, true);
    scpu_set_msr(cpu, MSR_STAR, (0x18ull << 48) | (0x10ull << 32));
    scpu_set_msr(cpu, MSR_LSTAR, KCODE);
    scpu_set_msr(cpu, MSR_FMASK, 0x300);
}

static void t_syscall_sysret(void)
{
    machine(UCODE, true);
    LOAD(UCODE, g_user_syscall);
    LOAD(KCODE, g_kentry_sysret);
    syscall_msrs();
    CHECK(run() == SCPU_EXIT_HLT && R.rip == KCODE + 1, "syscall did not reach LSTAR (exit %u rip %#lx)",
          ex.reason, (unsigned long)R.rip);
    CHECK(R.rcx == UCODE + 2 && (R.r11 & ~0x10000ull) == 0x202, "rcx %#lx r11 %#lx",
          (unsigned long)R.rcx, (unsigned long)R.r11);
    CHECK(S.cs.selector == 0x10 && S.ss.selector == 0x18 && S.cs.l && S.cs.dpl == 0,
          "kernel cs %#x ss %#x", S.cs.selector, S.ss.selector);
    CHECK((R.rflags & 0x300) == 0, "FMASK not applied: rflags %#lx", (unsigned long)R.rflags);
    CHECK(R.rsp == USTACK, "syscall changed rsp");
    run(); /* sysretq, then int3 in user mode */
    EXPECT_VECTOR(3);
    CHECK(frame(0) == UCODE + 3 && frame(1) == SEL_UCODE && frame(4) == SEL_UDATA,
          "after sysret: rip %#lx cs %#lx ss %#lx", (unsigned long)frame(0), (unsigned long)frame(1),
          (unsigned long)frame(4));
    CHECK((frame(2) & 0x200) != 0, "IF not restored from r11");
}

static void t_iretq_to_user(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_iret_user);
    LOAD(UCODE, g_int3);
    set_gate(3, STUBS + 3 * 16, 3, 0, true);
    R.rbx = UCODE;
    R.rcx = USTACK - 16;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(3);
    CHECK(frame(0) == UCODE + 1 && frame(1) == SEL_UCODE && frame(3) == USTACK - 16 &&
              frame(4) == SEL_UDATA, "frame rip %#lx cs %#lx rsp %#lx ss %#lx", (unsigned long)frame(0),
          (unsigned long)frame(1), (unsigned long)frame(3), (unsigned long)frame(4));
    CHECK(R.rsp == KSTACK - 40, "not on RSP0: %#lx", (unsigned long)R.rsp);
}

static void t_user_popf(void)
{
    machine(UCODE, true);
    LOAD(UCODE, g_user_popf);
    set_gate(3, STUBS + 3 * 16, 3, 0, true);
    run();
    EXPECT_VECTOR(3);
    CHECK((R.rax & 0x3200) == 0x200, "CPL3 POPF changed IOPL/IF: %#lx", (unsigned long)R.rax);
}

static void user_gp(const uint8_t *code, size_t len, const char *what)
{
    machine(UCODE, true);
    memcpy(ram + UCODE, code, len);
    scpu_invalidate(cpu, UCODE, len);
    run();
    CHECK(at_vector(13), "%s (%s)", vector_why, what);
    CHECK(frame(0) == 0 && frame(1) == UCODE, "%s: err %#lx rip %#lx", what, (unsigned long)frame(0),
          (unsigned long)frame(1));
}
#define USER_GP(code) user_gp(code, (size_t)(code##_end - code), #code)

static void t_privilege(void)
{
    USER_GP(g_mov_from_cr3);
    USER_GP(g_hlt1);
    USER_GP(g_cli);
    USER_GP(g_out80);
    USER_GP(g_rdmsr);
}

static void t_cr_msr_faults(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_mov_cr4);
    R.rax = 1ull << 30;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(13);
    machine(KCODE, false);
    LOAD(KCODE, g_rdmsr);
    R.rcx = 0x12345;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(13);
    machine(KCODE, false);
    LOAD(KCODE, g_wrmsr);
    R.rcx = MSR_LSTAR, R.rdx = 0x8000, R.rax = 0;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(13);
    machine(KCODE, false);
    LOAD(KCODE, g_rdmsr);
    R.rcx = MSR_EFER;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT && R.rax == 0xd01, "rdmsr EFER: %#lx", (unsigned long)R.rax);
}

/* ---- self-modifying code ---- */

static void t_smc_same_block(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_smc);
    CHECK(run() == SCPU_EXIT_HLT, "exit %u", ex.reason);
    CHECK((R.rax & 0xff) == 0x42, "al %#lx: the stale instruction ran", (unsigned long)(R.rax & 0xff));
}

/* A translated block reached through a patched link rewrites itself, by a handler (stosb) or by
 * a translated store: the engine must know that block is the one running (the chained blocks'
 * current one), or the rest of its stale translation runs on. */
static void smc_chain(const uint8_t *code, const uint8_t *end)
{
    uint64_t jit;
    machine(KCODE, false);
    memcpy(ram + KCODE, code, (size_t)(end - code));
    scpu_invalidate(cpu, KCODE, 4096);
    R.rcx = 100, R.rsi = KDATA, R.r8 = 0;
    scpu_set_regs(cpu, &R);
    CHECK(run_jit(&jit) == SCPU_EXIT_HLT, "exit %u rip %#lx", ex.reason, (unsigned long)R.rip);
    CHECK(R.r8 == 50 * 0x42, "sum %lu, want %u: a stale instruction ran", (unsigned long)R.r8, 50 * 0x42);
    CHECK_JIT(jit, 300);
}

static void t_smc_chain(void) { smc_chain(g_smc_chain, g_smc_chain_end); }
static void t_smc_chain_mov(void) { smc_chain(g_smc_chain_mov, g_smc_chain_mov_end); }

/* A RET whose target the return cache holds, after a store rewrote that target's code: it must
 * not enter the old translation. */
static void t_smc_ret_target(void)
{
    uint64_t jit;
    machine(KCODE, false);
    LOAD(KCODE, g_rc_smc);
    R.rcx = 100, R.r8 = 0;
    scpu_set_regs(cpu, &R);
    CHECK(run_jit(&jit) == SCPU_EXIT_HLT, "exit %u rip %#lx", ex.reason, (unsigned long)R.rip);
    CHECK(R.r8 == 51 + 2 * 49, "sum %lu, want %u: a stale translation ran", (unsigned long)R.r8, 51 + 2 * 49);
    CHECK_JIT(jit, 300);
}

static void t_smc_invalidate(void)
{
    struct scpu_stats st0, st1;
    machine(KCODE, false);
    LOAD(KCODE, g_mov_al_1);
    CHECK(run() == SCPU_EXIT_HLT && (R.rax & 0xff) == 1, "first run al %#lx", (unsigned long)R.rax);
    scpu_get_stats(cpu, &st0);
    ram[KCODE + 1] = 2; /* rewrite the immediate from outside the CPU */
    scpu_invalidate(cpu, KCODE + 1, 1);
    R.rip = KCODE;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT && (R.rax & 0xff) == 2, "after invalidate al %#lx", (unsigned long)R.rax);
    scpu_get_stats(cpu, &st1);
    CHECK(st1.blocks_invalidated > st0.blocks_invalidated, "no block was invalidated");
}

/* An instruction straddling two pages: cached per both pages, and its fetch fault names the
 * second page. */
static void t_straddle(void)
{
    static const uint8_t code[] = {0xb8, 0x11, 0x22, 0x33, 0x44, 0xf4}; /* mov $0x44332211,%eax; hlt */
    uint64_t at = KCODE + 0xffe;
    machine(at, false);
    memcpy(ram + at, code, sizeof code);
    scpu_invalidate(cpu, at, sizeof code);
    CHECK(run() == SCPU_EXIT_HLT && (uint32_t)R.rax == 0x44332211, "first run: exit %u eax %#lx", ex.reason,
          (unsigned long)R.rax);
    ram[KCODE + 0x1002] = 0x99; /* last immediate byte, on the second page */
    scpu_invalidate(cpu, KCODE + 0x1002, 1);
    R.rip = at;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT && (uint32_t)R.rax == 0x99332211, "after invalidating page 2: eax %#lx",
          (unsigned long)R.rax);
    machine(at, false);
    memcpy(ram + at, code, sizeof code);
    scpu_invalidate(cpu, at, sizeof code);
    *pte(KCODE + 0x1000) = 0;
    run();
    EXPECT_VECTOR(14);
    CHECK(S.cr2 == KCODE + 0x1000 && frame(0) == 0x10 && frame(1) == at, "cr2 %#lx err %#lx rip %#lx",
          (unsigned long)S.cr2, (unsigned long)frame(0), (unsigned long)frame(1));
}

/* ---- 32-bit bootstrap -> long mode, with the real bootstrap binary ---- */

static void t_bootstrap(void)
{
    FILE *f = bootstrap_path ? fopen(bootstrap_path, "rb") : NULL;
    if (!f)
        SKIP("no bootstrap binary given");
    machine(0, false);
    size_t n = fread(ram, 1, 4096, f);
    fclose(f);
    LOAD(KCODE, g_hlt);
    put64(BOOTINFO + 8, KCODE);
    put64(BOOTINFO + 16, KSTACK);
    put64(BOOTINFO + 24, TSS);
    put64(BOOTINFO + 32, 3);
    put64(BOOTINFO + 40, 0x1111);
    put64(BOOTINFO + 48, 0x2222);
    scpu_invalidate(cpu, 0, n);
    S.cs = seg(0x08, 0xb, 0, false, true);
    S.ds = S.es = S.ss = S.fs = S.gs = seg(0x18, 0x3, 0, false, true);
    S.cr0 = 0x11; /* PE ET */
    S.efer = 0x101; /* LME SCE */
    CHECK(scpu_set_sregs(cpu, &S) == 0, "set_sregs refused the boot state");
    R.rip = 0;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT && R.rip == KCODE + 2, "exit %u rip %#lx", ex.reason, (unsigned long)R.rip);
    CHECK((S.efer & 0x400) && S.cs.l && S.cs.selector == 0x10 && S.ds.selector == 0x18 &&
              S.ss.selector == 0x18, "not in 64-bit mode: efer %#lx cs %#x l %u", (unsigned long)S.efer,
          S.cs.selector, S.cs.l);
    CHECK(R.rdi == KCODE && R.rsi == KSTACK && R.rdx == TSS && R.rcx == 3 && R.r8 == 0x1111 &&
              R.r9 == 0x2222, "kernel_main arguments wrong");
    CHECK(R.rsp == KSTACK - 8 && get64(KSTACK - 8) < n, "call frame: rsp %#lx ret %#lx",
          (unsigned long)R.rsp, (unsigned long)get64(KSTACK - 8));
}

/* ---- other modes and exits ---- */

static struct scpu_segment real_seg(uint16_t sel, uint8_t type)
{
    return (struct scpu_segment){.base = (uint64_t)sel << 4, .limit = 0xffff, .selector = sel,
                                 .type = type, .present = 1, .s = 1};
}

static void t_real_mode(void)
{
    machine(0, false);
    LOAD(0x20000, g_real);
    LOAD(0x21000, g_real_isr);
    put64(0x21 * 4, 0x21000000ull); /* IVT[0x21] = 2100:0000 */
    S.cs = real_seg(0x2000, 0xb);
    S.ds = S.es = S.fs = S.gs = real_seg(0, 3);
    S.ss = real_seg(0x5000, 3);
    S.idt = (struct scpu_dtable){0, 0x3ff, {0}};
    S.cr0 = 0x10, S.cr4 = 0, S.efer = 0;
    CHECK(scpu_set_sregs(cpu, &S) == 0, "set_sregs");
    R.rip = 0, R.rsp = 0x1000, R.rbx = 0x100, R.rsi = 0x10, R.rflags = 2;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT, "exit %u rip %#lx", ex.reason, (unsigned long)R.rip);
    CHECK(R.rip == (uint64_t)(g_real_end - g_real) && S.cs.selector == 0x2000, "stopped at %04x:%04lx",
          S.cs.selector, (unsigned long)R.rip);
    CHECK(ram[0x230] == 0xef && ram[0x231] == 0xbe && (R.rcx & 0xffff) == 0xbeef,
          "16-bit addressing: mem %02x%02x cx %#lx", ram[0x231], ram[0x230], (unsigned long)R.rcx);
    CHECK((R.rdx & 0xff) == 0x77 && R.rsp == 0x1000, "INT/IRET through the IVT: dl %#lx sp %#lx",
          (unsigned long)(R.rdx & 0xff), (unsigned long)R.rsp);
}

static void t_prot32_gate(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_prot32);
    uint64_t h = STUBS + 6 * 16;
    put64(IDT + 6 * 8, (h & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((h >> 16) << 48));
    S.cs = seg(0x08, 0xb, 0, false, true);
    S.ds = S.es = S.ss = S.fs = S.gs = seg(0x18, 0x3, 0, false, true);
    S.idt = (struct scpu_dtable){IDT, 0x7ff, {0}};
    S.cr0 = 0x11, S.efer = 0;
    CHECK(scpu_set_sregs(cpu, &S) == 0, "set_sregs");
    R.rsp = 0x50f00;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(6);
    uint32_t f[3];
    memcpy(f, ram + R.rsp, sizeof f);
    CHECK(R.rsp == 0x50f00 - 12, "esp %#lx, want 3 dwords pushed", (unsigned long)R.rsp);
    CHECK(f[0] == KCODE + 5 && f[1] == 0x08 && (f[2] & 0x202) == 0x202, "frame %#x %#x %#x", f[0], f[1],
          f[2]);
    CHECK(S.cs.db && !S.cs.l && R.rax == 0x5678, "not 32-bit code after delivery");
}

static void t_mmio(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_load_rbx);
    *pte(0x47000) = 0x3000000 | 3; /* beyond the 32 MiB of RAM */
    R.rbx = 0x47010;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_MMIO, "exit %u, want MMIO", ex.reason);
    CHECK(ex.u.mmio.gpa == 0x3000010 && ex.u.mmio.len == 8 && !ex.u.mmio.is_write,
          "mmio gpa %#lx len %u write %u", (unsigned long)ex.u.mmio.gpa, ex.u.mmio.len, ex.u.mmio.is_write);
    CHECK(R.rip == KCODE, "rip %#lx: the access must not complete", (unsigned long)R.rip);
}

static void t_single_step(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_tf);
    run();
    EXPECT_VECTOR(1);
    CHECK(frame(0) == KCODE + 11, "#DB pushed rip %#lx, want the instruction after the first NOP",
          (unsigned long)frame(0));
    CHECK((frame(2) & 0x100) && !(R.rflags & 0x100), "TF: frame %#lx handler %#lx",
          (unsigned long)frame(2), (unsigned long)R.rflags);
}

/* TF set by POPF in a block reached through a patched link, after 49 turns ran translated: the
 * trap comes after the next instruction, as on hardware (the translated chain never runs on with
 * TF set, though its patched jumps do not test it). */
static void t_single_step_in_chain(void)
{
    uint64_t jit;
    machine(KCODE, false);
    LOAD(KCODE, g_tf_chain);
    R.rcx = 100, R.r8 = 0;
    scpu_set_regs(cpu, &R);
    run_jit(&jit);
    EXPECT_VECTOR(1);
    CHECK(frame(0) == KCODE + (uint64_t)(g_tf_chain_trap - g_tf_chain) && R.r8 == 51,
          "#DB pushed rip %#lx (want %#lx), r8 %lu (want 51)", (unsigned long)frame(0),
          (unsigned long)(KCODE + (uint64_t)(g_tf_chain_trap - g_tf_chain)), (unsigned long)R.r8);
    CHECK_JIT(jit, 300);
}

/* SYSCALL with TF set at its start: FMASK clears TF, so no single-step trap at the kernel's entry
 * (the instruction's TF after it decides, as on hardware); the kernel runs to its HLT. */
static void t_single_step_syscall(void)
{
    machine(UCODE, true);
    LOAD(UCODE, g_user_tf_syscall);
    LOAD(KCODE, g_kentry_sysret);
    syscall_msrs();
    CHECK(run() == SCPU_EXIT_HLT && R.rip == KCODE + 1, "exit %u rip %#lx: want the HLT at LSTAR, no #DB",
          ex.reason, (unsigned long)R.rip);
    CHECK(R.r11 & 0x100, "r11 %#lx: the user's RFLAGS, TF set", (unsigned long)R.r11);
}

/* Data breakpoints: DR0 watches the 4 bytes at KDATA + 0x100 (DR7: L0, LEN 4, R/W 01 writes or 11
 * reads and writes); code touches 4 bytes from KDATA + 0x102. A matching access traps after its
 * instruction (#DB, rip past it); a load with only writes watched runs on to the HLT. */
static unsigned dr_run(const uint8_t *code, size_t len, unsigned rw)
{
    machine(KCODE, false);
    memcpy(ram + KCODE, code, len);
    scpu_invalidate(cpu, KCODE, 4096);
    R.rbx = KDATA + 0x100;
    R.rcx = 1 | (uint64_t)rw << 16 | 3ull << 18;
    scpu_set_regs(cpu, &R);
    return run();
}

static void t_data_breakpoint(void)
{
    dr_run(g_dr_store, (size_t)(g_dr_store_end - g_dr_store), 1);
    EXPECT_VECTOR(1);
    CHECK(frame(0) == KCODE + 9, "store: #DB pushed rip %#lx, want the NOP after it", (unsigned long)frame(0));
    CHECK(dr_run(g_dr_load, (size_t)(g_dr_load_end - g_dr_load), 1) == SCPU_EXIT_HLT && R.rip == KCODE + 11,
          "load, writes watched: exit %u rip %#lx, want the HLT", ex.reason, (unsigned long)R.rip);
    dr_run(g_dr_load, (size_t)(g_dr_load_end - g_dr_load), 3);
    EXPECT_VECTOR(1);
    CHECK(frame(0) == KCODE + 9, "load, accesses watched: #DB pushed rip %#lx", (unsigned long)frame(0));
    dr_run(g_dr_store, (size_t)(g_dr_store_end - g_dr_store), 0); /* R/W 00: an instruction breakpoint */
    CHECK(ex.reason == SCPU_EXIT_HLT && R.rip == KCODE + 11, "R/W 00 is no data breakpoint: exit %u rip %#lx",
          ex.reason, (unsigned long)R.rip);
}

/* #AC: CPL 3, CR0.AM and RFLAGS.AC, misaligned 4-byte read (a byte read is never misaligned). */
/* User code with CR0.AM set (the code sets AC itself): #AC, error code 0, at fault. */
static void user_ac(const uint8_t *code, const uint8_t *end, const uint8_t *fault)
{
    machine(UCODE, true);
    memcpy(ram + UCODE, code, (size_t)(end - code));
    scpu_invalidate(cpu, UCODE, 4096);
    S.cr0 |= 1ull << 18;
    scpu_set_sregs(cpu, &S);
    R.rbx = UDATA;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(17);
    uint64_t want = UCODE + (uint64_t)(fault - code);
    CHECK(frame(0) == 0 && frame(1) == want, "#AC err %#lx rip %#lx, want %#lx", (unsigned long)frame(0),
          (unsigned long)frame(1), (unsigned long)want);
}

static void t_alignment_check(void) { user_ac(g_user_ac, g_user_ac_end, g_user_ac + 9); }

/* MOVDQU with AC: a 16-byte access is checked for 16-byte alignment (the difftest's host, an AMD
 * EPYC, raised #AC where the soft CPU had checked only 2, 4 and 8 bytes) */
static void t_alignment_check16(void) { user_ac(g_user_ac16, g_user_ac16_end, g_user_ac16_fault); }

/* translated SWAPGS (CPL 0) and PUSH m64 agree with the interpreter's */
static void t_swapgs_loop(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_swaploop);
    put64(KDATA, 5);
    put64(KDATA + 8, 7);
    put64(KDATA + 16, 11);
    scpu_set_msr(cpu, MSR_GS_BASE, KDATA);
    scpu_set_msr(cpu, MSR_KERNEL_GS_BASE, KDATA + 8);
    R.rsi = KDATA;
    R.r8 = R.r9 = 0;
    scpu_set_regs(cpu, &R);
    uint64_t jit;
    CHECK(run_jit(&jit) == SCPU_EXIT_HLT, "exit %u rip %#lx", ex.reason, (unsigned long)R.rip);
    /* 101 swaps: the first push reads KERNEL_GS_BASE's word, then they alternate */
    CHECK(R.r8 == 51 * 7 + 50 * 5 && R.r9 == 101 * 11, "pushed sums %lu %lu", (unsigned long)R.r8,
          (unsigned long)R.r9);
    CHECK(R.r10 == (uint32_t)(KDATA + 8), "GS_BASE %#lx after 101 swaps", (unsigned long)R.r10);
    CHECK_JIT(jit, 500);
}

static void t_sys_misc(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_sysmix);
    scpu_set_msr(cpu, MSR_GS_BASE, 1);
    scpu_set_msr(cpu, MSR_KERNEL_GS_BASE, 2);
    R.rsi = KDATA;
    scpu_set_regs(cpu, &R);
    uint64_t host_tsc = __builtin_ia32_rdtsc();
    run();
    EXPECT_VECTOR(13); /* the final MOV ES, TSS selector */
    CHECK(frame(0) == 0x30, "mov es,0x30: err %#lx, want the selector", (unsigned long)frame(0));
    CHECK(R.r8 == 0x3030 && R.r9 == 0, "cpuid: table leaf %#lx, missing leaf %#lx", (unsigned long)R.r8,
          (unsigned long)R.r9);
    CHECK(R.r10 == 2, "swapgs: GS_BASE %#lx", (unsigned long)R.r10);
    uint16_t lim;
    memcpy(&lim, ram + KDATA, 2);
    CHECK(lim == 0x3f && get64(KDATA + 2) == GDT, "sgdt stored %#x/%#lx", lim, (unsigned long)get64(KDATA + 2));
    CHECK(R.r11 == SEL_TSS, "str: %#lx", (unsigned long)R.r11);
    CHECK(R.r13 > R.r12 && R.r12 < host_tsc, "rdtsc: %#lx %#lx (host %#lx)", (unsigned long)R.r12,
          (unsigned long)R.r13, (unsigned long)host_tsc);
    CHECK(R.r14 == SEL_UDATA && frame(2) == SEL_KCODE, "lretq/mov ds: ds %#lx cs %#lx", (unsigned long)R.r14,
          (unsigned long)frame(2));
}

/* Indirect CALL and JMP, RET, SYSCALL and SYSRETQ in a loop: the results are exact, and once the
 * blocks are translated they chain into each other without the engine (through the return
 * cache), which starts a block only a few times per translation. */
static void t_chain(void)
{
    struct scpu_stats a, b;
    machine(UCODE, true);
    LOAD(UCODE, g_user_chain);
    LOAD(KCODE, g_kentry_count);
    syscall_msrs();
    put64(KDATA, 0);
    R.rbx = 0;
    R.r15 = UDATA;
    scpu_set_regs(cpu, &R);
    scpu_get_stats(cpu, &a);
    run();
    EXPECT_VECTOR(3);
    scpu_get_stats(cpu, &b);
    CHECK(R.rbx == 20000 && get64(KDATA) == 20000 && R.r12 == 0, "calls %lu, system calls %lu, left %lu",
          (unsigned long)R.rbx, (unsigned long)get64(KDATA), (unsigned long)R.r12);
    uint64_t after_int3 = UCODE + (uint64_t)(g_user_chain_end - g_user_chain) - 5; /* add, ret follow */
    CHECK(frame(0) == after_int3 && frame(1) == SEL_UCODE, "int3 frame rip %#lx cs %#lx",
          (unsigned long)frame(0), (unsigned long)frame(1));
    uint64_t d = b.dispatches - a.dispatches;
    CHECK(!scpu_translates(cpu) || d < 1000, "%lu blocks started by the engine for 100,000 branches",
          (unsigned long)d);
}

/* ---- counters: decode once, TLB hits ---- */

static void t_counters(void)
{
    if (!have_opcode(0, 0xb9, 0) || !have_opcode(0, 0x8b, 0) ||
        !have_opcode(0, 0x89, 0) || !have_opcode(0, 0x83, 0) ||
        !have_opcode(0, 0xff, 1) || !have_opcode(0, 0x75, 0))
        SKIP("mov/add/dec/jnz not in the opcode table yet");
    struct scpu_stats a, b;
    machine(KCODE, false);
    LOAD(KCODE, g_loop);
    put64(KDATA, 0);
    R.rbx = KDATA;
    scpu_set_regs(cpu, &R);
    scpu_get_stats(cpu, &a);
    CHECK(run() == SCPU_EXIT_HLT, "exit %u rip %#lx", ex.reason, (unsigned long)R.rip);
    scpu_get_stats(cpu, &b);
    CHECK(get64(KDATA) == 200000, "loop result %lu", (unsigned long)get64(KDATA));
    uint64_t exe = b.insns_executed - a.insns_executed, dec = b.insns_decoded - a.insns_decoded;
    uint64_t acc = b.mem_accesses - a.mem_accesses, miss = b.tlb_misses - a.tlb_misses;
    CHECK(exe >= 1000000, "executed %lu instructions", (unsigned long)exe);
    CHECK(dec * 100 < exe, "decoded %lu of %lu executed", (unsigned long)dec, (unsigned long)exe);
    CHECK(acc >= 400000 && miss * 1000 < acc, "tlb misses %lu of %lu accesses", (unsigned long)miss,
          (unsigned long)acc);
    uint64_t tr = b.insns_jit - a.insns_jit;
    CHECK(!scpu_translates(cpu) || tr * 100 >= exe * 99, "translated %lu of %lu executed",
          (unsigned long)tr, (unsigned long)exe);
}

const struct systest systest_cases[] = {
    {"sys_hlt_exit", t_hlt_exit},
    {"sys_branch_chain", t_chain},
    {"sys_port_io", t_port_io},
    {"sys_request_stop", t_request_stop},
    {"sys_unimplemented_opcode", t_unimplemented},
    {"sys_ud_lock_length", t_ud_cases},
    {"sys_pf_not_present", t_pf_not_present},
    {"sys_pf_write_readonly", t_pf_write_ro},
    {"sys_pf_user_supervisor", t_pf_user_super},
    {"sys_pf_nx_fetch", t_pf_nx_fetch},
    {"sys_pf_reserved_bit", t_pf_rsvd},
    {"sys_cr0_wp", t_wp},
    {"sys_accessed_dirty", t_accessed_dirty},
    {"sys_crossing_store_fault", t_cross_store},
    {"sys_large_pages", t_large_pages},
    {"sys_invlpg_large_page", t_invlpg_large},
    {"sys_invlpg_code", t_invlpg_code},
    {"sys_noncanonical", t_noncanonical},
    {"sys_page_bitmaps", t_page_bitmaps},
    {"sys_ist_alignment", t_ist_align},
    {"sys_double_fault", t_double_fault},
    {"sys_triple_fault", t_triple_fault},
    {"sys_benign_then_pf", t_benign_then_pf},
    {"sys_pf_during_pf_double_fault", t_pf_in_pf},
    {"sys_int_gate_dpl", t_int_gate_dpl},
    {"sys_syscall_sysret", t_syscall_sysret},
    {"sys_iretq_to_user", t_iretq_to_user},
    {"sys_user_popf", t_user_popf},
    {"sys_privileged_at_cpl3", t_privilege},
    {"sys_cr_msr_faults", t_cr_msr_faults},
    {"sys_smc_same_block", t_smc_same_block},
    {"sys_smc_invalidate", t_smc_invalidate},
    {"sys_smc_chain_handler", t_smc_chain},
    {"sys_smc_chain_store", t_smc_chain_mov},
    {"sys_insn_straddling_pages", t_straddle},
    {"sys_bootstrap_long_mode", t_bootstrap},
    {"sys_real_mode", t_real_mode},
    {"sys_prot32_gate", t_prot32_gate},
    {"sys_mmio_exit", t_mmio},
    {"sys_single_step", t_single_step},
    {"sys_single_step_in_chain", t_single_step_in_chain},
    {"sys_smc_ret_target", t_smc_ret_target},
    {"sys_single_step_syscall", t_single_step_syscall},
    {"sys_data_breakpoint", t_data_breakpoint},
    {"sys_alignment_check", t_alignment_check},
    {"sys_alignment_check_16", t_alignment_check16},
    {"sys_misc_instructions", t_sys_misc},
    {"sys_swapgs_push_loop", t_swapgs_loop},
    {"sys_counters", t_counters},
};
const unsigned systest_ncases = sizeof systest_cases / sizeof systest_cases[0];
