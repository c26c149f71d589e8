/* sched.c: the threads of the process take turns on the one vCPU. The kernel is never preempted
 * (it runs with interrupts off), so a thread gives the vCPU up only where it blocks, yields or ends,
 * or on its way back to user mode once its slice is over: round robin, SCHED_SLICE_MS each while
 * another thread is ready, the slice kept by a host timer (timer.c). When no thread can run, the
 * vCPU waits for the host: a signal from outside, a timer, or the earliest wake_at. */
#include "sched.h"

#include "cpu.h"
#include "cpuclock.h"
#include "events.h"
#include "hostcall.h"
#include "palloc.h"
#include "signal.h"
#include "signalfd.h"
#include "timer.h"
#include "wait.h"

static struct thread *zombie; /* ended; its stack is in use until the switch away from it */
static bool need_resched;

/* The fds of every thread waiting on some, gathered for one host poll. */
#define GATHER_MAX 2048
static struct linux_pollfd gather[GATHER_MAX];

static bool fd_waiters(void)
{
    return cur_proc->nfd_waiters > 0;
}

/* One host poll over the waiting threads' fds (timeout_ms as poll's): those with an fd ready wake.
 * -EINTR when host events came first (taken here). A thread whose fds do not fit wakes anyway. */
static int64_t poll_waiters(int32_t timeout_ms)
{
    uint32_t n = 0;
    for_each_thread(t) {
        if (t->state != THREAD_BLOCKED || !t->wait_nfds)
            continue;
        if (n + t->wait_nfds > GATHER_MAX) {
            sched_wake(t); /* it polls again itself */
            timeout_ms = 0;
            continue;
        }
        for (uint32_t i = 0; i < t->wait_nfds; i++, n++)
            gather[n] = (struct linux_pollfd){t->wait_fds[i].fd, t->wait_fds[i].events, 0};
    }
    int64_t r = hc_poll(gather, n, timeout_ms);
    if (r == -LINUX_EINTR)
        events_take();
    if (r <= 0)
        return r;
    n = 0;
    for_each_thread(t) {
        if (t->state != THREAD_BLOCKED || !t->wait_nfds)
            continue;
        for (uint32_t i = 0; i < t->wait_nfds; i++, n++)
            if (gather[n].revents)
                sched_wake(t);
    }
    return r;
}

static void reap(void)
{
    if (zombie && zombie != cur) {
        thread_free(zombie);
        zombie = NULL;
    }
}

static int runnable_count(void)
{
    return cur_proc->nrunnable;
}

/* The earliest time a blocked thread wakes at (ms), or -1. */
static int64_t earliest_wake(void)
{
    int64_t at = -1;
    for_each_thread(t)
        if (t->state == THREAD_BLOCKED && t->wake_at >= 0 && (at < 0 || t->wake_at < at))
            at = t->wake_at;
    return at;
}

/* Two threads ready, or one and another waiting on fds (looked at when the slice ends): the
 * running one gets a slice (a timer already set is left as it is). A thread blocked until a time
 * must wake then, though the running one never blocks. */
static void slice_start(void)
{
    int64_t at;
    if (runnable_count() > 1 || fd_waiters())
        timer_slice_arm(SCHED_SLICE_MS);
    if (cur_proc->ntimed && (at = earliest_wake()) >= 0)
        timer_wake_arm(at * 1000000);
}

static void switch_to(struct thread *next)
{
    struct thread *prev = cur;
    if (next == prev)
        return;
    if (prev->state != THREAD_DEAD) {
        fpu_save(&prev->fx);
        prev->fs_base = rdmsr(MSR_FS_BASE);
        prev->gs_base = rdmsr(MSR_KERNEL_GS_BASE); /* the user's, while the kernel's GS is in use */
    }
    cpuclock_switch(prev);
    fpu_load(&next->fx);
    wrmsr(MSR_FS_BASE, next->fs_base);
    wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);
    cpu_set_kstack(next->kstack_top);
    cur = next;
    timer_thread_switched();
    switch_stacks(&prev->ksp, next->ksp);
    reap(); /* back in prev, switched to again */
}

/* The next runnable thread after the current one in the process's order (the current one last). */
static struct thread *pick_next(void)
{
    struct thread *t = cur->state == THREAD_DEAD ? NULL : cur->next;
    for (int n = 0; n <= cur_proc->nthreads; n++, t = t->next) {
        if (!t)
            t = cur_proc->threads;
        if (t->state == THREAD_RUNNABLE)
            return t;
    }
    return NULL;
}

