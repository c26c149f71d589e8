/* hostcall_path.c: guest paths on the host: resolved with openat2 (never through a /proc magic
 * link), then checked on the object they name, so that no spelling reaches the monitor's own
 * /proc/<pid> (its descriptors, memory, environment). The sandbox policy hooks hc_path_check. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "events.h"
#include "fail.h"
#include "fdpub.h"
#include "hostcall_fs.h"
#include "policy.h"

/* Linux's VALID_OPEN_FLAGS and O_PATH_FLAGS: openat ignores other bits, openat2 would refuse them. */
#define OPEN_FLAGS                                                                                           \
    (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC |         \
     O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE)
#define PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)

static int host_openat2(int dirfd, const char *path, int flags, mode_t mode)
{
    if (flags & O_PATH)
        flags &= PATH_FLAGS;
    int creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    struct open_how how = {
        .flags = (uint64_t)(flags & OPEN_FLAGS) | O_CLOEXEC,
        .mode = creates ? mode & 07777 : 0,
        .resolve = RESOLVE_NO_MAGICLINKS, /* /proc/<pid>/fd/N, exe, cwd, root: never crossed */
    };
    /* Opening a FIFO waits for its other end: that wait is cut short by an event (EINTR). Any
     * other open is not (Linux's never fails with EINTR), so it is made again without the cut. */
    struct stat st;
    if (!(flags & (O_PATH | O_NONBLOCK))) {
        long rc = safe_syscall(SYS_openat2, dirfd, path, &how, sizeof how, 0, 0);
        if (rc != -EINTR || (fstatat(dirfd, path, &st, 0) == 0 && S_ISFIFO(st.st_mode))) {
            errno = rc < 0 ? (int)-rc : errno;
            return rc < 0 ? -1 : (int)rc;
        }
    }
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

void hc_path_init(void)
{
    int fd = host_openat2(AT_FDCWD, "/", O_PATH, 0);
    if (fd < 0)
        fail("path", "openat2 (Linux 5.6 or later) is needed to check guest paths: %s", strerror(errno));
    close(fd);
}

/* "/proc/<n>..." where n is this process or one of its threads: the rest ("" or "/..."), else NULL.
 * name is the object's own name (its /proc/self/fd link), not a string the guest chose. */
static const char *own_proc_rest(const char *name)
{
    char task[64];
    if (strncmp(name, "/proc/", 6) != 0 || !isdigit((unsigned char)name[6]))
        return NULL;
    const char *end = name + 6;
    long n = 0;
    for (; isdigit((unsigned char)*end) && n < 1L << 31; end++)
        n = n * 10 + (*end - '0');
    if (*end && *end != '/')
        return NULL;
    snprintf(task, sizeof task, "/proc/self/task/%ld", n);
    struct stat st;
    return n == getpid() || stat(task, &st) == 0 ? end : NULL;
}

/* Files of the monitor's /proc/<pid> that describe what the guest shares with it anyway (mount
 * and network namespaces, cgroup): readable. Everything else there is the monitor's own. */
static int shared_proc_file(const char *rest)
{
    static const char *const names[] = {"/mounts", "/mountinfo", "/mountstats", "/cgroup"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(rest, names[i]) == 0)
            return 1;
    return strncmp(rest, "/net/", 5) == 0 || strcmp(rest, "/net") == 0;
}

/* The object behind fd inside the monitor's own /proc/<pid>: what after the pid ("" for the
 * directory itself) into rest, 1; else 0. Another procfs mount counts as inside (rest "?"). */
static int in_own_proc(int fd, char *rest, size_t size)
{
    char link[64], name[BVM_HC_MAX_PATH];
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, name, sizeof name - 1);
    name[n > 0 ? n : 0] = 0;
    const char *r = strncmp(name, "/proc/", 6) == 0 || n <= 0 ? own_proc_rest(name) : "?";
    if (!r)
        return 0;
    snprintf(rest, size, "%s", r);
    return 1;
}

/* A directory of the monitor's /proc/<pid> whose listing names its descriptors or mappings. */
static int lists_own_fds(const char *rest)
{
    static const char *const names[] = {"/fd", "/fdinfo", "/map_files"};
    size_t n = strlen(rest);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t k = strlen(names[i]);
        if (n >= k && strcmp(rest + n - k, names[i]) == 0)
            return 1;
    }
    return 0;
}

/* The link of a descriptor the guest owns (rest "/fd/<n>", the very link "/proc/self/fd/<n>" is),
 * which names the guest's own file. */
