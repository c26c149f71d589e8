/* sys_poll.c: poll, ppoll, select and pselect6 over the guest fds (one host poll). */
#include "bvm_linux.h"
#include "fd.h"
#include "events.h"
#include "hostcall.h"
#include "sched.h"
#include "signal.h"
#include "signalfd.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"
#include "wait.h"

#define MAX_POLL 1024

/* The kernel's own answers: POLLNVAL for a closed fd, POLLIN for a signalfd with a signal of its
 * set pending. Such an entry is skipped by the host (fd -1); returns how many there are. */
static int kernel_ready(const struct linux_pollfd *pfd, struct linux_pollfd *host, uint64_t nfds,
                        int16_t *kernel_revents)
{
    int n = 0;
    for (uint64_t i = 0; i < nfds; i++) {
        uint64_t mask;
        kernel_revents[i] = 0;
        if (pfd[i].fd < 0)
            continue;
        if (fd_host(pfd[i].fd) < 0)
            kernel_revents[i] = LINUX_POLLNVAL;
        else if (signalfd_lookup(fd_host(pfd[i].fd), &mask))
            kernel_revents[i] = (signal_pending_set() & mask) ? (int16_t)(pfd[i].events & LINUX_POLLIN) : 0;
        else
            continue;
        host[i].fd = -1;
        n += kernel_revents[i] != 0;
    }
    return n;
}

#define POLL_AGAIN (-LINUX_EAGAIN - 100000) /* a thread waited: the caller looks at the fds again */

/* Nothing is ready and a thread of several is to wait: on the host fds (a copy in its own page,
 * as the arrays here are any thread's), the others running meanwhile. */
static int64_t wait_threaded(const struct linux_pollfd *host, uint64_t nfds, int64_t deadline)
{
    struct linux_pollfd *page = sched_poll_page();
    if (!page || nfds > SCHED_POLL_PAGE) { /* look again after a slice */
        int32_t left = wait_left(deadline);
        sched_block(wait_now_ms() + (left < 0 ? SCHED_SLICE_MS : MIN(left, SCHED_SLICE_MS)));
        return POLL_AGAIN;
    }
    for (uint64_t i = 0; i < nfds; i++)
        page[i] = (struct linux_pollfd){host[i].fd, host[i].events, 0};
    sched_wait_fds(page, (uint32_t)nfds, deadline);
    return POLL_AGAIN;
}

/* Polls nfds entries of pfd (guest fds) until deadline (-1: none). Guest fds are swapped for host
 * fds on the way out and back again; a closed fd reports POLLNVAL as on Linux. POLL_AGAIN when a
 * thread of several waited (pfd may be another thread's by then). */
static int64_t poll_kernel(struct linux_pollfd *pfd, uint64_t nfds, int64_t deadline)
{
    static struct linux_pollfd host[MAX_POLL];
    static int16_t kernel_revents[MAX_POLL];
    int nready;
    for (uint64_t i = 0; i < nfds; i++) {
        host[i] = pfd[i];
        host[i].revents = 0;
        if (pfd[i].fd >= 0)
            host[i].fd = fd_host(pfd[i].fd);
    }
    int64_t r;
    /* An event for the program ends the host's wait: a signal to handle ends the call, else the
     * poll goes on for what is left of the timeout (a signalfd may have become ready meanwhile).
     * With other threads, the host is only asked what is ready now, and the thread waits here. */
    for (;;) {
        bool threaded = sched_threaded();
        nready = kernel_ready(pfd, host, nfds, kernel_revents);
        int32_t left = nready ? 0 : wait_left(deadline);
        /* A signal the call's own mask lets through (ppoll, pselect) is pending already: the
         * host is only asked what is ready. (An epoll fd among them sees its signalfds as
         * ready: signalfd_sync.) */
        signalfd_sync();
        r = hc_poll(host, (uint32_t)nfds, left == 0 || threaded || signal_interrupts() ? 0 : left);
        if (r == -LINUX_EINTR && events_interrupted())
            return -LINUX_ERESTARTNOHAND;
        if (r == -LINUX_EINTR)
            continue;
        if (r != 0 || left == 0)
            break;
        if (signal_interrupts())
            return -LINUX_ERESTARTNOHAND;
        if (!threaded)
            break; /* the host waited the time out */
        return wait_threaded(host, nfds, deadline);
    }
    if (r < 0)
        return r;
    for (uint64_t i = 0; i < nfds; i++)
        pfd[i].revents = host[i].fd < 0 && pfd[i].fd >= 0 ? kernel_revents[i] : host[i].revents;
    return r + nready;
}

