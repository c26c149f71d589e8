/* sys_fd.c: descriptor syscalls: close, the dup family, fcntl, flock and ioctl, over the fd table
 * (fd.c). */
#include "bvm_linux.h"
#include "events.h"
#include "fd.h"
#include "hostcall.h"
#include "sched.h"
#include "signal.h"
#include "signalfd.h"
#include "syscall.h"
#include "task.h"
#include "usercopy.h"

int64_t sys_close(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    /* Like Linux, the number is free again whatever the host says. */
    return fd_release((int32_t)a0);
}

/* Every open fd in [first, last] closed, or marked close-on-exec (UNSHARE: the table is the
 * process's own already). */
int64_t sys_close_range(SYSARGS)
{
    uint32_t first = (uint32_t)a0, last = (uint32_t)a1, flags = (uint32_t)a2;
    if ((flags & ~(LINUX_CLOSE_RANGE_UNSHARE | LINUX_CLOSE_RANGE_CLOEXEC)) || first > last)
        return -LINUX_EINVAL;
    for (uint64_t fd = first; fd <= last && fd < (uint64_t)fd_table_size(); fd++) {
        if (!fd_valid((int)fd))
            continue;
        if (flags & LINUX_CLOSE_RANGE_CLOEXEC)
            fd_set_cloexec((int)fd, true);
        else
            fd_release((int)fd);
    }
    return 0;
}

/* dup family: guest fds share one host fd (and so one offset, as dup'ed fds do on Linux); the
 * close-on-exec flag belongs to each guest fd. */
int64_t sys_dup(SYSARGS)
{
    int h = fd_host((int32_t)a0), fd = fd_free_from(0);
    if (h < 0)
        return h;
    return fd < 0 ? fd : fd_alias((int32_t)a0, fd, false);
}

int64_t sys_dup3(SYSARGS)
{
    int h = fd_host((int32_t)a0), nfd = (int32_t)a1;
    if (h < 0)
        return h;
    if (nfd < 0 || nfd >= fd_limit()) /* (RLIMIT_NOFILE: EBADF, as Linux) */
        return -LINUX_EBADF;
    if (nfd == (int32_t)a0 || (a2 & ~(uint64_t)LINUX_O_CLOEXEC))
        return -LINUX_EINVAL;
    if (fd_reach(nfd))
        return -LINUX_ENOMEM;
    if (fd_valid(nfd))
        fd_release(nfd);
    return fd_alias((int32_t)a0, nfd, (a2 & LINUX_O_CLOEXEC) != 0);
}

int64_t sys_dup2(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    return (int32_t)a0 == (int32_t)a1 ? (int64_t)(int32_t)a1 : sys_dup3(a0, a1, 0, 0, 0, 0);
}

#define SETTABLE (LINUX_O_APPEND | LINUX_O_NONBLOCK | LINUX_O_ASYNC | LINUX_O_DIRECT | LINUX_O_NOATIME)

/* F_GETFL: the flags F_SETFL changes are the host's open file's, which other processes that
 * inherited it may have changed; the rest (access mode...) the kernel keeps, and all of a signalfd's
 * (its host fd only stands for it). */
static int64_t fcntl_getfl(int fd)
{
    uint64_t mask;
    if (signalfd_lookup(fd_host(fd), &mask))
        return fd_status(fd);
    hc_fdop(fd_host(fd), BVM_FDOP_GETFL, NULL, 0);
    int64_t host = hc_issue();
    return host < 0 ? fd_status(fd) : (fd_status(fd) & ~(uint32_t)SETTABLE) | ((uint32_t)host & SETTABLE);
}

/* F_SETFL changes the host fd's flags (shared by dup'ed fds, as Linux shares the open file). */
static int64_t fcntl_setfl(int fd, uint64_t arg)
{
    uint32_t settable = SETTABLE;
    uint32_t want = (uint32_t)arg & settable;
    hc_fdop(fd_host(fd), BVM_FDOP_SETFL, NULL, 0)->arg.status_flags = want;
    int64_t r = hc_issue();
    if (r < 0)
        return r;
    fd_set_status(fd, settable, want);
    return 0;
}

#define LINUX_LOCK_NB 4

/* A lock call's form that does not wait (F_SETLKW -> F_SETLK, flock | LOCK_NB), or -1: it never waits. */
static int32_t nowait_cmd(uint32_t op, int32_t cmd)
{
    if (op == BVM_FDOP_FLOCK)
        return (cmd & LINUX_LOCK_NB) ? -1 : cmd | LINUX_LOCK_NB;
    return cmd == LINUX_F_SETLKW ? LINUX_F_SETLK : cmd == LINUX_F_OFD_SETLKW ? LINUX_F_OFD_SETLK : -1;
}

/* A lock call that may wait (F_SETLKW, flock without LOCK_NB): an event ends the host's wait,
 * which goes on unless a signal needs the call. A thread of several tries without waiting, each
 * slice, while the others run. A record lock's struct flock (uarg) makes a round trip through the
 * bounce page, filled again for each try (another thread may have used the page meanwhile). */
