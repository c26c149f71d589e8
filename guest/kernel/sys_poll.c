/* sys_poll.c: poll, ppoll, select and pselect6 over the guest fds (one host poll). */
#include "bvm_linux.h"
#include "fd.h"
#include "hostcall.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define MAX_POLL 1024

/* Polls nfds entries of pfd (guest fds) for at most ms milliseconds (-1: forever). Guest fds are
 * swapped for host fds on the way out and back again; a closed fd reports POLLNVAL as on Linux. */
static int64_t poll_kernel(struct linux_pollfd *pfd, uint64_t nfds, int64_t ms)
{
    static struct linux_pollfd host[MAX_POLL];
    int nval = 0;
    for (uint64_t i = 0; i < nfds; i++) {
        host[i] = pfd[i];
        host[i].revents = 0;
        if (pfd[i].fd >= 0 && fd_host(pfd[i].fd) < 0) {
            host[i].fd = -1; /* skipped by the host, POLLNVAL here */
            nval++;
        } else if (pfd[i].fd >= 0) {
            host[i].fd = fd_host(pfd[i].fd);
        }
    }
        /* a timeout past ~12 days waits that long, as the host's poll takes an int */
    int32_t timeout = nval ? 0 : ms < 0 ? -1 : ms > (1 << 30) ? (1 << 30) : (int32_t)ms;
    int64_t r = hc_poll(host, (uint32_t)nfds, timeout);
    if (r < 0)
        return r;
    for (uint64_t i = 0; i < nfds; i++) {
        bool bad = pfd[i].fd >= 0 && host[i].fd < 0;
        pfd[i].revents = bad ? LINUX_POLLNVAL : host[i].revents;
    }
    return r + nval;
}

static int64_t poll_user(uint64_t ufds, uint64_t nfds, int64_t ms)
{
    static struct linux_pollfd pfd[MAX_POLL];
    if (nfds > MAX_POLL)
        return -LINUX_EINVAL;
    if (copy_from_user(pfd, ufds, nfds * sizeof(pfd[0])))
        return -LINUX_EFAULT;
    int64_t r = poll_kernel(pfd, nfds, ms);
    if (r < 0)
        return r;
    return copy_to_user(ufds, pfd, nfds * sizeof(pfd[0])) ? -LINUX_EFAULT : r;
}

int64_t sys_poll(SYSARGS) { return poll_user(a0, a1, (int32_t)a2 < 0 ? -1 : (int32_t)a2); }

int64_t sys_ppoll(SYSARGS)
{
    int64_t ms, err = ts_to_ms(a2, &ms);
    return err ? err : poll_user(a0, a1, ms); /* the signal mask is moot: no delivery while blocked */
}

/* select on top of poll: fd_sets to a pollfd list and back. */
static int64_t select_common(uint64_t nfds, uint64_t urd, uint64_t uwr, uint64_t uex, int64_t ms)
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
    int64_t r = poll_kernel(pfd, n, ms), count = 0;
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
    return err ? err : select_common(a0, a1, a2, a3, ms);
}

