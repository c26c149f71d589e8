/* sig_bad.c: bad input around signals, one case per run (argv[1]): handlers at addresses that
 * cannot run, corrupt frames handed to rt_sigreturn, an alternate stack too small or overflowed.
 * Each ends as on Linux (a SIGSEGV, an errno); the test compares the output and the ending. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "sig_common.h"

static void set_handler(int sig, uintptr_t h, int flags)
{
    sig_set(sig, (void (*)(int))h, NULL, flags);
}

static void on_segv(int sig, siginfo_t *si, void *ucp)
{
    ucontext_t *uc = ucp;
    printf("SIGSEGV code %d addr %#lx rip %#lx\n", si->si_code, (unsigned long)si->si_addr,
           (unsigned long)uc->uc_mcontext.gregs[REG_RIP]);
    _exit(3);
}

static void catch_segv(void)
{
    sig_set(SIGSEGV, NULL, on_segv, 0);
}

/* A handler that breaks its own frame, then returns through it. */
static volatile int breakage;
static void on_usr1_break(int sig, siginfo_t *si, void *ucp)
{
    ucontext_t *uc = ucp;
    if (breakage == 1)
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0x8000000000000000ul; /* non-canonical */
    if (breakage == 2)
        uc->uc_mcontext.fpregs = (void *)0x1000; /* an FPU image that cannot be read */
    if (breakage == 3)
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0xffffffff81000000ul; /* kernel half */
    if (breakage == 4)
        uc->uc_mcontext.fpregs = NULL; /* no FPU image: a clean FPU comes back */
    (void)sig, (void)si;
}

static void break_frame(int how)
{
    sig_set(SIGUSR1, NULL, on_usr1_break, 0);
    breakage = how;
    raise(SIGUSR1);
    unsigned int mx;
    __asm__ volatile("stmxcsr %0" : "=m"(mx));
    printf("returned from the handler, mxcsr %#x\n", mx);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("%s\n", what);
    if (!strcmp(what, "kernel-handler")) {
        set_handler(SIGUSR1, 0xffffffff81000000ul, 0);
        catch_segv();
        raise(SIGUSR1);
    } else if (!strcmp(what, "unmapped-handler")) {
        set_handler(SIGUSR1, 0x1000, 0);
        raise(SIGUSR1); /* SIGSEGV, no handler: killed */
    } else if (!strcmp(what, "noncanonical-handler")) {
        set_handler(SIGUSR1, 0x8000000000000000ul, 0);
        catch_segv();
        raise(SIGUSR1);
    } else if (!strcmp(what, "sigreturn-garbage")) {
        /* rt_sigreturn with the stack pointing at nothing mapped */
        __asm__ volatile("mov $0x1000, %%rsp\nmov %0, %%eax\nsyscall" : : "i"(SYS_rt_sigreturn) : "memory");
    } else if (!strcmp(what, "sigreturn-noncanonical")) {
        catch_segv();
        break_frame(1);
    } else if (!strcmp(what, "sigreturn-fpstate-unmapped")) {
        break_frame(2);
    } else if (!strcmp(what, "sigreturn-kernel-rip")) {
        catch_segv();
        break_frame(3);
    } else if (!strcmp(what, "sigreturn-no-fpstate")) {
        unsigned int rz = 0x1f80 | (3u << 13);
        __asm__ volatile("ldmxcsr %0" : : "m"(rz));
        break_frame(4);
    } else if (!strcmp(what, "altstack-small")) {
        stack_t ss = {.ss_sp = malloc(4096), .ss_size = 1024, .ss_flags = 0};
        errno = 0;
        int r = sigaltstack(&ss, NULL);
        printf("size 1024: %d errno %d\n", r, errno);
        ss.ss_flags = 12345;
        ss.ss_size = 65536;
        errno = 0;
        r = sigaltstack(&ss, NULL);
        printf("bad flags: %d errno %d\n", r, errno);
    } else if (!strcmp(what, "altstack-overflow")) {
        /* a handler that recurses on a small alternate stack: the frame no longer fits, SIGSEGV */
        stack_t ss = {.ss_sp = malloc(16384), .ss_size = 16384, .ss_flags = 0};
        sigaltstack(&ss, NULL);
        set_handler(SIGUSR1, (uintptr_t)raise, SA_ONSTACK | SA_NODEFER); /* raise(SIGUSR1) again, nested */
        raise(SIGUSR1);
    } else if (!strcmp(what, "no-restorer")) {
        /* x86-64 handlers need SA_RESTORER: without it the frame is refused with SIGSEGV */
        struct sigaction k = {0};
        k.sa_handler = (void (*)(int))(uintptr_t)on_segv;
        syscall(SYS_rt_sigaction, SIGUSR1, &k, NULL, 8);
        raise(SIGUSR1);
    }
    printf("after\n");
    return 0;
}