static int64_t lock_issue(int fd, uint32_t op, uint64_t uarg, int32_t cmd)
{
    struct linux_flock *fl = op == BVM_FDOP_RECLOCK ? hc_bounce() : NULL;
    int32_t nowait = sched_threaded() ? nowait_cmd(op, cmd) : -1;
    for (;;) {
        if (fl && copy_from_user(fl, uarg, sizeof(*fl)))
            return -LINUX_EFAULT;
        hc_fdop(fd_host(fd), op, fl, fl ? sizeof(*fl) : 0)->arg.lock_cmd = nowait >= 0 ? nowait : cmd;
        int64_t r = hc_issue();
        if (r == -LINUX_EINTR && !events_interrupted())
            continue;
        if (r == -LINUX_EINTR)
            return -LINUX_ERESTARTSYS;
        if (nowait < 0 || (r != -LINUX_EAGAIN && r != -LINUX_EACCES) || (r = sched_nap()) < 0)
            return r;
    }
}

/* Record locks (POSIX and OFD) live on the host fd, among host processes that are the guest's. */
static int64_t fcntl_lock(int fd, uint64_t cmd, uint64_t uarg)
{
    struct linux_flock *fl = hc_bounce();
    int64_t r = lock_issue(fd, BVM_FDOP_RECLOCK, uarg, (int32_t)cmd);
    if (r < 0 || (cmd != LINUX_F_GETLK && cmd != LINUX_F_OFD_GETLK))
        return r;
    return copy_to_user(uarg, fl, sizeof(*fl)) ? -LINUX_EFAULT : 0;
}

int64_t sys_flock(SYSARGS)
{
    int fd = (int32_t)a0, h = fd_host(fd);
    return h < 0 ? h : lock_issue(fd, BVM_FDOP_FLOCK, 0, (int32_t)a1);
}

int64_t sys_fcntl(SYSARGS)
{
    int fd = (int32_t)a0, h = fd_host(fd), nfd;
    if (h < 0)
        return h;
    switch (a1) {
    case LINUX_F_DUPFD:
    case LINUX_F_DUPFD_CLOEXEC:
        if ((int64_t)a2 < 0 || (int64_t)a2 >= fd_limit())
            return -LINUX_EINVAL;
        nfd = fd_free_from((int64_t)a2);
        return nfd < 0 ? nfd : fd_alias(fd, nfd, a1 == LINUX_F_DUPFD_CLOEXEC);
    case LINUX_F_GETFD:
        return fd_is_cloexec(fd) ? LINUX_FD_CLOEXEC : 0;
    case LINUX_F_SETFD:
        fd_set_cloexec(fd, (a2 & LINUX_FD_CLOEXEC) != 0);
        return 0;
    case LINUX_F_GETFL:
        return fcntl_getfl(fd);
    case LINUX_F_SETFL:
        return fcntl_setfl(fd, a2);
    case LINUX_F_GETLK:
    case LINUX_F_SETLK:
    case LINUX_F_SETLKW:
    case LINUX_F_OFD_GETLK:
    case LINUX_F_OFD_SETLK:
    case LINUX_F_OFD_SETLKW:
        return fcntl_lock(fd, a1, a2);
    default:
        kprintf("fcntl(%d, %lu): command not supported", fd, (unsigned long)a1);
        return -LINUX_EINVAL; /* leases, pipe sizes...: not supported yet */
    }
}

/* FIONBIO and FIOCLEX/FIONCLEX are fcntl's F_SETFL and F_SETFD in another form. */
static int64_t ioctl_fd_flags(int fd, uint32_t cmd, uint64_t arg)
{
    int32_t on;
    if (cmd != LINUX_FIONBIO) {
        fd_set_cloexec(fd, cmd == LINUX_FIOCLEX);
        return 0;
    }
    if (copy_from_user(&on, arg, sizeof(on)))
        return -LINUX_EFAULT;
    int64_t fl = fcntl_getfl(fd);
    return fcntl_setfl(fd, on ? (uint64_t)fl | LINUX_O_NONBLOCK : (uint64_t)fl & ~(uint64_t)LINUX_O_NONBLOCK);
}

/* Only allow-listed requests reach the host (terminal control, job control, FIONREAD). A terminal
 * request from a background job stops it with SIGTTOU unless the program ignores or blocks that. */
int64_t sys_ioctl(SYSARGS)
{
    int fd = (int32_t)a0, h = fd_host(fd);
    uint32_t cmd = (uint32_t)a1, size;
    if (h < 0)
        return h;
    if (cmd == LINUX_FIONBIO || cmd == LINUX_FIOCLEX || cmd == LINUX_FIONCLEX)
        return ioctl_fd_flags(fd, cmd, a2);
    enum linux_ioctl_arg kind = linux_ioctl_arg(cmd, &size);
    void *buf = hc_bounce();
    if (kind == LINUX_IOCTL_NOT_FORWARDED)
        return -LINUX_ENOTTY;
    if (kind == LINUX_IOCTL_IN && copy_from_user(buf, a2, size))
        return -LINUX_EFAULT;
    bool quiet = signal_ignored(LINUX_SIGTTOU) || (cur->blocked & SIGBIT(LINUX_SIGTTOU));
    int64_t r;
    do {
        struct bvm_hostcall *req = hc_req(BVM_HC_IOCTL);
        req->u.ioctl = (struct bvm_hc_ioctl){h, cmd, kind == LINUX_IOCTL_VALUE ? a2 : kva_to_gpa(buf), size,
                                             quiet ? BVM_IOCTL_TTOU_IGNORED : 0};
        r = hc_issue();
    } while (r == -LINUX_EINTR && !events_interrupted());
    if (r == -LINUX_EINTR)
        return -LINUX_ERESTARTSYS;
    if (r >= 0 && kind == LINUX_IOCTL_OUT && copy_to_user(a2, buf, size))
        return -LINUX_EFAULT;
    return r;
}
