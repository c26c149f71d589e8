/* hostcall_fs.c: file hostcalls: open, close, stat, lseek, unlink, ioctl (paths via hostcall_path.c). */
#include "hostcall_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bvm_linux.h"
#include "events.h"
#include "open_wait.h"

static int get_path(struct hc_ctx *c, const struct bvm_hc_path *p, struct hc_gpath *gp)
{
    int err = hc_guest_path(c, p->path_gpa, p->path_len, gp);
    if (err)
        return err;
    return hc_dirfd_ok(c, p->dirfd) ? 0 : -EBADF;
}

/* AT_FDCWD or a descriptor the guest owns, with at most one BVM_DIRFD_* bit. */
int hc_dirfd_ok(const struct hc_ctx *c, int dirfd)
{
    int bits = dirfd & BVM_DIRFD_FLAGS;
    return dirfd == LINUX_AT_FDCWD || (bits != BVM_DIRFD_FLAGS && hc_fd_ok(c, dirfd & ~bits));
}

/* An open that would wait for a FIFO's other end, in a threaded process: made by a helper thread,
 * its ticket at out_gpa; -BVM_ENOTREADY. 0: not such an open (made as any other). */
static int64_t open_fifo_later(struct hc_ctx *c, const struct bvm_hc_path *a, const struct hc_gpath *p, int flags)
{
    int object, err = hc_path_fifo(c, a->dirfd, p, flags, &object);
    if (err || object < 0)
        return err;
    if (!gm_ptr_w(c->gm, a->out_gpa, sizeof(int32_t))) {
        close(object);
        return -EFAULT;
    }
    int64_t t = open_wait_start(c, object, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOFOLLOW));
    if (t < 0) {
        close(object);
        return t;
    }
    int32_t ticket = (int32_t)t;
    gm_write(c->gm, a->out_gpa, &ticket, sizeof ticket);
    return -BVM_ENOTREADY;
}

int64_t hc_openat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct hc_gpath p;
    int flags = r->u.path.flags & ~(int)BVM_IO_TRY, err = get_path(c, &r->u.path, &p);
    if (err)
        return err;
    int64_t later = r->u.path.flags & BVM_IO_TRY ? open_fifo_later(c, &r->u.path, &p, flags) : 0;
    if (later)
        return later;
    /* The guest's close-on-exec is the kernel's business; host fds never leak to children. */
    int fd = hc_path_open(c, r->u.path.dirfd, &p, flags | O_CLOEXEC, r->u.path.mode & 07777);
    if (fd < 0)
        return fd;
    return hc_fd_adopt(c, fd);
}

int64_t hc_close(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    int fd = r->u.fd.fd;
    if (!hc_fd_ok(c, fd))
        return -EBADF;
    hc_fd_revoke(c, fd);
    return close(fd) < 0 ? -errno : 0;
}

static void to_linux_stat(const struct stat *s, struct linux_stat *l)
{
    memset(l, 0, sizeof *l);
    l->st_dev = s->st_dev, l->st_ino = s->st_ino, l->st_nlink = s->st_nlink;
    l->st_mode = s->st_mode, l->st_uid = s->st_uid, l->st_gid = s->st_gid;
    l->st_rdev = s->st_rdev, l->st_size = s->st_size, l->st_blksize = s->st_blksize;
    l->st_blocks = s->st_blocks;
    l->st_atim.tv_sec = s->st_atim.tv_sec, l->st_atim.tv_nsec = s->st_atim.tv_nsec;
    l->st_mtim.tv_sec = s->st_mtim.tv_sec, l->st_mtim.tv_nsec = s->st_mtim.tv_nsec;
    l->st_ctim.tv_sec = s->st_ctim.tv_sec, l->st_ctim.tv_nsec = s->st_ctim.tv_nsec;
}

static int64_t put_stat(struct hc_ctx *c, uint64_t gpa, const struct stat *s)
{
    struct linux_stat l;
    to_linux_stat(s, &l);
    return gm_write(c->gm, gpa, &l, sizeof l);
}

