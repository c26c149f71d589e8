/* sys_path.c: path syscalls (mkdir, rename, link, symlink, chmod, chown, utimensat, statx, cwd ...),
 * forwarded through the *at hostcalls; the legacy forms are the *at forms with AT_FDCWD. */
#include "bvm_linux.h"
#include "fd.h"
#include "hostcall.h"
#include "mm_shared.h"
#include "procfs.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define AT_FDCWD ((uint64_t)(int64_t)LINUX_AT_FDCWD)

static char path1[BVM_HC_MAX_PATH], path2[BVM_HC_MAX_PATH];

static struct path_at at1 = {0, -1}, at2 = {0, -1}; /* where path1 and path2 start */

static void at_put(void)
{
    procfs_path_put(&at1);
    procfs_path_put(&at2);
}

#define KEEP_TEXT (-1) /* at_args: a path stored as text (a symlink's target), never rewritten */

/* Copies user path(s) into path1 (and path2 when upath2 is set), checks the dirfd(s) and rewrites
 * the program's names for itself (procfs_rewrite_at; path one followed when follow1 is 1, kept as
 * text when KEEP_TEXT; path two is never followed); fills the hostcall arguments. 0 or -errno, in
 * Linux's order: EFAULT/ENAMETOOLONG, then EBADF, then the lookup's. */
static int at_args(struct hc_at_args *a, int64_t dirfd, uint64_t upath, int64_t dirfd2, uint64_t upath2,
                   int follow1)
{
    memset(a, 0, sizeof(*a));
    int64_t n = strncpy_from_user(path1, upath, sizeof(path1));
    if (n < 0)
        return (int)n;
    if (upath2 && (n = strncpy_from_user(path2, upath2, sizeof(path2))) < 0)
        return (int)n;
    a->kpath = path1;
    a->kpath2 = upath2 ? path2 : NULL;
    a->dirfd = dirfd_host(dirfd);
    a->dirfd2 = upath2 ? dirfd_host(dirfd2) : LINUX_AT_FDCWD;
    if (a->dirfd < 0 && a->dirfd != LINUX_AT_FDCWD)
        return a->dirfd;
    if (a->dirfd2 < 0 && a->dirfd2 != LINUX_AT_FDCWD)
        return a->dirfd2;
    at1 = (struct path_at){a->dirfd, -1};
    at2 = (struct path_at){a->dirfd2, -1};
    int err = follow1 == KEEP_TEXT ? 0 : procfs_rewrite_at(&at1, path1, sizeof(path1), follow1);
    if (!err && upath2)
        err = procfs_rewrite_at(&at2, path2, sizeof(path2), false);
    a->dirfd = at1.dirfd;
    a->dirfd2 = at2.dirfd;
    if (err)
        at_put();
    return err;
}

/* The hostcall of a call prepared by at_args; the handles lent for its paths go back. */
static int64_t at_hc(uint32_t nr, const struct hc_at_args *a)
{
    int64_t r = hc_at(nr, a);
    at_put();
    return r;
}

/* One path; the final component is followed unless the call makes it (mkdir) or flags say not.
 * x holds the call's flags and arguments (mode, access, length, owner). */
static int64_t at_call(uint32_t nr, int64_t dirfd, uint64_t upath, const struct hc_at_args *x)
{
    struct hc_at_args a;
    bool makes = nr == BVM_HC_MKDIRAT || nr == BVM_HC_MKNODAT;
    int err = at_args(&a, dirfd, upath, 0, 0, !makes && !(x->flags & LINUX_AT_SYMLINK_NOFOLLOW));
    if (err)
        return err;
    a.flags = x->flags, a.mode = x->mode, a.length = x->length; /* whole unions, as hc_at copies them */
    return at_hc(nr, &a);
}

static int64_t at_call2(uint32_t nr, int64_t d1, uint64_t p1, int64_t d2, uint64_t p2, int flags)
{
    struct hc_at_args a;
    int follow1 = nr == BVM_HC_SYMLINKAT ? KEEP_TEXT : nr == BVM_HC_LINKAT && (flags & LINUX_AT_SYMLINK_FOLLOW);
    int err = at_args(&a, d1, p1, d2, p2, follow1);
    if (err)
        return err;
    a.flags = flags;
    return at_hc(nr, &a);
}

int64_t sys_mkdirat(SYSARGS)
{
    struct hc_at_args x = {.mode = (uint32_t)a2};
    return at_call(BVM_HC_MKDIRAT, (int64_t)a0, a1, &x);
}
int64_t sys_mkdir(SYSARGS) { return sys_mkdirat(AT_FDCWD, a0, a1, 0, 0, 0); }

