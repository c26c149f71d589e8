/* task.c: the process and its threads: the boot thread, and the kernel stacks of the others. */
#include "task.h"

#include "palloc.h"
#include "string.h"

/* A thread's block: its struct thread at the bottom, its kernel stack above. */
#define THREAD_PAGES 4
#define THREAD_BLOCK (THREAD_PAGES * PAGE_SIZE)
_Static_assert(sizeof(struct thread) < 2048, "struct thread leaves most of its block to the stack");

static struct process proc0;
static struct thread thread0;
struct thread *cur = &thread0;
struct process *cur_proc = &proc0;

/* Blocks of threads that have ended, for the next ones (contiguous pages are dear: they come only
 * from memory never used before). */
static struct thread *spare;

void task_init(void)
{
    memset(&proc0, 0, sizeof(proc0));
    memset(&thread0, 0, sizeof(thread0));
    proc0.pid = boot->pid;
    thread0.tid = boot->pid;
    thread0.altstack.ss_flags = LINUX_SS_DISABLE;
    thread0.wake_at = -1;
    proc0.threads = proc0.threads_tail = &thread0;
    proc0.nthreads = 1;
    proc0.threads_made = thread0.number = 1;
    proc0.nrunnable = 1;
    /* What execve passes on: ignored dispositions and the mask (SIGKILL and SIGSTOP never). */
    for (int sig = 1; sig <= LINUX_NSIG; sig++)
        if ((boot->sig_ignored & SIGBIT(sig)) && sig != LINUX_SIGKILL && sig != LINUX_SIGSTOP)
            proc0.action[sig].handler = LINUX_SIG_IGN;
    thread0.blocked = boot->sig_blocked & ~(SIGBIT(LINUX_SIGKILL) | SIGBIT(LINUX_SIGSTOP));
    if (proc0.action[LINUX_SIGCHLD].handler == LINUX_SIG_IGN)
        process_child_reap(true); /* as the host would for a program started with SIGCHLD ignored */
}

struct thread *thread_alloc(void)
{
    struct thread *t = spare;
    struct linux_pollfd *page = NULL;
    if (t) {
        spare = t->next;
        page = t->poll_page;
    } else {
        uint64_t pa = palloc_alloc_run(THREAD_PAGES);
        if (!pa)
            return NULL;
        t = P2V(pa);
    }
    memset(t, 0, sizeof(*t));
    t->poll_page = page;
    t->kstack_top = (uint64_t)(uintptr_t)t + THREAD_BLOCK;
    t->wake_at = -1;
    return t;
}

void thread_free(struct thread *t)
{
    if (t == &thread0)
        return; /* the boot thread's structure and stack are the kernel image's */
    t->next = spare;
    spare = t;
}

void thread_link(struct thread *t)
{
    struct thread *tail = cur_proc->threads_tail;
    t->next = NULL;
    t->prev = tail;
    t->state = THREAD_RUNNABLE;
    if (tail)
        tail->next = t;
    else
        cur_proc->threads = t;
    cur_proc->threads_tail = t;
    t->number = ++cur_proc->threads_made;
    cur_proc->nthreads++;
    cur_proc->nrunnable++;
}

void thread_set_state(struct thread *t, enum thread_state s)
{
    cur_proc->nrunnable += (s == THREAD_RUNNABLE) - (t->state == THREAD_RUNNABLE);
    t->state = s;
}

void thread_unlink(struct thread *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        cur_proc->threads = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        cur_proc->threads_tail = t->prev;
    cur_proc->nthreads--;
    cur_proc->nrunnable -= t->state == THREAD_RUNNABLE;
}

struct thread *thread_find(int tid)
{
    for_each_thread(t)
        if (t->tid == tid)
            return t;
    return NULL;
}