int64_t hc_fstat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct stat s;
    if (r->u.fd.out_len != sizeof(struct linux_stat))
        return -EINVAL;
    if (!hc_fd_ok(c, r->u.fd.fd))
        return -EBADF;
    if (!gm_ptr_w(c->gm, r->u.fd.out_gpa, sizeof(struct linux_stat)))
        return -EFAULT;
    if (fstat(r->u.fd.fd, &s) < 0)
        return -errno;
    return put_stat(c, r->u.fd.out_gpa, &s);
}

int64_t hc_fstatat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct hc_gpath p;
    struct stat s;
    int err = get_path(c, &r->u.path, &p);
    if (err)
        return err;
    if (!gm_ptr_w(c->gm, r->u.path.out_gpa, sizeof(struct linux_stat)))
        return -EFAULT;
    int flags = r->u.path.flags;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
        return -EINVAL;
    enum hc_walk walk = flags & AT_SYMLINK_NOFOLLOW ? HC_WALK_NOFOLLOW : HC_WALK_FOLLOW;
    err = hc_path_resolve(c, r->u.path.dirfd, &p, walk, flags & AT_EMPTY_PATH, HC_ACC_META);
    if (err)
        return err;
    err = fstatat(p.fd, "", &s, AT_EMPTY_PATH) < 0 ? -errno : 0;
    hc_gpath_put(&p);
    return err ? err : put_stat(c, r->u.path.out_gpa, &s);
}

int64_t hc_lseek(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_lseek *a = &r->u.lseek;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    off_t o = lseek(a->fd, a->offset, (int)a->whence);
    return o < 0 ? -errno : o;
}

int64_t hc_unlinkat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct hc_gpath p;
    int err = get_path(c, &r->u.path, &p);
    if (err)
        return err;
    if (r->u.path.flags & ~AT_REMOVEDIR)
        return -EINVAL;
    err = hc_path_resolve(c, r->u.path.dirfd, &p, HC_WALK_PARENT, 0, HC_ACC_WRITE);
    if (err)
        return err;
    err = unlinkat(p.fd, p.last, r->u.path.flags) < 0 ? -errno : 0;
    hc_gpath_put(&p);
    return err;
}

/* Allow-listed requests only, each buffer of the request's exact size. A terminal request from a
 * background job makes the host send SIGTTOU to the monitor's group unless the monitor blocks it,
 * as it does when the guest ignores or blocks it; else the call gives way to that event (-EINTR). */
int64_t hc_ioctl(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_ioctl *a = &r->u.ioctl;
    union {
        struct linux_termios t;
        struct linux_winsize w;
        int32_t i;
    } buf;
    uint32_t size;
    enum linux_ioctl_arg kind = linux_ioctl_arg(a->cmd, &size);
    sigset_t ttou, old;
    if (kind == LINUX_IOCTL_NOT_FORWARDED)
        return -ENOTTY;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    memset(&buf, 0, sizeof buf);
    if (kind != LINUX_IOCTL_VALUE && (a->len != size || size > sizeof buf || !(kind == LINUX_IOCTL_IN ? gm_ptr(c->gm, a->arg, size) : gm_ptr_w(c->gm, a->arg, size))))
        return -EFAULT;
    if (kind == LINUX_IOCTL_IN)
        gm_read(c->gm, a->arg, &buf, size);
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(a->flags & BVM_IOCTL_TTOU_IGNORED ? SIG_BLOCK : SIG_UNBLOCK, &ttou, &old);
    long rc = safe_syscall(SYS_ioctl, a->fd, a->cmd, kind == LINUX_IOCTL_VALUE ? (void *)(uintptr_t)a->arg : &buf, 0,
                           0, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (rc >= 0 && kind == LINUX_IOCTL_OUT)
        gm_write(c->gm, a->arg, &buf, size);
    return rc;
}