/* mknod(2): a FIFO, a socket, a regular file, or a device node (the host decides who may). The
 * umask applies on the host, as for every file the guest creates. */
int64_t sys_mknodat(SYSARGS)
{
    struct hc_at_args x = {.mode = (uint32_t)a2, .length = (uint32_t)a3};
    return at_call(BVM_HC_MKNODAT, (int64_t)a0, a1, &x);
}
int64_t sys_mknod(SYSARGS) { return sys_mknodat(AT_FDCWD, a0, a1, a2, 0, 0); }
int64_t sys_rmdir(SYSARGS) { return sys_unlinkat(AT_FDCWD, a0, LINUX_AT_REMOVEDIR, 0, 0, 0); }

int64_t sys_renameat2(SYSARGS)
{
    return at_call2(BVM_HC_RENAMEAT2, (int64_t)a0, a1, (int64_t)a2, a3, (int)a4);
}
int64_t sys_renameat(SYSARGS) { return sys_renameat2(a0, a1, a2, a3, 0, 0); }
int64_t sys_rename(SYSARGS) { return sys_renameat2(AT_FDCWD, a0, AT_FDCWD, a1, 0, 0); }

int64_t sys_linkat(SYSARGS) { return at_call2(BVM_HC_LINKAT, (int64_t)a0, a1, (int64_t)a2, a3, (int)a4); }
int64_t sys_link(SYSARGS) { return sys_linkat(AT_FDCWD, a0, AT_FDCWD, a1, 0, 0); }
int64_t sys_symlinkat(SYSARGS) { return at_call2(BVM_HC_SYMLINKAT, AT_FDCWD, a0, (int64_t)a1, a2, 0); }
int64_t sys_symlink(SYSARGS) { return sys_symlinkat(a0, AT_FDCWD, a1, 0, 0, 0); }

int64_t sys_fchmodat(SYSARGS)
{
    struct hc_at_args x = {.mode = (uint32_t)a2};
    return at_call(BVM_HC_FCHMODAT, (int64_t)a0, a1, &x);
}
int64_t sys_chmod(SYSARGS) { return sys_fchmodat(AT_FDCWD, a0, a1, 0, 0, 0); }

int64_t sys_fchownat(SYSARGS)
{
    struct hc_at_args x = {.flags = (int)a4, .owner = {(uint32_t)a2, (uint32_t)a3}};
    return at_call(BVM_HC_FCHOWNAT, (int64_t)a0, a1, &x);
}
int64_t sys_chown(SYSARGS) { return sys_fchownat(AT_FDCWD, a0, a1, a2, 0, 0); }
int64_t sys_lchown(SYSARGS) { return sys_fchownat(AT_FDCWD, a0, a1, a2, LINUX_AT_SYMLINK_NOFOLLOW, 0); }

int64_t sys_faccessat2(SYSARGS)
{
    struct hc_at_args x = {.flags = (int)a3, .access = (uint32_t)a2};
    if (a2 & ~(uint64_t)(LINUX_R_OK | LINUX_W_OK | LINUX_X_OK))
        return -LINUX_EINVAL;
    return at_call(BVM_HC_FACCESSAT, (int64_t)a0, a1, &x);
}
int64_t sys_faccessat(SYSARGS) { return sys_faccessat2(a0, a1, a2, 0, 0, 0); }
int64_t sys_access(SYSARGS) { return sys_faccessat2(AT_FDCWD, a0, a1, 0, 0, 0); }

int64_t sys_truncate(SYSARGS)
{
    if ((int64_t)a1 < 0)
        return -LINUX_EINVAL;
    struct hc_at_args x = {.length = (int64_t)a1};
    return mm_shared_resized(at_call(BVM_HC_TRUNCATE, AT_FDCWD, a0, &x), -1);
}

int64_t sys_chdir(SYSARGS)
{
    struct hc_at_args x = {0};
    return at_call(BVM_HC_CHDIR, AT_FDCWD, a0, &x);
}

