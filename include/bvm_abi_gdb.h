/* bvm_abi_gdb.h: the gdb stub's hostcall (BVM_HC_GDB): the kernel's stops and the monitor's actions.
 * Part of bvm_abi.h, which includes it: include bvm_abi.h. */
#ifndef BVM_ABI_GDB_H
#define BVM_ABI_GDB_H

#ifndef BVM_ABI_H
#error "include bvm_abi.h"
#endif

/* ---- GDB: buffervm --gdb ----
 * The kernel stops the program for gdb (before its first instruction, at a breakpoint, after a
 * step, at a signal about to be delivered, at gdb's interrupt) with a GDB hostcall whose u.out
 * names one struct bvm_gdb_xfer. While the program stands, the monitor talks to gdb and answers
 * with an action in the same struct. What needs the kernel (memory, registers, breakpoints, the
 * threads) is done by it and its result comes back with the next GDB hostcall (why DONE); the
 * stop ends with RESUME, DETACH or KILL. The kernel checks every address against the program's
 * address space: its own memory is never in view. */
enum bvm_gdb_why {
    BVM_GDB_START = 1,  /* before the program's first instruction: signo SIGTRAP */
    BVM_GDB_TRAP = 2,   /* a breakpoint or the end of a step: signo SIGTRAP */
    BVM_GDB_SIGNAL = 3, /* signo is about to be delivered (RESUME's signo replaces it, 0 drops it) */
    BVM_GDB_INTR = 4,   /* gdb's interrupt (Ctrl-C): signo SIGINT, nothing pending */
    BVM_GDB_DONE = 5,   /* the result of the last action is in `result` (and data) */
};

enum bvm_gdb_action {
    BVM_GDB_RESUME = 1,      /* go on (step: one instruction), resume_sig delivered */
    BVM_GDB_READ_MEM = 2,    /* [addr, +len) into data (breakpoints shown as the bytes they replaced)
                              * -> bytes read, -EFAULT when none */
    BVM_GDB_WRITE_MEM = 3,   /* data into [addr, +len), read-only private pages too -> bytes written */
    BVM_GDB_GET_REGS = 4,    /* thread tid's (0: the stopped one) struct bvm_gdb_regs into data -> 0 */
    BVM_GDB_SET_REGS = 5,    /* data (struct bvm_gdb_regs) as thread tid's registers -> 0 */
    BVM_GDB_BREAK_SET = 6,   /* a breakpoint (int3) at addr -> 0, -EFAULT, -ENOSPC */
    BVM_GDB_BREAK_CLEAR = 7, /* the breakpoint at addr gone -> 0 */
    BVM_GDB_THREADS = 8,     /* the process's threads as struct bvm_gdb_thread into data -> their count */
    BVM_GDB_AUXV = 9,        /* the program's auxiliary vector into data -> its bytes */
    BVM_GDB_DETACH = 10,     /* breakpoints gone, the program runs on alone (with signo) */
    BVM_GDB_KILL = 11,       /* the program is killed (SIGKILL) */
    BVM_GDB_SIGINFO = 12,    /* a SIGNAL stop's struct linux_siginfo into data -> its size, -EINVAL
                              * at other stops */
    BVM_GDB_WATCH_SET = 13,  /* a hardware watchpoint on [addr, +len), arg_tid its kind (BVM_GDB_WATCH_*)
                              * -> 0, -ENOSPC (the debug registers are used up), -EINVAL */
    BVM_GDB_WATCH_CLEAR = 14, /* the watchpoint set with the same addr, len and kind gone -> 0 */
    BVM_GDB_LIBRARIES = 15,  /* ld.so's list of loaded objects (its r_debug, through the program's
                              * DT_DEBUG) as struct bvm_gdb_lib into data, the main program's first
                              * -> their count (0: no list yet, a static program) */
};

#define BVM_GDB_SWBREAK 1u /* flags: stopped at one of the breakpoints (rip is its address) */
#define BVM_GDB_WATCH 2u   /* flags: a watchpoint (stop_addr, the address it was set at) fired */
#define BVM_GDB_AWATCH 4u  /* flags: ... it was an access (read or write) watchpoint */
#define BVM_GDB_RWATCH 8u  /* flags: ... it was a read watchpoint */
#define BVM_GDB_EXEC 16u   /* flags: the program ran execve: data holds the new program's path
                            * (NUL-terminated), the stop is at its first instruction */
