/* cpuclock.c: the CPU-time clocks. The process's is the host's (the monitor's process runs the
 * vCPU); a thread's is the process's CPU time spent while it was the one on the vCPU, counted at
 * each switch once the process has read a thread's clock (a switch then reads the host's clock,
 * which would double the cost of a futex ping-pong for every program): what ran before that is
 * the first thread's. Clock ids as Linux makes them: CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID, and the ones of clock_getcpuclockid and pthread_getcpuclockid
 * (~pid << 3 | kind, bit 2 for a thread). */
#include "cpuclock.h"

#include "bvm_linux.h"
#include "ktime.h"
#include "task.h"

#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_KIND_MASK 3
#define CPUCLOCK_FD 3 /* a dynamic clock behind an fd (/dev/ptp*): not a CPU clock */

static bool counting;   /* switches are timed */
static int64_t mark_ns; /* the process's CPU time when the running thread was switched in */

static int64_t process_ns(void) { return MAX(clock_now_ns(LINUX_CLOCK_PROCESS_CPUTIME_ID), 0); }

void cpuclock_switch(struct thread *prev)
{
    if (!counting)
        return;
    int64_t now = process_ns();
    prev->cpu_ns += MAX(now - mark_ns, 0);
    mark_ns = now;
}

void cpuclock_fork_reset(struct thread *t)
{
    t->cpu_ns = 0;
    mark_ns = 0; /* the child is a new host process: its CPU time starts at 0 */
    counting = false;
}

/* The first read of a thread's clock: from now on switches are timed, and what ran before is the
 * first thread's. */
static void start_counting(void)
{
    if (counting)
        return;
    struct thread *first = cur_proc->threads; /* (cur is one of them: never empty) */
    int64_t before = cur == first ? 0 : process_ns(); /* (the running thread's runs from mark_ns) */
    if (first != cur)
        first->cpu_ns = before;
    mark_ns = before;
    counting = true;
}

static int64_t thread_ns(const struct thread *t)
{
    start_counting();
    return t == cur ? t->cpu_ns + MAX(process_ns() - mark_ns, 0) : t->cpu_ns;
}

/* The thread a per-thread clock id names: tid 0 is the caller; only the caller's process's. */
static struct thread *clock_thread(int tid)
{
    return tid == 0 ? cur : thread_find(tid);
}

int cpuclock_timer_owner(int clk)
{
    if (clk == LINUX_CLOCK_THREAD_CPUTIME_ID)
        return cur->tid;
    if (clk == LINUX_CLOCK_PROCESS_CPUTIME_ID)
        return 0;
    int id = ~(clk >> 3);
    if (clk >= 0 || (clk & CPUCLOCK_KIND_MASK) == CPUCLOCK_FD)
        return -LINUX_EINVAL;
    if (clk & CPUCLOCK_PERTHREAD) {
        struct thread *t = clock_thread(id);
        return t ? t->tid : -LINUX_EINVAL;
    }
    return id == 0 || id == cur_proc->pid ? 0 : -LINUX_EINVAL; /* (another process's: not here) */
}

int64_t cpuclock_thread_ns(int tid)
{
    struct thread *t = thread_find(tid);
    return t ? thread_ns(t) : -1;
}

int64_t cpuclock_thread_deadline(int tid, int64_t ns)
{
    if (cur->tid != tid)
        return 0;
    return MAX(process_ns() + (ns - thread_ns(cur)), 1);
}

int cpuclock_read(int clk, int64_t *ns)
{
    if (clk == LINUX_CLOCK_THREAD_CPUTIME_ID) {
        *ns = thread_ns(cur);
        return 0;
    }
    if (clk >= 0)
        return 1;
    int id = ~(clk >> 3), kind = clk & CPUCLOCK_KIND_MASK;
    if (kind == CPUCLOCK_FD)
        return -LINUX_EINVAL;
    if (clk & CPUCLOCK_PERTHREAD) {
        struct thread *t = clock_thread(id);
        if (!t)
            return -LINUX_EINVAL;
        *ns = thread_ns(t);
        return 0;
    }
    if (id != 0 && id != cur_proc->pid)
        return 1; /* another process's: the host's (its monitor runs it) */
    *ns = process_ns();
    return 0;
}
