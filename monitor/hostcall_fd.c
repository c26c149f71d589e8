/* hostcall_fd.c: descriptor hostcalls: directory listing, cwd, fd operations, pipes and poll. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "bvm_linux.h"
#include "events.h"
#include "hostcall_fs.h"
#include "open_wait.h"
#include "policy.h"

#define HC_MAX_DENTS (64u << 10) /* bytes of directory entries per call; the guest loops */

/* Host getdents64 writes Linux's own record format: bounce it and copy it out unchanged. */
int64_t hc_getdents64(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_fd *a = &r->u.fd;
    static char buf[HC_MAX_DENTS];
    uint64_t len = a->out_len < sizeof buf ? a->out_len : sizeof buf;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    if (!gm_ptr_w(c->gm, a->out_gpa, len))
        return -EFAULT;
    long n, raw;
    do { /* (a chunk of hidden names only is not the end of the listing) */
        raw = syscall(SYS_getdents64, a->fd, buf, len);
        n = policy_filter_dents(a->fd, buf, raw);
    } while (raw > 0 && n == 0);
    if (n < 0)
        return -errno;
    return gm_write(c->gm, a->out_gpa, buf, (uint64_t)n) < 0 ? -EFAULT : n;
}

/* Linux's getcwd returns the length including the NUL. */
int64_t hc_getcwd(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_out *a = &r->u.out;
    char buf[BVM_HC_MAX_PATH];
    uint64_t len = a->out_len < sizeof buf ? a->out_len : sizeof buf;
    long n = syscall(SYS_getcwd, buf, len);
    if (n < 0)
        return -errno;
    return gm_write(c->gm, a->out_gpa, buf, (uint64_t)n) < 0 ? -EFAULT : n;
}

int64_t hc_fchdir(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    return hc_fd_ok(c, r->u.fd.fd) ? hc_host_ret(fchdir(r->u.fd.fd)) : -EBADF;
}

static int64_t fd_statfs(struct hc_ctx *c, const struct bvm_hc_fdop *a)
{
    struct linux_statfs sf;
    if (a->out_len != sizeof sf || !gm_ptr_w(c->gm, a->out_gpa, sizeof sf))
        return -EFAULT;
    if (syscall(SYS_fstatfs, a->fd, &sf) < 0)
        return -errno;
    return gm_write(c->gm, a->out_gpa, &sf, sizeof sf);
}

/* fcntl record locks, POSIX and open file description ones: the host fd is the guest's (and the
 * guest's processes are host processes), so the host keeps the lock state. */
static int64_t fd_lock(struct hc_ctx *c, const struct bvm_hc_fdop *a)
{
    struct linux_flock lf;
    struct flock fl;
    int cmd = a->arg.lock_cmd;
    bool getlk = cmd == F_GETLK || cmd == F_OFD_GETLK, waits = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
    if (!getlk && !waits && cmd != F_SETLK && cmd != F_OFD_SETLK)
        return -EINVAL;
    if (a->out_len != sizeof lf || gm_read(c->gm, a->out_gpa, &lf, sizeof lf) < 0)
        return -EFAULT;
    memset(&fl, 0, sizeof fl);
    fl.l_type = lf.l_type, fl.l_whence = lf.l_whence, fl.l_start = lf.l_start, fl.l_len = lf.l_len;
    fl.l_pid = lf.l_pid; /* OFD locks want 0 */
    long rc = waits ? safe_syscall(SYS_fcntl, a->fd, cmd, &fl, 0, 0, 0) /* may wait */
                    : (fcntl(a->fd, cmd, &fl) < 0 ? -errno : 0);
    if (rc < 0)
        return rc;
    if (!getlk)
        return 0;
    lf.l_type = fl.l_type, lf.l_whence = fl.l_whence, lf.l_start = fl.l_start, lf.l_len = fl.l_len;
    lf.l_pid = fl.l_pid;
    return gm_write(c->gm, a->out_gpa, &lf, sizeof lf);
}

static int64_t fd_fionread(struct hc_ctx *c, const struct bvm_hc_fdop *a)
{
    int n = 0;
    if (a->out_len != sizeof n || !gm_ptr_w(c->gm, a->out_gpa, sizeof n))
        return -EFAULT;
    if (ioctl(a->fd, FIONREAD, &n) < 0)
        return -errno;
    return gm_write(c->gm, a->out_gpa, &n, sizeof n);
}