static int64_t poll_user(uint64_t ufds, uint64_t nfds, int64_t ms)
{
    static struct linux_pollfd pfd[MAX_POLL];
    if (nfds > MAX_POLL)
        return -LINUX_EINVAL;
    int64_t deadline = wait_deadline(ms), r;
    do {
        if (copy_from_user(pfd, ufds, nfds * sizeof(pfd[0])))
            return -LINUX_EFAULT;
        r = poll_kernel(pfd, nfds, deadline);
    } while (r == POLL_AGAIN);
    if (r < 0)
        return r;
    return copy_to_user(ufds, pfd, nfds * sizeof(pfd[0])) ? -LINUX_EFAULT : r;
}

int64_t sys_poll(SYSARGS) { return poll_user(a0, a1, (int32_t)a2 < 0 ? -1 : (int32_t)a2); }

/* ppoll and pselect6: the caller's mask for the wait. It stays in place for a handler that
 * interrupts the wait (its frame records the old one); otherwise it goes at once. */
static int64_t set_wait_mask(uint64_t umask, uint64_t size)
{
    uint64_t mask;
    if (!umask)
        return 0;
    if (size != sizeof(mask))
        return -LINUX_EINVAL;
    if (copy_from_user(&mask, umask, sizeof(mask)))
        return -LINUX_EFAULT;
    cur->saved_mask = cur->blocked;
    cur->restore_mask = true;
    signal_set_blocked(mask);
    return 0;
}

static int64_t end_wait_mask(int64_t r)
{
    if (r != -LINUX_ERESTARTNOHAND && cur->restore_mask) {
        cur->restore_mask = false;
        signal_set_blocked(cur->saved_mask);
    }
    return r;
}

int64_t sys_ppoll(SYSARGS)
{
    int64_t ms, err = ts_to_ms(a2, &ms);
    if (!err)
        err = set_wait_mask(a3, a4);
    return err ? err : end_wait_mask(poll_user(a0, a1, ms));
}

/* select on top of poll: fd_sets to a pollfd list and back. */
static int64_t select_once(uint64_t nfds, uint64_t urd, uint64_t uwr, uint64_t uex, int64_t deadline)
{
    static struct linux_pollfd pfd[MAX_POLL];
    uint64_t sets[3][MAX_POLL / 64], usets[3] = {urd, uwr, uex}, n = 0, words = (nfds + 63) / 64;
    if ((int64_t)nfds < 0 || nfds > MAX_POLL)
        return -LINUX_EINVAL;
    for (int k = 0; k < 3; k++) {
        memset(sets[k], 0, sizeof(sets[k]));
        if (usets[k] && copy_from_user(sets[k], usets[k], words * 8))
            return -LINUX_EFAULT;
    }
    for (uint64_t fd = 0; fd < nfds; fd++) {
        int16_t ev = 0;
        for (int k = 0; k < 3; k++)
            if (sets[k][fd / 64] & (1ull << (fd % 64)))
                ev |= (int16_t)(k == 0 ? LINUX_POLLIN : k == 1 ? LINUX_POLLOUT : LINUX_POLLPRI);
        if (!ev)
            continue;
        if (fd_host((int64_t)fd) < 0)
            return -LINUX_EBADF;
        pfd[n++] = (struct linux_pollfd){(int32_t)fd, ev, 0};
    }
    int64_t r = poll_kernel(pfd, n, deadline), count = 0;
    if (r < 0)
        return r;
    for (int k = 0; k < 3; k++)
        memset(sets[k], 0, sizeof(sets[k]));
    for (uint64_t i = 0; i < n; i++) {
        int16_t re = pfd[i].revents, ev = pfd[i].events;
        uint64_t bit = 1ull << (pfd[i].fd % 64), w = (uint64_t)pfd[i].fd / 64;
        bool hit[3] = {(ev & LINUX_POLLIN) && (re & (LINUX_POLLIN | LINUX_POLLHUP | LINUX_POLLERR)),
                       (ev & LINUX_POLLOUT) && (re & (LINUX_POLLOUT | LINUX_POLLERR)), (ev & LINUX_POLLPRI) && (re & LINUX_POLLPRI)};
        for (int k = 0; k < 3; k++)
            if (hit[k])
                sets[k][w] |= bit, count++;
    }
    for (int k = 0; k < 3; k++)
        if (usets[k] && copy_to_user(usets[k], sets[k], words * 8))
            return -LINUX_EFAULT;
    return count;
}

static int64_t select_common(uint64_t nfds, uint64_t urd, uint64_t uwr, uint64_t uex, int64_t ms)
{
    int64_t deadline = wait_deadline(ms), r;
    while ((r = select_once(nfds, urd, uwr, uex, deadline)) == POLL_AGAIN)
        ;
    return r;
}

int64_t sys_select(SYSARGS)
{
    struct linux_timeval tv;
    int64_t ms = -1;
    if (a4) {
        if (copy_from_user(&tv, a4, sizeof(tv)))
            return -LINUX_EFAULT;
        if (tv.tv_sec < 0 || tv.tv_usec < 0)
            return -LINUX_EINVAL;
        ms = tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
    }
    return select_common(a0, a1, a2, a3, ms);
}

