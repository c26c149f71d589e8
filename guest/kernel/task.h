/* task.h: the process and its threads: per-thread state in struct thread, shared state in struct process. */
#ifndef TASK_H
#define TASK_H

#include "bvm_linux.h"
#include "fpu.h"
#include "kernel.h"
#include "trap.h"

#define SIGBIT(s) (1ull << ((s)-1))

struct sigq_entry;

/* Pending signals: the set, and the siginfo of each queued instance in arrival order (a standard
 * signal is queued at most once, a real-time one as often as it was sent). */
struct sigpending {
    uint64_t set;
    struct sigq_entry *head;
};

enum thread_state {
    THREAD_RUNNABLE, /* running, or ready to */
    THREAD_BLOCKED,  /* asleep in the kernel until a wake, a signal or wake_at */
    THREAD_DEAD,     /* gone: its kernel stack is freed by the next thread to run */
};

/* One thread. The threads of a process take turns on the one vCPU (sched.c); everything a thread
 * needs its own copy of lives here, not in globals. */
struct thread {
    /* The user state the CPU holds while the thread runs: saved here while it is switched out. */
    struct fxregs fx;
    uint64_t fs_base, gs_base;
    uint64_t ksp;        /* its kernel stack pointer while switched out */
    uint64_t kstack_top; /* where SYSCALL and traps from user mode start */
    struct thread *next, *prev; /* the process's threads, oldest first (the round robin's order) */
    enum thread_state state;
    int64_t wake_at;       /* BLOCKED: monotonic ms when it wakes anyway, or -1 */
    int64_t cpu_ns;        /* the process's CPU time it has run for, up to its last switch out */
    bool woken;            /* BLOCKED: a wake (futex, signal) came */
    uint64_t futex_key;    /* FUTEX_WAIT's word (user address, or guest-physical | 1 if shared), 0: none */
    uint32_t futex_bitset; /* ... and the bits a wake must share with it */
    uint64_t waits_for;    /* BLOCKED: signals that wake it though it blocks them (a signalfd read) */
    struct linux_pollfd *wait_fds; /* BLOCKED: host fds whose readiness wakes it (a read, a poll) */
    uint32_t wait_nfds;
    struct linux_pollfd wait_one;  /* the one fd of a read or write */
    int32_t open_ticket1;          /* a FIFO open's ticket + 1 while the thread waits on it, else 0 */
    struct linux_pollfd *poll_page; /* a page for a poll's fds while it waits (kept with the block) */

    struct trapframe *tf;      /* the user registers while the thread is in the kernel */
    int tid;
    uint32_t number;           /* 1 for the process's first thread, then in creation order (memcheck's) */
    uint64_t blocked;          /* the signal mask */
    uint64_t saved_mask;       /* sigsuspend, ppoll, pselect: the mask to put back on the way out */
    bool restore_mask;         /* saved_mask is set */
    bool in_syscall;           /* tf->rax is a syscall's result, so restart codes apply to it */
    struct sigpending pending; /* thread-directed signals: faults, tkill, tgkill */
    struct linux_stack altstack;
    /* The last CPU fault, as the signal frame (trapno, err, cr2) and --verbose report it. */
    uint64_t trap_nr, error_code, cr2, fault_rip;
    int fault_sig; /* the signal that fault forced, while it is pending */
    uint64_t clear_child_tid; /* set_tid_address, CLONE_CHILD_CLEARTID */
    uint64_t robust_list;     /* set_robust_list: the user's struct robust_list_head, or 0 */
    char comm[16];            /* PR_SET_NAME of a thread other than the first (whose name is the process's) */
    /* gdb.c: gdb asked for one instruction (RFLAGS.TF is ours), which was a syscall; a breakpoint
     * being stepped over in a process gdb does not debug (its address, 0: none) */
    bool gdb_step, gdb_step_syscall, gdb_step_alone; /* (alone: the others do not run meanwhile) */
    uint64_t gdb_stepover;
};

struct process {
    int pid;
    struct thread *threads; /* oldest first; the boot thread (or the one that ran execve) first */
    struct thread *threads_tail;
    int nthreads;
    uint32_t threads_made; /* threads numbered so far (struct thread's number) */
    int nrunnable;   /* of them THREAD_RUNNABLE */
    int nfd_waiters; /* of them blocked on host fds (sched_wait_fds) */
    int ntimed;      /* of them blocked with a time to wake at (sched_block) */
    bool membarrier_private; /* MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED done */
    bool vfork_child; /* its parent waits until it runs a program (or ends) */
    bool vfork_mm;    /* and shares its memory (CLONE_VM): the pages it writes go back to the parent */
    struct linux_sigaction action[LINUX_NSIG + 1];
    struct sigpending pending; /* process-directed signals: kill, sigqueue, timers, from outside */
};

extern struct thread *cur;
extern struct process *cur_proc;

/* The boot process and its first thread (pid and tid are the monitor's pid). */
void task_init(void);
/* A new thread of the process (not yet linked in): its kernel stack and structure, zeroed, or
 * NULL when no memory is left. */
struct thread *thread_alloc(void);
void thread_free(struct thread *t);
/* sys_file.c: the FIFO open t waits for on a monitor helper is cancelled (t is being dropped by
 * another thread's execve, or t's signal gave the open up). */
void open_wait_drop(struct thread *t);
/* Links t into its process (runnable) / takes it out. */
void thread_link(struct thread *t);
void thread_unlink(struct thread *t);
/* A linked thread's state changes (the counts follow). */
void thread_set_state(struct thread *t, enum thread_state s);
/* The process's thread with that id, or NULL. */
struct thread *thread_find(int tid);
#define for_each_thread(t) for (struct thread *t = cur_proc->threads; t; t = t->next)

/* process.c: ended children are reaped unwaited (SIGCHLD ignored or SA_NOCLDWAIT), or not. */
void process_child_reap(bool on);
/* The process gives up its memory (execve's point of no return, or its end): a vfork parent gets
 * the pages its child wrote and may go on (Linux's mm_release). */
void process_mm_release(void);
/* The process's parent, group and session, as the host has them (a parent may change: reparenting). */
enum process_id_kind { PROCESS_PPID, PROCESS_PGID, PROCESS_SID };
int64_t process_id(enum process_id_kind which);
/* A process setting the monitor keeps: BVM_PROC_PDEATHSIG or BVM_PROC_SUBREAPER, set to arg, or read
 * with arg -1. */
int64_t process_prctl(uint32_t op, int arg);
/* One PROC hostcall: op (enum bvm_proc_op) on pid with arg, buf (kernel memory, or NULL) the
 * request's buffer. Its result. */
int64_t process_call(uint32_t op, int pid, int arg, void *buf);
/* The process ends with status now: the checker's leak search, its memory given up, the monitor
 * told (sys_process.c). */
_Noreturn void process_exit_now(int status);
/* execve's point of no return: the caller is the process's only thread, with its id. */
void process_exec_single(void);
/* exit(2) of a thread while others go on. */
_Noreturn void process_thread_exit(void);
/* kill(2) to another process, a process group or all: the host's kill. 0 or -errno. */
int process_kill_other(int64_t pid, int sig);
/* A signal to another process or to one of its threads, by the host (enum bvm_kill_op): tgkill
 * (pid -1: tkill), rt_sigqueueinfo and rt_tgsigqueueinfo with the sender's info. 0 or -errno. */
struct linux_siginfo;
int process_signal_other(uint32_t op, int64_t pid, int64_t tid, int sig, const struct linux_siginfo *info);

#endif
