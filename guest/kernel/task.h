/* task.h: the process and its threads: per-thread state in struct thread, shared state in struct process. */
#ifndef TASK_H
#define TASK_H

#include "bvm_linux.h"
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

/* One thread (only one per process for now). Everything a second thread will need its own copy of
 * lives here, not in globals. */
struct thread {
    struct trapframe *tf;      /* the user registers while the thread is in the kernel */
    int tid;
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
};

struct process {
    int pid;
    bool vfork_child; /* its parent waits until it runs a program (or ends) */
    bool vfork_mm;    /* and shares its memory (CLONE_VM): the pages it writes go back to the parent */
    struct linux_sigaction action[LINUX_NSIG + 1];
    struct sigpending pending; /* process-directed signals: kill, sigqueue, timers, from outside */
};

extern struct thread *cur;
extern struct process *cur_proc;

/* The boot process and its first thread (pid and tid are the monitor's pid). */
void task_init(void);

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
/* kill(2) to another process, a process group or all: the host's kill. 0 or -errno. */
int process_kill_other(int64_t pid, int sig);

#endif
