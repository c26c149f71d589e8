/* gdb.c: the program's stops for gdb (--gdb): the stop loop with the monitor, and what it asks of
 * the kernel there: registers, memory, breakpoints (int3 bytes it keeps), threads, the auxv. */
#include "gdb.h"

#include "bvm_linux.h"
#include "cpu.h"
#include "fpu.h"
#include "hostcall.h"
#include "mm.h"
#include "procfs.h"
#include "signal.h"
#include "string.h"
#include "task.h"
#include "usercopy.h"

#define GDB_BREAKPOINTS 256
#define INT3 0xcc
/* The flags gdb may change (Linux's ptrace FLAG_MASK without TF and RF, which are the kernel's). */
#define GDB_FLAGS                                                                                            \
    (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_DF | RFLAGS_OF | RFLAGS_AC | (1ull << 14))

struct breakpoint {
    uint64_t addr;
    uint8_t orig; /* the byte the int3 replaced */
};

static struct bvm_gdb_xfer xfer __attribute__((aligned(4096)));
static struct breakpoint bps[GDB_BREAKPOINTS]; /* inherited by a fork: its child steps over them */
static uint32_t nbps;
static bool attached, started, intr_pending;
static int injected; /* a signal gdb gave at a resume: delivered without another stop */
static const struct linux_siginfo *stop_info; /* a SIGNAL stop's, while it lasts */

bool gdb_on(void) { return attached; }

static struct breakpoint *bp_find(uint64_t addr)
{
    for (uint32_t i = 0; i < nbps; i++)
        if (bps[i].addr == addr)
            return &bps[i];
    return NULL;
}

/* The kernel's view of user page va (any VMA: the program's text is read-only to it, not to gdb),
 * or NULL. A shared mapping the program may not write is not written for gdb either. */
static uint8_t *user_page(uint64_t va, bool write)
{
    uint64_t pa;
    if (va < USER_MIN || va >= USER_TOP || uvm_page(cur_as, va, 0, &pa))
        return NULL;
    const struct vma *v = vma_find(&cur_as->vmas, va);
    if (write && v && (v->flags & VMA_SHARED) && !(v->prot & LINUX_PROT_WRITE))
        return NULL;
    return (uint8_t *)P2V(pa) + (va & (PAGE_SIZE - 1));
}

