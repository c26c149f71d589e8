/* sigframe.c: the x86-64 signal frame a handler sees (rt_sigframe), rt_sigreturn, sigaltstack. */
#include "sigframe.h"

#include "cpu.h"
#include "fpu.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define REDZONE 128 /* below the interrupted RSP, which the frame must not touch */

/* The flags sigreturn takes from the frame (Linux's FIX_EFLAGS); the rest stay the kernel's. */
#define FIX_EFLAGS                                                                                           \
    (RFLAGS_AC | RFLAGS_OF | RFLAGS_DF | RFLAGS_TF | RFLAGS_SF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF |          \
     RFLAGS_CF | RFLAGS_RF)

/* Linux's on_sig_stack; an SS_AUTODISARM stack never counts as in use. */
static bool on_altstack(uint64_t sp)
{
    const struct linux_stack *a = &cur->altstack;
    if (a->ss_flags & (LINUX_SS_DISABLE | (int32_t)LINUX_SS_AUTODISARM))
        return false;
    return sp > a->ss_sp && sp - a->ss_sp <= a->ss_size;
}

/* sigaltstack's ss_flags as the program sees them: on the stack, disabled, or neither. */
static int32_t altstack_flags(uint64_t sp)
{
    if (cur->altstack.ss_flags & LINUX_SS_DISABLE)
        return LINUX_SS_DISABLE;
    return on_altstack(sp) ? LINUX_SS_ONSTACK : (cur->altstack.ss_flags & (int32_t)LINUX_SS_AUTODISARM);
}

static void regs_to_sigcontext(const struct trapframe *tf, struct linux_sigcontext *sc)
{
    sc->r8 = tf->r8, sc->r9 = tf->r9, sc->r10 = tf->r10, sc->r11 = tf->r11;
    sc->r12 = tf->r12, sc->r13 = tf->r13, sc->r14 = tf->r14, sc->r15 = tf->r15;
    sc->rdi = tf->rdi, sc->rsi = tf->rsi, sc->rbp = tf->rbp, sc->rbx = tf->rbx;
    sc->rdx = tf->rdx, sc->rax = tf->rax, sc->rcx = tf->rcx, sc->rsp = tf->rsp;
    sc->rip = tf->rip, sc->eflags = tf->rflags;
    sc->cs = (uint16_t)tf->cs, sc->ss = (uint16_t)tf->ss;
    sc->err = cur->error_code, sc->trapno = cur->trap_nr, sc->cr2 = cur->cr2;
}

