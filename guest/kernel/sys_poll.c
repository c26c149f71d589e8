/* sys_poll.c: pipes, eventfd, memfd (host descriptors behind guest fds), poll/select and sleeping. */
#include "bvm_linux.h"
#include "fd.h"
#include "hostcall.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000
#define O_DIRECT 040000
#define MAX_POLL 1024
#define POLLIN 0x1
#define POLLPRI 0x2
#define POLLOUT 0x4
#define POLLERR 0x8
#define POLLHUP 0x10
#define POLLNVAL 0x20

static int64_t install_pair(const int32_t host[2], uint32_t flags, uint64_t ufds)
{
    bool cloexec = (flags & O_CLOEXEC) != 0;
    uint32_t st = flags & (O_NONBLOCK | O_DIRECT);
    int32_t g[2];
    g[0] = fd_install(host[0], st | 0 /* O_RDONLY */, cloexec);
    if (g[0] < 0) {
        hc_fd(BVM_HC_CLOSE, host[1], 0, 0, NULL, 0);
        return g[0];
    }
    g[1] = fd_install(host[1], st | 1 /* O_WRONLY */, cloexec);
    if (g[1] < 0) {
        sys_close((uint64_t)g[0], 0, 0, 0, 0, 0);
        return g[1];
    }
    if (copy_to_user(ufds, g, sizeof(g))) {
        sys_close((uint64_t)g[0], 0, 0, 0, 0, 0);
        sys_close((uint64_t)g[1], 0, 0, 0, 0, 0);
        return -LINUX_EFAULT;
    }
    return 0;
}

int64_t sys_pipe2(SYSARGS)
{
    static int32_t host[2];
    uint32_t flags = (uint32_t)a1;
    if (flags & ~(uint32_t)(O_NONBLOCK | O_CLOEXEC | O_DIRECT))
        return -LINUX_EINVAL;
    if (!user_range_ok(a0, 8))
        return -LINUX_EFAULT;
    int64_t r = hc_fd(BVM_HC_PIPE2, 0, flags, 0, host, sizeof(host));
    return r < 0 ? r : install_pair(host, flags, a0);
}

int64_t sys_pipe(SYSARGS) { return sys_pipe2(a0, 0, 0, 0, 0, 0); }

static int64_t newfd(uint32_t kind, const char *name, int flags, int64_t arg, bool cloexec)
{
    struct hc_at_args a;
    memset(&a, 0, sizeof(a));
    a.dirfd = LINUX_AT_FDCWD, a.kpath = name, a.flags = flags, a.mode = kind, a.arg = arg;
    int64_t h = hc_at(BVM_HC_NEWFD, &a);
    /* F_GETFL: a memfd says O_RDWR|O_LARGEFILE, an eventfd O_RDWR plus its O_NONBLOCK. */
    uint32_t status = kind ? 2 | ((uint32_t)flags & O_NONBLOCK) : 2 | 0100000;
    return h < 0 ? h : fd_install((int)h, status, cloexec);
}

#define EFD_SEMAPHORE 1
#define MFD_CLOEXEC 1u
#define MFD_ALLOW_SEALING 2u

int64_t sys_eventfd2(SYSARGS)
{
    if (a1 & ~(uint64_t)(EFD_SEMAPHORE | O_NONBLOCK | O_CLOEXEC))
        return -LINUX_EINVAL;
    return newfd(1, NULL, (int)a1, (int64_t)(uint32_t)a0, (a1 & O_CLOEXEC) != 0);
}

int64_t sys_eventfd(SYSARGS) { return sys_eventfd2(a0, 0, 0, 0, 0, 0); }

int64_t sys_memfd_create(SYSARGS)
{
    static char name[256];
    int64_t n = strncpy_from_user(name, a0, 250); /* Linux: at most 249 bytes of name */
    if (n < 0)
        return n == -LINUX_ENAMETOOLONG ? -LINUX_EINVAL : n;
    if (a1 & ~(uint64_t)(MFD_CLOEXEC | MFD_ALLOW_SEALING))
        return -LINUX_EINVAL;
    return newfd(0, name, (int)a1, 0, (a1 & MFD_CLOEXEC) != 0);
}

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
    int64_t r = hc_fd(BVM_HC_POLL, 0, 0, nval ? 0 : ms, host, nfds);
    if (r < 0)
        return r;
    for (uint64_t i = 0; i < nfds; i++) {
        bool bad = pfd[i].fd >= 0 && host[i].fd < 0;
        pfd[i].revents = bad ? POLLNVAL : host[i].revents;
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

/* A user timespec to milliseconds (rounded up, as Linux never sleeps less); -1 for NULL. */
static int64_t ts_to_ms(uint64_t uts, int64_t *ms)
{
    struct linux_timespec ts;
    if (!uts) {
        *ms = -1;
        return 0;
    }
    if (copy_from_user(&ts, uts, sizeof(ts)))
        return -LINUX_EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
        return -LINUX_EINVAL;
    *ms = ts.tv_sec > (1 << 30) / 1000 ? (1 << 30) : ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000;
    return 0;
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
                ev |= (int16_t)(k == 0 ? POLLIN : k == 1 ? POLLOUT : POLLPRI);
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
        bool hit[3] = {(ev & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR)),
                       (ev & POLLOUT) && (re & (POLLOUT | POLLERR)), (ev & POLLPRI) && (re & POLLPRI)};
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

/* Sleeping is a poll of no descriptors on the host. */
static int64_t sleep_ts(uint64_t uts)
{
    int64_t ms, err = ts_to_ms(uts, &ms);
    if (err)
        return err;
    int64_t r = hc_fd(BVM_HC_POLL, 0, 0, ms, NULL, 0);
    return r < 0 ? r : 0;
}

int64_t sys_nanosleep(SYSARGS) { return a0 ? sleep_ts(a0) : -LINUX_EFAULT; }

#define TIMER_ABSTIME 1

int64_t sys_clock_nanosleep(SYSARGS)
{
    if ((int32_t)a0 < 0 || (int32_t)a0 > 11 || (int32_t)a0 == 2 || (int32_t)a0 == 3)
        return -LINUX_EINVAL; /* CPU-time clocks are not sleepable here */
    if (!(a1 & TIMER_ABSTIME))
        return sleep_ts(a2);
    struct linux_timespec want, now;
    if (copy_from_user(&want, a2, sizeof(want)))
        return -LINUX_EFAULT;
    int64_t r = hc_fd(BVM_HC_CLOCK_GETTIME, (int32_t)a0, 0, 0, hc_bounce(), sizeof(now));
    if (r < 0)
        return r;
    now = *(struct linux_timespec *)hc_bounce();
    int64_t ns = (want.tv_sec - now.tv_sec) * 1000000000 + (want.tv_nsec - now.tv_nsec);
    if (ns <= 0)
        return 0;
    r = hc_fd(BVM_HC_POLL, 0, 0, (ns + 999999) / 1000000, NULL, 0);
    return r < 0 ? r : 0;
}
