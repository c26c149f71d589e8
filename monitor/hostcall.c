/* hostcall.c: the hostcall table and the handlers that validate guest requests before acting. */
#include "hostcall.h"
#include "filewin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bvm_linux.h"
#include "check_report.h"
#include "events.h"
#include "fdpub.h"
#include "policy.h"
#include "hostcall_fs.h"
#include "ipc.h"

void hc_init(struct hc_ctx *c, struct guestmem *gm, int trace_fd)
{
    memset(c, 0, sizeof *c);
    c->gm = gm;
    c->trace_fd = trace_fd;
    c->vfork_fd = -1;
    c->vfork_mem = -1;
    hc_path_init();
    hc_rlimits_init();
    for (int fd = 0; fd < 3; fd++)
        hc_fd_grant(c, fd);
}

void hc_fd_grant(struct hc_ctx *c, int fd)
{
    struct stat st;
    if (fd < 0 || fd >= HC_MAX_FD)
        return;
    hc_fd_bit_set(c->guest_fd, fd, 1);
    hc_fd_bit_set(c->connecting, fd, 0);
    int slow = fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode));
    hc_fd_bit_set(c->slow_fd, fd, slow);
}

int hc_fd_slow(const struct hc_ctx *c, int fd)
{
    return hc_fd_ok(c, fd) && hc_fd_bit(c->slow_fd, fd);
}

void hc_fd_revoke(struct hc_ctx *c, int fd)
{
    if (fd >= 0 && fd < HC_MAX_FD) {
        hc_fd_bit_set(c->guest_fd, fd, 0);
        hc_fd_bit_set(c->connecting, fd, 0);
    }
    fdpub_host_closed(fd);
}

int hc_fd_ok(const struct hc_ctx *c, int fd)
{
    return fd >= 0 && fd < HC_MAX_FD && hc_fd_bit(c->guest_fd, fd);
}

int64_t hc_fd_adopt(struct hc_ctx *c, int fd)
{
    if (fd < 0)
        return -errno;
    if (fd >= HC_MAX_FD) {
        close(fd);
        return -EMFILE;
    }
    hc_fd_grant(c, fd);
    return fd;
}

int hc_segs(struct hc_ctx *c, uint64_t segs_gpa, uint32_t nsegs, int fill, struct bvm_seg *segs, struct iovec *iov,
            uint64_t *total)
{
    if (nsegs > BVM_HC_MAX_SEGS)
        return -EINVAL;
    if (gm_read(c->gm, segs_gpa, segs, (uint64_t)nsegs * sizeof segs[0]) < 0)
        return -EFAULT;
    *total = 0;
    for (uint32_t i = 0; i < nsegs; i++) {
        void *p = fill ? gm_ptr_w(c->gm, segs[i].gpa, segs[i].len) : (void *)gm_ptr(c->gm, segs[i].gpa, segs[i].len);
        if (!p || segs[i].len > BVM_HC_MAX_IO || *total + segs[i].len > BVM_HC_MAX_IO)
            return -EFAULT;
        iov[i].iov_base = p;
        iov[i].iov_len = segs[i].len;
        *total += segs[i].len;
    }
    return (int)nsegs;
}

void hc_segs_written(struct hc_ctx *c, const struct bvm_seg *segs, int n, const struct iovec *iov, uint64_t bytes)
{
    for (int i = 0; i < n && bytes; i++) {
        uint64_t k = iov[i].iov_len < bytes ? iov[i].iov_len : bytes;
        gm_written(c->gm, segs[i].gpa, k);
        bytes -= k;
    }
}

int hc_fd_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_NONBLOCK);
}

/* A pipe that poll says is writable has room for PIPE_BUF bytes: that much is written without
 * waiting, where the host's pipes take no RWF_NOWAIT (Linux before 6.x). */
static long pipe_write_room(int fd, const struct iovec *iov, int n)
{
    struct iovec part[BVM_HC_MAX_SEGS];
    size_t left = PIPE_BUF;
    int k = 0;
    for (; k < n && left; k++) {
        part[k] = iov[k];
        if (part[k].iov_len > left)
            part[k].iov_len = left;
        left -= part[k].iov_len;
    }
    return safe_syscall(SYS_writev, fd, part, k, 0, 0, 0); /* cannot wait, but an event would cut it */
}

/* BVM_IO_TRY on a slow fd: what moves without waiting (RWF_NOWAIT: pipes, sockets; a write may be
 * short, the kernel writes the rest once there is room), -BVM_ENOTREADY when nothing would (and
 * the fd is not O_NONBLOCK), or AS_USUAL to make the call as usual: a terminal (no RWF_NOWAIT)
 * that poll says is ready. */
