/* difftest_host.c: runs a test case on the host CPU: loads the state, executes, catches the INT3
 * (or fault) that ends it through a signal handler. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "difftest.h"

static sigjmp_buf host_jmp;
static struct dt_state *host_out;
static struct dt_state host_in;
static uint64_t host_fs_base;
static volatile int host_in_test; /* a signal outside the test code is a harness bug */

/* Forms under test may load FS (POP FS, MOV FS): put glibc's TLS base back before any C
 * code that could touch it runs. A raw syscall, as errno itself lives in TLS. */
static inline void restore_fs(void)
{
    /* POPF may have left AC set: misaligned C accesses would then raise #AC. */
    __asm__ volatile("pushfq; andq $~0x40000, (%%rsp); popfq" : : : "memory", "cc");
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "0"(158L /* arch_prctl */), "D"(0x1002L /* ARCH_SET_FS */),
                     "S"(host_fs_base) : "rcx", "r11", "memory");
    (void)ret;
}

/* gregs index for each x86 register number */
static const int greg_of[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

static void host_signal(int sig, siginfo_t *si, void *ctx)
{
    restore_fs();
    if (!host_in_test) {
        static const char msg[] = "difftest: fatal signal in the harness itself\n";
        if (write(2, msg, sizeof msg - 1) < 0) {}
        signal(sig, SIG_DFL);
        return;
    }
    host_in_test = 0;
    ucontext_t *uc = ctx;
    struct dt_state *o = host_out;
    for (int k = 0; k < 16; k++)
        o->r[k] = (uint64_t)uc->uc_mcontext.gregs[greg_of[k]];
    o->rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    o->rflags = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
    if (uc->uc_mcontext.fpregs)
        memcpy(o->fx, uc->uc_mcontext.fpregs, 512);
    o->vector = sig == SIGVTALRM ? DT_HOST_TIMEOUT : (int)uc->uc_mcontext.gregs[REG_TRAPNO];
    o->err = 0;
    o->cr2 = 0;
    if (o->vector == EXC_PF) {
        o->err = (uint32_t)uc->uc_mcontext.gregs[REG_ERR];
        o->cr2 = (uint64_t)si->si_addr;
    }
    siglongjmp(host_jmp, 1);
}

/* Emitting the prologue: load FX state, RFLAGS (through the caller's stack), every GPR,
 * then jump to DT_INSN. */
static uint8_t *emit(uint8_t *p, const void *b, size_t n) { memcpy(p, b, n); return p + n; }
static uint8_t *emit_movabs_rax(uint8_t *p, uint64_t v)
{
    *p++ = 0x48; *p++ = 0xb8;
    memcpy(p, &v, 8);
    return p + 8;
}

static void host_build_prologue(void)
{
    uint8_t *p = (uint8_t *)DT_PROLOGUE;
    /* save the host RSP for the C side is not needed: siglongjmp restores it */
    p = emit_movabs_rax(p, (uint64_t)(uintptr_t)host_in.fx);
    p = emit(p, "\x48\x0f\xae\x08", 4);                 /* fxrstor64 [rax] */
    p = emit_movabs_rax(p, (uint64_t)(uintptr_t)&host_in.rflags);
    p = emit(p, "\xff\x30\x9d", 3);                     /* push qword [rax]; popfq */
    p = emit_movabs_rax(p, (uint64_t)(uintptr_t)host_in.r);
    for (int r = 1; r < 16; r++) {
        *p++ = (uint8_t)(0x48 | (r >= 8 ? 4 : 0));      /* REX.W (+R) */
        *p++ = 0x8b;                                    /* mov r, [rax + 8r] */
        *p++ = (uint8_t)(0x40 | ((r & 7) << 3));
        *p++ = (uint8_t)(8 * r);
    }
    p = emit(p, "\x48\x8b\x40\x00", 4);                 /* mov rax, [rax] */
    int32_t rel = (int32_t)(DT_INSN - ((uint64_t)(uintptr_t)p + 5));
    *p++ = 0xe9;                                        /* jmp DT_INSN */
    memcpy(p, &rel, 4);
}

void host_init(void)
{
    void *m = mmap((void *)DT_BASE, DT_REGION_LEN, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != (void *)DT_BASE) {
        perror("difftest: mmap of the fixed test region failed");
        exit(2);
    }
    if (mprotect((void *)DT_CODE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) ||
        mprotect((void *)DT_SCRATCH, DT_SCRATCH_RW, PROT_READ | PROT_WRITE) ||
        mprotect((void *)(DT_SCRATCH + DT_SCRATCH_RW), DT_SCRATCH_LEN - DT_SCRATCH_RW, PROT_READ)) {
        perror("difftest: mprotect");
        exit(2);
    }
    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = host_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    int sigs[] = { SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGVTALRM };
    for (unsigned k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
        sigaction(sigs[k], &sa, NULL);
    __asm__ volatile("syscall" : : "a"(158L), "D"(0x1003L /* ARCH_GET_FS */), "S"(&host_fs_base)
                     : "rcx", "r11", "memory");
}

void host_run(const struct dt_case *tc, struct dt_result *res)
{
    uint8_t *code = (uint8_t *)DT_CODE;
    memset(code, 0xcc, 4096);
    host_in = tc->in;
    host_build_prologue();
    memcpy((void *)DT_INSN, tc->code, tc->len);
    /* The RO page must be written through a temporary RW mapping. */
    mprotect((void *)(DT_SCRATCH + DT_SCRATCH_RW), DT_SCRATCH_LEN - DT_SCRATCH_RW, PROT_READ | PROT_WRITE);
    memcpy((void *)DT_SCRATCH, tc->mem, DT_SCRATCH_LEN);
    mprotect((void *)(DT_SCRATCH + DT_SCRATCH_RW), DT_SCRATCH_LEN - DT_SCRATCH_RW, PROT_READ);
    __builtin___clear_cache((char *)code, (char *)code + 4096);
    memset(&res->out, 0, sizeof res->out);
    host_out = &res->out;
    res->skipped = 0;
    /* Random code may jump back into the prologue and loop: 100 ms of CPU time at most. */
    struct itimerval limit = {{0, 0}, {0, 100000}}, off = {{0, 0}, {0, 0}};
    if (sigsetjmp(host_jmp, 1) == 0) {
        void (*fn)(void) = (void (*)(void))(uintptr_t)DT_PROLOGUE;
        host_in_test = 1;
        setitimer(ITIMER_VIRTUAL, &limit, NULL);
        fn();
        abort(); /* the code always ends in INT3 or a fault */
    }
    setitimer(ITIMER_VIRTUAL, &off, NULL);
    memcpy(res->mem, (void *)DT_SCRATCH, DT_SCRATCH_LEN);
}