static int guest_fd_link(const struct hc_ctx *c, int fd, const char *rest)
{
    char link[32], *end;
    struct stat a, b;
    if (strncmp(rest, "/fd/", 4) != 0 || !isdigit((unsigned char)rest[4]))
        return 0;
    long n = strtol(rest + 4, &end, 10);
    if (*end || n < 0 || n >= HC_MAX_FD || !hc_fd_ok(c, (int)n))
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", (int)n);
    return fstat(fd, &a) == 0 && lstat(link, &b) == 0 && S_ISLNK(a.st_mode) && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* The monitor's own /proc/<pid>: 0 where the guest may look, else -EACCES. held: fd was reached
 * from a descriptor, not by a name (BVM_DIRFD_LINK's link, or an O_PATH handle the guest holds on
 * it): the link of a guest's descriptor may then be looked at and read. By a name, its number
 * would be the host's, not the guest's. */
static int own_proc_check(const struct hc_ctx *c, int fd, enum hc_access acc, int held)
{
    char rest[BVM_HC_MAX_PATH];
    struct stat st;
    if (!in_own_proc(fd, rest, sizeof rest) || acc == HC_ACC_META)
        return 0;
    if (held && (acc == HC_ACC_LINK || acc == HC_ACC_READ) && guest_fd_link(c, fd, rest))
        return 0;
    if (acc == HC_ACC_LINK) /* the links there lead to the monitor's files */
        return fstat(fd, &st) == 0 && !S_ISLNK(st.st_mode) ? 0 : -EACCES;
    if (acc != HC_ACC_READ)
        return -EACCES;
    if (shared_proc_file(rest))
        return 0;
    /* Other directories: a listing of names, the same for every process. */
    return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && !lists_own_fds(rest) ? 0 : -EACCES;
}

static int path_check(struct hc_ctx *c, int fd, enum hc_access acc, int held)
{
    int err = own_proc_check(c, fd, acc, held);
    return err ? err : policy_check(fd, acc);
}

int hc_path_check(struct hc_ctx *c, int fd, enum hc_access acc) { return path_check(c, fd, acc, 0); }

/* The object a descriptor's magic link leads to, opened with flags (ELOOP for an O_PATH descriptor
 * of a symlink, never followed from here), or the link itself with O_PATH | O_NOFOLLOW. */
static int open_fd_link(const char *link, int flags, mode_t mode)
{
    struct stat st;
    if (!(flags & O_NOFOLLOW) && (fstatat(AT_FDCWD, link, &st, 0) < 0 || S_ISLNK(st.st_mode)))
        return errno = ELOOP, -1;
    return openat(AT_FDCWD, link, (flags & OPEN_FLAGS) | O_CLOEXEC, mode & 07777);
}

/* path from host fd h's /proc/self/fd link: the one magic link crossed, on purpose (the kernel's
 * name for a descriptor the guest owns). Empty: the link's object, or the link itself. */
static int open_from_link(int h, const char *path, int flags, mode_t mode)
{
    char link[32];
    snprintf(link, sizeof link, "/proc/self/fd/%d", h);
    if (!*path)
        return open_fd_link(link, flags, mode);
    int dir = openat(AT_FDCWD, link, O_PATH | O_CLOEXEC);
    if (dir < 0)
        return -1;
    int fd = host_openat2(dir, path, flags, mode), e = errno;
    close(dir);
    errno = e;
    return fd;
}

/* A dirfd's BVM_DIRFD_* bits (none for AT_FDCWD). */
static int dirfd_bits(int dirfd) { return dirfd == AT_FDCWD ? 0 : dirfd & BVM_DIRFD_FLAGS; }

/* The path is a descriptor's own object (an empty path from a BVM_DIRFD_* start): what the guest
 * already holds, which path_check lets through. */
static int path_held(int dirfd, const struct hc_gpath *p) { return !p->text[0] && dirfd_bits(dirfd); }

/* Opens path from dirfd (AT_FDCWD, or a host fd with BVM_DIRFD_* bits), every magic link but
 * BVM_DIRFD_LINK's refused by openat2. The new fd or -errno. */
static int open_guest(int dirfd, const char *path, int flags, mode_t mode)
{
    int fd, bits = dirfd_bits(dirfd), h = dirfd & ~bits;
    if ((bits & BVM_DIRFD_LINK) && path[0] != '/')
        fd = open_from_link(h, path, flags, mode);
    else if ((bits & BVM_DIRFD_SELF) && !*path) /* a link: only as such */
        fd = flags & O_PATH ? fcntl(h, F_DUPFD_CLOEXEC, 0) : (errno = ELOOP, -1);
    else
        fd = host_openat2(h, path, flags, mode);
    return fd < 0 ? -errno : fd;
}

int hc_guest_path(struct hc_ctx *c, uint64_t gpa, uint32_t len, struct hc_gpath *p)
{
    p->fd = -1;
    p->last = NULL;
    if (len >= BVM_HC_MAX_PATH)
        return -ENAMETOOLONG;
    if (gm_read(c->gm, gpa, p->text, len) < 0)
        return -EFAULT;
    p->text[len] = 0; /* an inner NUL just ends the path early: check and host see the same string */
    return 0;
}

/* Splits p->text into the directory (copied to dir) and the final component (p->last, with any
 * trailing slashes). "/" has no final component: the root itself, as ".". */
static int split_parent(struct hc_gpath *p, char dir[BVM_HC_MAX_PATH])
{
    const char *t = p->text;
    size_t end = strlen(t), start;
    if (end == 0)
        return -ENOENT;
    while (end > 1 && t[end - 1] == '/')
        end--;
    for (start = end; start > 0 && t[start - 1] != '/';)
        start--;
    p->last = start == end ? "." : t + start;
    memcpy(dir, t, start);
    snprintf(dir + start, BVM_HC_MAX_PATH - start, "%s", start ? "" : ".");
    return 0;
}

/* An empty path from a descriptor's link: the link (BVM_DIRFD_LINK, not followed) or the object. */
static int empty_from_fd(int dirfd, enum hc_walk walk)
{
    if (walk == HC_WALK_PARENT)
        return -EACCES; /* an entry of a /proc fd directory, which no call changes */
    return open_guest(dirfd, "", walk == HC_WALK_NOFOLLOW ? O_PATH | O_NOFOLLOW : O_PATH, 0);
}

static int resolve_fd(int dirfd, struct hc_gpath *p, enum hc_walk walk, int empty_ok)
{
    char dir[BVM_HC_MAX_PATH];
    if (path_held(dirfd, p))
        return empty_from_fd(dirfd, walk);
    if (!p->text[0] && empty_ok && walk != HC_WALK_PARENT) {
        int fd = dirfd == AT_FDCWD ? open(".", O_PATH | O_CLOEXEC) : fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
        return fd < 0 ? -errno : fd; /* the dirfd itself (AT_EMPTY_PATH) */
    }
    if (walk == HC_WALK_NOFOLLOW)
        return open_guest(dirfd, p->text, O_PATH | O_NOFOLLOW, 0);
    if (walk == HC_WALK_FOLLOW)
        return open_guest(dirfd, p->text, O_PATH, 0);
    int err = split_parent(p, dir);
    return err ? err : open_guest(dirfd, dir, O_PATH | O_DIRECTORY, 0);
}

int hc_path_resolve(struct hc_ctx *c, int dirfd, struct hc_gpath *p, enum hc_walk walk, int empty_ok,
                    enum hc_access acc)
{
    int fd = resolve_fd(dirfd, p, walk, empty_ok);
    if (fd < 0)
        return fd;
    int held = walk != HC_WALK_PARENT && (path_held(dirfd, p) || (!p->text[0] && empty_ok && dirfd != AT_FDCWD));
    int err = path_check(c, fd, acc, held);
    if (err) {
        close(fd);
        return err;
    }
    p->fd = fd;
    snprintf(p->link, sizeof p->link, "/proc/self/fd/%d", fd);
    return 0;
}

/* The final component of parent (resolved from the path in cur) is a symlink: cur becomes the path
 * it names (relative to cur's directory), 0; else -1. */
static int symlink_next(const struct hc_gpath *parent, struct hc_gpath *cur)
{
    char target[BVM_HC_MAX_PATH];
    struct stat st;
    if (fstatat(parent->fd, parent->last, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
        return -1;
    ssize_t n = readlinkat(parent->fd, parent->last, target, sizeof target - 1);
    if (n <= 0)
        return -1;
    target[n] = 0;
    size_t dir = target[0] == '/' ? 0 : (size_t)(parent->last - parent->text);
    if (dir + (size_t)n >= sizeof cur->text)
        return -1;
    memcpy(cur->text + dir, target, (size_t)n + 1); /* (cur->text holds the same directory part) */
    return 0;
}

/* O_CREAT under the sandbox: an existing file is opened as usual (and checked as opened); a new
 * one only in a directory the policy lets the guest change, made there with O_EXCL; a final
 * symlink is followed here, one step at a time, each step checked as the first. */
static int sandbox_create(struct hc_ctx *c, int dirfd, const struct hc_gpath *p, int flags, mode_t mode)
{
    static struct hc_gpath cur, parent; /* (a path's buffer is large: not on the stack) */
    memcpy(cur.text, p->text, sizeof cur.text);
    for (int steps = 0; steps < 40; steps++) { /* Linux's limit on symlinks followed */
        int fd = flags & O_EXCL ? -ENOENT : open_guest(dirfd, cur.text, flags & ~(O_CREAT | O_EXCL), mode);
        if (fd != -ENOENT)
            return fd;
        memcpy(parent.text, cur.text, sizeof parent.text);
        int err = hc_path_resolve(c, dirfd, &parent, HC_WALK_PARENT, 0, HC_ACC_WRITE);
        if (err)
            return err;
        fd = host_openat2(parent.fd, parent.last, flags | O_EXCL | O_NOFOLLOW, mode);
        fd = fd < 0 ? -errno : fd;
        int more = fd == -EEXIST && !(flags & O_EXCL) && symlink_next(&parent, &cur) == 0;
        hc_gpath_put(&parent);
        if (!more && (fd != -EEXIST || (flags & O_EXCL)))
            return fd;
    } /* (EEXIST without a symlink: made by someone else meanwhile, opened on the next round) */
    return -ELOOP;
}

/* Under the sandbox, an existing object is checked before it is opened, so that the answer is the
 * policy's (EROFS, ENOENT) rather than the host's Landlock's EACCES; what is opened is checked
 * again afterwards (the object may have changed in between). */
static int sandbox_precheck(struct hc_ctx *c, int dirfd, const struct hc_gpath *p, int flags, int writes)
{
    int fd = open_guest(dirfd, p->text, O_PATH | (flags & O_NOFOLLOW), 0);
    if (fd < 0)
        return 0; /* (the open says why) */
    int err = path_check(c, fd, writes ? HC_ACC_DATA : HC_ACC_READ, path_held(dirfd, p));
    close(fd);
    return err;
}

int hc_path_fifo(struct hc_ctx *c, int dirfd, const struct hc_gpath *p, int flags, int *object)
{
    struct stat st;
    int acc = flags & O_ACCMODE;
    *object = -1;
    if ((flags & (O_NONBLOCK | O_PATH | O_EXCL | O_DIRECTORY)) || (acc != O_RDONLY && acc != O_WRONLY))
        return 0;
    /* A quick look first, as most opens are of no FIFO (only a hint: the lookup below decides). */
    int nofollow = flags & O_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
    if (!dirfd_bits(dirfd) && (fstatat(dirfd, p->text, &st, nofollow) < 0 || !S_ISFIFO(st.st_mode)))
        return 0;
    int fd = open_guest(dirfd, p->text, O_PATH | (flags & O_NOFOLLOW), 0);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return 0; /* (the open itself says why) */
    }
    int err = path_check(c, fd, acc == O_WRONLY ? HC_ACC_DATA : HC_ACC_READ, path_held(dirfd, p));
    if (err) {
        close(fd);
        return err;
    }
    *object = fd;
    return 0;
}

int hc_path_open(struct hc_ctx *c, int dirfd, const struct hc_gpath *p, int flags, mode_t mode)
{
    int writes =
        (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT)) || (flags & O_TMPFILE) == O_TMPFILE;
    writes = writes && !(flags & O_PATH);
    /* O_TRUNC waits until the file is known not to be one this process executes (ETXTBSY, as
     * Linux) and to pass the checks; only for a writable open (O_RDONLY|O_TRUNC is left as is). */
    int trunc = (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && !(flags & O_PATH);
    int err = policy_sandboxed() ? sandbox_precheck(c, dirfd, p, flags, writes) : 0;
    if (err)
        return err;
    int fd = (flags & O_CREAT) && policy_sandboxed() ? sandbox_create(c, dirfd, p, trunc ? flags & ~O_TRUNC : flags, mode)
                                                     : open_guest(dirfd, p->text, trunc ? flags & ~O_TRUNC : flags, mode);
    if (fd < 0)
        return fd;
    if (writes && (flags & O_ACCMODE) != O_RDONLY && hc_exec_image(fd)) {
        close(fd);
        return -ETXTBSY;
    }
    /* Checked on what was opened; opening a /proc file does nothing until it is read or written. */
    err = path_check(c, fd, writes ? HC_ACC_DATA : HC_ACC_READ, path_held(dirfd, p));
    struct stat st;
    if (!err && trunc && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0)
        err = -errno;
    if (err) {
        close(fd);
        return err;
    }
    return fd;
}

void hc_gpath_put(struct hc_gpath *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}
