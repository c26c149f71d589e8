/* sys_file.c: file syscalls (open, read/write, stat, lseek, unlink, ioctl), forwarded to host fds. */
#include "bvm_linux.h"
#include "events.h"
#include "fd.h"
#include "hostcall.h"
#include "mm_shared.h"
#include "procfs.h"
#include "sched.h"
#include "signal.h"
#include "signalfd.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"


#define O_STATUS_MASK                                                                                     \
    (LINUX_O_ACCMODE | LINUX_O_APPEND | LINUX_O_NONBLOCK | LINUX_O_DSYNC | LINUX_O_ASYNC | LINUX_O_DIRECT |    \
     LINUX_O_NOATIME | LINUX_O_SYNC | LINUX_O_PATH)
static char kpath[BVM_HC_MAX_PATH];

/* Copies a user path into kpath: 0, -EFAULT, -ENAMETOOLONG. */
static int get_path(uint64_t upath)
{
    int64_t n = strncpy_from_user(kpath, upath, sizeof(kpath));
    return n < 0 ? (int)n : 0;
}

/* read and readv: a signalfd is the kernel's to answer, everything else the host's. */
static int64_t read_fd(int fd, int h, uint64_t buf, uint64_t len)
{
    uint64_t mask;
    if (signalfd_lookup(h, &mask))
        return signalfd_read(h, buf, len, (fd_status(fd) & LINUX_O_NONBLOCK) != 0);
    return user_io(BVM_HC_READ, h, buf, len, 0, ACC_WRITE, 0);
}

int64_t sys_read(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    return h < 0 ? h : read_fd((int32_t)a0, h, a1, a2);
}

/* Writing to a pipe nobody reads also raises SIGPIPE, as on Linux. */
static int64_t write_result(int64_t r)
{
    if (r == -LINUX_EPIPE)
        signal_send_simple(LINUX_SIGPIPE, LINUX_SI_USER);
    return r;
}

int64_t sys_write(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    int64_t named;
    if (procfs_comm_write(h, a1, a2, &named))
        return named;
    return h < 0 ? h : write_result(user_io(BVM_HC_WRITE, h, a1, a2, 0, ACC_READ, 0));
}

int64_t sys_pread64(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    return (int64_t)a3 < 0 ? -LINUX_EINVAL : user_io(BVM_HC_PREAD, h, a1, a2, (int64_t)a3, ACC_WRITE, 0);
}

int64_t sys_pwrite64(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    return (int64_t)a3 < 0 ? -LINUX_EINVAL
                           : write_result(user_io(BVM_HC_PWRITE, h, a1, a2, (int64_t)a3, ACC_READ, 0));
}

/* The iovec array, copied whole and checked before any transfer as Linux's import_iovec does: a
 * length that is negative as a ssize_t is EINVAL, a range outside user space EFAULT. */
static struct linux_iovec iovs[LINUX_UIO_MAXIOV];

static int64_t import_iovecs(uint64_t uiov, uint64_t cnt)
{
    if (cnt > LINUX_UIO_MAXIOV)
        return -LINUX_EINVAL;
    if (cnt && copy_from_user(iovs, uiov, cnt * sizeof(iovs[0])))
        return -LINUX_EFAULT;
    uint64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        if ((int64_t)iovs[i].iov_len < 0)
            return -LINUX_EINVAL;
        if (!user_range_ok(iovs[i].iov_base, iovs[i].iov_len))
            return -LINUX_EFAULT;
        if (iovs[i].iov_len > LINUX_MAX_RW_COUNT - total) /* the rest is left out, not refused */
            iovs[i].iov_len = LINUX_MAX_RW_COUNT - total;
        total += iovs[i].iov_len;
    }
    return 0;
}

/* readv/writev (off < 0) and preadv/pwritev (at off): one transfer per iovec, stopping at the
 * first short one. */
static int64_t vector_io(uint32_t nr, int64_t fd, uint64_t uiov, uint64_t cnt, uint32_t access, int64_t off)
{
    int h = fd_host((int32_t)fd);
    uint64_t total = 0;
    if (h < 0)
        return h;
    int64_t err = import_iovecs(uiov, cnt);
    if (err)
        return err;
    for (uint64_t i = 0; i < cnt; i++) {
        const struct linux_iovec *iov = &iovs[i];
        if (iov->iov_len == 0)
            continue;
        int64_t n = nr == BVM_HC_READ ? read_fd((int32_t)fd, h, iov->iov_base, iov->iov_len)
                                      : user_io(nr, h, iov->iov_base, iov->iov_len, off < 0 ? 0 : off + (int64_t)total, access, 0);
        if (n < 0)
            return total ? (int64_t)total : n;
        total += (uint64_t)n;
        if ((uint64_t)n < iov->iov_len)
            break;
    }
    return (int64_t)total;
}

