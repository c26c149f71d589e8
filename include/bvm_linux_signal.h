/* bvm_linux_signal.h: Signals: numbers, sigaction, siginfo, the signal frame, sigaltstack, signalfd, sigevent. */
#ifndef BVM_LINUX_SIGNAL_H
#define BVM_LINUX_SIGNAL_H

#include <stddef.h>
#include <stdint.h>
#include "bvm_linux_time.h"

struct linux_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};
_Static_assert(sizeof(struct linux_sigaction) == 32, "sigaction");

/* timer_create's struct sigevent (64 bytes). */
struct linux_sigevent {
    uint64_t sigev_value;
    int32_t sigev_signo;
    int32_t sigev_notify;
    int32_t sigev_tid; /* SIGEV_THREAD_ID */
    int32_t pad[11];
};
_Static_assert(sizeof(struct linux_sigevent) == 64, "sigevent size");

/* What a read of a signalfd returns, one per signal (128 bytes). */
struct linux_signalfd_siginfo {
    uint32_t ssi_signo;
    int32_t ssi_errno, ssi_code;
    uint32_t ssi_pid, ssi_uid;
    int32_t ssi_fd;
    uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
    int32_t ssi_status, ssi_int;
    uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
    uint16_t ssi_addr_lsb, pad2;
    int32_t ssi_syscall;
    uint64_t ssi_call_addr;
    uint32_t ssi_arch;
    uint8_t pad[28];
};
_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "signalfd_siginfo size");

/* sigaltstack's stack_t (also uc_stack). */
struct linux_stack {
    uint64_t ss_sp;
    int32_t ss_flags;
    int32_t pad;
    uint64_t ss_size;
};
_Static_assert(sizeof(struct linux_stack) == 24, "stack_t size");

/* siginfo_t: 128 bytes; the union starts at 16 on x86-64. */
struct linux_siginfo {
    int32_t si_signo, si_errno, si_code, pad;
    union {
        struct {
            int32_t pid;
            uint32_t uid;
            uint64_t value; /* sigval: SI_QUEUE and real-time kill */
        } kill;
        struct {
            int32_t tid, overrun;
            uint64_t value;
        } timer;
        struct {
            int32_t pid;
            uint32_t uid;
            int32_t status;
            int32_t pad;
            int64_t utime, stime;
        } chld;
        struct {
            uint64_t addr; /* faulting address (CR2) or instruction */
        } fault;
        struct {
            int64_t band;
            int32_t fd;
        } poll;
        uint8_t bytes[112];
    } u;
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo size");
_Static_assert(offsetof(struct linux_siginfo, u) == 16, "siginfo union");

/* The x86-64 signal frame (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h). */
struct linux_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
    uint64_t rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate; /* user pointer to the 512-byte fxsave image, or 0 */
    uint64_t reserved1[8];
};
_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext size");
_Static_assert(offsetof(struct linux_sigcontext, rip) == 128, "sigcontext rip");
_Static_assert(offsetof(struct linux_sigcontext, fpstate) == 184, "sigcontext fpstate");

struct linux_ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    struct linux_stack uc_stack;
    struct linux_sigcontext uc_mcontext;
    uint64_t uc_sigmask;
};
_Static_assert(sizeof(struct linux_ucontext) == 304, "ucontext size");

/* What the handler's stack holds: its return address (sa_restorer), then the context and info. */
struct linux_rt_sigframe {
    uint64_t pretcode;
    struct linux_ucontext uc;
    struct linux_siginfo info;
};
_Static_assert(sizeof(struct linux_rt_sigframe) == 440, "rt_sigframe size");
#define LINUX_FXSAVE_SIZE 512 /* the FPU/SSE image (fxsave layout) above the frame, 64-aligned */
#define LINUX_UC_SIGCONTEXT_SS 0x2
#define LINUX_UC_STRICT_RESTORE_SS 0x4

/* signals */
#define LINUX_SIGHUP 1
#define LINUX_SIGINT 2
#define LINUX_SIGQUIT 3
#define LINUX_SIGILL 4
#define LINUX_SIGTRAP 5
#define LINUX_SIGABRT 6
#define LINUX_SIGBUS 7
#define LINUX_SIGFPE 8
#define LINUX_SIGKILL 9
#define LINUX_SIGUSR1 10
#define LINUX_SIGSEGV 11
#define LINUX_SIGUSR2 12
#define LINUX_SIGPIPE 13
#define LINUX_SIGALRM 14
#define LINUX_SIGTERM 15
#define LINUX_SIGSTKFLT 16
#define LINUX_SIGCHLD 17
#define LINUX_SIGCONT 18
#define LINUX_SIGSTOP 19
#define LINUX_SIGTSTP 20
#define LINUX_SIGTTIN 21
#define LINUX_SIGTTOU 22
#define LINUX_SIGURG 23
#define LINUX_SIGXCPU 24
#define LINUX_SIGXFSZ 25
#define LINUX_SIGVTALRM 26
#define LINUX_SIGPROF 27
#define LINUX_SIGWINCH 28
#define LINUX_SIGIO 29
#define LINUX_SIGPWR 30
#define LINUX_SIGSYS 31
#define LINUX_NSIG 64 /* signals 1..64; 32..64 are real-time */
#define LINUX_SIG_DFL 0
#define LINUX_SIG_IGN 1
#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2
#define LINUX_SS_ONSTACK 1
#define LINUX_SS_DISABLE 2
#define LINUX_SS_AUTODISARM (1u << 31)
#define LINUX_MINSIGSTKSZ 2048
/* sa_flags */
#define LINUX_SA_NOCLDSTOP 0x1u
#define LINUX_SA_NOCLDWAIT 0x2u
#define LINUX_SA_SIGINFO 0x4u
#define LINUX_SA_RESTORER 0x04000000u
#define LINUX_SA_ONSTACK 0x08000000u
#define LINUX_SA_RESTART 0x10000000u
#define LINUX_SA_NODEFER 0x40000000u
#define LINUX_SA_RESETHAND 0x80000000u
/* si_code values */
#define LINUX_SI_USER 0
#define LINUX_SI_KERNEL 0x80
#define LINUX_SI_QUEUE (-1)
#define LINUX_SI_TIMER (-2)
#define LINUX_SI_MESGQ (-3)
#define LINUX_SI_ASYNCIO (-4)
#define LINUX_SI_SIGIO (-5)
#define LINUX_SI_TKILL (-6)
#define LINUX_ILL_ILLOPN 2
#define LINUX_FPE_INTDIV 1
#define LINUX_FPE_INTOVF 2
#define LINUX_FPE_FLTDIV 3
#define LINUX_FPE_FLTOVF 4
#define LINUX_FPE_FLTUND 5
#define LINUX_FPE_FLTRES 6
#define LINUX_FPE_FLTINV 7
#define LINUX_SEGV_MAPERR 1
#define LINUX_SEGV_ACCERR 2
#define LINUX_BUS_ADRALN 1
#define LINUX_BUS_ADRERR 2
#define LINUX_TRAP_BRKPT 1
#define LINUX_TRAP_TRACE 2

#endif
