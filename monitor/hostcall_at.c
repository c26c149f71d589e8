/* hostcall_at.c: the *at family of path hostcalls (mkdirat, renameat2, statx ...), each on the object
 * its resolved path names (hostcall_path.c), never on the guest's string. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/xattr.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bvm_linux.h"
#include "hostcall_fs.h"
#include "policy.h"

/* A validated copy of one request: paths NUL-terminated, dirfds owned by the guest. */
struct at_req {
    const struct bvm_hc_at *a;
    struct hc_gpath p1, p2;
};

/* Copies path one (and two when need2) and checks both dirfds, in Linux's order. 0 or -errno. */
static int at_prepare(struct hc_ctx *c, const struct bvm_hostcall *r, struct at_req *q, int need2)
{
    q->a = &r->u.at;
    q->p1.fd = q->p2.fd = -1;
    int err = hc_guest_path(c, q->a->path_gpa, q->a->path_len, &q->p1);
    if (!err && need2)
        err = hc_guest_path(c, q->a->path2_gpa, q->a->path2_len, &q->p2);
    if (err)
        return err;
    if (!hc_dirfd_ok(c, q->a->dirfd) || (need2 && !hc_dirfd_ok(c, q->a->dirfd2)))
        return -EBADF;
    return 0;
}

/* at_prepare, then path one resolved for walk and checked for acc (AT_EMPTY_PATH honoured). */
static int at_resolve(struct hc_ctx *c, const struct bvm_hostcall *r, struct at_req *q, enum hc_walk walk,
                      enum hc_access acc)
{
    int err = at_prepare(c, r, q, 0);
    return err ? err : hc_path_resolve(c, q->a->dirfd, &q->p1, walk, q->a->flags & AT_EMPTY_PATH, acc);
}

/* The walk that AT_SYMLINK_NOFOLLOW asks for. */
static enum hc_walk walk_of(int flags)
{
    return flags & AT_SYMLINK_NOFOLLOW ? HC_WALK_NOFOLLOW : HC_WALK_FOLLOW;
}

/* The result of a call on resolved paths, which are closed here. */
static int64_t done(struct at_req *q, long rc)
{
    int64_t ret = hc_host_ret(rc);
    hc_gpath_put(&q->p1);
    hc_gpath_put(&q->p2);
    return ret;
}

/* Flags outside what a call accepts are Linux's EINVAL, never silently dropped. */
#define FLAGS_ONLY(f, allowed)                                                                               \
    do {                                                                                                     \
        if ((f) & ~(allowed))                                                                                \
            return -EINVAL;                                                                                  \
    } while (0)

int64_t hc_mkdirat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_resolve(c, r, &q, HC_WALK_PARENT, HC_ACC_WRITE);
    return err ? err : done(&q, mkdirat(q.p1.fd, q.p1.last, q.a->mode & 07777));
}

/* The type (a FIFO, a socket, a regular file, a device where the host allows it) is the host's
 * to check, as its umask applies to the permissions. */
int64_t hc_mknodat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    if (policy_sandboxed() && (S_ISCHR(r->u.at.mode) || S_ISBLK(r->u.at.mode)))
        return -EPERM; /* no devices made under the sandbox (a container without CAP_MKNOD) */
    int err = at_resolve(c, r, &q, HC_WALK_PARENT, HC_ACC_WRITE);
    return err ? err : done(&q, mknodat(q.p1.fd, q.p1.last, q.a->mode, (dev_t)(uint32_t)q.a->length));
}

/* Both paths' directories, for the calls that make or remove entries in them. */
static int two_parents(struct hc_ctx *c, const struct bvm_hostcall *r, struct at_req *q, enum hc_walk walk1)
{
    int err = at_prepare(c, r, q, 1);
    if (!err)
        err = hc_path_resolve(c, q->a->dirfd, &q->p1, walk1, q->a->flags & AT_EMPTY_PATH,
                              HC_ACC_WRITE); /* (a new link to an object is a change to it) */
    if (!err && (err = hc_path_resolve(c, q->a->dirfd2, &q->p2, HC_WALK_PARENT, 0, HC_ACC_WRITE)))
        hc_gpath_put(&q->p1);
    return err;
}

int64_t hc_renameat2(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = two_parents(c, r, &q, HC_WALK_PARENT);
    if (err)
        return err;
    return done(&q, syscall(SYS_renameat2, q.p1.fd, q.p1.last, q.p2.fd, q.p2.last, (unsigned)q.a->flags));
}