/* timerfd_settime (out: the new itimerspec, then room for the old one) and timerfd_gettime: the
 * host's struct itimerspec is Linux's. */
static int64_t fd_timerfd(struct hc_ctx *c, const struct bvm_hc_fdop *a)
{
    struct itimerspec its[2];
    _Static_assert(sizeof its[0] == sizeof(struct linux_itimerspec), "itimerspec is Linux's");
    uint64_t len = a->op == BVM_FDOP_TIMERFD_SET ? sizeof its : sizeof its[0];
    if (a->out_len != len || gm_read(c->gm, a->out_gpa, its, len) < 0)
        return -EFAULT;
    int rc = a->op == BVM_FDOP_TIMERFD_SET ? timerfd_settime(a->fd, a->arg.timer_flags, &its[0], &its[1])
                                            : timerfd_gettime(a->fd, &its[0]);
    if (rc < 0)
        return -errno;
    return a->op == BVM_FDOP_TIMERFD_SET ? gm_write(c->gm, a->out_gpa + sizeof its[0], &its[1], sizeof its[1])
                                         : gm_write(c->gm, a->out_gpa, &its[0], sizeof its[0]);
}

static int64_t fd_getfl(const struct bvm_hc_fdop *a)
{
    int fl = fcntl(a->fd, F_GETFL);
    return fl < 0 ? -errno : fl & (O_ACCMODE | O_PATH | O_LARGEFILE | O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_ASYNC);
}

static int64_t fd_setfl(const struct bvm_hc_fdop *a)
{
    /* Only the flags Linux lets F_SETFL change; O_CLOEXEC stays the monitor's. */
    int keep = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_ASYNC;
    return hc_host_ret(fcntl(a->fd, F_SETFL, (int)a->arg.status_flags & keep));
}

/* epoll: the host's own instance, watching the guest's host fds (never another of the monitor's);
 * an event's data is the program's, handed back as it gave it. */
#define EPOLL_EVENT_SIZE 12 /* x86-64's packed struct epoll_event */
#define EPOLL_MAX_EVENTS 1024

static int64_t fd_epoll_ctl(struct hc_ctx *c, const struct bvm_hc_fdop *a)
{
    struct epoll_event ev;
    _Static_assert(sizeof ev == EPOLL_EVENT_SIZE, "epoll_event is packed on x86-64");
    if (!hc_fd_ok(c, a->arg.epoll.target))
        return -EBADF;
    if (a->arg.epoll.op != EPOLL_CTL_DEL && (a->out_len != sizeof ev || gm_read(c->gm, a->out_gpa, &ev, sizeof ev) < 0))
        return -EFAULT;
    return hc_host_ret(epoll_ctl(a->fd, a->arg.epoll.op, a->arg.epoll.target, &ev));
}

static int64_t fd_epoll_wait(struct hc_ctx *c, const struct bvm_hc_fdop *a)
{
    struct epoll_event ev[EPOLL_MAX_EVENTS];
    uint64_t n = a->out_len / EPOLL_EVENT_SIZE;
    if (n == 0 || n > EPOLL_MAX_EVENTS || !gm_ptr_w(c->gm, a->out_gpa, n * EPOLL_EVENT_SIZE))
        return n == 0 || n > EPOLL_MAX_EVENTS ? -EINVAL : -EFAULT;
    long got = a->arg.epoll.timeout_ms == 0 ? hc_host_ret(epoll_wait(a->fd, ev, (int)n, 0))
                                            : safe_syscall(SYS_epoll_pwait, a->fd, ev, n, a->arg.epoll.timeout_ms, 0, 8);
    if (got > 0 && gm_write(c->gm, a->out_gpa, ev, (uint64_t)got * EPOLL_EVENT_SIZE) < 0)
        return -EFAULT;
    return got;
}