#define AS_USUAL LONG_MIN
static long try_io(long nr, int fd, const struct iovec *iov, int n)
{
    struct pollfd p = {fd, nr == SYS_readv ? POLLIN : POLLOUT, 0};
    struct stat st;
    long got = nr == SYS_readv ? preadv2(fd, iov, n, -1, RWF_NOWAIT) : pwritev2(fd, iov, n, -1, RWF_NOWAIT);
    if (got >= 0)
        return got;
    if (errno == EAGAIN)
        return hc_fd_nonblocking(fd) ? -EAGAIN : -BVM_ENOTREADY;
    if (errno != EOPNOTSUPP)
        return -errno;
    /* not ready, or a host signal came during the poll (-1, EINTR): nothing is known to move */
    if (poll(&p, 1, 0) <= 0)
        return hc_fd_nonblocking(fd) ? AS_USUAL : -BVM_ENOTREADY;
    if (nr == SYS_writev && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
        return pipe_write_room(fd, iov, n);
    return AS_USUAL;
}

/* readv/writev: -errno on failure; on a slow fd an event for the guest cuts the wait short. */
static long slow_io(const struct hc_ctx *c, long nr, int fd, const struct iovec *iov, int n, uint32_t flags)
{
    long tried = hc_fd_slow(c, fd) && (flags & BVM_IO_TRY) ? try_io(nr, fd, iov, n) : AS_USUAL;
    if (tried != AS_USUAL)
        return tried;
    if (hc_fd_slow(c, fd))
        return safe_syscall(nr, fd, iov, n, 0, 0, 0);
    long got = syscall(nr, fd, iov, n);
    return got < 0 ? -errno : got;
}

/* BVM_IO_BAD_BUFFER: whether a read from fd (at offset, or at its own when < 0) has no byte to give. */
static int64_t nothing_to_read(int fd, int64_t offset)
{
    struct stat st;
    off_t at = offset >= 0 ? offset : lseek(fd, 0, SEEK_CUR);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || at < 0)
        return -EFAULT;
    return at >= st.st_size ? 0 : -EFAULT;
}

static int64_t rw(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_io *io = &r->u.io;
    struct bvm_seg segs[BVM_HC_MAX_SEGS];
    struct iovec iov[BVM_HC_MAX_SEGS];
    uint64_t total;
    if (r->nr != BVM_HC_GETRANDOM && !hc_fd_ok(c, io->fd))
        return -EBADF;
    int fill = r->nr == BVM_HC_READ || r->nr == BVM_HC_PREAD || r->nr == BVM_HC_GETRANDOM;
    if ((io->flags & BVM_IO_BAD_BUFFER) && (r->nr == BVM_HC_READ || r->nr == BVM_HC_PREAD))
        return io->nsegs ? -EINVAL : nothing_to_read(io->fd, r->nr == BVM_HC_PREAD ? io->offset : -1);
    int n = hc_segs(c, io->segs_gpa, io->nsegs, fill, segs, iov, &total);
    if (n < 0)
        return n;
    long got; /* -errno on failure */
    switch (r->nr) {
    /* reads and writes may wait (pipes, terminals): an event for the guest cuts them short */
    case BVM_HC_READ: got = slow_io(c, SYS_readv, io->fd, iov, n, io->flags); break;
    case BVM_HC_WRITE: got = slow_io(c, SYS_writev, io->fd, iov, n, io->flags); break;
    case BVM_HC_PREAD: got = preadv(io->fd, iov, n, io->offset); break;
    case BVM_HC_PWRITE: got = pwritev(io->fd, iov, n, io->offset); break;
    default: got = n ? getrandom(iov[0].iov_base, iov[0].iov_len, io->flags & (GRND_NONBLOCK | GRND_RANDOM)) : 0;
    }
    if (got < 0)
        return r->nr == BVM_HC_READ || r->nr == BVM_HC_WRITE ? got : -errno;
    if (r->nr == BVM_HC_PWRITE || r->nr == BVM_HC_WRITE) /* (WRITE: where the offset now is) */
        fw_file_written(c->gm, io->fd, r->nr == BVM_HC_PWRITE ? io->offset : -1, (uint64_t)got);
    if (fill)
        hc_segs_written(c, segs, n, iov, (uint64_t)got);
    return got;
}

int64_t hc_read(struct hc_ctx *c, const struct bvm_hostcall *r) { return rw(c, r); }
int64_t hc_write(struct hc_ctx *c, const struct bvm_hostcall *r) { return rw(c, r); }
int64_t hc_pread(struct hc_ctx *c, const struct bvm_hostcall *r) { return rw(c, r); }
int64_t hc_pwrite(struct hc_ctx *c, const struct bvm_hostcall *r) { return rw(c, r); }
int64_t hc_getrandom(struct hc_ctx *c, const struct bvm_hostcall *r) { return rw(c, r); }

int64_t hc_exit(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    c->exit = r->u.exit;
    c->exit.text[sizeof c->exit.text - 1] = 0;
    if (c->exit.insn_len > sizeof c->exit.insn)
        c->exit.insn_len = sizeof c->exit.insn;
    c->exited = 1;
    ipc_process_gone(getpid()); /* SEM_UNDO applied, shared memory detached */
    /* buffervm check: the summaries, and the error exit code in place of a status (not a signal) */
    if (c->exit.kind == BVM_EXIT_STATUS || c->exit.kind == BVM_EXIT_SIGNAL)
        c->exit.status = check_finish(c->exit.kind, c->exit.status);
    return 0;
}