/* AT_SYMLINK_FOLLOW links the resolved object (through its /proc/self/fd name, which needs no
 * privilege, unlike AT_EMPTY_PATH); otherwise the final component itself. */
int64_t hc_linkat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_at *a = &r->u.at;
    struct at_req q;
    FLAGS_ONLY(a->flags, AT_SYMLINK_FOLLOW | AT_EMPTY_PATH);
    int follow = (a->flags & AT_SYMLINK_FOLLOW) || (a->flags & AT_EMPTY_PATH && !a->path_len);
    int err = two_parents(c, r, &q, follow ? HC_WALK_FOLLOW : HC_WALK_PARENT);
    if (err)
        return err;
    if (!follow)
        return done(&q, linkat(q.p1.fd, q.p1.last, q.p2.fd, q.p2.last, 0));
    return done(&q, linkat(AT_FDCWD, q.p1.link, q.p2.fd, q.p2.last, AT_SYMLINK_FOLLOW));
}

/* The target (path one) is stored as text, never resolved: its dirfd is not used. */
int64_t hc_symlinkat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_prepare(c, r, &q, 1);
    if (!err)
        err = hc_path_resolve(c, q.a->dirfd2, &q.p2, HC_WALK_PARENT, 0, HC_ACC_WRITE);
    return err ? err : done(&q, symlinkat(q.p1.text, q.p2.fd, q.p2.last));
}

int64_t hc_readlinkat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    struct stat st;
    char buf[BVM_HC_MAX_PATH];
    int err = at_prepare(c, r, &q, 0);
    if (err)
        return err;
    uint64_t len = q.a->out_len < sizeof buf ? q.a->out_len : sizeof buf;
    if (len == 0 || !gm_ptr_w(c->gm, q.a->out_gpa, len))
        return -EFAULT;
    err = hc_path_resolve(c, q.a->dirfd, &q.p1, HC_WALK_NOFOLLOW, q.a->flags & AT_EMPTY_PATH, HC_ACC_LINK);
    if (err)
        return err;
    if (fstat(q.p1.fd, &st) == 0 && !S_ISLNK(st.st_mode))
        return done(&q, (errno = EINVAL, -1));
    ssize_t n = readlinkat(q.p1.fd, "", buf, len);
    if (n < 0)
        return done(&q, n);
    done(&q, 0);
    return gm_write(c->gm, q.a->out_gpa, buf, (uint64_t)n) < 0 ? -EFAULT : n;
}

/* fchmodat(2) has no flags: a final symlink is followed. */
int64_t hc_fchmodat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_resolve(c, r, &q, HC_WALK_FOLLOW, HC_ACC_WRITE);
    return err ? err : done(&q, chmod(q.p1.link, q.a->mode & 07777));
}

int64_t hc_fchownat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_at *a = &r->u.at;
    struct at_req q;
    FLAGS_ONLY(a->flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
    int err = at_resolve(c, r, &q, walk_of(a->flags), HC_ACC_WRITE);
    return err ? err : done(&q, fchownat(q.p1.fd, "", a->owner.uid, a->owner.gid, AT_EMPTY_PATH));
}

int64_t hc_utimensat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_at *a = &r->u.at;
    struct linux_timespec lt[2];
    struct timespec ts[2], *tp = NULL;
    struct at_req q;
    int has_path = a->path_gpa || a->path_len;
    int err = has_path ? at_prepare(c, r, &q, 0) : 0;
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
    if (!has_path)
        return a->dirfd >= 0 && (a->dirfd & BVM_DIRFD_FLAGS) ? -EBADF
                                                              : hc_host_ret(syscall(SYS_utimensat, a->dirfd, NULL, tp, 0));
    err = hc_path_resolve(c, a->dirfd, &q.p1, walk_of(flags), flags & AT_EMPTY_PATH, HC_ACC_WRITE);
    return err ? err : done(&q, utimensat(q.p1.fd, "", tp, AT_EMPTY_PATH));
}

