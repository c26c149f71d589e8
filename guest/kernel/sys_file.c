/* sys_file.c: file syscalls, forwarded to the monitor's host fds through the guest fd table. */
#include "bvm_linux.h"
#include "fd.h"
#include "hostcall.h"
#include "mm_shared.h"
#include "procfs.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH 0x1000
#define IOV_MAX 1024

static int host_fds[FD_MAX]; /* -1: free */
/* Open status flags (F_GETFL) and close-on-exec (F_GETFD) as the guest set them. The monitor's
 * inherited 0, 1, 2 are reported as O_RDWR: their real open flags are not known here. */
static uint32_t fd_status[FD_MAX];
static bool fd_cloexec[FD_MAX];
#define O_ACCMODE 3
#define O_RDWR 2
#define O_CLOEXEC 02000000
#define O_TRUNC 01000
#define O_LARGEFILE 0100000
#define O_STATUS_MASK (O_ACCMODE | 02000 /* O_APPEND */ | 04000 /* O_NONBLOCK */ | 010000 /* O_DSYNC */ | \
                       020000 /* O_ASYNC */ | 040000 /* O_DIRECT */ | 01000000 /* O_NOATIME */ | 04000000 /* O_SYNC */ | \
                       010000000 /* O_PATH */)
static char kpath[BVM_HC_MAX_PATH];

void fd_init(void)
{
    for (int i = 0; i < FD_MAX; i++)
        host_fds[i] = i < 3 ? i : -1;
    for (int i = 0; i < 3; i++)
        fd_status[i] = O_RDWR | O_LARGEFILE;
}

bool fd_valid(int fd)
{
    return fd >= 0 && fd < FD_MAX && host_fds[fd] >= 0;
}

int fd_host(int64_t fd)
{
    return fd >= 0 && fd < FD_MAX && host_fds[fd] >= 0 ? host_fds[fd] : -LINUX_EBADF;
}

int dirfd_host(int64_t dirfd)
{
    return (int32_t)dirfd == LINUX_AT_FDCWD ? LINUX_AT_FDCWD : fd_host((int32_t)dirfd);
}

static int fd_lowest_free(void)
{
    for (int i = 0; i < FD_MAX; i++)
        if (host_fds[i] < 0)
            return i;
    return -LINUX_EMFILE;
}

uint32_t fd_accmode(int fd)
{
    return fd_valid(fd) ? fd_status[fd] & (O_ACCMODE | 010000000) : 0;
}

int fd_install(int host, uint32_t status, bool cloexec)
{
    int fd = fd_lowest_free();
    if (fd < 0) {
        hc_fd(BVM_HC_CLOSE, host, 0, 0, NULL, 0);
        return fd;
    }
    host_fds[fd] = host;
    fd_status[fd] = status;
    fd_cloexec[fd] = cloexec;
    return fd;
}

/* Copies a user path into kpath: 0, -EFAULT, -ENAMETOOLONG. */
static int get_path(uint64_t upath)
{
    int64_t n = strncpy_from_user(kpath, upath, sizeof(kpath));
    return n < 0 ? (int)n : 0;
}


int64_t kernel_pread_user(int fd, uint64_t va, uint64_t len, int64_t off)
{
    int h = fd_host(fd);
    return h < 0 ? h : user_io(BVM_HC_PREAD, h, va, len, off, 0, 0);
}

int64_t sys_read(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    return h < 0 ? h : user_io(BVM_HC_READ, h, a1, a2, 0, ACC_WRITE, 0);
}

/* Writing to a pipe nobody reads also raises SIGPIPE, as on Linux. */
static int64_t write_result(int64_t r)
{
    if (r == -LINUX_EPIPE)
        signal_raise(LINUX_SIGPIPE);
    return r;
}

