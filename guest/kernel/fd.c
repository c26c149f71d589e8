/* fd.c: the guest's file descriptor table: guest numbers over the monitor's host fds. */
#include "fd.h"

#include "bvm_linux.h"
#include "hostcall.h"
#include "procfs.h"
#include "signalfd.h"
#include "syscall.h"

/* One guest fd. The monitor's inherited 0, 1, 2 are reported as O_RDWR: their real open flags
 * are not known here. */
static struct fd_entry {
    int host;        /* -1: free */
    uint32_t status; /* open status flags (F_GETFL) as the guest set them */
    bool cloexec;    /* FD_CLOEXEC (F_GETFD) */
} fds[FD_MAX];

/* How many mappings hold each host fd open (a MAP_SHARED file in the window, filewin.c). */
static uint16_t holds[BVM_HOST_FD_MAX];

void fd_init(void)
{
    for (int i = 0; i < FD_MAX; i++)
        fds[i] = (struct fd_entry){.host = i < 3 ? i : -1};
    for (int i = 0; i < 3; i++)
        fds[i].status = LINUX_O_RDWR | LINUX_O_LARGEFILE;
}

bool fd_valid(int fd)
{
    return fd >= 0 && fd < FD_MAX && fds[fd].host >= 0;
}

int fd_host(int64_t fd)
{
    return fd >= 0 && fd < FD_MAX && fds[fd].host >= 0 ? fds[fd].host : -LINUX_EBADF;
}

int dirfd_host(int64_t dirfd)
{
    return (int32_t)dirfd == LINUX_AT_FDCWD ? LINUX_AT_FDCWD : fd_host((int32_t)dirfd);
}

int fd_limit(void)
{
    uint64_t soft = rlimit_cur(LINUX_RLIMIT_NOFILE);
    return soft < FD_MAX ? (int)soft : FD_MAX;
}

int fd_free_from(int64_t from)
{
    int limit = fd_limit();
    for (int64_t i = from < 0 ? 0 : from; i < limit; i++)
        if (fds[i].host < 0)
            return (int)i;
    return -LINUX_EMFILE;
}

void fd_install_at(int fd, int host, uint32_t status, bool cloexec)
{
    kassert(fd >= 0 && fd < FD_MAX && fds[fd].host < 0 && host >= 0);
    fds[fd] = (struct fd_entry){host, status, cloexec};
}

int fd_install(int host, uint32_t status, bool cloexec)
{
    int fd = fd_free_from(0);
    if (fd < 0) {
        hc_close(host);
        return fd;
    }
    fd_install_at(fd, host, status, cloexec);
    return fd;
}

int fd_install_received(int host, bool cloexec)
{
    hc_fdop(host, BVM_FDOP_GETFL, NULL, 0);
    int64_t fl = hc_issue();
    return fd_install(host, fl < 0 ? LINUX_O_RDWR : (uint32_t)fl, cloexec);
}

int fd_alias(int ofd, int nfd, bool cloexec)
{
    fd_install_at(nfd, fds[ofd].host, fds[ofd].status, cloexec);
    return nfd;
}

/* Closes host fd h unless a guest fd (a dup) or a mapping still uses it. */
static int64_t host_close_unused(int h)
{
    if (h >= 0 && h < BVM_HOST_FD_MAX && holds[h])
        return 0;
    for (int i = 0; i < FD_MAX; i++)
        if (fds[i].host == h)
            return 0;
    procfs_host_closed(h);
    signalfd_host_closed(h);
    return hc_close(h);
}

int64_t fd_release(int fd)
{
    int h = fds[fd].host;
    fds[fd].host = -1;
    return host_close_unused(h);
}

void fd_close_on_exec(void)
{
    for (int fd = 0; fd < FD_MAX; fd++)
        if (fds[fd].host >= 0 && fds[fd].cloexec)
            fd_release(fd);
}

uint32_t fd_status(int fd)
{
    return fd_valid(fd) ? fds[fd].status : 0;
}

void fd_set_status(int fd, uint32_t mask, uint32_t want)
{
    int h = fds[fd].host;
    for (int i = 0; i < FD_MAX; i++)
        if (fds[i].host == h)
            fds[i].status = (fds[i].status & ~mask) | (want & mask);
}

uint32_t fd_accmode(int fd)
{
    return fd_status(fd) & (LINUX_O_ACCMODE | LINUX_O_PATH);
}

bool fd_is_cloexec(int fd)
{
    return fd_valid(fd) && fds[fd].cloexec;
}

void fd_set_cloexec(int fd, bool on)
{
    if (fd_valid(fd))
        fds[fd].cloexec = on;
}

void fd_host_hold(int host)
{
    /* one hold per mapped file, and fewer files than that can be mapped (filewin.c) */
    kassert(host >= 0 && host < BVM_HOST_FD_MAX && holds[host] < UINT16_MAX);
    holds[host]++;
}

void fd_host_put(int host)
{
    if (host < 0 || host >= BVM_HOST_FD_MAX || !holds[host])
        panic("fd_host_put: host fd %d is not held", host);
    if (!--holds[host])
        host_close_unused(host);
}