/* utimensat(fd, NULL, times, 0) changes the fd itself (futimens); times NULL means "now". */
int64_t sys_utimensat(SYSARGS)
{
    static struct linux_timespec ts[2];
    struct hc_at_args a;
    int err = 0;
    if (a1)
        err = at_args(&a, (int64_t)a0, a1, 0, 0, !(a3 & LINUX_AT_SYMLINK_NOFOLLOW));
    else {
        memset(&a, 0, sizeof(a));
        a.dirfd = (int32_t)a0 == LINUX_AT_FDCWD ? -LINUX_EFAULT : fd_host((int64_t)a0);
        err = a.dirfd < 0 ? a.dirfd : 0;
    }
    if (!err && a2 && copy_from_user(ts, a2, sizeof(ts)))
        err = -LINUX_EFAULT;
    if (err) {
        at_put();
        return err;
    }
    a.flags = (int)a3;
    a.out = a2 ? ts : NULL;
    a.out_len = a2 ? sizeof(ts) : 0;
    return at_hc(BVM_HC_UTIMENSAT, &a);
}

int64_t sys_statx(SYSARGS)
{
    static struct linux_statx sx;
    struct hc_at_args a;
    int err = at_args(&a, (int64_t)a0, a1, 0, 0, !(a2 & LINUX_AT_SYMLINK_NOFOLLOW));
    if (err)
        return err;
    a.flags = (int)a2, a.statx_mask = (uint32_t)a3, a.out = &sx, a.out_len = sizeof(sx);
    int64_t r = at_hc(BVM_HC_STATX, &a);
    if (r < 0)
        return r;
    return copy_to_user(a4, &sx, sizeof(sx)) ? -LINUX_EFAULT : 0;
}

int64_t sys_statfs(SYSARGS)
{
    static struct linux_statfs sf;
    struct hc_at_args a;
    int err = at_args(&a, AT_FDCWD, a0, 0, 0, true);
    if (err)
        return err;
    a.out = &sf, a.out_len = sizeof(sf);
    int64_t r = at_hc(BVM_HC_STATFS, &a);
    if (r < 0)
        return r;
    return copy_to_user(a1, &sf, sizeof(sf)) ? -LINUX_EFAULT : 0;
}

/* readlink: the links of /proc/self the kernel knows (exe, cwd, root) are answered here; the rest,
 * /proc/self/fd/N rewritten, is the host's. */
int64_t sys_readlinkat(SYSARGS)
{
    static char buf[BVM_HC_MAX_PATH];
    struct hc_at_args a;
    int32_t size = (int32_t)a3; /* an int in Linux: what lies above is dropped, a negative is EINVAL */
    if (size <= 0) /* before the path, as Linux */
        return -LINUX_EINVAL;
    int err = at_args(&a, (int64_t)a0, a1, 0, 0, false);
    if (err)
        return err;
    if ((int32_t)a0 != LINUX_AT_FDCWD)
        a.flags = LINUX_AT_EMPTY_PATH; /* Linux's readlinkat takes "" for the fd itself */
    const char *rest = procfs_self_rest(path1);
    int64_t n = rest ? procfs_link(rest, buf, sizeof(buf)) : procfs_proc_link(path1, buf, sizeof(buf));
    if (n == -1) {
        a.out = buf, a.out_len = MIN((uint64_t)size, sizeof(buf));
        n = hc_at(BVM_HC_READLINKAT, &a);
    }
    at_put();
    if (n < 0)
        return n;
    n = MIN(n, (int64_t)size); /* no NUL, truncated, like readlink(2) */
    return copy_to_user(a2, buf, (uint64_t)n) ? -LINUX_EFAULT : n;
}

int64_t sys_readlink(SYSARGS) { return sys_readlinkat(AT_FDCWD, a0, a1, a2, 0, 0); }

/* Linux returns the length with the NUL; ERANGE when the buffer is too small. */
int64_t sys_getcwd(SYSARGS)
{
    static char buf[BVM_HC_MAX_PATH];
    int64_t n = hc_out(BVM_HC_GETCWD, buf, MIN(a1, sizeof(buf)));
    if (n < 0)
        return n;
    return copy_to_user(a0, buf, (uint64_t)n) ? -LINUX_EFAULT : n;
}

int64_t sys_fchdir(SYSARGS)
{
    int h = fd_host((int64_t)(int32_t)a0);
    return h < 0 ? h : hc_fd(BVM_HC_FCHDIR, h, 0, NULL, 0);
}

