/* mon_hostcall.c: hostcall validation: bad addresses, lengths, counts and fds are refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "bvm_linux.h"
#include "harness.h"
#include "hostcall.h"

#define REQ 0x10000ull
#define SEGS 0x11000ull
#define BUF 0x12000ull
#define RAM (64ull << 20)

static struct guestmem gm;
static struct hc_ctx hc;
static int pipefd[2];

static int64_t call(struct bvm_hostcall *r)
{
    r->ret = 12345;
    gm_write(&gm, REQ, r, sizeof *r);
    if (hc_serve(&hc, REQ) < 0)
        return 99999;
    struct bvm_hostcall back;
    gm_read(&gm, REQ, &back, sizeof back);
    return back.ret;
}

static int64_t write_segs(int fd, const struct bvm_seg *s, uint32_t n)
{
    gm_write(&gm, SEGS, s, n * sizeof *s);
    struct bvm_hostcall r = {.nr = BVM_HC_WRITE};
    r.u.io.fd = fd, r.u.io.nsegs = n, r.u.io.segs_gpa = SEGS;
    return call(&r);
}

static void write_ok(void)
{
    gm_write(&gm, BUF, "hello", 5);
    struct bvm_seg s[2] = {{BUF, 3}, {BUF + 3, 2}};
    CHECK_EQ(write_segs(pipefd[1], s, 2), 5);
    char got[8] = "";
    CHECK_EQ(read(pipefd[0], got, sizeof got), 5);
    CHECK(!memcmp(got, "hello", 5));
}

static void write_bad_segments(void)
{
    struct bvm_seg out[1] = {{RAM - 2, 4}};
    CHECK_EQ(write_segs(pipefd[1], out, 1), -EFAULT);
    struct bvm_seg wrap[1] = {{0x1000, ~0ull - 0x800}};
    CHECK_EQ(write_segs(pipefd[1], wrap, 1), -EFAULT);
    struct bvm_seg huge[2] = {{BUF, BVM_HC_MAX_IO}, {BUF, 1}};
    CHECK_EQ(write_segs(pipefd[1], huge, 2), -EFAULT);
    struct bvm_hostcall r = {.nr = BVM_HC_WRITE};
    r.u.io.fd = pipefd[1], r.u.io.nsegs = BVM_HC_MAX_SEGS + 1, r.u.io.segs_gpa = SEGS;
    CHECK_EQ(call(&r), -EINVAL);
    r.u.io.nsegs = 1, r.u.io.segs_gpa = RAM - 8; /* the list itself out of RAM */
    CHECK_EQ(call(&r), -EFAULT);
}

static void fd_not_granted(void)
{
    struct bvm_seg s[1] = {{BUF, 1}};
    CHECK_EQ(write_segs(100, s, 1), -EBADF);       /* never opened by the guest */
    CHECK_EQ(write_segs(-5, s, 1), -EBADF);
    CHECK_EQ(write_segs(HC_MAX_FD + 7, s, 1), -EBADF);
    struct bvm_hostcall r = {.nr = BVM_HC_CLOSE};
    r.u.fd.fd = 100;
    CHECK_EQ(call(&r), -EBADF);
}

static void path_checks(void)
{
    struct bvm_hostcall r = {.nr = BVM_HC_OPENAT};
    r.u.path.dirfd = LINUX_AT_FDCWD, r.u.path.path_gpa = BUF, r.u.path.path_len = BVM_HC_MAX_PATH;
    CHECK_EQ(call(&r), -ENAMETOOLONG);
    r.u.path.path_len = 10, r.u.path.path_gpa = RAM - 4;
    CHECK_EQ(call(&r), -EFAULT);
    r.u.path.dirfd = 77, r.u.path.path_gpa = BUF;
    CHECK_EQ(call(&r), -EBADF);
    gm_write(&gm, BUF, "/dev/null", 9);
    r.u.path.dirfd = LINUX_AT_FDCWD, r.u.path.path_len = 9, r.u.path.flags = O_RDONLY;
    int64_t fd = call(&r);
    CHECK(fd >= 3);
    CHECK(hc_fd_ok(&hc, (int)fd));
    struct bvm_hostcall c = {.nr = BVM_HC_CLOSE};
    c.u.fd.fd = (int)fd;
    CHECK_EQ(call(&c), 0);
    CHECK(!hc_fd_ok(&hc, (int)fd));
}