int64_t hc_faccessat(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_at *a = &r->u.at;
    struct at_req q;
    FLAGS_ONLY(a->flags, AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
    int err = at_resolve(c, r, &q, walk_of(a->flags), HC_ACC_META);
    if (err)
        return err;
    int flags = AT_EMPTY_PATH | (a->flags & AT_EACCESS);
    return done(&q, syscall(SYS_faccessat2, q.p1.fd, "", a->access & 7, flags));
}

int64_t hc_truncate(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    if (r->u.at.dirfd != AT_FDCWD)
        return -EINVAL;
    int err = at_resolve(c, r, &q, HC_WALK_FOLLOW, HC_ACC_WRITE);
    if (!err && hc_exec_image(q.p1.fd))
        err = -ETXTBSY;
    return err ? err : done(&q, truncate(q.p1.link, q.a->length));
}

/* Metadata calls: path one resolved for walk, the result buffer exactly size bytes of guest RAM. */
static int at_resolve_meta(struct hc_ctx *c, const struct bvm_hostcall *r, struct at_req *q, enum hc_walk walk,
                           uint64_t size)
{
    int err = at_prepare(c, r, q, 0);
    if (err)
        return err;
    if (q->a->out_len != size || !gm_ptr_w(c->gm, q->a->out_gpa, size))
        return -EFAULT;
    return hc_path_resolve(c, q->a->dirfd, &q->p1, walk, q->a->flags & AT_EMPTY_PATH, HC_ACC_META);
}

/* The host kernel's struct statx is Linux's: the bytes go to the guest unchanged. */
int64_t hc_statx(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    struct linux_statx sx;
    int flags = r->u.at.flags;
    FLAGS_ONLY(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE);
    int err = at_resolve_meta(c, r, &q, walk_of(flags), sizeof sx);
    if (err)
        return err;
    memset(&sx, 0, sizeof sx);
    int64_t ret = done(&q, syscall(SYS_statx, q.p1.fd, "", AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE),
                                   q.a->statx_mask, &sx));
    return ret < 0 ? ret : gm_write(c->gm, q.a->out_gpa, &sx, sizeof sx);
}

int64_t hc_statfs(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    struct linux_statfs sf;
    int err = at_resolve_meta(c, r, &q, HC_WALK_FOLLOW, sizeof sf);
    if (err)
        return err;
    int64_t ret = done(&q, syscall(SYS_fstatfs, q.p1.fd, &sf));
    return ret < 0 ? ret : gm_write(c->gm, q.a->out_gpa, &sf, sizeof sf);
}

/* The monitor's working directory is the guest's: relative paths resolve the same way. */
int64_t hc_chdir(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct at_req q;
    int err = at_resolve(c, r, &q, HC_WALK_FOLLOW, HC_ACC_READ);
    return err ? err : done(&q, fchdir(q.p1.fd));
}

/* memfd_create (a name), eventfd2 (an initial count), timerfd_create (a clock), epoll_create1, or
 * the handle of a /proc/self/fd listing. */
