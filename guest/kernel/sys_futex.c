/* sys_futex.c: futexes. A process has one thread, so a wait on its private memory ends only by a
 * signal or a timeout (a handler may change the word and wake it); a word of MAP_SHARED memory may
 * be another process's too, so waits and wakes there are the host's futex on that page, where the
 * other processes' meet them. */
#include "bvm_linux.h"
#include "events.h"
#include "hostcall.h"
#include "mm.h"
#include "syscall.h"
#include "usercopy.h"
#include "wait.h"

#define NSEC 1000000000ll

struct futex_deadline {
    uint32_t clock; /* enum bvm_futex_clock */
    int64_t ns;     /* absolute, on that clock */
};

/* FUTEX_WAIT's timeout is relative (monotonic), FUTEX_WAIT_BITSET's absolute on its clock. */
static int get_deadline(uint64_t utime, bool bitset, bool realtime, struct futex_deadline *d)
{
    struct linux_timespec ts, now;
    d->clock = BVM_FUTEX_NO_DEADLINE, d->ns = 0;
    if (!utime)
        return 0;
    if (copy_from_user(&ts, utime, sizeof(ts)))
        return -LINUX_EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
        return -LINUX_EINVAL;
    d->clock = bitset && realtime ? BVM_FUTEX_REALTIME : BVM_FUTEX_MONOTONIC;
    int64_t ns = ts.tv_sec > INT64_MAX / NSEC - 1 ? INT64_MAX - NSEC : ts.tv_sec * NSEC + ts.tv_nsec;
    if (!bitset) {
        if (host_clock(LINUX_CLOCK_MONOTONIC, &now) < 0)
            return -LINUX_EINVAL;
        ns = MIN(ns, INT64_MAX / 2) + now.tv_sec * NSEC + now.tv_nsec;
    }
    d->ns = ns;
    return 0;
}

/* Milliseconds left until d (rounded up; -1: none), for a sleep in the kernel. */
static int64_t ms_left(const struct futex_deadline *d)
{
    struct linux_timespec now;
    if (d->clock == BVM_FUTEX_NO_DEADLINE)
        return -1;
    host_clock(d->clock == BVM_FUTEX_REALTIME ? LINUX_CLOCK_REALTIME : LINUX_CLOCK_MONOTONIC, &now);
    int64_t left = d->ns - (now.tv_sec * NSEC + now.tv_nsec);
    return left <= 0 ? 0 : left / 1000000 + 1;
}

/* A signal that needs a handler ends a wait: restarted (SA_RESTART) when it had no timeout, as Linux
 * does; with one, EINTR (Linux's restart block only resumes waits no handler interrupted). */
static int64_t interrupted(const struct futex_deadline *d)
{
    return d->clock == BVM_FUTEX_NO_DEADLINE ? -LINUX_ERESTARTSYS : -LINUX_EINTR;
}

static int64_t shared_wait(uint64_t gpa, uint32_t val, uint32_t bitset, const struct futex_deadline *d)
{
    for (;;) {
        struct bvm_hostcall *r = hc_req(BVM_HC_FUTEX);
        r->u.futex = (struct bvm_hc_futex){gpa, BVM_FUTEX_WAIT, val, bitset, d->clock, d->ns};
        int64_t ret = hc_issue();
        if (ret != -LINUX_EINTR)
            return ret;
        if (events_interrupted())
            return interrupted(d);
    }
}

static int64_t private_wait(uint64_t uaddr, uint32_t val, const struct futex_deadline *d)
{
    for (;;) {
        uint32_t word;
        if (copy_from_user(&word, uaddr, sizeof(word)))
            return -LINUX_EFAULT;
        if (word != val)
            return -LINUX_EAGAIN;
        int64_t ms = ms_left(d);
        if (ms == 0)
            return -LINUX_ETIMEDOUT;
        int64_t r = wait_signal(ms);
        if (r == -LINUX_EINTR)
            return interrupted(d);
        if (r < 0)
            return r;
    }
}

/* The word's guest-physical address when it lies in shared memory a process-shared futex may use. */
static uint64_t shared_gpa(uint64_t uaddr, bool private)
{
    uint64_t pa;
    struct vma *v = vma_find(&cur_as->vmas, uaddr);
    if (private || !v || !v->fw || uvm_page(cur_as, uaddr, ACC_READ, &pa))
        return 0;
    return pa + (uaddr & (PAGE_SIZE - 1));
}

/* Linux refuses a process-shared futex on a read-only page of private anonymous memory, a word
 * that can never change (get_futex_key: EFAULT). */
static bool read_only_anon(uint64_t uaddr)
{
    struct vma *v = vma_find(&cur_as->vmas, uaddr);
    return v && !v->file && !(v->flags & VMA_SHARED) && !(v->prot & LINUX_PROT_WRITE);
}

int64_t sys_futex(SYSARGS)
{
    uint32_t flags = (uint32_t)a1 & (LINUX_FUTEX_PRIVATE_FLAG | LINUX_FUTEX_CLOCK_REALTIME);
    uint32_t op = (uint32_t)a1 & ~flags, word, bitset = 0xffffffffu;
    bool bitset_op = op == LINUX_FUTEX_WAIT_BITSET || op == LINUX_FUTEX_WAKE_BITSET;
    if (a0 & 3)
        return -LINUX_EINVAL;
    if (bitset_op && (bitset = (uint32_t)a5) == 0)
        return -LINUX_EINVAL;
    if ((flags & LINUX_FUTEX_CLOCK_REALTIME) && op != LINUX_FUTEX_WAIT_BITSET && op != LINUX_FUTEX_WAIT)
        return -LINUX_ENOSYS;
    if (copy_from_user(&word, a0, sizeof(word)))
        return -LINUX_EFAULT;
    if (!(flags & LINUX_FUTEX_PRIVATE_FLAG) && read_only_anon(a0))
        return -LINUX_EFAULT;
    uint64_t gpa = shared_gpa(a0, (flags & LINUX_FUTEX_PRIVATE_FLAG) != 0);
    struct futex_deadline d;
    int err;
    switch (op) {
    case LINUX_FUTEX_WAKE:
    case LINUX_FUTEX_WAKE_BITSET:
        if (!gpa)
            return 0; /* no other thread to wake */
        hc_req(BVM_HC_FUTEX)->u.futex = (struct bvm_hc_futex){gpa, BVM_FUTEX_WAKE, (uint32_t)a2, bitset, 0, 0};
        return hc_issue();
    case LINUX_FUTEX_WAIT:
    case LINUX_FUTEX_WAIT_BITSET:
        err = get_deadline(a3, bitset_op, (flags & LINUX_FUTEX_CLOCK_REALTIME) != 0, &d);
        if (err)
            return err;
        return gpa ? shared_wait(gpa, (uint32_t)a2, bitset, &d) : private_wait(a0, (uint32_t)a2, &d);
    default:
        kprintf("futex op %u is not supported (one thread per process)", op);
        return -LINUX_ENOSYS;
    }
}
