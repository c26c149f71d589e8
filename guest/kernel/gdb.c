/* gdb.c: the program's stops for gdb (--gdb): the stop loop with the monitor, and what it asks of
 * the kernel there: registers, memory, breakpoints (int3 bytes it keeps), threads, the auxv. */
#include "gdb.h"

#include "bvm_elf.h"
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

/* One piece of a hardware watchpoint in a debug register: gdb's range split into aligned pieces of
 * 1, 2, 4 or 8 bytes, each remembering the watchpoint it belongs to. */
struct watch_piece {
    uint64_t addr, owner;
    uint32_t len, owner_len, kind; /* kind: BVM_GDB_WATCH_*, 0: the register is free */
    uint64_t value;                /* READ: the bytes as last seen (a change: a write, not a read) */
};

static struct bvm_gdb_xfer xfer __attribute__((aligned(4096)));
static struct watch_piece dr[4];
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
        for (uint32_t i = 0; write && i < nbps; i++) { /* a write under an int3 goes to its byte */
            uint64_t off = bps[i].addr - va;
            if (off < n) {
                bps[i].orig = buf[done + off];
                buf[done + off] = INT3;
            }
        }
        memcpy(write ? p : buf + done, write ? buf + done : p, n);
        for (uint32_t i = 0; !write && i < nbps; i++) /* a read sees the byte an int3 replaced */
            if (bps[i].addr - va < n)
                buf[done + (bps[i].addr - va)] = bps[i].orig;
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

/* DR0-DR3 and DR7 from the pieces: local enable, the kind (R/W bits) and the length (LEN bits). */
static void watch_load(void)
{
    static const uint64_t len_bits[9] = {[1] = 0, [2] = 1, [4] = 3, [8] = 2};
    uint64_t dr7 = 0;
    for (int i = 0; i < 4; i++)
        if (dr[i].kind) /* (R/W: 01 writes, 11 reads and writes, for read watchpoints too) */
            dr7 |= 1ull << (2 * i) | (dr[i].kind == BVM_GDB_WATCH_WRITE ? 1ull : 3ull) << (16 + 4 * i) |
                   len_bits[dr[i].len] << (18 + 4 * i);
    write_dr0(dr[0].addr);
    write_dr1(dr[1].addr);
    write_dr2(dr[2].addr);
    write_dr3(dr[3].addr);
    write_dr7(dr7);
}

/* The piece's bytes now into *v (0 when unreadable). */
static void piece_value(const struct watch_piece *w, uint64_t *v)
{
    const uint8_t *p = user_page(w->addr, false);
    *v = 0;
    if (p)
        memcpy(v, p, w->len);
}

static int64_t watch_set(uint64_t addr, uint32_t len, uint32_t kind)
{
    struct watch_piece saved[4];
    memcpy(saved, dr, sizeof(dr));
    if (kind < BVM_GDB_WATCH_WRITE || kind > BVM_GDB_WATCH_ACCESS || !len || len > 32 || addr >= USER_TOP ||
        len > USER_TOP - addr)
        return -LINUX_EINVAL;
    for (uint64_t a = addr, left = len; left;) {
        uint32_t n = 8;
        while (n > left || (a & (n - 1)))
            n /= 2;
        int i = 0;
        while (i < 4 && dr[i].kind)
            i++;
        if (i == 4) {
            memcpy(dr, saved, sizeof(dr));
            return -LINUX_ENOSPC;
        }
        dr[i] = (struct watch_piece){a, addr, n, len, kind, 0};
        piece_value(&dr[i], &dr[i].value);
        a += n, left -= n;
    }
    watch_load();
    return 0;
}

static int64_t watch_clear(uint64_t addr, uint32_t len, uint32_t kind)
{
    for (int i = 0; i < 4; i++)
        if (dr[i].kind == kind && dr[i].owner == addr && dr[i].owner_len == len)
            dr[i].kind = 0;
    watch_load();
    return 0;
}