/* Wakes the threads whose wake_at has passed: true if any did; *next the earliest still ahead. */
static bool wake_due(int64_t now, int64_t *next)
{
    bool any = false;
    *next = -1;
    for_each_thread(t) {
        if (t->state != THREAD_BLOCKED || t->wake_at < 0)
            continue;
        if (t->wake_at <= now) {
            sched_wake(t);
            any = true;
        } else if (*next < 0 || t->wake_at < *next) {
            *next = t->wake_at;
        }
    }
    return any;
}

/* No thread can run: the vCPU waits for the host until one can. */
static void idle(void)
{
    for (;;) {
        int64_t now = wait_now_ms(), next;
        if (wake_due(now, &next) || runnable_count())
            return;
        /* signals and timers from the host wake their targets, as fds do theirs */
        signalfd_sync();
        poll_waiters(next < 0 ? WAIT_MAX_MS : (int32_t)MIN(next - now, WAIT_MAX_MS));
    }
}

static void schedule(void)
{
    for (;;) {
        struct thread *next = pick_next();
        if (next) {
            switch_to(next);
            slice_start();
            return;
        }
        idle();
    }
}

void sched_block(int64_t wake_at_ms)
{
    thread_set_state(cur, THREAD_BLOCKED);
    cur->wake_at = wake_at_ms;
    cur_proc->ntimed += wake_at_ms >= 0;
    schedule();
    cur_proc->ntimed -= wake_at_ms >= 0;
    cur->wake_at = -1;
}

void sched_wake(struct thread *t)
{
    if (t->state != THREAD_BLOCKED)
        return;
    thread_set_state(t, THREAD_RUNNABLE);
    slice_start(); /* the running thread may never block: it gets a slice now */
}

void sched_start(struct thread *t)
{
    thread_link(t);
    slice_start();
}

int64_t sched_nap(void)
{
    if (signal_interrupts())
        return -LINUX_ERESTARTSYS;
    sched_block(wait_now_ms() + SCHED_SLICE_MS);
    return 0;
}

void sched_yield_now(void)
{
    if (runnable_count() > 1)
        schedule();
}

void sched_slice_over(void)
{
    need_resched = true;
}

void sched_preempt(void)
{
    if (!need_resched || cur->gdb_step_alone) /* (gdb steps this thread alone: no switch) */
        return;
    need_resched = false;
    int64_t next;
    if (cur_proc->ntimed)
        wake_due(wait_now_ms(), &next);
    if (fd_waiters())
        poll_waiters(0);
    if (runnable_count() > 1)
        schedule();
    else
        slice_start(); /* fds still waited on: look again after another slice */
}

void sched_wait_fds(struct linux_pollfd *fds, uint32_t n, int64_t wake_at_ms)
{
    uint64_t waits = cur->waits_for;
    cur->wait_fds = fds;
    cur->wait_nfds = n;
    cur->waits_for = ~0ull; /* a signalfd among the fds, or a handler: it looks again */
    cur_proc->nfd_waiters++;
    sched_block(wake_at_ms); /* the others run; the fds are looked at each slice and when idle */
    cur_proc->nfd_waiters--;
    cur->wait_fds = NULL;
    cur->wait_nfds = 0;
    cur->waits_for = waits;
}

void sched_wait_fd(int host_fd, int16_t events, int64_t wake_at_ms)
{
    cur->wait_one = (struct linux_pollfd){host_fd, events, 0};
    sched_wait_fds(&cur->wait_one, 1, wake_at_ms);
}

struct linux_pollfd *sched_poll_page(void)
{
    if (!cur->poll_page) {
        uint64_t pa = palloc_alloc();
        cur->poll_page = pa ? P2V(pa) : NULL;
    }
    return cur->poll_page;
}

_Noreturn void sched_exit_thread(void)
{
    thread_unlink(cur);
    cur->state = THREAD_DEAD;
    zombie = cur;
    schedule();
    panic("sched: an ended thread ran again");
}

void sched_drop_others(bool end_host_tids)
{
    struct thread *t = cur_proc->threads;
    while (t) {
        struct thread *next = t->next;
        if (t != cur) {
            if (end_host_tids && t->tid != cur_proc->pid)
                process_call(BVM_PROC_THREAD_END, t->tid, 0, NULL);
            signal_thread_exit(t);
            open_wait_drop(t);
            cur_proc->nfd_waiters -= t->wait_nfds != 0;
            thread_unlink(t);
            thread_free(t);
        }
        t = next;
    }
    reap();
}

/* A new thread's first run (from thread_first in entry.S), on its own stack, on the way to user
 * mode: what is pending for it is delivered first. */
void thread_first_run(struct trapframe *tf)
{
    reap();
    slice_start();
    cur->tf = tf;
    signal_deliver(tf);
}
