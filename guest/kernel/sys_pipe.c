/* sys_pipe.c: descriptors the host creates for the guest: pipes, socketpairs, eventfd, memfd and
 * timerfd. */
#include "bvm_linux.h"
#include "fd.h"
#include "hostcall.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

/* Guest fds for the two host fds (F_GETFL: a pipe's ends read and write only, a socket both). */
static int64_t install_pair(const int32_t host[2], uint32_t flags, bool sockets, uint64_t ufds)
{
    bool cloexec = (flags & LINUX_O_CLOEXEC) != 0;
    uint32_t st = flags & (LINUX_O_NONBLOCK | LINUX_O_DIRECT);
    int32_t g[2];
    g[0] = fd_install(host[0], st | (sockets ? LINUX_O_RDWR : LINUX_O_RDONLY), cloexec);
    if (g[0] < 0) {
        hc_close(host[1]);
        return g[0];
    }
    g[1] = fd_install(host[1], st | (sockets ? LINUX_O_RDWR : LINUX_O_WRONLY), cloexec);
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
    if (flags & ~(uint32_t)(LINUX_O_NONBLOCK | LINUX_O_CLOEXEC | LINUX_O_DIRECT))
        return -LINUX_EINVAL;
    if (!user_range_ok(a0, 8))
        return -LINUX_EFAULT;
    int64_t r = hc_pipe(flags, 0, host);
    return r < 0 ? r : install_pair(host, flags, false, a0);
}

/* socketpair(AF_UNIX, type, 0, sv): the host's (the other socket calls: sys_socket.c). */
int64_t sys_socketpair(SYSARGS)
{
    static int32_t host[2];
    uint32_t type = (uint32_t)a1 & ~(uint32_t)(LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC);
    if (a0 == LINUX_AF_INET || a0 == LINUX_AF_INET6)
        return -LINUX_EOPNOTSUPP; /* Linux's inet sockets have no socketpair */
    if (a0 != LINUX_AF_UNIX)
        return -LINUX_EAFNOSUPPORT;
    if (type != LINUX_SOCK_STREAM && type != LINUX_SOCK_DGRAM && type != LINUX_SOCK_SEQPACKET)
        return -LINUX_ESOCKTNOSUPPORT;
    if (a2 != 0 && a2 != LINUX_AF_UNIX)
        return -LINUX_EPROTONOSUPPORT;
    if (!user_range_ok(a3, 8))
        return -LINUX_EFAULT;
    uint32_t flags = ((uint32_t)a1 & LINUX_SOCK_NONBLOCK ? LINUX_O_NONBLOCK : 0) |
                     ((uint32_t)a1 & LINUX_SOCK_CLOEXEC ? LINUX_O_CLOEXEC : 0);
    int64_t r = hc_pipe(flags, type, host);
    return r < 0 ? r : install_pair(host, flags, true, a3);
}

int64_t sys_pipe(SYSARGS) { return sys_pipe2(a0, 0, 0, 0, 0, 0); }

static int64_t newfd(uint32_t kind, const char *name, int flags, uint64_t count, bool cloexec)
{
    int64_t h = hc_newfd(kind, name, flags, count);
    /* F_GETFL: a memfd says O_RDWR|O_LARGEFILE, an eventfd O_RDWR plus its O_NONBLOCK. */
    uint32_t status = LINUX_O_RDWR | (kind == BVM_NEWFD_EVENTFD ? (uint32_t)flags & LINUX_O_NONBLOCK
                                      : kind == BVM_NEWFD_EPOLL ? 0 : LINUX_O_LARGEFILE);
    return h < 0 ? h : fd_install((int)h, status, cloexec);
}

int64_t sys_eventfd2(SYSARGS)
{
    if (a1 & ~(uint64_t)(LINUX_EFD_SEMAPHORE | LINUX_O_NONBLOCK | LINUX_O_CLOEXEC))
        return -LINUX_EINVAL;
    return newfd(BVM_NEWFD_EVENTFD, NULL, (int)a1, (uint32_t)a0, (a1 & LINUX_O_CLOEXEC) != 0);
}

int64_t sys_eventfd(SYSARGS) { return sys_eventfd2(a0, 0, 0, 0, 0, 0); }

/* epoll: the host's instance (sys_poll.c waits on it). */
int64_t sys_epoll_create1(SYSARGS)
{
    if (a0 & ~(uint64_t)LINUX_O_CLOEXEC)
        return -LINUX_EINVAL;
    return newfd(BVM_NEWFD_EPOLL, NULL, 0, 0, (a0 & LINUX_O_CLOEXEC) != 0);
}

int64_t sys_epoll_create(SYSARGS) { return (int32_t)a0 <= 0 ? -LINUX_EINVAL : sys_epoll_create1(0, 0, 0, 0, 0, 0); }

int64_t sys_memfd_create(SYSARGS)
{
    static char name[256];
    int64_t n = strncpy_from_user(name, a0, 250); /* Linux: at most 249 bytes of name */
    if (n < 0)
        return n == -LINUX_ENAMETOOLONG ? -LINUX_EINVAL : n;
    if (a1 & ~(uint64_t)(LINUX_MFD_CLOEXEC | LINUX_MFD_ALLOW_SEALING))
        return -LINUX_EINVAL;
    return newfd(BVM_NEWFD_MEMFD, name, (int)a1, 0, (a1 & LINUX_MFD_CLOEXEC) != 0);
}

/* timerfd: the host's own, so reads, poll and expiry counts are the host kernel's. */
int64_t sys_timerfd_create(SYSARGS)
{
    int flags = (int)a1;
    if (flags & ~(LINUX_O_NONBLOCK | LINUX_O_CLOEXEC))
        return -LINUX_EINVAL;
    int64_t h = hc_newfd(BVM_NEWFD_TIMERFD, NULL, flags, (uint32_t)a0);
    if (h < 0)
        return h;
    return fd_install((int)h, LINUX_O_RDWR | ((uint32_t)flags & LINUX_O_NONBLOCK), (flags & LINUX_O_CLOEXEC) != 0);
}

int64_t sys_timerfd_settime(SYSARGS)
{
    static struct linux_itimerspec its[2];
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    if (copy_from_user(&its[0], a2, sizeof(its[0])))
        return -LINUX_EFAULT;
    hc_fdop(h, BVM_FDOP_TIMERFD_SET, its, sizeof(its))->arg.timer_flags = (int32_t)a1;
    int64_t r = hc_issue();
    if (r < 0)
        return r;
    return a3 && copy_to_user(a3, &its[1], sizeof(its[1])) ? -LINUX_EFAULT : 0;
}

int64_t sys_timerfd_gettime(SYSARGS)
{
    static struct linux_itimerspec its;
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    hc_fdop(h, BVM_FDOP_TIMERFD_GET, &its, sizeof(its));
    int64_t r = hc_issue();
    if (r < 0)
        return r;
    return copy_to_user(a1, &its, sizeof(its)) ? -LINUX_EFAULT : 0;
}