static void watch_clear_all(void)
{
    memset(dr, 0, sizeof(dr));
    watch_load();
    write_dr6(0);
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

/* The value of auxv entry type (0: none). */
static uint64_t auxv_value(uint64_t type)
{
    uint64_t pair[2];
    for (uint64_t off = 0; off + 16 <= cur_as->auxv_len; off += 16)
        if (!copy_from_user(pair, cur_as->auxv_start + off, 16) && pair[0] == type)
            return pair[1];
    return 0;
}

/* Where ld.so's struct r_debug is: the program's DT_DEBUG (its PT_DYNAMIC found through AT_PHDR, the
 * load bias through PT_PHDR), or 0. */
static uint64_t r_debug_addr(void)
{
    uint64_t phdr = auxv_value(LINUX_AT_PHDR), phnum = auxv_value(LINUX_AT_PHNUM), bias = 0, dyn = 0;
    struct elf64_phdr ph;
    for (uint64_t i = 0; i < phnum && i < ELF_MAX_PHNUM; i++) {
        if (copy_from_user(&ph, phdr + i * sizeof(ph), sizeof(ph)))
            return 0;
        if (ph.p_type == PT_PHDR)
            bias = phdr - ph.p_vaddr;
        else if (ph.p_type == PT_DYNAMIC)
            dyn = ph.p_vaddr;
    }
    uint64_t d[2];
    for (int i = 0; dyn && i < 512 && !copy_from_user(d, bias + dyn + 16ull * (uint64_t)i, 16) && d[0]; i++)
        if (d[0] == DT_DEBUG)
            return d[1];
    return 0;
}

static int64_t libraries(struct bvm_gdb_lib *out)
{
    uint64_t r_debug = r_debug_addr(), lm = 0, w[5];
    if (!r_debug || copy_from_user(&lm, r_debug + 8, 8)) /* r_map */
        return 0;
    int64_t n = 0;
    for (; lm && n < (int64_t)(BVM_GDB_DATA / sizeof(*out)); n++, lm = w[3]) {
        if (copy_from_user(w, lm, sizeof(w))) /* l_addr, l_name, l_ld, l_next, l_prev */
            break;
        memset(&out[n], 0, sizeof(out[n]));
        out[n] = (struct bvm_gdb_lib){.lm = lm, .l_addr = w[0], .l_ld = w[2]};
        if (strncpy_from_user(out[n].name, w[1], sizeof(out[n].name)) < 0)
            out[n].name[0] = 0;
    }
    return n;
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
    case BVM_GDB_WATCH_SET: return watch_set(xfer.addr, xfer.len, (uint32_t)xfer.arg_tid);
    case BVM_GDB_WATCH_CLEAR: return watch_clear(xfer.addr, xfer.len, (uint32_t)xfer.arg_tid);
    case BVM_GDB_LIBRARIES: return libraries((struct bvm_gdb_lib *)xfer.data);
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
    watch_clear_all();
    attached = false;
}

/* The stop: the monitor holds the program (every thread: they share the one vCPU) until gdb lets
 * it go on. Returns the signal to deliver (0: none). */
static int stop_at(uint32_t why, int signo, uint32_t flags, uint64_t addr)
{
    if (cur->gdb_step && cur->tf) /* TF was ours (a resume with a step sets it again) */
        cur->tf->rflags &= ~RFLAGS_TF;
    cur->gdb_step = cur->gdb_step_syscall = cur->gdb_step_alone = false;
    xfer.why = why;
    xfer.signo = signo;
    xfer.tid = cur->tid;
    xfer.flags = flags;
    xfer.stop_addr = addr;
    xfer.result = 0;
    for (;;) {
        if (hc_out(BVM_HC_GDB, &xfer, sizeof(xfer)) < 0) {
            detach(); /* the monitor has no gdb (any more): a signal goes on, a trap was gdb's */
            return why == BVM_GDB_SIGNAL ? signo : 0;
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

static int stop(uint32_t why, int signo, uint32_t flags) { return stop_at(why, signo, flags, 0); }

/* A later execve of the process gdb debugs: a stop at the new program's first instruction, which
 * gdb takes as its exec event (when it asked for them) and reloads the program's symbols. */
static void exec_stop(struct trapframe *tf)
{
    const char *path = procfs_exe();
    size_t n = strnlen(path, BVM_GDB_DATA - 1);
    memcpy(xfer.data, path, n);
    xfer.data[n] = 0;
    cur->tf = tf;
    stop(BVM_GDB_TRAP, LINUX_SIGTRAP, BVM_GDB_EXEC);
    if (cur->gdb_step)
        tf->rflags |= RFLAGS_TF;
}

void gdb_exec(struct trapframe *tf)
{
    nbps = 0; /* they were in the old image, and so were the watched addresses */
    if (attached)
        watch_clear_all();
    if (started && attached)
        exec_stop(tf);
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
static void stop_and_send(uint32_t why, int signo, uint32_t flags, uint64_t addr)
{
    int sig = stop_at(why, signo, flags, addr);
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
    stop_and_send(BVM_GDB_TRAP, LINUX_SIGTRAP, BVM_GDB_SWBREAK, 0);
    return true;
}

/* A watchpoint that fired (DR6's B0-B3 for a register in use): its piece, or NULL. */
static struct watch_piece *watch_fired(void)
{
    uint64_t dr6 = read_dr6();
    if (!(dr6 & 0xf))
        return NULL;
    write_dr6(0); /* (its bits stay set until cleared) */
    for (int i = 0; i < 4; i++)
        if ((dr6 >> i & 1) && dr[i].kind)
            return &dr[i];
    return NULL;
}

bool gdb_debug_trap(struct trapframe *tf)
{
    struct watch_piece *w = attached ? watch_fired() : NULL;
    bool watched = w != NULL;
    if (w && w->kind == BVM_GDB_WATCH_READ) {
        uint64_t now;
        piece_value(w, &now);
        if (now != w->value) { /* written: a read watchpoint lets it pass */
            w->value = now;
            w = NULL;
        }
    }
    if (w) { /* (a step that ended here ends with it) */
        static const uint32_t flag[4] = {0, 0, BVM_GDB_RWATCH, BVM_GDB_AWATCH};
        cur->tf = tf;
        stop_and_send(BVM_GDB_TRAP, LINUX_SIGTRAP, BVM_GDB_WATCH | flag[w->kind], w->owner);
        return true;
    }
    if (cur->gdb_stepover) {
        uint8_t *p = user_page(cur->gdb_stepover, true);
        if (p)
            *p = INT3;
        cur->gdb_stepover = 0;
        tf->rflags &= ~RFLAGS_TF;
        return true;
    }
    if (!cur->gdb_step || !attached)
        return watched;
    cur->tf = tf;
    stop_and_send(BVM_GDB_TRAP, LINUX_SIGTRAP, 0, 0);
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
    stop_and_send(BVM_GDB_INTR, LINUX_SIGINT, 0, 0);
}

void gdb_user_return(struct trapframe *tf)
{
    if (!attached)
        return;
    if (cur->gdb_step_syscall || intr_pending) {
        bool intr = intr_pending;
        cur->tf = tf;
        intr_pending = false;
        stop_and_send(intr ? BVM_GDB_INTR : BVM_GDB_TRAP, intr ? LINUX_SIGINT : LINUX_SIGTRAP, 0, 0);
        if (injected) {
            signal_deliver(tf); /* (it comes back here, with nothing left to report) */
            return;
        }
    }
    if (cur->gdb_step)
        tf->rflags |= RFLAGS_TF;
}

void gdb_forked(int64_t child)
{
    if (attached && cur->tf)
        stop_and_send(BVM_GDB_TRAP, LINUX_SIGTRAP, BVM_GDB_FORK, (uint64_t)child);
}

void gdb_check_error(void)
{
    if (!cur->tf || !trap_from_user(cur->tf))
        return;
    attached = true;
    stop_and_send(BVM_GDB_TRAP, LINUX_SIGTRAP, 0, 0);
}

void gdb_fork_child(void)
{
    if (attached)
        watch_clear_all();
    attached = false;
    intr_pending = false;
    cur->gdb_step = cur->gdb_step_syscall = false;
}
