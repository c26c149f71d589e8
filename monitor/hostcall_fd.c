/* hostcall_fd.c: descriptor hostcalls: directory listing, cwd, fd operations, pipes and poll. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bvm_linux.h"
#include "hostcall_fs.h"

#define HC_MAX_DENTS (64u << 10) /* bytes of directory entries per call; the guest loops */
#define HC_MAX_POLL 1024

static int64_t host_ret(long rc) { return rc < 0 ? -errno : rc; }

/* Host getdents64 writes Linux's own record format: bounce it and copy it out unchanged. */
int64_t hc_getdents64(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_fd *a = &r->u.fd;
    static char buf[HC_MAX_DENTS];
    uint64_t len = a->out_len < sizeof buf ? a->out_len : sizeof buf;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    if (!gm_ptr(c->gm, a->out_gpa, len))
        return -EFAULT;
    long n = syscall(SYS_getdents64, a->fd, buf, len);
    if (n < 0)
        return -errno;
    return gm_write(c->gm, a->out_gpa, buf, (uint64_t)n) < 0 ? -EFAULT : n;
}

/* Linux's getcwd returns the length including the NUL. */
int64_t hc_getcwd(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_fd *a = &r->u.fd;
    char buf[BVM_HC_MAX_PATH];
    uint64_t len = a->out_len < sizeof buf ? a->out_len : sizeof buf;
    long n = syscall(SYS_getcwd, buf, len);
    if (n < 0)
        return -errno;
    return gm_write(c->gm, a->out_gpa, buf, (uint64_t)n) < 0 ? -EFAULT : n;
}

int64_t hc_fchdir(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    return hc_fd_ok(c, r->u.fd.fd) ? host_ret(fchdir(r->u.fd.fd)) : -EBADF;
}

static int64_t fd_statfs(struct hc_ctx *c, const struct bvm_hc_fd *a)
{
    struct linux_statfs sf;
    if (a->out_len != sizeof sf || !gm_ptr(c->gm, a->out_gpa, sizeof sf))
        return -EFAULT;
    if (syscall(SYS_fstatfs, a->fd, &sf) < 0)
        return -errno;
    return gm_write(c->gm, a->out_gpa, &sf, sizeof sf);
}

/* fcntl record locks: the host fd is the guest's, so the host keeps the lock state. */
static int64_t fd_lock(struct hc_ctx *c, const struct bvm_hc_fd *a)
{
    struct linux_flock lf;
    struct flock fl;
    int cmd = (int)a->offset;
    if (cmd != F_GETLK && cmd != F_SETLK && cmd != F_SETLKW)
        return -EINVAL;
    if (a->out_len != sizeof lf || gm_read(c->gm, a->out_gpa, &lf, sizeof lf) < 0)
        return -EFAULT;
    memset(&fl, 0, sizeof fl);
    fl.l_type = lf.l_type, fl.l_whence = lf.l_whence, fl.l_start = lf.l_start, fl.l_len = lf.l_len;
    if (fcntl(a->fd, cmd, &fl) < 0)
        return -errno;
    if (cmd != F_GETLK)
        return 0;
    lf.l_type = fl.l_type, lf.l_whence = fl.l_whence, lf.l_start = fl.l_start, lf.l_len = fl.l_len;
    lf.l_pid = fl.l_pid;
    return gm_write(c->gm, a->out_gpa, &lf, sizeof lf);
}

static int64_t fd_fionread(struct hc_ctx *c, const struct bvm_hc_fd *a)
{
    int n = 0;
    if (a->out_len != sizeof n || !gm_ptr(c->gm, a->out_gpa, sizeof n))
        return -EFAULT;
    if (ioctl(a->fd, FIONREAD, &n) < 0)
        return -errno;
    return gm_write(c->gm, a->out_gpa, &n, sizeof n);
}

static int64_t fd_setfl(const struct bvm_hc_fd *a)
{
    /* Only the flags Linux lets F_SETFL change; O_CLOEXEC stays the monitor's. */
    int keep = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_ASYNC;
    return host_ret(fcntl(a->fd, F_SETFL, (int)a->offset & keep));
}

int64_t hc_fdop(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_fd *a = &r->u.fd;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    uid_t uid = (uid_t)((uint64_t)a->offset >> 32);
    gid_t gid = (gid_t)(uint32_t)a->offset;
    switch (a->cmd) {
    case BVM_FDOP_FTRUNCATE: return host_ret(ftruncate(a->fd, a->offset));
    case BVM_FDOP_FSYNC: return host_ret(fsync(a->fd));
    case BVM_FDOP_FDATASYNC: return host_ret(fdatasync(a->fd));
    case BVM_FDOP_FCHMOD: return host_ret(fchmod(a->fd, (mode_t)a->offset & 07777));
    case BVM_FDOP_FCHOWN: return host_ret(fchown(a->fd, uid, gid));
    case BVM_FDOP_FALLOCATE:
        return host_ret(fallocate(a->fd, (int)a->out_gpa, a->offset, (off_t)a->out_len));
    case BVM_FDOP_FSTATFS: return fd_statfs(c, a);
    case BVM_FDOP_SETFL: return fd_setfl(a);
    case BVM_FDOP_FLOCK: return fd_lock(c, a);
    case BVM_FDOP_FIONREAD: return fd_fionread(c, a);
    default: return -EINVAL;
    }
}

int64_t hc_pipe2(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_fd *a = &r->u.fd;
    int fds[2];
    int32_t out[2];
    if (a->out_len != sizeof out || !gm_ptr(c->gm, a->out_gpa, sizeof out))
        return -EFAULT;
    if (pipe2(fds, (int)(a->cmd & (O_NONBLOCK | O_DIRECT)) | O_CLOEXEC) < 0)
        return -errno;
    if (fds[0] >= HC_MAX_FD || fds[1] >= HC_MAX_FD) {
        close(fds[0]), close(fds[1]);
        return -EMFILE;
    }
    hc_fd_grant(c, fds[0]), hc_fd_grant(c, fds[1]);
    out[0] = fds[0], out[1] = fds[1];
    return gm_write(c->gm, a->out_gpa, out, sizeof out);
}

/* The kernel has translated guest fds to host fds; negative fds are ignored, as poll does. */
int64_t hc_poll(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_fd *a = &r->u.fd;
    struct linux_pollfd lp[HC_MAX_POLL];
    struct pollfd p[HC_MAX_POLL];
    uint64_t n = a->out_len;
    if (n > HC_MAX_POLL)
        return -EINVAL;
    if (gm_read(c->gm, a->out_gpa, lp, n * sizeof lp[0]) < 0)
        return -EFAULT;
    for (uint64_t i = 0; i < n; i++) {
        if (lp[i].fd >= 0 && !hc_fd_ok(c, lp[i].fd))
            return -EBADF;
        p[i].fd = lp[i].fd, p[i].events = lp[i].events, p[i].revents = 0;
    }
    int got = poll(p, n, a->offset < 0 ? -1 : (int)(a->offset > 1 << 30 ? 1 << 30 : a->offset));
    if (got < 0)
        return -errno;
    for (uint64_t i = 0; i < n; i++)
        lp[i].revents = p[i].revents;
    return gm_write(c->gm, a->out_gpa, lp, n * sizeof lp[0]) < 0 ? -EFAULT : got;
}

/* The monitor process creates the guest's files, so its umask is the guest's. */
int64_t hc_umask(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    return umask((mode_t)(r->u.fd.cmd & 0777));
}
