/* hostcall_at.c: the *at family of path hostcalls (mkdirat, renameat2, statx ...), all through hc_guest_path. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bvm_linux.h"
#include "hostcall_fs.h"

/* A validated copy of one request: paths NUL-terminated, dirfds owned by the guest. */
struct at_req {
    const struct bvm_hc_at *a;
    char p1[BVM_HC_MAX_PATH];
    char p2[BVM_HC_MAX_PATH];
};

/* Copies path one (and two when need2) and checks both dirfds. 0 or -errno. */
static int at_prepare(struct hc_ctx *c, const struct bvm_hostcall *r, struct at_req *q, int need2)
{
    q->a = &r->u.at;
    int err = hc_guest_path(c, q->a->path_gpa, q->a->path_len, q->p1);
    if (!err && need2)
        err = hc_guest_path(c, q->a->path2_gpa, q->a->path2_len, q->p2);
    if (err)
        return err;
    if (!hc_dirfd_ok(c, q->a->dirfd) || (need2 && !hc_dirfd_ok(c, q->a->dirfd2)))
        return -EBADF;
    return 0;
}

static int64_t host_ret(long rc) { return rc < 0 ? -errno : rc; }

/* Flags outside what a call accepts are Linux's EINVAL, never silently dropped. */
#define FLAGS_ONLY(f, allowed)                                                                               \
    do {                                                                                                     \
        if ((f) & ~(allowed))                                                                                \
            return -EINVAL;                                                                                  \
    } while (0)

int64_t hc_mkdirat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 0);
    return err ? err : host_ret(mkdirat(q.a->dirfd, q.p1, q.a->mode & 07777));
}

int64_t hc_renameat2(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 1);
    if (err)
        return err;
    return host_ret(syscall(SYS_renameat2, q.a->dirfd, q.p1, q.a->dirfd2, q.p2, (unsigned)q.a->flags));
}

int64_t hc_linkat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 1);
    if (err)
        return err;
    FLAGS_ONLY(q.a->flags, AT_SYMLINK_FOLLOW | AT_EMPTY_PATH);
    return host_ret(linkat(q.a->dirfd, q.p1, q.a->dirfd2, q.p2, q.a->flags));
}

/* The target (path one) is stored as text, never resolved: its dirfd is not used. */
int64_t hc_symlinkat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 1);
    return err ? err : host_ret(symlinkat(q.p1, q.a->dirfd2, q.p2));
}

int64_t hc_readlinkat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    char buf[BVM_HC_MAX_PATH];
    int err = at_prepare(c, r, &q, 0);
    if (err)
        return err;
    uint64_t len = q.a->out_len < sizeof buf ? q.a->out_len : sizeof buf;
    if (len == 0 || !gm_ptr(c->gm, q.a->out_gpa, len))
        return -EFAULT;
    ssize_t n = readlinkat(q.a->dirfd, q.p1, buf, len);
    if (n < 0)
        return -errno;
    return gm_write(c->gm, q.a->out_gpa, buf, (uint64_t)n) < 0 ? -EFAULT : n;
}

int64_t hc_fchmodat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 0);
    return err ? err : host_ret(fchmodat(q.a->dirfd, q.p1, q.a->mode & 07777, q.a->flags & AT_SYMLINK_NOFOLLOW));
}

int64_t hc_fchownat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 0);
    if (err)
        return err;
    uid_t uid = (uid_t)((uint64_t)q.a->arg >> 32);
    gid_t gid = (gid_t)(uint32_t)q.a->arg;
    FLAGS_ONLY(q.a->flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
    return host_ret(fchownat(q.a->dirfd, q.p1, uid, gid, q.a->flags));
}

int64_t hc_utimensat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_at *a = &r->u.at;
    struct linux_timespec lt[2];
    struct timespec ts[2], *tp = NULL;
    struct at_req q;
    int err = a->path_gpa || a->path_len ? at_prepare(c, r, &q, 0) : 0;
    if (err)
        return err;
    if (a->out_gpa) {
        if (a->out_len != sizeof lt || gm_read(c->gm, a->out_gpa, lt, sizeof lt) < 0)
            return -EFAULT;
        for (int i = 0; i < 2; i++)
            ts[i].tv_sec = lt[i].tv_sec, ts[i].tv_nsec = lt[i].tv_nsec;
        tp = ts;
    }
    if (!hc_dirfd_ok(c, a->dirfd))
        return -EBADF;
    int flags = a->flags;
    FLAGS_ONLY(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
    /* No path: Linux's utimensat(fd, NULL, ...) form, which futimens uses. */
    if (!a->path_gpa && !a->path_len)
        return host_ret(syscall(SYS_utimensat, a->dirfd, NULL, tp, 0));
    return host_ret(utimensat(a->dirfd, q.p1, tp, flags));
}

int64_t hc_faccessat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 0);
    if (err)
        return err;
    int flags = q.a->flags;
    FLAGS_ONLY(flags, AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
    return host_ret(syscall(SYS_faccessat2, q.a->dirfd, q.p1, q.a->mode & 7, flags));
}

int64_t hc_truncate(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 0);
    if (err)
        return err;
    return q.a->dirfd != AT_FDCWD ? -EINVAL : host_ret(truncate(q.p1, q.a->arg));
}

/* The host kernel's struct statx is Linux's: the bytes go to the guest unchanged. */
int64_t hc_statx(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    struct linux_statx sx;
    int err = at_prepare(c, r, &q, 0);
    if (err)
        return err;
    if (q.a->out_len != sizeof sx || !gm_ptr(c->gm, q.a->out_gpa, sizeof sx))
        return -EFAULT;
    int flags = q.a->flags;
    FLAGS_ONLY(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE);
    memset(&sx, 0, sizeof sx);
    if (syscall(SYS_statx, q.a->dirfd, q.p1, flags, q.a->mode, &sx) < 0)
        return -errno;
    return gm_write(c->gm, q.a->out_gpa, &sx, sizeof sx);
}

int64_t hc_statfs(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    struct linux_statfs sf;
    int err = at_prepare(c, r, &q, 0);
    if (err)
        return err;
    if (q.a->out_len != sizeof sf || !gm_ptr(c->gm, q.a->out_gpa, sizeof sf))
        return -EFAULT;
    if (syscall(SYS_statfs, q.p1, &sf) < 0)
        return -errno;
    return gm_write(c->gm, q.a->out_gpa, &sf, sizeof sf);
}

/* The monitor's working directory is the guest's: relative paths resolve the same way. */
int64_t hc_chdir(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 0);
    return err ? err : host_ret(chdir(q.p1));
}

/* memfd_create (mode 0, path = name) or eventfd2 (mode 1, arg = initial count). */
int64_t hc_newfd(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_at *a = &r->u.at;
    char name[BVM_HC_MAX_PATH];
    int fd;
    if (a->mode == 0) {
        /* A memfd name is a label, not a path: it does not go through hc_guest_path. */
        if (a->path_len >= 250 || gm_read(c->gm, a->path_gpa, name, a->path_len) < 0)
            return a->path_len >= 250 ? -EINVAL : -EFAULT;
        name[a->path_len] = 0;
        FLAGS_ONLY(a->flags, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        fd = memfd_create(name, (unsigned)a->flags | MFD_CLOEXEC);
    } else if (a->mode == 1) {
        FLAGS_ONLY(a->flags, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
        fd = eventfd((unsigned)a->arg, (a->flags & ~EFD_CLOEXEC) | EFD_CLOEXEC);
    } else {
        return -EINVAL;
    }
    return hc_fd_adopt(c, fd);
}
