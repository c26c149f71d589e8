/* sig_fault.c: CPU faults as signals (siginfo and context as Linux reports them), handlers that
 * longjmp out or fix the context and return, and stack overflow caught on an alternate stack. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "sig_common.h"

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_rip, got_trapno, got_err;

static void on_fault(int sig, siginfo_t *si, void *ucp)
{
    ucontext_t *uc = ucp;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = (uintptr_t)si->si_addr;
    got_rip = uc->uc_mcontext.gregs[REG_RIP];
    got_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    got_err = uc->uc_mcontext.gregs[REG_ERR];
    siglongjmp(jb, 1);
}

static void catch(int sig, int flags)
{
    sig_set(sig, NULL, on_fault, flags);
}

#define TRY(name, expr)                                                                                     \
    do {                                                                                                    \
        got_sig = 0;                                                                                        \
        if (!sigsetjmp(jb, 1)) {                                                                            \
            expr;                                                                                           \
            printf("%s: no signal\n", name);                                                                \
        } else {                                                                                            \
            printf("%s: sig %d code %d trapno %lu", name, got_sig, got_code, (unsigned long)got_trapno);    \
        }                                                                                                   \
    } while (0)

static volatile int zero = 0;

/* Labels mark the faulting instructions so si_addr and RIP can be checked against them. */
extern char ud2_at[], int3_after[], int1_after[], div_at[];

static void faults(void)
{
    catch(SIGSEGV, 0);
    catch(SIGBUS, 0);
    catch(SIGILL, 0);
    catch(SIGFPE, 0);
    catch(SIGTRAP, 0);

    TRY("null read", (void)*(volatile int *)16);
    printf(" addr %#lx err %lu\n", (unsigned long)got_addr, (unsigned long)got_err);
    TRY("null write", *(volatile int *)24 = 1);
    printf(" addr %#lx err %lu\n", (unsigned long)got_addr, (unsigned long)got_err);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TRY("read-only write", ro[100] = 1);
    printf(" addr ok %d err %lu\n", got_addr == (uintptr_t)ro + 100, (unsigned long)got_err);
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TRY("prot-none read", (void)*(volatile char *)(none + 8));
    printf(" addr ok %d\n", got_addr == (uintptr_t)none + 8);
    TRY("kernel address", (void)*(volatile long *)0xffffffff81000000ul);
    printf(" addr %#lx err %lu\n", (unsigned long)got_addr, (unsigned long)got_err);
    TRY("non-canonical", (void)*(volatile long *)0x8000000000000000ul);
    printf(" addr %#lx\n", (unsigned long)got_addr);

    TRY("ud2", __asm__ volatile("ud2_at: ud2"));
    printf(" addr ok %d rip ok %d\n", got_addr == (uintptr_t)ud2_at, got_rip == (uintptr_t)ud2_at);
    TRY("int3", __asm__ volatile("int3\nint3_after: nop"));
    printf(" addr %#lx rip ok %d\n", (unsigned long)got_addr, got_rip == (uintptr_t)int3_after);
    TRY("int1", __asm__ volatile(".byte 0xf1\nint1_after: nop"));
    printf(" addr ok %d rip ok %d\n", got_addr == (uintptr_t)int1_after, got_rip == (uintptr_t)int1_after);
    TRY("divide by zero", __asm__ volatile("xor %%edx, %%edx\nmov $1, %%eax\ndiv_at: divl %0" : : "r"(zero) : "eax", "edx"));
    printf(" addr ok %d\n", got_addr == (uintptr_t)div_at);

    /* a file mapping past the end of the file */
    char path[] = "sigbus.tmp";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (write(fd, "x", 1) != 1)
        return;
    char *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
    TRY("past EOF", (void)*(volatile char *)(m + 4096));
    printf(" addr ok %d\n", got_addr == (uintptr_t)m + 4096);
    close(fd);
    unlink(path);
}

static void fp_faults(void)
{
    /* SSE: unmask divide-by-zero in MXCSR */
    unsigned int mx = 0x1f80 & ~(1u << 9);
    volatile double one = 1.0, dz = 0.0, q;
    __asm__ volatile("ldmxcsr %0" : : "m"(mx));
    TRY("sse div", q = one / dz);
    printf(" (FPE_FLTDIV %d)\n", FPE_FLTDIV);
    unsigned int dflt = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(dflt));
    /* x87: unmask invalid operation, then sqrt(-1) */
    unsigned short cw = 0x37f & ~1u;
    volatile long double m1 = -1.0L, r;
    __asm__ volatile("fnclex\nfldcw %0" : : "m"(cw));
    TRY("x87 invalid", { __asm__ volatile("fldt %1\nfsqrt\nfstpt %0\nfwait" : "=m"(r) : "m"(m1)); });
    printf(" (FPE_FLTINV %d)\n", FPE_FLTINV);
    __asm__ volatile("fninit");
    (void)q, (void)r;
}

/* A handler that fixes the context and returns: skip the ud2 (2 bytes), set RAX. */
static void on_skip(int sig, siginfo_t *si, void *ucp)
{
    ucontext_t *uc = ucp;
    uc->uc_mcontext.gregs[REG_RIP] += 2;
    uc->uc_mcontext.gregs[REG_RAX] = 0x5eed;
    (void)sig, (void)si;
}

static void fix_and_return(void)
{
    sig_set(SIGILL, NULL, on_skip, 0);
    long v;
    __asm__ volatile("mov $1, %%rax\nud2\nmov %%rax, %0" : "=r"(v) : : "rax");
    printf("returned from handler: rax %#lx\n", v);
}

static int recurse(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    return recurse(n + 1) + pad[0];
}

static void overflow(void)
{
    stack_t ss = {.ss_sp = malloc(SIGSTKSZ * 4), .ss_size = SIGSTKSZ * 4, .ss_flags = 0};
    stack_t old;
    printf("sigaltstack: %d\n", sigaltstack(&ss, &old));
    printf("old: flags %d size %lu\n", old.ss_flags, (unsigned long)old.ss_size);
    catch(SIGSEGV, SA_ONSTACK);
    TRY("stack overflow", recurse(0));
    printf(" caught on the alternate stack\n");
    stack_t now;
    sigaltstack(NULL, &now);
    printf("after: flags %d size ok %d\n", now.ss_flags, now.ss_size == SIGSTKSZ * 4);
    stack_t tiny = {.ss_sp = ss.ss_sp, .ss_size = 100, .ss_flags = 0};
    printf("too small: %d\n", sigaltstack(&tiny, NULL));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    faults();
    fp_faults();
    fix_and_return();
    overflow();
    /* an unhandled fault still kills */
    signal(SIGSEGV, SIG_DFL);
    printf("now dying of SIGSEGV\n");
    *(volatile int *)8 = 0;
    return 0;
}