int64_t sys_readv(SYSARGS)
{
    return vector_io(BVM_HC_READ, (int64_t)a0, a1, a2, ACC_WRITE, -1);
}

/* writev on a comm file opened for writing: each segment a write of its own, as Linux's VFS
 * makes them for a file without write_iter (the last name stays). */
static bool comm_writev(int h, uint64_t uiov, uint64_t n, int64_t *ret)
{
    struct linux_iovec v;
    int64_t one, total = 0;
    if (!procfs_comm_file(h))
        return false;
    for (uint64_t i = 0; i < n && i < LINUX_UIO_MAXIOV; i++) {
        if (copy_from_user(&v, uiov + i * sizeof(v), sizeof(v)))
            return *ret = total ? total : -LINUX_EFAULT, true;
        if (v.iov_len && procfs_comm_write(h, v.iov_base, v.iov_len, &one) && one < 0)
            return *ret = total ? total : one, true;
        total += (int64_t)v.iov_len;
    }
    *ret = total;
    return true;
}

int64_t sys_writev(SYSARGS)
{
    int64_t named;
    if (comm_writev(fd_host((int32_t)a0), a1, a2, &named))
        return named;
    return write_result(vector_io(BVM_HC_WRITE, (int64_t)a0, a1, a2, ACC_READ, -1));
}

/* On x86-64 the offset is whole in a3 (a4, the high half, is ignored as Linux does). */
int64_t sys_preadv(SYSARGS)
{
    if (fd_host((int32_t)a0) < 0)
        return -LINUX_EBADF;
    return (int64_t)a3 < 0 ? -LINUX_EINVAL : vector_io(BVM_HC_PREAD, (int64_t)a0, a1, a2, ACC_WRITE, (int64_t)a3);
}

int64_t sys_pwritev(SYSARGS)
{
    if (fd_host((int32_t)a0) < 0)
        return -LINUX_EBADF;
    if ((int64_t)a3 < 0)
        return -LINUX_EINVAL;
    return write_result(vector_io(BVM_HC_PWRITE, (int64_t)a0, a1, a2, ACC_READ, (int64_t)a3));
}

/* A FIFO's open a monitor helper makes for a thread of several: the others run while it waits for
 * the other end; a signal that needs the call gives it up (-ERESTARTSYS, as Linux's fifo_open). */
static int64_t open_waited(int ticket)
{
    int64_t h = -BVM_ENOTREADY;
    cur->open_ticket1 = ticket + 1; /* (an execve by another thread cancels it: open_wait_drop) */
    while (h == -BVM_ENOTREADY) {
        sched_wait_fd(ticket, LINUX_POLLIN, -1);
        if (signal_interrupts()) {
            open_wait_drop(cur);
            return -LINUX_ERESTARTSYS;
        }
        hc_fdop(ticket, BVM_FDOP_OPEN_RESULT, NULL, 0);
        h = hc_issue();
    }
    cur->open_ticket1 = 0;
    return h;
}

void open_wait_drop(struct thread *t)
{
    if (!t->open_ticket1)
        return;
    hc_fdop(t->open_ticket1 - 1, BVM_FDOP_OPEN_CANCEL, NULL, 0);
    hc_issue();
    t->open_ticket1 = 0;
}

/* The host fd for an open of kpath from at: generated /proc files, the fd listings, else the host's
 * (a FIFO's open waits for its other end: with threads on a helper, else an event cuts the host's
 * wait short, and the open goes on unless a signal needs the call, as Linux's fifo_open restarts). */
static int64_t open_rewritten(const struct path_at *at, uint64_t flags, uint64_t mode)
{
    if (procfs_is_virtual(kpath))
        return procfs_open_host(kpath, (flags & 3) != 0);
    int pid = procfs_fd_dir_pid(kpath);
    if (pid >= 0) { /* a host fd of the monitor's own listing or of the other process's */
        int64_t h = pid ? hc_path(BVM_HC_OPENAT, at->dirfd, kpath, (int32_t)flags, (uint32_t)mode, NULL)
                        : hc_newfd(BVM_NEWFD_FD_LISTING, NULL, (int)flags, 0);
        if (h >= 0 && !procfs_fd_dir_opened((int)h, pid)) {
            hc_close((int)h);
            return -LINUX_EMFILE; /* the listing would be the monitor's own */
        }
        return h;
    }
    int64_t h;
    int32_t *ticket = hc_bounce();
    uint32_t try = sched_threaded() ? BVM_IO_TRY : 0;
    do
        h = hc_path(BVM_HC_OPENAT, at->dirfd, kpath, (int32_t)(flags | try), (uint32_t)mode, try ? ticket : NULL);
    while (h == -LINUX_EINTR && !events_interrupted());
    if (h == -BVM_ENOTREADY)
        return open_waited(*ticket);
    return h == -LINUX_EINTR ? -LINUX_ERESTARTSYS : h;
}