/* Directory entries come in Linux's own format: a bounce through a kernel buffer. */
int64_t sys_getdents64(SYSARGS)
{
    static char buf[32768];
    int h = fd_host((int64_t)(int32_t)a0);
    void *src = buf;
    if (h < 0)
        return h;
    int64_t n = procfs_fd_dir_pid_host(h) >= 0 ? procfs_fd_dents(h, &src, MIN(a2, sizeof(buf)))
                                         : hc_fd(BVM_HC_GETDENTS64, h, 0, buf, MIN(a2, sizeof(buf)));
    if (n < 0)
        return n;
    return copy_to_user(a1, src, (uint64_t)n) ? -LINUX_EFAULT : n;
}

/* Single fd operations (FDOP): the request for guest fd's host fd, or NULL (-EBADF). */
static struct bvm_hc_fdop *fdop(uint64_t fd, uint32_t op, void *out, uint64_t out_len)
{
    int h = fd_host((int64_t)(int32_t)fd);
    return h < 0 ? NULL : hc_fdop(h, op, out, out_len);
}

int64_t sys_ftruncate(SYSARGS)
{
    if ((int64_t)a1 < 0) /* before the fd, as Linux checks */
        return -LINUX_EINVAL;
    struct bvm_hc_fdop *r = fdop(a0, BVM_FDOP_FTRUNCATE, NULL, 0);
    if (!r)
        return -LINUX_EBADF;
    r->arg.length = (int64_t)a1;
    return mm_shared_resized(hc_issue(), fd_host((int32_t)a0));
}

int64_t sys_fsync(SYSARGS) { return fdop(a0, BVM_FDOP_FSYNC, NULL, 0) ? hc_issue() : -LINUX_EBADF; }
int64_t sys_fdatasync(SYSARGS) { return fdop(a0, BVM_FDOP_FDATASYNC, NULL, 0) ? hc_issue() : -LINUX_EBADF; }

int64_t sys_fchmod(SYSARGS)
{
    struct bvm_hc_fdop *r = fdop(a0, BVM_FDOP_FCHMOD, NULL, 0);
    if (!r)
        return -LINUX_EBADF;
    r->arg.mode = (uint32_t)a1 & LINUX_S_IALLUGO;
    return hc_issue();
}

int64_t sys_fchown(SYSARGS)
{
    struct bvm_hc_fdop *r = fdop(a0, BVM_FDOP_FCHOWN, NULL, 0);
    if (!r)
        return -LINUX_EBADF;
    r->arg.owner.uid = (uint32_t)a1, r->arg.owner.gid = (uint32_t)a2;
    return hc_issue();
}

int64_t sys_fallocate(SYSARGS)
{
    struct bvm_hc_fdop *r = fdop(a0, BVM_FDOP_FALLOCATE, NULL, 0);
    if (!r)
        return -LINUX_EBADF;
    if ((int64_t)a2 < 0 || (int64_t)a3 <= 0)
        return -LINUX_EINVAL;
    r->arg.alloc.mode = (int32_t)a1, r->arg.alloc.offset = (int64_t)a2, r->arg.alloc.len = (int64_t)a3;
    return mm_shared_resized(hc_issue(), fd_host((int32_t)a0)); /* COLLAPSE_RANGE shrinks it */
}

int64_t sys_fstatfs(SYSARGS)
{
    static struct linux_statfs sf;
    int64_t r = fdop(a0, BVM_FDOP_FSTATFS, &sf, sizeof(sf)) ? hc_issue() : -LINUX_EBADF;
    if (r < 0)
        return r;
    return copy_to_user(a1, &sf, sizeof(sf)) ? -LINUX_EFAULT : 0;
}

/* Extended attributes: the host's, on the object a path names (a final symlink itself for the l*
 * calls) or on an open file. As Linux: a name empty or longer than 255 bytes is ERANGE, a value
 * above 64 KiB E2BIG to set, and a read of one through a 64 KiB buffer that is still too small
 * E2BIG; a larger buffer is used up to 64 KiB. */
#define XATTR_NAME_MAX 255
#define XATTR_CREATE 1
#define XATTR_REPLACE 2
static char xattr_name[XATTR_NAME_MAX + 1];
static char xattr_buf[BVM_XATTR_SIZE_MAX];

/* The file: a path (upath != 0) from the current directory, else the open file fd. */
static int xattr_file(struct hc_at_args *a, int64_t fd, uint64_t upath, bool nofollow)
{
    if (upath) {
        int err = at_args(a, LINUX_AT_FDCWD, upath, 0, 0, !nofollow);
        a->flags = nofollow ? LINUX_AT_SYMLINK_NOFOLLOW : 0;
        return err;
    }
    memset(a, 0, sizeof(*a));
    a->dirfd = fd_host((int32_t)fd);
    if (a->dirfd < 0 || (fd_status((int32_t)fd) & LINUX_O_PATH))
        return -LINUX_EBADF;
    path1[0] = 0;
    a->kpath = path1;
    a->flags = LINUX_AT_EMPTY_PATH;
    return 0;
}