int64_t sys_pselect6(SYSARGS)
{
    int64_t ms, err = ts_to_ms(a4, &ms);
    uint64_t sig[2] = {0, 0}; /* { const sigset_t *ss; size_t ss_len; } */
    if (!err && a5 && copy_from_user(sig, a5, sizeof(sig)))
        err = -LINUX_EFAULT;
    if (!err)
        err = set_wait_mask(sig[0], sig[1]);
    return err ? err : end_wait_mask(select_common(a0, a1, a2, a3, ms));
}


/* ---- epoll: the host's instance; its events' data is the program's own ---- */

#define EPOLL_MAX 1024 /* events per call (the program asks again for more) */

int64_t sys_epoll_ctl(SYSARGS)
{
    struct linux_epoll_event ev;
    int h = fd_host((int64_t)a0), t = fd_host((int64_t)a2);
    if (h < 0 || t < 0)
        return -LINUX_EBADF;
    if ((int32_t)a1 != LINUX_EPOLL_CTL_DEL && copy_from_user(&ev, a3, sizeof(ev)))
        return -LINUX_EFAULT;
    if (a0 == a2)
        return -LINUX_EINVAL;
    struct bvm_hc_fdop *r = hc_fdop(h, BVM_FDOP_EPOLL_CTL, (int32_t)a1 == LINUX_EPOLL_CTL_DEL ? NULL : &ev,
                                    (int32_t)a1 == LINUX_EPOLL_CTL_DEL ? 0 : sizeof(ev));
    r->arg.epoll.op = (int32_t)a1;
    r->arg.epoll.target = t;
    return hc_issue();
}

/* Waits until deadline for events of epoll fd epfd. A signal ends the wait with EINTR (epoll_wait
 * is never restarted); a thread of several waits in the kernel for the epoll fd to be readable. */
static int64_t epoll_wait_until(int64_t epfd, uint64_t uevents, int64_t maxevents, int64_t deadline)
{
    static struct linux_epoll_event ev[EPOLL_MAX];
    int h = fd_host(epfd);
    if (h < 0)
        return -LINUX_EBADF;
    if (maxevents <= 0 || maxevents > INT32_MAX / (int64_t)sizeof(ev[0]))
        return -LINUX_EINVAL;
    uint64_t n = (uint64_t)MIN(maxevents, EPOLL_MAX);
    if (!user_range_ok(uevents, n * sizeof(ev[0])))
        return -LINUX_EFAULT;
    int64_t r;
    for (;;) {
        /* only asked what is ready: with threads, or a signal epoll_pwait's mask lets through */
        bool threaded = sched_threaded();
        int32_t left = wait_left(deadline);
        signalfd_sync(); /* a signalfd among its fds reads as ready to the host */
        hc_fdop(h, BVM_FDOP_EPOLL_WAIT, ev, n * sizeof(ev[0]))->arg.epoll.timeout_ms =
            left == 0 || threaded || signal_interrupts() ? 0 : left;
        r = hc_issue();
        if (r == -LINUX_EINTR && events_interrupted())
            return -LINUX_EINTR;
        if (r == -LINUX_EINTR)
            continue;
        if (r != 0 || left == 0)
            break;
        if (signal_interrupts())
            return -LINUX_EINTR;
        if (!threaded)
            break; /* the host waited the time out */
        sched_wait_fd(h, LINUX_POLLIN, deadline);
    }
    if (r > 0 && copy_to_user(uevents, ev, (uint64_t)r * sizeof(ev[0])))
        return -LINUX_EFAULT;
    return r;
}

int64_t sys_epoll_wait(SYSARGS)
{
    return epoll_wait_until((int64_t)a0, a1, (int32_t)a2, wait_deadline((int32_t)a3 < 0 ? -1 : (int32_t)a3));
}

/* epoll_pwait's mask stays for the handler of the signal that ended the wait (EINTR). */
static int64_t epoll_end_mask(int64_t r)
{
    return r == -LINUX_EINTR ? r : end_wait_mask(r);
}

int64_t sys_epoll_pwait(SYSARGS)
{
    int64_t err = set_wait_mask(a4, a5);
    if (err)
        return err;
    int64_t ms = (int32_t)a3 < 0 ? -1 : (int32_t)a3;
    return epoll_end_mask(epoll_wait_until((int64_t)a0, a1, (int32_t)a2, wait_deadline(ms)));
}

int64_t sys_epoll_pwait2(SYSARGS)
{
    int64_t ms = -1, err = a3 ? ts_to_ms(a3, &ms) : 0;
    if (!err)
        err = set_wait_mask(a4, a5);
    return err ? err : epoll_end_mask(epoll_wait_until((int64_t)a0, a1, (int32_t)a2, wait_deadline(ms)));
}