static int64_t at_path_from(uint32_t nr, int dirfd, const char *path)
{
    struct bvm_hostcall r = {.nr = nr};
    gm_write(&gm, BUF, path, strlen(path));
    r.u.at.dirfd = dirfd, r.u.at.path_gpa = BUF, r.u.at.path_len = (uint32_t)strlen(path);
    r.u.at.out_gpa = BUF + 4096, r.u.at.out_len = nr == BVM_HC_STATX ? sizeof(struct linux_statx) : 256;
    return call(&r);
}

static int64_t at_path(uint32_t nr, const char *path) { return at_path_from(nr, LINUX_AT_FDCWD, path); }

static int64_t open_from(int dirfd, const char *path, int flags)
{
    struct bvm_hostcall r = {.nr = BVM_HC_OPENAT};
    gm_write(&gm, BUF, path, strlen(path));
    r.u.path.dirfd = dirfd, r.u.path.path_gpa = BUF, r.u.path.path_len = (uint32_t)strlen(path);
    r.u.path.flags = flags;
    int64_t fd = call(&r);
    if (fd >= 0)
        close((int)fd), hc_fd_revoke(&hc, (int)fd);
    return fd;
}

static int64_t open_path(const char *path, int flags) { return open_from(LINUX_AT_FDCWD, path, flags); }

/* A descriptor by the kernel's name for it: a dirfd with BVM_DIRFD_LINK, the guest's own only. */
static void fd_link_starts(void)
{
    int secret = open("/dev/null", O_RDONLY); /* the monitor's, never granted */
    CHECK(open_from(pipefd[0] | BVM_DIRFD_LINK, "", O_RDONLY) >= 0); /* reopened through its link */
    CHECK(at_path_from(BVM_HC_READLINKAT, pipefd[0] | BVM_DIRFD_LINK, "") > 0);
    CHECK_EQ(at_path_from(BVM_HC_READLINKAT, pipefd[0] | BVM_DIRFD_SELF, ""), -EINVAL); /* not a link */
    CHECK_EQ(open_from(pipefd[0] | BVM_DIRFD_LINK, "x", O_RDONLY), -ENOTDIR);
    CHECK_EQ(open_from(pipefd[0] | BVM_DIRFD_LINK, "", O_RDONLY | O_NOFOLLOW), -ELOOP);
    CHECK_EQ(open_from(secret | BVM_DIRFD_LINK, "", O_RDONLY), -EBADF);
    CHECK_EQ(open_from(pipefd[0] | BVM_DIRFD_FLAGS, "", O_RDONLY), -EBADF);
    CHECK_EQ(at_path_from(BVM_HC_MKDIRAT, pipefd[0] | BVM_DIRFD_LINK, ""), -EACCES);
    CHECK_EQ(at_path_from(BVM_HC_READLINKAT, secret | BVM_DIRFD_SELF, ""), -EBADF);
    close(secret);
}

/* The monitor's own /proc/<pid> stays its own whatever the kernel sends: no path reaches a
 * descriptor through /proc/self/fd (that takes BVM_DIRFD_LINK); listings and namespace files get
 * through. */