#define BVM_GDB_FORK 32u   /* flags: the stopped thread's fork returned: stop_addr is the child's pid
                            * (the child runs on without gdb) */
#define BVM_GDB_WATCH_WRITE 1u  /* watchpoint kinds: gdb's Z2 (writes) */
#define BVM_GDB_WATCH_READ 2u   /* gdb's Z3 (reads): the CPU watches reads and writes; an access that
                                 * changed the bytes is taken for a write and passes */
#define BVM_GDB_WATCH_ACCESS 3u /* gdb's Z4 (reads and writes) */
#define BVM_GDB_STEP 1u       /* step: stop again after one instruction of the stopped thread */
#define BVM_GDB_STEP_ALONE 2u /* ... and the other threads stay where they are meanwhile */
#define BVM_GDB_DATA 3072

/* A thread's registers: gdb's amd64 order for the general ones, then the fxsave image. */
struct bvm_gdb_regs {
    uint64_t gpr[16]; /* rax rbx rcx rdx rsi rdi rbp rsp r8 ... r15 */
    uint64_t rip, rflags;
    uint64_t cs, ss, ds, es, fs, gs;
    uint64_t fs_base, gs_base, orig_rax;
    uint64_t pad;
    uint8_t fx[512]; /* x87, MXCSR, XMM0-15 (FXSAVE's layout) */
};
_Static_assert(sizeof(struct bvm_gdb_regs) == 736, "bvm_gdb_regs size");
_Static_assert(offsetof(struct bvm_gdb_regs, fx) == 224, "bvm_gdb_regs fx");

struct bvm_gdb_thread {
    int32_t tid;
    char name[20]; /* its comm, NUL-terminated */
};
_Static_assert(sizeof(struct bvm_gdb_thread) == 24, "bvm_gdb_thread size");

struct bvm_gdb_lib {
    uint64_t lm, l_addr, l_ld; /* the link_map entry, its load bias and its dynamic section */
    char name[104];            /* its l_name, NUL-terminated ("" for the main program) */
};
_Static_assert(sizeof(struct bvm_gdb_lib) == 128, "bvm_gdb_lib size");

struct bvm_gdb_xfer {
    uint32_t why;        /* IN: enum bvm_gdb_why */
    int32_t signo;       /* IN: the stop's signal */
    int32_t tid;         /* IN: the stopped thread */
    uint32_t flags;      /* IN: BVM_GDB_SWBREAK */
    int64_t result;      /* IN: DONE: the action's result, >= 0 or -errno */
    uint64_t stop_addr;  /* IN: BVM_GDB_WATCH: the watchpoint's address; BVM_GDB_FORK: the child's pid */
    uint32_t action;     /* OUT: enum bvm_gdb_action */
    int32_t arg_tid;     /* OUT: GET_REGS, SET_REGS: the thread (0: the stopped one); WATCH_*: the kind */
    uint64_t addr;       /* OUT: memory and breakpoint actions */
    uint32_t len;        /* OUT: READ_MEM, WRITE_MEM: bytes, <= BVM_GDB_DATA; WATCH_*: bytes watched */
    int32_t resume_sig;  /* OUT: RESUME, DETACH: the signal to deliver, 0: none */
    uint32_t step;       /* OUT: RESUME: BVM_GDB_STEP, BVM_GDB_STEP_ALONE or 0 */
    uint32_t pad;
    uint8_t data[BVM_GDB_DATA]; /* IN/OUT */
};
_Static_assert(offsetof(struct bvm_gdb_xfer, action) == 32, "gdb_xfer action");
_Static_assert(offsetof(struct bvm_gdb_xfer, data) == 64, "gdb_xfer data");
_Static_assert(sizeof(struct bvm_gdb_xfer) == 64 + BVM_GDB_DATA, "gdb_xfer size");
_Static_assert(sizeof(struct bvm_gdb_regs) <= BVM_GDB_DATA, "registers fit the data");

#endif