int64_t hc_clock_gettime(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_clock *a = &r->u.clock;
    struct timespec ts;
    if (!gm_ptr_w(c->gm, a->ts_gpa, sizeof(struct linux_timespec)))
        return -EFAULT;
    /* another process's CPU clock (~pid << 3 | kind; the kernel keeps its threads' own) */
    if (a->clock < 0 && ((a->clock & 4) || (a->clock & 3) == 3 || !policy_process_visible(~(a->clock >> 3))))
        return -EINVAL;
    if (clock_gettime((clockid_t)a->clock, &ts) < 0)
        return -errno;
    struct linux_timespec lt = {ts.tv_sec, ts.tv_nsec};
    return gm_write(c->gm, a->ts_gpa, &lt, sizeof lt);
}

int64_t hc_uname(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct utsname u;
    struct linux_utsname lu;
    if (r->u.out.out_len != sizeof lu)
        return -EINVAL;
    if (uname(&u) < 0)
        return -errno;
    memset(&lu, 0, sizeof lu);
    memcpy(lu.sysname, u.sysname, sizeof lu.sysname - 1);
    memcpy(lu.nodename, u.nodename, sizeof lu.nodename - 1);
    memcpy(lu.release, u.release, sizeof lu.release - 1);
    memcpy(lu.version, u.version, sizeof lu.version - 1);
    memcpy(lu.machine, u.machine, sizeof lu.machine - 1);
    memcpy(lu.domainname, u.domainname, sizeof lu.domainname - 1);
    return gm_write(c->gm, r->u.out.out_gpa, &lu, sizeof lu);
}

/* The monitor's supplementary groups, which are the guest's: the count, and the list when
 * out_len holds it all (getgroups' semantics are the kernel's to give). */
int64_t hc_getgroups(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    static gid_t g[NGROUPS_MAX];
    _Static_assert(sizeof g[0] == sizeof(uint32_t), "gid_t is Linux's 32-bit gid");
    int n = getgroups(NGROUPS_MAX, g);
    if (n < 0)
        return -errno;
    if (r->u.out.out_len == 0)
        return n;
    if (r->u.out.out_len < (uint64_t)n * sizeof g[0])
        return -EINVAL;
    return gm_write(c->gm, r->u.out.out_gpa, g, (uint64_t)n * sizeof g[0]) < 0 ? -EFAULT : n;
}

int64_t hc_trace(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    char buf[BVM_HC_MAX_TRACE];
    uint32_t n = r->u.trace.text_len;
    if (n > sizeof buf)
        return -EINVAL;
    if (gm_read(c->gm, r->u.trace.text_gpa, buf, n) < 0)
        return -EFAULT;
    if (c->trace_fd >= 0 && write(c->trace_fd, buf, n) < 0)
        return -errno;
    return n;
}

/* One row per hostcall, from the list in bvm_abi.h: the handler and the name traces use. */
static const struct {
    const char *name;
    int64_t (*fn)(struct hc_ctx *, const struct bvm_hostcall *);
} hc_table[BVM_HC_COUNT] = {
#define HC_ENTRY(n, NAME, name, req) [n] = {#name, hc_##name},
    BVM_HOSTCALLS(HC_ENTRY)
#undef HC_ENTRY
};

/* --trace-hostcalls: one line per hostcall, after it is served. */
static void trace_hostcall(const struct hc_ctx *c, uint32_t nr, int64_t ret)
{
    char line[96];
    const char *name = nr < BVM_HC_COUNT ? hc_table[nr].name : NULL;
    int n = name ? snprintf(line, sizeof line, "hostcall %s = %lld\n", name, (long long)ret)
                 : snprintf(line, sizeof line, "hostcall %u = %lld\n", nr, (long long)ret);
    if (write(c->trace_fd, line, (size_t)n) < 0)
        return; /* a trace that cannot be written is dropped, the run goes on */
}

int hc_serve(struct hc_ctx *c, uint64_t req_gpa)
{
    struct bvm_hostcall req; /* the one copy: never read the guest's request twice */
    if ((req_gpa & 7) || gm_read(c->gm, req_gpa, &req, sizeof req) < 0)
        return -1;
    c->calls++;
    fdpub_apply(c);
    int64_t ret = req.nr < BVM_HC_COUNT ? hc_table[req.nr].fn(c, &req) : -ENOSYS;
    if (c->trace_hostcalls && c->trace_fd >= 0 && req.nr != BVM_HC_TRACE) /* not the trace itself */
        trace_hostcall(c, req.nr, ret);
    gm_write(c->gm, req_gpa + offsetof(struct bvm_hostcall, ret), &ret, sizeof ret);
    return 0;
}