static void own_proc_refused(void)
{
    char path[64], mine[64];
    int secret = open("/dev/null", O_RDONLY); /* the monitor's, never granted */
    snprintf(path, sizeof path, "/proc/self/fd/%d", secret);
    snprintf(mine, sizeof mine, "/proc/self/fd/%d", pipefd[0]);
    CHECK_EQ(open_path(path, O_RDONLY), -ELOOP);
    CHECK_EQ(open_path(mine, O_RDONLY), -ELOOP);
    CHECK_EQ(at_path(BVM_HC_READLINKAT, path), -EACCES);
    CHECK_EQ(at_path(BVM_HC_READLINKAT, mine), -EACCES); /* by a name: H is the host's number */
    CHECK_EQ(at_path(BVM_HC_TRUNCATE, path), -ELOOP);
    CHECK_EQ(at_path(BVM_HC_FCHMODAT, path), -ELOOP);
    snprintf(path, sizeof path, "/proc/self/./fd/%d", pipefd[0]); /* not the kernel's name */
    CHECK_EQ(open_path(path, O_RDONLY), -ELOOP);
    CHECK_EQ(at_path(BVM_HC_STATX, path), -ELOOP);
    snprintf(path, sizeof path, "/proc/%d/environ", getpid());
    CHECK_EQ(open_path(path, O_RDONLY), -EACCES);
    CHECK_EQ(open_path("/proc/self/environ", O_RDONLY), -EACCES);
    CHECK_EQ(open_path("/proc/thread-self/mem", O_RDWR), -EACCES);
    CHECK_EQ(open_path("/proc/self/./fd", O_RDONLY | O_DIRECTORY), -EACCES);
    CHECK_EQ(open_path("/proc/self/fd", O_RDONLY | O_DIRECTORY), -EACCES); /* by name, as any spelling */
    struct bvm_hostcall r = {.nr = BVM_HC_NEWFD}; /* the kernel's listing handle comes this way */
    r.u.newfd.kind = BVM_NEWFD_FD_LISTING, r.u.newfd.flags = O_RDONLY | O_DIRECTORY;
    int64_t h = call(&r);
    CHECK(h >= 0);
    if (h >= 0)
        close((int)h);
    r.u.newfd.flags = O_WRONLY;
    CHECK_EQ(call(&r), -EISDIR);
    CHECK(open_path("/proc/self/mounts", O_RDONLY) >= 0);
    CHECK(open_path("/proc/self/", O_RDONLY | O_DIRECTORY) >= 0);
    CHECK_EQ(at_path(BVM_HC_STATX, "/proc/self/environ"), 0); /* metadata only */
    close(secret);
}

static void out_buffers(void)
{
    struct bvm_hostcall r = {.nr = BVM_HC_FSTAT};
    r.u.fd.fd = pipefd[0], r.u.fd.out_gpa = RAM - 10, r.u.fd.out_len = sizeof(struct linux_stat);
    CHECK_EQ(call(&r), -EFAULT);
    r.u.fd.out_len = 8; /* must be exactly the struct's size */
    CHECK_EQ(call(&r), -EINVAL);
    r.u.fd.out_gpa = BUF, r.u.fd.out_len = sizeof(struct linux_stat);
    CHECK_EQ(call(&r), 0);
    struct bvm_hostcall i = {.nr = BVM_HC_IOCTL};
    i.u.ioctl.fd = pipefd[0], i.u.ioctl.cmd = 0x5412 /* TIOCSTI: not allowed */, i.u.ioctl.arg = BUF, i.u.ioctl.len = 4;
    CHECK_EQ(call(&i), -ENOTTY);
    i.u.ioctl.cmd = LINUX_FIONREAD, i.u.ioctl.len = 8; /* not the request's size */
    CHECK_EQ(call(&i), -EFAULT);
    i.u.ioctl.len = 4, i.u.ioctl.arg = RAM - 2; /* past the end of RAM */
    CHECK_EQ(call(&i), -EFAULT);
    i.u.ioctl.arg = BUF;
    CHECK_EQ(call(&i), 0);
}

static int64_t fdop(int fd, uint32_t op)
{
    struct bvm_hostcall r = {.nr = BVM_HC_FDOP};
    r.u.fdop.fd = fd, r.u.fdop.op = op;
    return call(&r);
}

/* A FIFO's open made on a helper (BVM_IO_TRY): the ticket polls readable once it is over; a ticket
 * the guest closed early, its number gone to another pipe, is no ticket any more, and the helper's
 * completion is written into nothing of the guest's. */