int64_t sys_write(SYSARGS)
{
    int h = fd_host((int32_t)a0);
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

/* readv/writev (off < 0) and preadv/pwritev (at off): one transfer per iovec, stopping at the
 * first short one. */
static int64_t vector_io(uint32_t nr, int64_t fd, uint64_t uiov, uint64_t cnt, uint32_t access, int64_t off)
{
    int h = fd_host((int32_t)fd);
    uint64_t total = 0;
    if (h < 0)
        return h;
    if (cnt > IOV_MAX)
        return -LINUX_EINVAL;
    for (uint64_t i = 0; i < cnt; i++) {
        struct linux_iovec iov;
        if (copy_from_user(&iov, uiov + i * sizeof(iov), sizeof(iov)))
            return total ? (int64_t)total : -LINUX_EFAULT;
        if (iov.iov_len > INT64_MAX - total)
            return -LINUX_EINVAL;
        if (iov.iov_len == 0)
            continue;
        int64_t n = user_io(nr, h, iov.iov_base, iov.iov_len, off < 0 ? 0 : off + (int64_t)total, access, 0);
        if (n < 0)
            return total ? (int64_t)total : n;
        total += (uint64_t)n;
        if ((uint64_t)n < iov.iov_len)
            break;
    }
    return (int64_t)total;
}

int64_t sys_readv(SYSARGS)
{
    return vector_io(BVM_HC_READ, (int64_t)a0, a1, a2, ACC_WRITE, -1);
}

int64_t sys_writev(SYSARGS)
{
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

#define O_NOFOLLOW 0400000

/* The host fd for an open: generated /proc files, the program's own /proc/self names rewritten
 * (procfs_rewrite_at), else the path. */
static int64_t open_host(int dh, uint64_t flags, uint64_t mode)
{
    int err = procfs_rewrite_at(dh, kpath, sizeof(kpath), !(flags & O_NOFOLLOW));
    if (err)
        return err;
    if (procfs_is_virtual(kpath))
        return (flags & 3) ? -LINUX_EACCES : procfs_open_host(kpath);
    if (procfs_is_fd_dir(kpath)) {
        int64_t h = hc_path(BVM_HC_OPENAT, LINUX_AT_FDCWD, "/proc/self/fd", (int32_t)flags, 0, NULL);
        if (h >= 0 && !procfs_fd_dir_opened((int)h)) {
            hc_fd(BVM_HC_CLOSE, (int)h, 0, 0, NULL, 0);
            return -LINUX_EMFILE; /* the listing would be the monitor's own */
        }
        return h;
    }
    return hc_path(BVM_HC_OPENAT, dh, kpath, (int32_t)flags, (uint32_t)mode, NULL);
}

int64_t sys_openat(SYSARGS)
{
    int dh = dirfd_host((int64_t)a0), err = get_path(a1), fd = fd_lowest_free();
    if (dh < 0 && dh != LINUX_AT_FDCWD)
        return dh;
    if (err)
        return err;
    if (fd < 0)
        return fd;
    int64_t h = open_host(dh, a2, a3);
    if (h < 0)
        return h;
    if (a2 & O_TRUNC)
        mm_shared_file_changed();
    host_fds[fd] = (int)h;
    /* x86-64 Linux always reports O_LARGEFILE for F_GETFL. */
    fd_status[fd] = ((uint32_t)a2 & O_STATUS_MASK) | O_LARGEFILE;
    fd_cloexec[fd] = (a2 & O_CLOEXEC) != 0;
    return fd;
}

int64_t sys_open(SYSARGS)
{
    return sys_openat((uint64_t)(int64_t)LINUX_AT_FDCWD, a0, a1, a2, 0, 0);
}

/* Host fds held by mappings, with how many holds each (n == 0: entry free). */
static struct {
    int host;
    uint32_t n;
} holds[FD_MAX];

/* Closes host fd h unless a guest fd (a dup) or a mapping still uses it. */
static int64_t host_close_unused(int h)
{
    for (int i = 0; i < FD_MAX; i++)
        if (host_fds[i] == h || (holds[i].n && holds[i].host == h))
            return 0;
    procfs_host_closed(h);
    return hc_fd(BVM_HC_CLOSE, h, 0, 0, NULL, 0);
}

void fd_host_hold(int host)
{
    int free = -1;
    for (int i = 0; i < FD_MAX; i++) {
        if (holds[i].n && holds[i].host == host) {
            holds[i].n++;
            return;
        }
        if (!holds[i].n && free < 0)
            free = i;
    }
    /* One hold per mapped file and fewer files than FD_MAX can be mapped (filewin.c). */
    kassert(free >= 0);
    holds[free].host = host;
    holds[free].n = 1;
}

void fd_host_put(int host)
{
    for (int i = 0; i < FD_MAX; i++)
        if (holds[i].n && holds[i].host == host) {
            if (!--holds[i].n)
                host_close_unused(host);
            return;
        }
    panic("fd_host_put: host fd %d is not held", host);
}

/* Releases guest fd: its host fd is closed unless a dup or a mapping still uses it. */
static int64_t fd_release(int fd)
{
    int h = host_fds[fd];
    host_fds[fd] = -1;
    return host_close_unused(h);
}

bool fd_is_cloexec(int fd)
{
    return fd_valid(fd) && fd_cloexec[fd];
}

void fd_close_on_exec(void)
{
    for (int fd = 0; fd < FD_MAX; fd++)
        if (host_fds[fd] >= 0 && fd_cloexec[fd])
            fd_release(fd);
}

int64_t sys_close(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    /* Like Linux, the number is free again whatever the host says. */
    return fd_release((int32_t)a0);
}

/* dup family: guest fds share one host fd (and so one offset, as dup'ed fds do on Linux); the
 * close-on-exec flag belongs to each guest fd. */
/* Makes nfd (free) another name for open guest fd ofd. */
static int fd_alias(int ofd, int nfd, bool cloexec)
{
    host_fds[nfd] = host_fds[ofd];
    fd_status[nfd] = fd_status[ofd];
    fd_cloexec[nfd] = cloexec;
    return nfd;
}

/* The lowest free guest fd >= from, or -EMFILE. */
static int fd_free_from(int64_t from)
{
    for (int64_t i = from; i < FD_MAX; i++)
        if (host_fds[i] < 0)
            return (int)i;
    return -LINUX_EMFILE;
}

int64_t sys_dup(SYSARGS)
{
    int h = fd_host((int32_t)a0), fd = fd_lowest_free();
    if (h < 0)
        return h;
    return fd < 0 ? fd : fd_alias((int32_t)a0, fd, false);
}

int64_t sys_dup3(SYSARGS)
{
    int h = fd_host((int32_t)a0), nfd = (int32_t)a1;
    if (h < 0)
        return h;
    if (nfd < 0 || nfd >= FD_MAX)
        return -LINUX_EBADF;
    if (nfd == (int32_t)a0 || (a2 & ~02000000ull))
        return -LINUX_EINVAL;
    if (host_fds[nfd] >= 0)
        fd_release(nfd);
    return fd_alias((int32_t)a0, nfd, (a2 & O_CLOEXEC) != 0);
}

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

/* F_SETFL changes the host fd's flags (shared by dup'ed fds, as Linux shares the open file). */
static int64_t fcntl_setfl(int fd, uint64_t arg)
{
    uint32_t settable = 02000 /* O_APPEND */ | 04000 /* O_NONBLOCK */ | 020000 | 040000 | 01000000;
    uint32_t want = (uint32_t)arg & settable;
    int64_t r = hc_fd(BVM_HC_FDOP, host_fds[fd], BVM_FDOP_SETFL, want, NULL, 0);
    if (r < 0)
        return r;
    for (int i = 0; i < FD_MAX; i++)
        if (host_fds[i] == host_fds[fd])
            fd_status[i] = (fd_status[i] & ~settable) | want;
    return 0;
}

#define F_GETLK 5
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLKW 38

/* Record locks live on the host fd; the flock struct makes a round trip through the bounce page. */
static int64_t fcntl_lock(int fd, uint64_t cmd, uint64_t uarg)
{
    struct linux_flock *fl = hc_bounce();
    if (cmd >= F_OFD_GETLK && cmd <= F_OFD_SETLKW)
        cmd = cmd - F_OFD_GETLK + F_GETLK; /* one process: OFD locks behave as POSIX locks */
    if (copy_from_user(fl, uarg, sizeof(*fl)))
        return -LINUX_EFAULT;
    int64_t r = hc_fd(BVM_HC_FDOP, host_fds[fd], BVM_FDOP_FLOCK, (int64_t)cmd, fl, sizeof(*fl));
    if (r < 0 || cmd != F_GETLK)
        return r;
    if (fl->l_type != 2 /* F_UNLCK */)
        fl->l_pid = (int32_t)boot->pid;
    return copy_to_user(uarg, fl, sizeof(*fl)) ? -LINUX_EFAULT : 0;
}

int64_t sys_fcntl(SYSARGS)
{
    int fd = (int32_t)a0, h = fd_host(fd), nfd;
    if (h < 0)
        return h;
    switch (a1) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if ((int64_t)a2 < 0 || (int64_t)a2 >= FD_MAX)
            return -LINUX_EINVAL;
        nfd = fd_free_from((int64_t)a2);
        return nfd < 0 ? nfd : fd_alias(fd, nfd, a1 == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return fd_cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD:
        fd_cloexec[fd] = (a2 & FD_CLOEXEC) != 0;
        return 0;
    case F_GETFL:
        return fd_status[fd];
    case F_SETFL:
        return fcntl_setfl(fd, a2);
    case F_GETLK:
    case F_GETLK + 1:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_GETLK + 1:
    case F_OFD_SETLKW:
        return fcntl_lock(fd, a1, a2);
    default:
        kprintf("fcntl(%d, %lu): command not supported", fd, (unsigned long)a1);
        return -LINUX_EINVAL; /* leases, pipe sizes...: not supported yet */
    }
}

int64_t sys_dup2(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    return (int32_t)a0 == (int32_t)a1 ? (int64_t)(int32_t)a1 : sys_dup3(a0, a1, 0, 0, 0, 0);
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
    return stat_out(hc_fd(BVM_HC_FSTAT, h, 0, 0, hc_bounce(), sizeof(struct linux_stat)), a1);
}

int64_t sys_newfstatat(SYSARGS)
{
    int flags = (int32_t)a3, dh = dirfd_host((int64_t)a0), err = get_path(a1);
    if (err)
        return err;
    if ((flags & AT_EMPTY_PATH) && kpath[0] == 0 && (int32_t)a0 != LINUX_AT_FDCWD) {
        if (dh < 0)
            return dh;
        return stat_out(hc_fd(BVM_HC_FSTAT, dh, 0, 0, hc_bounce(), sizeof(struct linux_stat)), a2);
    }
    if (dh < 0 && dh != LINUX_AT_FDCWD)
        return dh;
    if ((err = procfs_rewrite_at(dh, kpath, sizeof(kpath), !(flags & AT_SYMLINK_NOFOLLOW))))
        return err;
    return stat_out(hc_path(BVM_HC_FSTATAT, dh, kpath, flags, 0, hc_bounce()), a2);
}

int64_t sys_stat(SYSARGS)
{
    return sys_newfstatat((uint64_t)(int64_t)LINUX_AT_FDCWD, a0, a1, 0, 0, 0);
}

int64_t sys_lstat(SYSARGS)
{
    return sys_newfstatat((uint64_t)(int64_t)LINUX_AT_FDCWD, a0, a1, AT_SYMLINK_NOFOLLOW, 0, 0);
}

int64_t sys_lseek(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    if (a2 == 0 /* SEEK_SET */ && (int64_t)a1 >= 0 && procfs_fd_dir_seek(h, (int64_t)a1))
        return (int64_t)a1;
    return hc_fd(BVM_HC_LSEEK, h, (uint32_t)a2, (int64_t)a1, NULL, 0);
}

int64_t sys_unlinkat(SYSARGS)
{
    int dh = dirfd_host((int64_t)a0), err = get_path(a1);
    if (dh < 0 && dh != LINUX_AT_FDCWD)
        return dh;
    if (err || (err = procfs_rewrite_at(dh, kpath, sizeof(kpath), false)))
        return err;
    return hc_path(BVM_HC_UNLINKAT, dh, kpath, (int32_t)a2, 0, NULL);
}

int64_t sys_unlink(SYSARGS)
{
    return sys_unlinkat((uint64_t)(int64_t)LINUX_AT_FDCWD, a0, 0, 0, 0, 0);
}

/* The size of what an allow-listed request moves; 0 for a request that is not forwarded. */
static uint64_t ioctl_size(uint32_t cmd)
{
    switch (cmd) {
    case LINUX_TCGETS:
    case LINUX_TCGETS + 1: /* TCSETS, TCSETSW, TCSETSF */
    case LINUX_TCGETS + 2:
    case LINUX_TCGETS + 3: return sizeof(struct linux_termios);
    case LINUX_TIOCGWINSZ: return sizeof(struct linux_winsize);
    case LINUX_TIOCGPGRP:
    case LINUX_FIONREAD: return sizeof(int32_t);
    default: return 0;
    }
}

int64_t sys_ioctl(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    uint32_t cmd = (uint32_t)a1;
    uint64_t size = ioctl_size(cmd);
    bool set = cmd > LINUX_TCGETS && cmd <= LINUX_TCGETS + 3;
    if (h < 0)
        return h;
    if (!size)
        return -LINUX_ENOTTY; /* only the allow-listed terminal queries reach the host */
    if (set && copy_from_user(hc_bounce(), a2, size))
        return -LINUX_EFAULT;
    int64_t r = hc_fd(BVM_HC_IOCTL, h, cmd, 0, hc_bounce(), size);
    if (r < 0 || set)
        return r;
    return copy_to_user(a2, hc_bounce(), size) ? -LINUX_EFAULT : r;
}