/* READ_MEM / WRITE_MEM through the breakpoints: gdb sees and changes the bytes they replaced. */
static int64_t mem_xfer(uint64_t addr, uint8_t *buf, uint32_t len, bool write)
{
    if (len > BVM_GDB_DATA)
        return -LINUX_EINVAL;
    uint32_t done = 0;
    while (done < len) {
        uint64_t va = addr + done;
        uint8_t *p = va >= addr ? user_page(va, write) : NULL; /* (no wrap past 2^64) */
        if (!p)
            break;
        uint32_t n = (uint32_t)MIN(len - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
        for (uint32_t i = 0; i < nbps; i++) {
            uint64_t off = bps[i].addr - va;
            if (off >= n)
                continue;
            if (write) {
                bps[i].orig = buf[done + off];
                buf[done + off] = INT3;
            } else {
                p[off] = bps[i].orig; /* put back below, after the copy */
            }
        }
        memcpy(write ? p : buf + done, write ? buf + done : p, n);
        for (uint32_t i = 0; !write && i < nbps; i++)
            if (bps[i].addr - va < n)
                p[bps[i].addr - va] = INT3;
        done += n;
    }
    return done ? (int64_t)done : -LINUX_EFAULT;
}

static int64_t break_set(uint64_t addr)
{
    if (bp_find(addr))
        return 0;
    if (nbps == GDB_BREAKPOINTS)
        return -LINUX_ENOSPC;
    uint8_t *p = user_page(addr, true);
    if (!p)
        return -LINUX_EFAULT;
    bps[nbps++] = (struct breakpoint){addr, *p};
    *p = INT3;
    return 0;
}

static int64_t break_clear(uint64_t addr)
{
    struct breakpoint *b = bp_find(addr);
    if (!b)
        return 0;
    uint8_t *p = user_page(addr, true);
    if (p && *p == INT3)
        *p = b->orig;
    *b = bps[--nbps];
    return 0;
}

static struct thread *thread_of(int tid)
{
    struct thread *t = tid == 0 || tid == cur->tid ? cur : thread_find(tid);
    return t && t->tf ? t : NULL;
}

static int64_t regs_get(int tid, struct bvm_gdb_regs *g)
{
    static struct fxregs fx;
    struct thread *t = thread_of(tid);
    if (!t)
        return -LINUX_ESRCH;
    const struct trapframe *f = t->tf;
    const uint64_t gpr[16] = {f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp, f->rsp,
                              f->r8,  f->r9,  f->r10, f->r11, f->r12, f->r13, f->r14, f->r15};
    memset(g, 0, sizeof(*g));
    memcpy(g->gpr, gpr, sizeof(gpr));
    g->rip = f->rip;
    g->rflags = f->rflags & ~(t->gdb_step ? RFLAGS_TF : 0);
    g->cs = f->cs;
    g->ss = f->ss;
    g->orig_rax = f->vector == TRAP_SYSCALL ? f->error : (uint64_t)-1;
    g->fs_base = t == cur ? rdmsr(MSR_FS_BASE) : t->fs_base;
    g->gs_base = t == cur ? rdmsr(MSR_KERNEL_GS_BASE) : t->gs_base; /* the user's, in the kernel */
    if (t == cur)
        fpu_save(&fx);
    memcpy(g->fx, t == cur ? fx.b : t->fx.b, sizeof(g->fx));
    return 0;
}

static bool canonical(uint64_t v) { return (uint64_t)((int64_t)(v << 16) >> 16) == v; }

/* The general registers, flags gdb may change and the bases; CS and SS stay (a 64-bit program's). */
static int64_t regs_set(int tid, const struct bvm_gdb_regs *g)
{
    static struct fxregs fx;
    struct thread *t = thread_of(tid);
    if (!t)
        return -LINUX_ESRCH;
    memcpy(fx.b, g->fx, sizeof(fx.b));
    if (!canonical(g->fs_base) || !canonical(g->gs_base) || !fpu_image_ok(&fx))
        return -LINUX_EINVAL;
    struct trapframe *f = t->tf;
    uint64_t *dst[16] = {&f->rax, &f->rbx, &f->rcx, &f->rdx, &f->rsi, &f->rdi, &f->rbp, &f->rsp,
                         &f->r8,  &f->r9,  &f->r10, &f->r11, &f->r12, &f->r13, &f->r14, &f->r15};
    for (int i = 0; i < 16; i++)
        *dst[i] = g->gpr[i];
    f->rip = g->rip;
    f->rflags = (f->rflags & ~GDB_FLAGS) | (g->rflags & GDB_FLAGS);
    if (t == cur) {
        wrmsr(MSR_FS_BASE, g->fs_base);
        wrmsr(MSR_KERNEL_GS_BASE, g->gs_base);
        fpu_load(&fx);
    } else {
        t->fs_base = g->fs_base;
        t->gs_base = g->gs_base;
        t->fx = fx;
    }
    return 0;
}

static int64_t threads_list(struct bvm_gdb_thread *out)
{
    int64_t n = 0;
    for_each_thread(t) {
        if (t->state == THREAD_DEAD || (uint64_t)(n + 1) * sizeof(*out) > BVM_GDB_DATA)
            continue;
        memset(&out[n], 0, sizeof(out[n]));
        out[n].tid = t->tid;
        const char *name = thread_name(t);
        memcpy(out[n].name, name, strnlen(name, sizeof(out[n].name) - 1));
        n++;
    }
    return n;
}

static int64_t auxv_copy(uint8_t *out)
{
    uint64_t len = MIN(cur_as->auxv_len, BVM_GDB_DATA);
    return copy_from_user(out, cur_as->auxv_start, len) ? -LINUX_EFAULT : (int64_t)len;
}

static int64_t act(void)
{
    switch (xfer.action) {
    case BVM_GDB_READ_MEM: return mem_xfer(xfer.addr, xfer.data, xfer.len, false);
    case BVM_GDB_WRITE_MEM: return mem_xfer(xfer.addr, xfer.data, xfer.len, true);
    case BVM_GDB_GET_REGS: return regs_get(xfer.arg_tid, (struct bvm_gdb_regs *)xfer.data);
    case BVM_GDB_SET_REGS: return regs_set(xfer.arg_tid, (const struct bvm_gdb_regs *)xfer.data);
    case BVM_GDB_BREAK_SET: return break_set(xfer.addr);
    case BVM_GDB_BREAK_CLEAR: return break_clear(xfer.addr);
    case BVM_GDB_THREADS: return threads_list((struct bvm_gdb_thread *)xfer.data);
    case BVM_GDB_AUXV: return auxv_copy(xfer.data);
    case BVM_GDB_SIGINFO:
        if (!stop_info)
            return -LINUX_EINVAL;
        memcpy(xfer.data, stop_info, sizeof(*stop_info));
        return sizeof(*stop_info);
    default: return -LINUX_EINVAL;
    }
}

/* gdb leaves: its breakpoints go, the program runs on alone. */
static void detach(void)
{
    while (nbps)
        break_clear(bps[nbps - 1].addr);
    attached = false;
}

/* The stop: the monitor holds the program (every thread: they share the one vCPU) until gdb lets
 * it go on. Returns the signal to deliver (0: none). */
static int stop(uint32_t why, int signo, uint32_t flags)
{
    if (cur->gdb_step && cur->tf) /* TF was ours (a resume with a step sets it again) */
        cur->tf->rflags &= ~RFLAGS_TF;
    cur->gdb_step = cur->gdb_step_syscall = cur->gdb_step_alone = false;
    xfer.why = why;
    xfer.signo = signo;
    xfer.tid = cur->tid;
    xfer.flags = flags;
    xfer.result = 0;
    for (;;) {
        if (hc_out(BVM_HC_GDB, &xfer, sizeof(xfer)) < 0) {
            detach(); /* the monitor has no gdb any more */
            return signo;
        }
        switch (xfer.action) {
        case BVM_GDB_RESUME:
            cur->gdb_step = xfer.step != 0;
            cur->gdb_step_alone = xfer.step == BVM_GDB_STEP_ALONE;
            return xfer.resume_sig;
        case BVM_GDB_DETACH:
            detach();
            return xfer.resume_sig;
        case BVM_GDB_KILL:
            process_mm_release();
            hc_exit_signal(LINUX_SIGKILL, 0xffffffffu, 0, cur->tf ? cur->tf->rip : 0, NULL, 0);
        default:
            xfer.result = act();
            xfer.why = BVM_GDB_DONE;
        }
    }
}

void gdb_exec(struct trapframe *tf)
{
    nbps = 0; /* they were in the old image */
    if (started)
        return;
    started = true;
    attached = (boot->flags & BVM_BOOT_GDB) != 0;
    if (!attached)
        return;
    cur->tf = tf;
    stop(BVM_GDB_START, LINUX_SIGTRAP, 0); /* (a signal gdb gives here is not delivered) */
    if (cur->gdb_step)
        tf->rflags |= RFLAGS_TF;
}

/* A stop that is not a signal's: a signal gdb gives with the resume is delivered as if sent. */
static void stop_and_send(uint32_t why, int signo, uint32_t flags)
{
    int sig = stop(why, signo, flags);
    if (sig) {
        injected = sig;
        signal_send_simple(sig, LINUX_SI_USER);
    }
}

bool gdb_breakpoint(struct trapframe *tf)
{
    uint64_t at = tf->rip - 1;
    struct breakpoint *b = bp_find(at);
    uint8_t *p = b ? user_page(at, true) : NULL;
    if (!p)
        return false;
    tf->rip = at;
    if (!attached) { /* a child's: the original instruction runs, then the int3 is put back */
        *p = b->orig;
        cur->gdb_stepover = at;
        tf->rflags |= RFLAGS_TF;
        return true;
    }
    cur->tf = tf;
    stop_and_send(BVM_GDB_TRAP, LINUX_SIGTRAP, BVM_GDB_SWBREAK);
    return true;
}

bool gdb_debug_trap(struct trapframe *tf)
{
    if (cur->gdb_stepover) {
        uint8_t *p = user_page(cur->gdb_stepover, true);
        if (p)
            *p = INT3;
        cur->gdb_stepover = 0;
        tf->rflags &= ~RFLAGS_TF;
        return true;
    }
    if (!cur->gdb_step || !attached)
        return false;
    cur->tf = tf;
    stop_and_send(BVM_GDB_TRAP, LINUX_SIGTRAP, 0);
    return true;
}

int gdb_signal(int sig, const struct linux_siginfo *info)
{
    if (sig == injected) {
        injected = 0;
        return sig;
    }
    if (!attached || sig == LINUX_SIGKILL)
        return sig;
    stop_info = info;
    sig = stop(BVM_GDB_SIGNAL, sig, 0);
    stop_info = NULL;
    return sig;
}

void gdb_interrupt(void)
{
    if (!attached)
        return;
    if (!cur->tf || !trap_from_user(cur->tf)) {
        intr_pending = true; /* not yet in user mode: on the way there */
        return;
    }
    intr_pending = false;
    stop_and_send(BVM_GDB_INTR, LINUX_SIGINT, 0);
}

void gdb_user_return(struct trapframe *tf)
{
    if (!attached)
        return;
    if (cur->gdb_step_syscall || intr_pending) {
        bool intr = intr_pending;
        cur->tf = tf;
        intr_pending = false;
        stop_and_send(intr ? BVM_GDB_INTR : BVM_GDB_TRAP, intr ? LINUX_SIGINT : LINUX_SIGTRAP, 0);
        if (injected) {
            signal_deliver(tf); /* (it comes back here, with nothing left to report) */
            return;
        }
    }
    if (cur->gdb_step)
        tf->rflags |= RFLAGS_TF;
}

void gdb_fork_child(void)
{
    attached = false;
    intr_pending = false;
    cur->gdb_step = cur->gdb_step_syscall = false;
}