static void fifo_open_later(void)
{
    char dir[] = "/tmp/bvm-fifo-XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/f", dir);
    CHECK_EQ(mkfifo(path, 0600), 0);
    struct bvm_hostcall r = {.nr = BVM_HC_OPENAT};
    gm_write(&gm, BUF, path, strlen(path));
    r.u.path.dirfd = LINUX_AT_FDCWD, r.u.path.path_gpa = BUF, r.u.path.path_len = (uint32_t)strlen(path);
    r.u.path.flags = (int32_t)(O_RDONLY | BVM_IO_TRY), r.u.path.out_gpa = BUF + 4096;
    CHECK_EQ(call(&r), -BVM_ENOTREADY);
    int32_t ticket = -1;
    gm_read(&gm, BUF + 4096, &ticket, sizeof ticket);
    CHECK(hc_fd_ok(&hc, ticket));
    CHECK_EQ(fdop(ticket, BVM_FDOP_OPEN_RESULT), -BVM_ENOTREADY);
    struct bvm_hostcall cl = {.nr = BVM_HC_CLOSE};
    cl.u.fd.fd = ticket;
    CHECK_EQ(call(&cl), 0);
    int other[2];
    CHECK_EQ(pipe(other), 0);
    if (other[0] != ticket) /* (the number came back to this pipe, as it would to the guest's next) */
        CHECK_EQ(dup2(other[0], ticket), ticket);
    hc_fd_grant(&hc, ticket);
    int w = open(path, O_WRONLY); /* the helper's open completes now */
    CHECK(w >= 0);
    usleep(50 * 1000);
    CHECK_EQ(fdop(ticket, BVM_FDOP_OPEN_RESULT), -EBADF); /* another file under that number */
    CHECK_EQ(fdop(ticket, BVM_FDOP_OPEN_CANCEL), -EBADF);
    char b;
    fcntl(ticket, F_SETFL, O_NONBLOCK);
    CHECK_EQ(read(ticket, &b, 1), -1); /* nothing was written into it */
    hc_fd_revoke(&hc, ticket);
    close(w), close(other[0]), close(other[1]), close(ticket);
    unlink(path), rmdir(dir);
}

/* The *at family: both paths copied through the one path function, both dirfds checked. */
static void at_checks(void)
{
    struct bvm_hostcall r = {.nr = BVM_HC_RENAMEAT2};
    gm_write(&gm, BUF, "/nonexistent-bvm-a", 18);
    r.u.at.dirfd = r.u.at.dirfd2 = LINUX_AT_FDCWD;
    r.u.at.path_gpa = BUF, r.u.at.path_len = 18;
    r.u.at.path2_gpa = RAM - 4, r.u.at.path2_len = 10; /* second path outside RAM */
    CHECK_EQ(call(&r), -EFAULT);
    r.u.at.path2_gpa = BUF, r.u.at.path2_len = BVM_HC_MAX_PATH;
    CHECK_EQ(call(&r), -ENAMETOOLONG);
    r.u.at.path2_len = 18, r.u.at.dirfd2 = 77; /* a host fd the guest was never given */
    CHECK_EQ(call(&r), -EBADF);
    r.u.at.dirfd2 = LINUX_AT_FDCWD;
    CHECK_EQ(call(&r), -ENOENT);
    struct bvm_hostcall s = {.nr = BVM_HC_STATX};
    s.u.at.dirfd = LINUX_AT_FDCWD, s.u.at.path_gpa = BUF, s.u.at.path_len = 18;
    s.u.at.out_gpa = BUF + 64, s.u.at.out_len = 100; /* must be exactly struct statx */
    CHECK_EQ(call(&s), -EFAULT);
    s.u.at.out_gpa = RAM - 16, s.u.at.out_len = sizeof(struct linux_statx);
    CHECK_EQ(call(&s), -EFAULT);
    struct bvm_hostcall l = {.nr = BVM_HC_READLINKAT};
    l.u.at.dirfd = LINUX_AT_FDCWD, l.u.at.path_gpa = BUF, l.u.at.path_len = 18;
    l.u.at.out_gpa = RAM - 2, l.u.at.out_len = 64;
    CHECK_EQ(call(&l), -EFAULT);
    struct bvm_hostcall u = {.nr = BVM_HC_UTIMENSAT};
    u.u.at.dirfd = 77; /* no path: the fd itself, which must be the guest's */
    CHECK_EQ(call(&u), -EBADF);
    u.u.at.dirfd = pipefd[0], u.u.at.out_gpa = BUF, u.u.at.out_len = 8;
    CHECK_EQ(call(&u), -EFAULT);
    struct bvm_hostcall n = {.nr = BVM_HC_NEWFD};
    n.u.newfd.kind = 7;
    CHECK_EQ(call(&n), -EINVAL);
}

