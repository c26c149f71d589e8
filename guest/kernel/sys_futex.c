/* sys_futex.c: futexes. The threads of the process wait in the kernel (sched_block) on a key: the
 * word's user address, or, for a word of MAP_SHARED memory that other processes may share, its
 * guest-physical address | 1. A process with one thread waits on such a word with the host's futex
 * on that page, where the other processes' waits and wakes meet it; with more threads it waits in
 * the kernel (woken by its own threads at once) and looks at the word every slice, since a wake
 * from another process reaches only the host's futex. */
#include "bvm_linux.h"
#include "events.h"
#include "futex.h"
#include "task.h"
#include "hostcall.h"
#include "ktime.h"
#include "mm.h"
#include "sched.h"
#include "signal.h"
#include "syscall.h"
#include "usercopy.h"
#include "wait.h"


struct futex_deadline {
    uint32_t clock; /* enum bvm_futex_clock */
    int64_t ns;     /* absolute, on that clock */
};

/* FUTEX_WAIT's timeout is relative (monotonic), FUTEX_WAIT_BITSET's absolute on its clock. */
static int get_deadline(uint64_t utime, bool bitset, bool realtime, struct futex_deadline *d)
{
    int64_t ns, err, now;
    d->clock = BVM_FUTEX_NO_DEADLINE, d->ns = 0;
    if (!utime)
        return 0;
    if ((err = ts_from_user(utime, &ns)))
        return err;
    d->clock = bitset && realtime ? BVM_FUTEX_REALTIME : BVM_FUTEX_MONOTONIC;
    if (!bitset) {
        if ((now = clock_now_ns(LINUX_CLOCK_MONOTONIC)) < 0)
            return -LINUX_EINVAL;
        ns += now;
    }
    d->ns = ns;
    return 0;
}

/* Milliseconds left until d (rounded up; -1: none), for a sleep in the kernel. */
static int64_t ms_left(const struct futex_deadline *d)
{
    if (d->clock == BVM_FUTEX_NO_DEADLINE)
        return -1;
    int64_t now = clock_now_ns(d->clock == BVM_FUTEX_REALTIME ? LINUX_CLOCK_REALTIME : LINUX_CLOCK_MONOTONIC);
    if (now < 0)
        return 0; /* no clock (never on Linux): the deadline counts as passed, no sleep for ever */
    int64_t left = d->ns - now;
    return left <= 0 ? 0 : left / 1000000 + 1;
}

/* A signal that needs a handler ends a wait: restarted (SA_RESTART) when it had no timeout, as Linux
 * does; with one, EINTR (Linux's restart block only resumes waits no handler interrupted). */
static int64_t interrupted(const struct futex_deadline *d)
{
    return d->clock == BVM_FUTEX_NO_DEADLINE ? -LINUX_ERESTARTSYS : -LINUX_EINTR;
}

static int64_t host_wait(uint64_t gpa, uint32_t val, uint32_t bitset, const struct futex_deadline *d)
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

static int64_t host_wake(uint64_t gpa, uint32_t bitset, int n)
{
    hc_req(BVM_HC_FUTEX)->u.futex = (struct bvm_hc_futex){gpa, BVM_FUTEX_WAKE, (uint32_t)n, bitset, 0, 0};
    return hc_issue();
}

/* Sleeps on key until a wake, a signal that needs the call, or the deadline. For a shared word
 * (watch: its user address) the sleep ends each slice to see whether the word has left val. */
static int64_t queue_wait(uint64_t key, uint32_t bitset, const struct futex_deadline *d, uint64_t watch,
                          uint32_t val)
{
    int64_t r;
    cur->futex_key = key;
    cur->futex_bitset = bitset;
    cur->woken = false;
    for (;;) {
        uint32_t word;
        if (cur->woken) {
            r = 0;
            break;
        }
        if (signal_interrupts()) {
            r = interrupted(d);
            break;
        }
        if (watch && (copy_from_user(&word, watch, sizeof(word)) || word != val)) {
            r = 0; /* a wake from another process (or the word is gone): a spurious wake-up */
            break;
        }
        int64_t ms = ms_left(d);
        if (ms == 0) {
            r = -LINUX_ETIMEDOUT;
            break;
        }
        if (watch)
            ms = ms < 0 ? SCHED_SLICE_MS : MIN(ms, SCHED_SLICE_MS);
        sched_block(ms < 0 ? -1 : wait_now_ms() + ms);
    }
    cur->futex_key = 0;
    return r;
}

