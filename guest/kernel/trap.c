/* trap.c: exceptions and interrupts: user faults become signals, kernel faults panic with registers. */
#include "trap.h"
#include "bvm_linux.h"
#include "cpu.h"
#include "hostcall.h"
#include "mm.h"
#include "signal.h"

#define VEC_DE 0
#define VEC_NMI 2
#define VEC_PF 14
#define VEC_MC 18
#define PF_WRITE (1u << 1)
#define PF_INSN (1u << 4)

static const char *const vec_names[32] = {"#DE", "#DB",  "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
                                          "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
                                          "#MF", "#AC",  "#MC", "#XM", "#VE", "#CP", "#22", "#23",
                                          "#24", "#25",  "#26", "#27", "#HV", "#VC", "#SX", "#31"};

/* The signal Linux sends for a CPU exception raised in user mode. */
static const uint8_t vec_signal[32] = {
    [0] = LINUX_SIGFPE,  [1] = LINUX_SIGTRAP, [3] = LINUX_SIGTRAP,  [4] = LINUX_SIGSEGV,
    [5] = LINUX_SIGSEGV, [6] = LINUX_SIGILL,  [7] = LINUX_SIGILL,   [10] = LINUX_SIGSEGV,
    [11] = LINUX_SIGBUS, [12] = LINUX_SIGBUS, [13] = LINUX_SIGSEGV, [16] = LINUX_SIGFPE,
    [17] = LINUX_SIGBUS, [19] = LINUX_SIGFPE, [21] = LINUX_SIGSEGV};

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
    tf->error = 0;
    syscall_dispatch(tf);
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
    uint32_t access = (tf->error & PF_WRITE) ? ACC_WRITE : (tf->error & PF_INSN) ? ACC_EXEC : ACC_READ;
    int err = fault_handle(cur_as, cr2, access);
    if (err == 0)
        return;
    signal_fault(tf, err == FAULT_SIGBUS ? LINUX_SIGBUS : LINUX_SIGSEGV, cr2);
}

void trap_handler(struct trapframe *tf)
{
    if (tf->vector == VEC_PF) {
        page_fault(tf);
        return;
    }
    /* Nothing programs an interrupt controller, so vectors >= 32 are spurious; NMIs carry nothing. */
    if (tf->vector >= 32 || tf->vector == VEC_NMI)
        return;
    if (!trap_from_user(tf) || tf->vector == VEC_MC || !vec_signal[tf->vector])
        trap_panic(tf, read_cr2());
    signal_fault(tf, vec_signal[tf->vector], 0);
}