int64_t hc_newfd(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_newfd *a = &r->u.newfd;
    char name[250];
    int fd;
    if (a->kind == BVM_NEWFD_MEMFD) {
        /* A memfd name is a label, not a path: it does not go through hc_guest_path. */
        if (a->name_len >= sizeof name)
            return -EINVAL;
        if (gm_read(c->gm, a->name_gpa, name, a->name_len) < 0)
            return -EFAULT;
        name[a->name_len] = 0;
        FLAGS_ONLY(a->flags, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        fd = memfd_create(name, (unsigned)a->flags | MFD_CLOEXEC);
    } else if (a->kind == BVM_NEWFD_EVENTFD) {
        FLAGS_ONLY(a->flags, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
        fd = eventfd((unsigned)a->count, (a->flags & ~EFD_CLOEXEC) | EFD_CLOEXEC);
    } else if (a->kind == BVM_NEWFD_TIMERFD) {
        FLAGS_ONLY(a->flags, TFD_NONBLOCK | TFD_CLOEXEC);
        if (a->count > INT32_MAX)
            return -EINVAL;
        fd = timerfd_create((int)a->count, (a->flags & ~TFD_CLOEXEC) | TFD_CLOEXEC);
    } else if (a->kind == BVM_NEWFD_EPOLL) {
        FLAGS_ONLY(a->flags, 0);
        fd = epoll_create1(EPOLL_CLOEXEC);
    } else if (a->kind == BVM_NEWFD_FD_LISTING) {
        /* A directory the monitor names itself: the guest's path never chooses it. */
        if (!(a->flags & O_PATH) && ((a->flags & O_ACCMODE) != O_RDONLY || (a->flags & (O_CREAT | O_TRUNC))))
            return -EISDIR;
        fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC | (a->flags & (O_PATH | O_NONBLOCK)));
    } else {
        return -EINVAL;
    }
    return hc_fd_adopt(c, fd);
}

/* ---- extended attributes ----
 * The host's calls on what the guest named: an open file through its own descriptor; a path
 * through the resolved object's /proc/self/fd name (an O_PATH descriptor takes no f*xattr call);
 * a final symlink itself (AT_SYMLINK_NOFOLLOW) through its directory's descriptor and its name. */
struct xattr_target {
    int fd;           /* an open file's, or -1 */
    const char *path; /* else the object's name */
    int nofollow;     /* the name ends in a symlink meant itself */
};

static long xattr_host(const struct xattr_target *t, uint32_t op, const char *name, void *buf, size_t len,
                       int flags)
{
    const char *p = t->path;
    switch (op) {
    case BVM_XATTR_GET:
        return t->fd >= 0 ? fgetxattr(t->fd, name, buf, len)
                          : t->nofollow ? lgetxattr(p, name, buf, len) : getxattr(p, name, buf, len);
    case BVM_XATTR_LIST:
        return t->fd >= 0 ? flistxattr(t->fd, buf, len) : t->nofollow ? llistxattr(p, buf, len) : listxattr(p, buf, len);
    case BVM_XATTR_SET:
        return t->fd >= 0 ? fsetxattr(t->fd, name, buf, len, flags)
                          : t->nofollow ? lsetxattr(p, name, buf, len, flags) : setxattr(p, name, buf, len, flags);
    default:
        return t->fd >= 0 ? fremovexattr(t->fd, name) : t->nofollow ? lremovexattr(p, name) : removexattr(p, name);
    }
}

/* Path one resolved for the call (the object, or for a final symlink kept as itself, its directory). */
static int xattr_resolve(struct hc_ctx *c, struct at_req *q, enum hc_access acc, struct xattr_target *t, char *path,
                         size_t size)
{
    int nofollow = q->a->flags & AT_SYMLINK_NOFOLLOW;
    struct stat st;
    int err = hc_path_resolve(c, q->a->dirfd, &q->p1, nofollow ? HC_WALK_NOFOLLOW : HC_WALK_FOLLOW, 0, acc);
    if (err)
        return err;
    t->path = q->p1.link;
    if (!nofollow || fstat(q->p1.fd, &st) < 0 || !S_ISLNK(st.st_mode))
        return 0;
    hc_gpath_put(&q->p1);
    if ((err = hc_path_resolve(c, q->a->dirfd, &q->p1, HC_WALK_PARENT, 0, acc)))
        return err;
    if (snprintf(path, size, "/proc/self/fd/%d/%s", q->p1.fd, q->p1.last) >= (int)size) {
        hc_gpath_put(&q->p1);
        return -ENAMETOOLONG;
    }
    t->path = path;
    t->nofollow = 1;
    return 0;
}

int64_t hc_xattr(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_at *a = &r->u.at;
    static char buf[BVM_XATTR_SIZE_MAX], path[BVM_HC_MAX_PATH + 32];
    struct xattr_target t = {-1, NULL, 0};
    struct at_req q;
    uint32_t op = a->xattr_op;
    FLAGS_ONLY(a->flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
    if (op > BVM_XATTR_REMOVE || a->out_len > sizeof buf)
        return -EINVAL;
    int err = at_prepare(c, r, &q, op != BVM_XATTR_LIST);
    if (err)
        return err;
    int fills = op == BVM_XATTR_GET || op == BVM_XATTR_LIST;
    if (a->out_len && (fills ? !gm_ptr_w(c->gm, a->out_gpa, a->out_len) : gm_read(c->gm, a->out_gpa, buf, a->out_len) < 0))
        return -EFAULT;
    enum hc_access acc = fills ? HC_ACC_META : HC_ACC_WRITE;
    if (!a->path_len && (a->flags & AT_EMPTY_PATH)) { /* the f* calls: the guest's open file */
        if (a->dirfd < 0 || (a->dirfd & BVM_DIRFD_FLAGS))
            return -EBADF;
        t.fd = a->dirfd;
        err = hc_path_check(c, t.fd, acc);
    } else {
        err = xattr_resolve(c, &q, acc, &t, path, sizeof path);
    }
    if (err)
        return err;
    int64_t n = done(&q, xattr_host(&t, op, q.p2.text, buf, a->out_len, (int)a->length));
    if (n > 0 && fills && a->out_len)
        return gm_write(c->gm, a->out_gpa, buf, (uint64_t)n) < 0 ? -EFAULT : n;
    return n;
}