/* Wakes up to n (at least one, as Linux does) waiters of key that share a bit with bitset. */
static int queue_wake(uint64_t key, uint32_t bitset, int n)
{
    int woken = 0;
    for_each_thread(t) {
        if (t->state != THREAD_BLOCKED || t->futex_key != key || !(t->futex_bitset & bitset))
            continue;
        t->futex_key = 0;
        t->woken = true;
        sched_wake(t);
        if (++woken >= n)
            break;
    }
    return woken;
}

/* After n wakes, moves up to m more waiters of key to key2: how many were woken or moved. */
static int queue_requeue(uint64_t key, uint64_t key2, int n, int m)
{
    int woken = n ? queue_wake(key, ~0u, n) : 0, moved = 0;
    for_each_thread(t) {
        if (moved >= m)
            break;
        if (t->state == THREAD_BLOCKED && t->futex_key == key) {
            t->futex_key = key2;
            moved++;
        }
    }
    return woken + moved;
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

static uint64_t key_of(uint64_t uaddr, uint64_t gpa)
{
    return gpa ? gpa | 1 : uaddr;
}

int64_t futex_wake_word(uint64_t uaddr, bool private, uint32_t bitset, int n)
{
    uint64_t gpa = shared_gpa(uaddr, private);
    int woken = queue_wake(key_of(uaddr, gpa), bitset, n);
    if (gpa && woken < n) {
        int64_t more = host_wake(gpa, bitset, n - woken);
        woken += more > 0 ? (int)more : 0;
    }
    return woken;
}

static int64_t futex_wait(uint64_t uaddr, bool private, uint32_t val, uint32_t bitset, const struct futex_deadline *d)
{
    uint64_t gpa = shared_gpa(uaddr, private);
    if (gpa && !sched_threaded())
        return host_wait(gpa, val, bitset, d);
    return queue_wait(key_of(uaddr, gpa), bitset, d, gpa ? uaddr : 0, val);
}

/* FUTEX_WAKE_OP's operation on the second word: its old value, or -EFAULT. */
static int64_t wake_op_apply(uint64_t uaddr2, uint32_t encoded, bool *cond)
{
    uint32_t op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15, old, nv;
    int32_t oparg = (int32_t)(encoded << 8) >> 20, cmparg = (int32_t)(encoded << 20) >> 20;
    if (encoded & (8u << 28))
        oparg = (int32_t)(1u << (oparg & 31));
    if (copy_from_user(&old, uaddr2, sizeof(old)))
        return -LINUX_EFAULT;
    switch (op) {
    case 0: nv = (uint32_t)oparg; break;
    case 1: nv = old + (uint32_t)oparg; break;
    case 2: nv = old | (uint32_t)oparg; break;
    case 3: nv = old & ~(uint32_t)oparg; break;
    case 4: nv = old ^ (uint32_t)oparg; break;
    default: return -LINUX_ENOSYS;
    }
    int32_t o = (int32_t)old;
    switch (cmp) {
    case 0: *cond = o == cmparg; break;
    case 1: *cond = o != cmparg; break;
    case 2: *cond = o < cmparg; break;
    case 3: *cond = o <= cmparg; break;
    case 4: *cond = o > cmparg; break;
    case 5: *cond = o >= cmparg; break;
    default: return -LINUX_ENOSYS;
    }
    return copy_to_user(uaddr2, &nv, sizeof(nv)) ? -LINUX_EFAULT : 0;
}

/* ---- priority-inheritance locks: the word holds the owner's tid (and FUTEX_WAITERS); with one
 * vCPU there is no priority to lend, so they are handed from owner to waiter in order ---- */

static struct thread *first_waiter(uint64_t key, struct thread *after)
{
    bool past = after == NULL;
    for_each_thread(t) {
        if (past && t->state == THREAD_BLOCKED && t->futex_key == key)
            return t;
        past = past || t == after;
    }
    return NULL;
}

/* The lock passes to its first waiter (FUTEX_WAITERS kept if more wait), or is free: 0 in the word. */
static int64_t pi_handoff(uint64_t uaddr, uint64_t key, uint32_t extra)
{
    struct thread *next = first_waiter(key, NULL);
    uint32_t nw = 0;
    if (next) {
        nw = (uint32_t)next->tid | extra | (first_waiter(key, next) ? LINUX_FUTEX_WAITERS : 0);
        next->futex_key = 0;
        next->woken = true;
        sched_wake(next);
    }
    return copy_to_user(uaddr, &nw, sizeof(nw)) ? -LINUX_EFAULT : 0;
}

static int64_t lock_pi(uint64_t uaddr, bool private, const struct futex_deadline *d, bool try)
{
    uint64_t gpa = shared_gpa(uaddr, private), key = key_of(uaddr, gpa);
    for (;;) {
        uint32_t w, nw;
        if (copy_from_user(&w, uaddr, sizeof(w)))
            return -LINUX_EFAULT;
        uint32_t owner = w & LINUX_FUTEX_TID_MASK;
        if (owner == (uint32_t)cur->tid)
            return -LINUX_EDEADLK;
        if (!owner) { /* free (perhaps its owner died: the bit stays for the program to see) */
            nw = (uint32_t)cur->tid | (w & LINUX_FUTEX_OWNER_DIED) | (first_waiter(key, NULL) ? LINUX_FUTEX_WAITERS : 0);
            return copy_to_user(uaddr, &nw, sizeof(nw)) ? -LINUX_EFAULT : 0;
        }
        if (try)
            return -LINUX_EAGAIN;
        if (!gpa && !thread_find((int)owner))
            return -LINUX_ESRCH; /* no such owner (a private lock's owner is one of these threads) */
        nw = w | LINUX_FUTEX_WAITERS;
        if (nw != w && copy_to_user(uaddr, &nw, sizeof(nw)))
            return -LINUX_EFAULT;
        int64_t r = queue_wait(key, ~0u, d, gpa ? uaddr : 0, nw);
        if (r < 0)
            return r;
        if (copy_from_user(&w, uaddr, sizeof(w)))
            return -LINUX_EFAULT;
        if ((w & LINUX_FUTEX_TID_MASK) == (uint32_t)cur->tid)
            return 0; /* handed over by its owner */
    }
}

static int64_t unlock_pi(uint64_t uaddr, bool private)
{
    uint32_t w;
    if (copy_from_user(&w, uaddr, sizeof(w)))
        return -LINUX_EFAULT;
    if ((w & LINUX_FUTEX_TID_MASK) != (uint32_t)cur->tid)
        return -LINUX_EPERM;
    return pi_handoff(uaddr, key_of(uaddr, shared_gpa(uaddr, private)), 0);
}

/* ---- robust lists: locks a thread still holds when it ends are marked and a waiter woken ---- */

/* Linux's handle_futex_death. */
static void futex_death(uint64_t uaddr, int tid, bool pi)
{
    uint32_t w, nw;
    if ((uaddr & 3) || copy_from_user(&w, uaddr, sizeof(w)) || (w & LINUX_FUTEX_TID_MASK) != (uint32_t)tid)
        return;
    if (pi && (w & LINUX_FUTEX_WAITERS)) {
        pi_handoff(uaddr, key_of(uaddr, shared_gpa(uaddr, false)), LINUX_FUTEX_OWNER_DIED);
        return;
    }
    nw = (w & LINUX_FUTEX_WAITERS) | LINUX_FUTEX_OWNER_DIED;
    if (copy_to_user(uaddr, &nw, sizeof(nw)) == 0 && (w & LINUX_FUTEX_WAITERS))
        futex_wake_word(uaddr, false, ~0u, 1);
}

#define ROBUST_LIST_LIMIT 2048 /* Linux's bound on a list that may loop */

void futex_robust_exit(struct thread *t)
{
    struct {
        uint64_t next;
        int64_t offset;
        uint64_t pending;
    } head;
    uint64_t entry, next;
    if (!t->robust_list || copy_from_user(&head, t->robust_list, sizeof(head)))
        return;
    entry = head.next;
    for (int n = 0; entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
        if (copy_from_user(&next, entry & ~1ull, sizeof(next)))
            break;
        if (entry != head.pending)
            futex_death((entry & ~1ull) + (uint64_t)head.offset, t->tid, entry & 1);
        entry = next;
    }
    if (head.pending)
        futex_death((head.pending & ~1ull) + (uint64_t)head.offset, t->tid, head.pending & 1);
    t->robust_list = 0;
}

/* Linux refuses a process-shared futex on a read-only page of private anonymous memory, a word
 * that can never change (get_futex_key: EFAULT). */
static bool read_only_anon(uint64_t uaddr)
{
    struct vma *v = vma_find(&cur_as->vmas, uaddr);
    return v && !v->file && !(v->flags & VMA_SHARED) && !(v->prot & LINUX_PROT_WRITE);
}

/* REQUEUE and CMP_REQUEUE (val3 = what the first word must hold), WAKE_OP. */
static int64_t futex_two(uint32_t op, uint64_t uaddr, bool private, int n, int m, uint64_t uaddr2, uint32_t val3)
{
    uint32_t word;
    bool cond = false;
    if (uaddr2 & 3)
        return -LINUX_EINVAL;
    if (op == LINUX_FUTEX_WAKE_OP) {
        int64_t err = wake_op_apply(uaddr2, val3, &cond);
        if (err)
            return err;
        int64_t woken = futex_wake_word(uaddr, private, ~0u, MAX(n, 1));
        return woken + (cond ? futex_wake_word(uaddr2, private, ~0u, MAX(m, 1)) : 0);
    }
    if (n < 0 || m < 0)
        return -LINUX_EINVAL;
    if (op == LINUX_FUTEX_CMP_REQUEUE) {
        if (copy_from_user(&word, uaddr, sizeof(word)))
            return -LINUX_EFAULT;
        if (word != val3)
            return -LINUX_EAGAIN;
    }
    uint64_t k1 = key_of(uaddr, shared_gpa(uaddr, private)), k2 = key_of(uaddr2, shared_gpa(uaddr2, private));
    return queue_requeue(k1, k2, n, m);
}

int64_t sys_futex(SYSARGS)
{
    uint32_t flags = (uint32_t)a1 & (LINUX_FUTEX_PRIVATE_FLAG | LINUX_FUTEX_CLOCK_REALTIME);
    uint32_t op = (uint32_t)a1 & ~flags, word, bitset = 0xffffffffu;
    bool bitset_op = op == LINUX_FUTEX_WAIT_BITSET || op == LINUX_FUTEX_WAKE_BITSET;
    bool private = (flags & LINUX_FUTEX_PRIVATE_FLAG) != 0;
    /* CLOCK_REALTIME only where an absolute time can be given (Linux 6.1 refuses it on FUTEX_WAIT,
     * which Linux 4.5 to 5.x took), checked first */
    if ((flags & LINUX_FUTEX_CLOCK_REALTIME) && op != LINUX_FUTEX_WAIT_BITSET && op != LINUX_FUTEX_LOCK_PI2)
        return -LINUX_ENOSYS;
    if (a0 & 3)
        return -LINUX_EINVAL;
    if (bitset_op && (bitset = (uint32_t)a5) == 0)
        return -LINUX_EINVAL;
    if (copy_from_user(&word, a0, sizeof(word)))
        return -LINUX_EFAULT;
    if (!private && read_only_anon(a0))
        return -LINUX_EFAULT;
    struct futex_deadline d;
    int err;
    switch (op) {
    case LINUX_FUTEX_WAKE:
    case LINUX_FUTEX_WAKE_BITSET:
        return futex_wake_word(a0, private, bitset, (int32_t)a2 <= 0 ? 1 : (int32_t)a2);
    case LINUX_FUTEX_WAIT:
    case LINUX_FUTEX_WAIT_BITSET:
        err = get_deadline(a3, bitset_op, (flags & LINUX_FUTEX_CLOCK_REALTIME) != 0, &d);
        if (err)
            return err;
        if (word != (uint32_t)a2)
            return -LINUX_EAGAIN;
        return futex_wait(a0, private, (uint32_t)a2, bitset, &d);
    case LINUX_FUTEX_REQUEUE:
    case LINUX_FUTEX_CMP_REQUEUE:
    case LINUX_FUTEX_WAKE_OP:
        return futex_two(op, a0, private, (int32_t)a2, (int32_t)a3, a4, (uint32_t)a5);
    case LINUX_FUTEX_LOCK_PI:
    case LINUX_FUTEX_LOCK_PI2:
    case LINUX_FUTEX_TRYLOCK_PI:
        /* LOCK_PI's timeout is absolute on CLOCK_REALTIME, LOCK_PI2's on CLOCK_MONOTONIC unless the
         * flag says CLOCK_REALTIME (pthread_mutex_clocklock on a priority-inheritance mutex) */
        err = op == LINUX_FUTEX_TRYLOCK_PI ? 0
                                           : get_deadline(a3, true, op == LINUX_FUTEX_LOCK_PI ||
                                                                    (flags & LINUX_FUTEX_CLOCK_REALTIME), &d);
        return err ? err : lock_pi(a0, private, &d, op == LINUX_FUTEX_TRYLOCK_PI);
    case LINUX_FUTEX_UNLOCK_PI:
        return unlock_pi(a0, private);
    default:
        kprintf("futex op %u is not supported", op);
        return -LINUX_ENOSYS;
    }
}