static void sigcontext_to_regs(const struct linux_sigcontext *sc, struct trapframe *tf)
{
    tf->r8 = sc->r8, tf->r9 = sc->r9, tf->r10 = sc->r10, tf->r11 = sc->r11;
    tf->r12 = sc->r12, tf->r13 = sc->r13, tf->r14 = sc->r14, tf->r15 = sc->r15;
    tf->rdi = sc->rdi, tf->rsi = sc->rsi, tf->rbp = sc->rbp, tf->rbx = sc->rbx;
    tf->rdx = sc->rdx, tf->rax = sc->rax, tf->rcx = sc->rcx, tf->rsp = sc->rsp;
    tf->rip = sc->rip;
    tf->rflags = (tf->rflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
    tf->cs = BVM_SEL_UCODE; /* whatever the frame says: 64-bit user code and data */
    tf->ss = BVM_SEL_UDATA;
}

/* Where the frame goes (Linux's get_sigframe): below the red zone, or at the top of the
 * alternate stack; the FPU image 64-aligned above the frame. 0 when the alternate stack would
 * overflow. */
static uint64_t frame_place(const struct trapframe *tf, const struct linux_sigaction *a, uint64_t *fx)
{
    uint64_t sp = tf->rsp - REDZONE;
    bool was_on = on_altstack(tf->rsp);
    if ((a->flags & LINUX_SA_ONSTACK) && !was_on && !(cur->altstack.ss_flags & LINUX_SS_DISABLE))
        sp = cur->altstack.ss_sp + cur->altstack.ss_size;
    *fx = (sp - LINUX_FXSAVE_SIZE) & ~63ull;
    uint64_t frame = ((*fx - sizeof(struct linux_rt_sigframe)) & ~15ull) - 8;
    /* Running on the alternate stack and falling off its bottom: Linux refuses the frame. */
    if (was_on && !on_altstack(frame))
        return 0;
    return frame;
}

int sigframe_setup(struct trapframe *tf, int sig, const struct linux_sigaction *a,
                   const struct linux_siginfo *info, uint64_t mask)
{
    static struct linux_rt_sigframe f;
    static struct fxregs fx;
    uint64_t fx_at, frame = frame_place(tf, a, &fx_at);
    /* x86-64 handlers return through sa_restorer; without one there is no way back. */
    if (!frame || !(a->flags & LINUX_SA_RESTORER))
        return -LINUX_EFAULT;
    memset(&f, 0, sizeof(f));
    f.pretcode = a->restorer;
    f.uc.uc_flags = LINUX_UC_SIGCONTEXT_SS | LINUX_UC_STRICT_RESTORE_SS;
    f.uc.uc_stack = cur->altstack;
    f.uc.uc_stack.ss_flags = altstack_flags(tf->rsp);
    regs_to_sigcontext(tf, &f.uc.uc_mcontext);
    f.uc.uc_mcontext.oldmask = mask;
    f.uc.uc_mcontext.fpstate = fx_at;
    f.uc.uc_sigmask = mask;
    if (a->flags & LINUX_SA_SIGINFO)
        f.info = *info;
    fpu_save(&fx);
    if (copy_to_user(fx_at, &fx, sizeof(fx)) || copy_to_user(frame, &f, sizeof(f)))
        return -LINUX_EFAULT;
    if (cur->altstack.ss_flags & LINUX_SS_AUTODISARM)
        cur->altstack = (struct linux_stack){0, LINUX_SS_DISABLE, 0, 0};
    tf->rdi = (uint64_t)sig;
    tf->rsi = frame + offsetof(struct linux_rt_sigframe, info);
    tf->rdx = frame + offsetof(struct linux_rt_sigframe, uc);
    tf->rax = 0;
    tf->rsp = frame;
    tf->rip = a->handler;
    tf->cs = BVM_SEL_UCODE;
    tf->ss = BVM_SEL_UDATA;
    tf->rflags &= ~(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF);
    fpu_reset(); /* the handler starts with a clean FPU, as on Linux */
    return 0;
}

/* sigaltstack's rules (do_sigaltstack): 0 or -errno; sp is the caller's stack pointer. */
static int set_altstack(const struct linux_stack *ns, uint64_t sp)
{
    int32_t mode = ns->ss_flags & ~(int32_t)LINUX_SS_AUTODISARM;
    if (on_altstack(sp))
        return -LINUX_EPERM;
    if (mode != LINUX_SS_DISABLE && mode != LINUX_SS_ONSTACK && mode != 0)
        return -LINUX_EINVAL;
    if (mode == LINUX_SS_DISABLE) {
        cur->altstack = (struct linux_stack){0, LINUX_SS_DISABLE, 0, 0};
        return 0;
    }
    if (ns->ss_size < LINUX_MINSIGSTKSZ)
        return -LINUX_ENOMEM;
    cur->altstack = (struct linux_stack){ns->ss_sp, ns->ss_flags & (int32_t)LINUX_SS_AUTODISARM, 0, ns->ss_size};
    return 0;
}

int64_t sys_rt_sigreturn(SYSARGS)
{
    static struct linux_ucontext uc;
    static struct fxregs fx;
    struct trapframe *tf = cur->tf;
    uint64_t frame = tf->rsp - 8; /* the handler's RET took pretcode */
    cur->in_syscall = false;      /* the restored RAX is no syscall result */
    if (copy_from_user(&uc, frame + offsetof(struct linux_rt_sigframe, uc), sizeof(uc)))
        goto bad;
    const struct linux_sigcontext *sc = &uc.uc_mcontext;
    if (sc->fpstate && (copy_from_user(&fx, sc->fpstate, sizeof(fx)) || fpu_restore(&fx) < 0))
        goto bad;
    if (!sc->fpstate)
        fpu_reset();
    signal_set_blocked(uc.uc_sigmask);
    sigcontext_to_regs(sc, tf);
    set_altstack(&uc.uc_stack, tf->rsp); /* errors ignored, as Linux's restore_altstack */
    return (int64_t)tf->rax;
bad:
    signal_force_sigsegv();
    return (int64_t)tf->rax;
}

int64_t sys_sigaltstack(SYSARGS)
{
    struct linux_stack ns, old = cur->altstack;
    uint64_t sp = cur->tf->rsp;
    old.ss_flags = altstack_flags(sp);
    if (old.ss_flags & LINUX_SS_DISABLE)
        old.ss_sp = old.ss_size = 0;
    if (a0 && copy_from_user(&ns, a0, sizeof(ns)))
        return -LINUX_EFAULT;
    if (a0) {
        int err = set_altstack(&ns, sp);
        if (err)
            return err;
    }
    if (a1 && copy_to_user(a1, &old, sizeof(old)))
        return -LINUX_EFAULT;
    return 0;
}

bool sigframe_rip_ok(uint64_t rip)
{
    /* IRETQ to a non-canonical RIP faults in the kernel, not in the program. A kernel-half address
     * is fine here: its first fetch faults in user mode, as on Linux. */
    return rip < (1ull << 47) || rip >= 0xffff800000000000ull;
}
