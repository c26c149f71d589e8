/* trap.c: exceptions and interrupts: user faults become signals, kernel faults panic with registers. */
#include "trap.h"
#include "bvm_linux.h"
#include "check.h"
#include "cpu.h"
#include "hostcall.h"
#include "mm.h"
#include "events.h"
#include "fpu.h"
#include "gdb.h"
#include "sched.h"
#include "signal.h"
#include "task.h"

static const char *const vec_names[32] = {"#DE", "#DB",  "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
                                          "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
                                          "#MF", "#AC",  "#MC", "#XM", "#VE", "#CP", "#22", "#23",
                                          "#24", "#25",  "#26", "#27", "#HV", "#VC", "#SX", "#31"};

/* What Linux sends for a CPU exception raised in user mode (arch/x86/kernel/traps.c): the signal,
 * its si_code, and whether si_addr is the faulting instruction (else 0). #PF, #MF and #XM have
 * their own rules below. */
static const struct {
    uint8_t sig;
    int16_t code;
    bool addr_is_rip;
} vec_signal[32] = {
    [X86_VEC_DE] = {LINUX_SIGFPE, LINUX_FPE_INTDIV, true},
    [X86_VEC_DB] = {LINUX_SIGTRAP, LINUX_TRAP_BRKPT, true},
    [X86_VEC_BP] = {LINUX_SIGTRAP, LINUX_SI_KERNEL, false},
    [X86_VEC_OF] = {LINUX_SIGSEGV, LINUX_SI_KERNEL, false},
    [X86_VEC_BR] = {LINUX_SIGSEGV, LINUX_SI_KERNEL, false},
    [X86_VEC_UD] = {LINUX_SIGILL, LINUX_ILL_ILLOPN, true},
    [X86_VEC_NM] = {LINUX_SIGILL, LINUX_ILL_ILLOPN, true},
    [X86_VEC_TS] = {LINUX_SIGSEGV, LINUX_SI_KERNEL, false},
    [X86_VEC_NP] = {LINUX_SIGBUS, LINUX_SI_KERNEL, false},
    [X86_VEC_SS] = {LINUX_SIGBUS, LINUX_SI_KERNEL, false},
    [X86_VEC_GP] = {LINUX_SIGSEGV, LINUX_SI_KERNEL, false},
    [X86_VEC_AC] = {LINUX_SIGBUS, LINUX_BUS_ADRALN, false},
    [X86_VEC_CP] = {LINUX_SIGSEGV, LINUX_SI_KERNEL, false},
};

static _Noreturn void trap_panic(struct trapframe *tf, uint64_t cr2)
{
    kprintf("kernel trap %s (vector %lu) error %#lx cr2 %#lx", vec_names[tf->vector & 31],
            (unsigned long)tf->vector, (unsigned long)tf->error, (unsigned long)cr2);
    kprintf("rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx", (unsigned long)tf->rip, (unsigned long)tf->cs,
            (unsigned long)tf->rflags, (unsigned long)tf->rsp, (unsigned long)tf->ss);
    kprintf("rax %#lx rbx %#lx rcx %#lx rdx %#lx rsi %#lx rdi %#lx rbp %#lx", (unsigned long)tf->rax,
            (unsigned long)tf->rbx, (unsigned long)tf->rcx, (unsigned long)tf->rdx, (unsigned long)tf->rsi,
            (unsigned long)tf->rdi, (unsigned long)tf->rbp);
    kprintf("r8 %#lx r9 %#lx r10 %#lx r11 %#lx r12 %#lx r13 %#lx r14 %#lx r15 %#lx", (unsigned long)tf->r8,
            (unsigned long)tf->r9, (unsigned long)tf->r10, (unsigned long)tf->r11, (unsigned long)tf->r12,
            (unsigned long)tf->r13, (unsigned long)tf->r14, (unsigned long)tf->r15);
    panic("kernel trap %s at rip %#lx err %#lx cr2 %#lx", vec_names[tf->vector & 31], (unsigned long)tf->rip,
          (unsigned long)tf->error, (unsigned long)cr2);
}

/*
 * Some hosts' KVM (the PVM backend, which runs guests without hardware virtualization) complete
 * a user SYSCALL by jumping to LSTAR without leaving user mode; the fetch of syscall_entry then
 * faults at CPL 3 with RCX/R11 already set. Finish what SYSCALL should have done and dispatch, so
 * programs run on such hosts too; the return goes through IRETQ.
 */
static void syscall_from_fault(struct trapframe *tf)
{
    tf->rip = tf->rcx;
    tf->rflags = (tf->r11 & ~0x10000ull) | 0x2; /* RFLAGS as saved by SYSCALL, RF cleared */
    tf->vector = TRAP_SYSCALL;
    tf->error = tf->rax;
    syscall_dispatch(tf);
}