/* The host fd for an open: the program's own /proc/self names rewritten (procfs_rewrite_at) first. */
static int64_t open_host(int dh, uint64_t flags, uint64_t mode)
{
    struct path_at at = {dh, -1};
    int err = procfs_rewrite_at(&at, kpath, sizeof(kpath), !(flags & LINUX_O_NOFOLLOW));
    if (err)
        return err;
    int64_t h = open_rewritten(&at, flags, mode);
    procfs_path_put(&at);
    return h;
}

int64_t sys_openat(SYSARGS)
{
    int dh = dirfd_host((int64_t)a0), err = get_path(a1), fd = fd_free_from(0); /* EMFILE first */
    if (dh < 0 && dh != LINUX_AT_FDCWD)
        return dh;
    if (err)
        return err;
    if (fd < 0)
        return fd;
    int64_t h = open_host(dh, a2, a3);
    if (h < 0)
        return h;
    if ((fd = fd_free_from(0)) < 0) { /* (another thread took the last one while the open waited) */
        hc_close((int)h);
        return fd;
    }
    if (a2 & LINUX_O_TRUNC)
        mm_shared_file_changed((int)h);
    /* x86-64 Linux always reports O_LARGEFILE for F_GETFL. */
    fd_install_at(fd, (int)h, ((uint32_t)a2 & O_STATUS_MASK) | LINUX_O_LARGEFILE, (a2 & LINUX_O_CLOEXEC) != 0);
    return fd;
}

int64_t sys_open(SYSARGS)
{
    return sys_openat((uint64_t)(int64_t)LINUX_AT_FDCWD, a0, a1, a2, 0, 0);
}

static int64_t stat_out(int64_t r, uint64_t ubuf)
{
    if (r < 0)
        return r;
    return copy_to_user(ubuf, hc_bounce(), sizeof(struct linux_stat)) ? -LINUX_EFAULT : 0;
}

int64_t sys_fstat(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    return stat_out(hc_fstat(h, hc_bounce()), a1);
}

int64_t sys_newfstatat(SYSARGS)
{
    int flags = (int32_t)a3, dh = dirfd_host((int64_t)a0), err = get_path(a1);
    if (err)
        return err;
    if ((flags & LINUX_AT_EMPTY_PATH) && kpath[0] == 0 && (int32_t)a0 != LINUX_AT_FDCWD) {
        if (dh < 0)
            return dh;
        return stat_out(hc_fstat(dh, hc_bounce()), a2);
    }
    if (dh < 0 && dh != LINUX_AT_FDCWD)
        return dh;
    struct path_at at = {dh, -1};
    if ((err = procfs_rewrite_at(&at, kpath, sizeof(kpath), !(flags & LINUX_AT_SYMLINK_NOFOLLOW))))
        return err;
    int64_t r = hc_path(BVM_HC_FSTATAT, at.dirfd, kpath, flags, 0, hc_bounce());
    procfs_path_put(&at);
    return stat_out(r, a2);
}

int64_t sys_stat(SYSARGS)
{
    return sys_newfstatat((uint64_t)(int64_t)LINUX_AT_FDCWD, a0, a1, 0, 0, 0);
}

int64_t sys_lstat(SYSARGS)
{
    return sys_newfstatat((uint64_t)(int64_t)LINUX_AT_FDCWD, a0, a1, LINUX_AT_SYMLINK_NOFOLLOW, 0, 0);
}

int64_t sys_lseek(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    if (a2 == LINUX_SEEK_SET && (int64_t)a1 >= 0 && procfs_fd_dir_seek(h, (int64_t)a1))
        return (int64_t)a1;
    return hc_lseek(h, (int64_t)a1, (uint32_t)a2);
}

int64_t sys_unlinkat(SYSARGS)
{
    int dh = dirfd_host((int64_t)a0), err = get_path(a1);
    if (dh < 0 && dh != LINUX_AT_FDCWD)
        return dh;
    struct path_at at = {dh, -1};
    if (err || (err = procfs_rewrite_at(&at, kpath, sizeof(kpath), false)))
        return err;
    int64_t r = hc_path(BVM_HC_UNLINKAT, at.dirfd, kpath, (int32_t)a2, 0, NULL);
    procfs_path_put(&at);
    return r;
}

int64_t sys_unlink(SYSARGS)
{
    return sys_unlinkat((uint64_t)(int64_t)LINUX_AT_FDCWD, a0, 0, 0, 0, 0);
}

/* Advice only: accepted for an open fd, as a filesystem without readahead tuning would. */
int64_t sys_fadvise64(SYSARGS)
{
    if (fd_host((int64_t)(int32_t)a0) < 0)
        return -LINUX_EBADF;
    return a3 > 5 ? -LINUX_EINVAL : 0;
}

int64_t sys_creat(SYSARGS) { return sys_open(a0, LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_TRUNC, a1, 0, 0, 0); }