int64_t hc_fdop(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_fdop *a = &r->u.fdop;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    switch (a->op) {
    case BVM_FDOP_FTRUNCATE: return hc_host_ret(ftruncate(a->fd, a->arg.length));
    case BVM_FDOP_FSYNC: return hc_host_ret(fsync(a->fd));
    case BVM_FDOP_FDATASYNC: return hc_host_ret(fdatasync(a->fd));
    case BVM_FDOP_FCHMOD:
        return policy_check(a->fd, HC_ACC_WRITE) ?: hc_host_ret(fchmod(a->fd, (mode_t)a->arg.mode & 07777));
    case BVM_FDOP_FCHOWN:
        return policy_check(a->fd, HC_ACC_WRITE) ?: hc_host_ret(fchown(a->fd, a->arg.owner.uid, a->arg.owner.gid));
    case BVM_FDOP_FALLOCATE:
        return hc_host_ret(fallocate(a->fd, a->arg.alloc.mode, a->arg.alloc.offset, a->arg.alloc.len));
    case BVM_FDOP_FSTATFS: return fd_statfs(c, a);
    case BVM_FDOP_SETFL: return fd_setfl(a);
    case BVM_FDOP_GETFL: return fd_getfl(a);
    case BVM_FDOP_RECLOCK: return fd_lock(c, a);
    case BVM_FDOP_FLOCK: /* a blocking flock waits like F_SETLKW */
        return a->arg.lock_cmd & LOCK_NB ? hc_host_ret(flock(a->fd, a->arg.lock_cmd))
                                         : safe_syscall(SYS_flock, a->fd, a->arg.lock_cmd, 0, 0, 0, 0);
    case BVM_FDOP_FIONREAD: return fd_fionread(c, a);
    case BVM_FDOP_TIMERFD_SET:
    case BVM_FDOP_TIMERFD_GET: return fd_timerfd(c, a);
    case BVM_FDOP_EPOLL_CTL: return fd_epoll_ctl(c, a);
    case BVM_FDOP_EPOLL_WAIT: return fd_epoll_wait(c, a);
    case BVM_FDOP_OPEN_RESULT: return open_wait_result(c, a->fd);
    case BVM_FDOP_OPEN_CANCEL: return open_wait_cancel(c, a->fd);
    default: return -EINVAL;
    }
}

int64_t hc_pipe2(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_pipe *a = &r->u.pipe;
    int fds[2];
    int32_t out[2];
    if (!gm_ptr_w(c->gm, a->fds_gpa, sizeof out))
        return -EFAULT;
    if (a->sock_type && a->sock_type != SOCK_STREAM && a->sock_type != SOCK_DGRAM && a->sock_type != SOCK_SEQPACKET)
        return -EINVAL;
    int sock = (int)a->sock_type | SOCK_CLOEXEC | (a->flags & O_NONBLOCK ? SOCK_NONBLOCK : 0);
    if (a->sock_type ? socketpair(AF_UNIX, sock, 0, fds) < 0
                     : pipe2(fds, (int)(a->flags & (O_NONBLOCK | O_DIRECT)) | O_CLOEXEC) < 0)
        return -errno;
    if (fds[0] >= HC_MAX_FD || fds[1] >= HC_MAX_FD) {
        close(fds[0]), close(fds[1]);
        return -EMFILE;
    }
    hc_fd_grant(c, fds[0]), hc_fd_grant(c, fds[1]);
    out[0] = fds[0], out[1] = fds[1];
    return gm_write(c->gm, a->fds_gpa, out, sizeof out);
}

/* The kernel has translated guest fds to host fds; negative fds are ignored, as poll does. */
int64_t hc_poll(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_poll *a = &r->u.poll;
    struct linux_pollfd lp[BVM_HC_MAX_POLL];
    struct pollfd p[BVM_HC_MAX_POLL];
    uint32_t n = a->nfds;
    if (n > BVM_HC_MAX_POLL)
        return -EINVAL;
    if (gm_read(c->gm, a->fds_gpa, lp, n * sizeof lp[0]) < 0)
        return -EFAULT;
    for (uint32_t i = 0; i < n; i++) {
        if (lp[i].fd >= 0 && !hc_fd_ok(c, lp[i].fd))
            return -EBADF;
        p[i].fd = lp[i].fd, p[i].events = lp[i].events, p[i].revents = 0;
    }
    struct timespec ts = {a->timeout_ms / 1000, (long)(a->timeout_ms % 1000) * 1000000};
    long got = safe_syscall(SYS_ppoll, p, n, a->timeout_ms < 0 ? NULL : &ts, NULL, 8, 0);
    if (got < 0)
        return got;
    for (uint32_t i = 0; i < n; i++)
        lp[i].revents = p[i].revents;
    return gm_write(c->gm, a->fds_gpa, lp, n * sizeof lp[0]) < 0 ? -EFAULT : got;
}

/* The monitor process creates the guest's files, so its umask is the guest's. */
int64_t hc_umask(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    return umask((mode_t)(r->u.umask.mask & 0777));
}