/* The attribute's name and value into a, as Linux checks them (after the lookup). 0 or -errno. */
static int64_t xattr_args(struct hc_at_args *a, uint32_t op, uint64_t uname, uint64_t uvalue, uint64_t size,
                          int64_t flags)
{
    if (op != BVM_XATTR_LIST) {
        int64_t n = strncpy_from_user(xattr_name, uname, sizeof(xattr_name));
        if (n == 0 || n == -LINUX_ENAMETOOLONG)
            return -LINUX_ERANGE;
        if (n < 0)
            return n;
        a->kpath2 = xattr_name;
        a->dirfd2 = LINUX_AT_FDCWD;
    }
    a->xattr_op = op;
    if (op == BVM_XATTR_SET) {
        if ((int32_t)flags & ~(XATTR_CREATE | XATTR_REPLACE))
            return -LINUX_EINVAL;
        if (size > BVM_XATTR_SIZE_MAX)
            return -LINUX_E2BIG;
        if (size && copy_from_user(xattr_buf, uvalue, size))
            return -LINUX_EFAULT;
        a->length = (int32_t)flags;
    }
    size = op == BVM_XATTR_REMOVE ? 0 : MIN(size, (uint64_t)BVM_XATTR_SIZE_MAX);
    a->out = size ? xattr_buf : NULL;
    a->out_len = size;
    return 0;
}

static int64_t xattr_call(uint32_t op, int64_t fd, uint64_t upath, bool nofollow, uint64_t uname, uint64_t uvalue,
                          uint64_t size, int64_t flags)
{
    struct hc_at_args a;
    int64_t n = xattr_file(&a, fd, upath, nofollow);
    if (n)
        return n;
    n = xattr_args(&a, op, uname, uvalue, size, flags);
    if (n) {
        at_put();
        return n;
    }
    n = at_hc(BVM_HC_XATTR, &a);
    if (n == -LINUX_ERANGE && a.out_len == BVM_XATTR_SIZE_MAX)
        return -LINUX_E2BIG;
    if (n > 0 && a.out_len && op != BVM_XATTR_SET)
        return copy_to_user(uvalue, xattr_buf, (uint64_t)n) ? -LINUX_EFAULT : n;
    return n;
}

int64_t sys_getxattr(SYSARGS) { return xattr_call(BVM_XATTR_GET, 0, a0, false, a1, a2, a3, 0); }
int64_t sys_lgetxattr(SYSARGS) { return xattr_call(BVM_XATTR_GET, 0, a0, true, a1, a2, a3, 0); }
int64_t sys_fgetxattr(SYSARGS) { return xattr_call(BVM_XATTR_GET, (int32_t)a0, 0, false, a1, a2, a3, 0); }
int64_t sys_listxattr(SYSARGS) { return xattr_call(BVM_XATTR_LIST, 0, a0, false, 0, a1, a2, 0); }
int64_t sys_llistxattr(SYSARGS) { return xattr_call(BVM_XATTR_LIST, 0, a0, true, 0, a1, a2, 0); }
int64_t sys_flistxattr(SYSARGS) { return xattr_call(BVM_XATTR_LIST, (int32_t)a0, 0, false, 0, a1, a2, 0); }
int64_t sys_setxattr(SYSARGS) { return xattr_call(BVM_XATTR_SET, 0, a0, false, a1, a2, a3, (int64_t)a4); }
int64_t sys_lsetxattr(SYSARGS) { return xattr_call(BVM_XATTR_SET, 0, a0, true, a1, a2, a3, (int64_t)a4); }
int64_t sys_fsetxattr(SYSARGS) { return xattr_call(BVM_XATTR_SET, (int32_t)a0, 0, false, a1, a2, a3, (int64_t)a4); }
int64_t sys_removexattr(SYSARGS) { return xattr_call(BVM_XATTR_REMOVE, 0, a0, false, a1, 0, 0, 0); }
int64_t sys_lremovexattr(SYSARGS) { return xattr_call(BVM_XATTR_REMOVE, 0, a0, true, a1, 0, 0, 0); }
int64_t sys_fremovexattr(SYSARGS) { return xattr_call(BVM_XATTR_REMOVE, (int32_t)a0, 0, false, a1, 0, 0, 0); }
