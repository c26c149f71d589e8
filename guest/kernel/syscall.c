/* syscall.c: the syscall dispatcher: table lookup, -ENOSYS for the rest, tracing, pending signals. */
#include "syscall.h"

#include "bvm_linux.h"
#include "fd.h"
#include "check.h"
#include "fmt.h"
#include "gdb.h"
#include "hostcall.h"
#include "sched.h"
#include "signal.h"
#include "task.h"
#include "vfork_mm.h"

#define SYS_TABLE_SIZE 512

static const struct syscall_desc table[SYS_TABLE_SIZE] = {
#define SYS_ENTRY(nr, name, kinds, ret) [nr] = {#name, sys_##name, kinds, ret},
    SYSCALLS(SYS_ENTRY)
#undef SYS_ENTRY
};

static _Noreturn void strict_unknown(uint64_t nr)
{
    char msg[96];
    ksnprintf(msg, sizeof(msg), "unknown syscall %lu (strict mode)", (unsigned long)nr);
    kprintf("%s", msg);
    hc_exit_panic(msg);
}

void syscall_dispatch(struct trapframe *tf)
{
    uint64_t nr = tf->rax;
    cur->tf = tf;
    gdb_syscall_entry();
    if (check_on() && check_trap(tf)) { /* a call of the program's allocator, now the checker's */
        cur->in_syscall = false;
        if (signal_work(tf)) /* rarely: a malloc raises no signal */
            signal_deliver(tf);
        return;
    }
    cur->in_syscall = true;
    uint64_t args[6] = {tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9};
    const struct syscall_desc *d = nr < SYS_TABLE_SIZE && table[nr].fn ? &table[nr] : NULL;
    bool tracing = (boot->flags & BVM_BOOT_TRACE_SYSCALLS) != 0;
    int64_t ret;
    if (!d) {
        if (tracing)
            trace_syscall(nr, NULL, args, -LINUX_ENOSYS, false);
        if (boot->flags & BVM_BOOT_STRICT_SYSCALLS)
            strict_unknown(nr);
        tf->rax = (uint64_t)-LINUX_ENOSYS;
        signal_deliver(tf);
        return;
    }
    if (tracing && (d->ret_kind == 'n' || d->ret_kind == 'e'))
        trace_syscall(nr, d, args, 0, true);
    ret = d->fn(args[0], args[1], args[2], args[3], args[4], args[5]);
    tf->rax = (uint64_t)ret;
    if (cur_proc->vfork_mm) /* its parent repeats its mapping calls */
        vfork_mm_note_call(nr, args, ret);
    fd_publish();
    if (tracing && d->ret_kind == 'e')
        trace_syscall_result(ret, true);
    else if (tracing)
        trace_syscall(nr, d, args, ret, false);
    /* A thread whose slice is over makes way; a signal unblocked or raised by this call takes
     * effect before the program continues. */
    sched_preempt();
    signal_deliver(tf);
}