/* Linux's fpu__exception_code: which unmasked exception a #MF (x87) or #XM (SSE) reports. */
static int fpu_code(uint32_t vector)
{
    static struct fxregs fx;
    fpu_save(&fx);
    uint16_t cwd = (uint16_t)(fx.b[0] | fx.b[1] << 8), swd = (uint16_t)(fx.b[2] | fx.b[3] << 8);
    uint32_t mxcsr = fx.b[24] | fx.b[25] << 8 | (uint32_t)fx.b[26] << 16 | (uint32_t)fx.b[27] << 24;
    uint32_t err = vector == X86_VEC_MF ? (uint32_t)(swd & ~cwd) : (~(mxcsr >> 7) & mxcsr);
    if (err & 0x001)
        return LINUX_FPE_FLTINV;
    if (err & 0x004)
        return LINUX_FPE_FLTDIV;
    if (err & 0x008)
        return LINUX_FPE_FLTOVF;
    if (err & 0x012)
        return LINUX_FPE_FLTUND;
    if (err & 0x020)
        return LINUX_FPE_FLTRES;
    return 0;
}

static void page_fault(struct trapframe *tf)
{
    uint64_t cr2 = read_cr2();
    /* The kernel reaches user memory only through the physmap, so a kernel #PF is a bug. */
    if (!trap_from_user(tf))
        trap_panic(tf, cr2);
    if (cr2 == tf->rip && cr2 == (uint64_t)(uintptr_t)syscall_entry) {
        syscall_from_fault(tf);
        return;
    }
    if (check_on() && (check_fault(tf, cr2) || check_freeres_returned(tf, cr2)))
        return; /* a bad heap access, reported; the instruction goes on */
    uint32_t access = (tf->error & X86_PF_WRITE) ? ACC_WRITE : (tf->error & X86_PF_INSN) ? ACC_EXEC : ACC_READ;
    int err = fault_handle(cur_as, cr2, access);
    if (err == 0)
        return;
    if (err == -LINUX_ENOMEM) { /* guest RAM is full: Linux's OOM killer ends the process */
        kprintf("buffervm: out of memory: guest RAM (--mem) is full; the program is killed");
        signal_send_simple(LINUX_SIGKILL, LINUX_SI_KERNEL);
        return;
    }
    /* Linux reports a user touch of a kernel address as a protection fault. */
    if (cr2 >= USER_TOP)
        tf->error |= 1;
    cur->cr2 = cr2;
    if (err == FAULT_SIGBUS)
        signal_force_fault(tf, LINUX_SIGBUS, LINUX_BUS_ADRERR, cr2);
    else
        signal_force_fault(tf, LINUX_SIGSEGV, err == FAULT_ACCERR ? LINUX_SEGV_ACCERR : LINUX_SEGV_MAPERR, cr2);
}

static void user_exception(struct trapframe *tf)
{
    uint32_t v = (uint32_t)tf->vector;
    if (v == X86_VEC_MF || v == X86_VEC_XM) {
        int code = fpu_code(v);
        if (code) /* else a spurious trap: nothing to report, as on Linux */
            signal_force_fault(tf, LINUX_SIGFPE, code, tf->rip);
        return;
    }
    signal_force_fault(tf, vec_signal[v].sig, vec_signal[v].code, vec_signal[v].addr_is_rip ? tf->rip : 0);
}

void trap_handler(struct trapframe *tf)
{
    if (trap_from_user(tf))
        cur->tf = tf; /* the user registers, for a stop an event may make (gdb's interrupt) */
    if (tf->vector == X86_VEC_PF) {
        page_fault(tf);
    } else if (tf->vector == BVM_EVENT_VECTOR) {
        events_take(); /* the monitor's doorbell: signals from outside, timers */
    } else if (tf->vector == X86_VEC_DB && trap_from_user(tf) && (check_debug(tf) || gdb_debug_trap(tf))) {
        /* the end of the heap checker's single step, or of one gdb asked for */
    } else if (tf->vector == X86_VEC_BP && trap_from_user(tf) && gdb_breakpoint(tf)) {
        /* one of gdb's breakpoints */
    } else if (tf->vector >= 32 || tf->vector == X86_VEC_NMI) {
        /* Nothing programs an interrupt controller, so vectors >= 32 are spurious; NMIs carry nothing. */
    } else if (!trap_from_user(tf) || tf->vector == X86_VEC_MC ||
               (!vec_signal[tf->vector].sig && tf->vector != X86_VEC_MF && tf->vector != X86_VEC_XM)) {
        trap_panic(tf, read_cr2());
    } else {
        user_exception(tf);
    }
    if (trap_from_user(tf) && tf->vector != TRAP_SYSCALL) {
        cur->in_syscall = false;
        sched_preempt();
        signal_deliver(tf);
    }
}