/* Descriptor calls: fds granted only, result buffers inside RAM and of the exact size. */
static void fd_checks(void)
{
    struct bvm_hostcall r = {.nr = BVM_HC_GETDENTS64};
    r.u.fd.fd = 77, r.u.fd.out_gpa = BUF, r.u.fd.out_len = 4096;
    CHECK_EQ(call(&r), -EBADF);
    r.u.fd.fd = pipefd[0], r.u.fd.out_gpa = RAM - 100;
    CHECK_EQ(call(&r), -EFAULT);
    struct bvm_hostcall f = {.nr = BVM_HC_FDOP};
    f.u.fdop.fd = 77, f.u.fdop.op = BVM_FDOP_FSYNC;
    CHECK_EQ(call(&f), -EBADF);
    f.u.fdop.fd = pipefd[0], f.u.fdop.op = BVM_FDOP_COUNT;
    CHECK_EQ(call(&f), -EINVAL);
    f.u.fdop.op = BVM_FDOP_RECLOCK, f.u.fdop.arg.lock_cmd = F_SETLK, f.u.fdop.out_gpa = BUF, f.u.fdop.out_len = 4;
    CHECK_EQ(call(&f), -EFAULT);
    f.u.fdop.op = BVM_FDOP_FSTATFS, f.u.fdop.out_gpa = RAM - 8, f.u.fdop.out_len = sizeof(struct linux_statfs);
    CHECK_EQ(call(&f), -EFAULT);
    struct bvm_hostcall p = {.nr = BVM_HC_PIPE2};
    p.u.pipe.fds_gpa = RAM - 4;
    CHECK_EQ(call(&p), -EFAULT);
    struct bvm_hostcall k = {.nr = BVM_HC_CLOCK_GETTIME};
    k.u.clock.ts_gpa = RAM - 8; /* the timespec would end outside RAM */
    CHECK_EQ(call(&k), -EFAULT);
    struct linux_pollfd pf[2] = {{pipefd[0], 1, 0}, {77, 1, 0}};
    gm_write(&gm, BUF, pf, sizeof pf);
    struct bvm_hostcall q = {.nr = BVM_HC_POLL};
    q.u.poll.fds_gpa = BUF, q.u.poll.nfds = 2; /* fd 77 was never granted */
    CHECK_EQ(call(&q), -EBADF);
    q.u.poll.nfds = 100000;
    CHECK_EQ(call(&q), -EINVAL);
    q.u.poll.nfds = 1, q.u.poll.fds_gpa = RAM - 4;
    CHECK_EQ(call(&q), -EFAULT);
}

static void bad_request(void)
{
    CHECK(hc_serve(&hc, RAM - 8) < 0); /* request itself not in RAM */
    CHECK(hc_serve(&hc, REQ + 4) < 0); /* misaligned */
    struct bvm_hostcall r = {.nr = 9999};
    CHECK_EQ(call(&r), -ENOSYS);
}

int main(void)
{
    gm_init(&gm, RAM);
    hc_init(&hc, &gm, -1);
    if (pipe(pipefd) < 0)
        return 1;
    hc_fd_grant(&hc, pipefd[0]);
    hc_fd_grant(&hc, pipefd[1]);
    RUN(write_ok);
    RUN(write_bad_segments);
    RUN(fd_not_granted);
    RUN(path_checks);
    RUN(own_proc_refused);
    RUN(fd_link_starts);
    RUN(out_buffers);
    RUN(at_checks);
    RUN(fifo_open_later);
    RUN(fd_checks);
    RUN(bad_request);
    return 0;
}
