/* sc_io.c: descriptor syscalls (I/O, dup, fcntl, pipes, poll/select, ioctl, eventfd, memfd): success and error paths. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sc_common.h"

static void rw(void)
{
    char buf[32] = "";
    long fd = syscall(SYS_openat, AT_FDCWD, "io.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    T("openat", fd);
    T("write", syscall(SYS_write, fd, "hello world\n", 12));
    T("write EBADF", syscall(SYS_write, 55, "x", 1));
    T("write EFAULT", syscall(SYS_write, fd, (void *)16, 4));
    T("pwrite64", syscall(SYS_pwrite64, fd, "HELLO", 5, 0));
    T("pwrite64 EINVAL", syscall(SYS_pwrite64, fd, "x", 1, -1L));
    T("pread64", syscall(SYS_pread64, fd, buf, 11, 0));
    printf("  -> %.11s\n", buf);
    T("pread64 EBADF", syscall(SYS_pread64, 55, buf, 1, 0));
    T("lseek", syscall(SYS_lseek, fd, 6, SEEK_SET));
    T("read", syscall(SYS_read, fd, buf, 5));
    printf("  -> %.5s\n", buf);
    T("read EFAULT", syscall(SYS_read, fd, (void *)16, 4));
    T("read EISDIR", syscall(SYS_read, (int)syscall(SYS_openat, AT_FDCWD, ".", O_RDONLY), buf, 4));
    char a[4], b[8];
    struct iovec iov[2] = {{a, 4}, {b, 8}};
    T("readv", syscall(SYS_readv, fd, iov, 2)); /* at EOF after 1 byte */
    T("lseek SEEK_END", syscall(SYS_lseek, fd, 0, SEEK_END));
    struct iovec w[2] = {{"ab", 2}, {"cd\n", 3}};
    T("writev", syscall(SYS_writev, fd, w, 2));
    T("writev EINVAL", syscall(SYS_writev, fd, w, -1));
    T("preadv", preadv(fd, iov, 2, 0));
    printf("  -> %.4s|%.8s\n", a, b);
    T("preadv EBADF", preadv(55, iov, 2, 0));
    T("pwritev", pwritev(fd, w, 2, 2));
    T("pwritev EBADF", pwritev(55, w, 2, 0));
    T("readv EBADF", syscall(SYS_readv, 55, iov, 2));
    T("fsize", syscall(SYS_lseek, fd, 0, SEEK_END));
    syscall(SYS_close, fd);
}

static void dups(void)
{
    long fd = syscall(SYS_openat, AT_FDCWD, "io.txt", O_RDONLY);
    T("dup", syscall(SYS_dup, fd));
    T("dup EBADF", syscall(SYS_dup, 55));
    T("dup2", syscall(SYS_dup2, fd, 10));
    T("dup2 same", syscall(SYS_dup2, fd, fd));
    T("dup2 EBADF", syscall(SYS_dup2, 55, 11));
    T("dup3 O_CLOEXEC", syscall(SYS_dup3, fd, 12, O_CLOEXEC));
    T("dup3 EINVAL", syscall(SYS_dup3, fd, fd, 0));
    T("F_GETFD 12", syscall(SYS_fcntl, 12, F_GETFD));
    T("F_DUPFD", syscall(SYS_fcntl, fd, F_DUPFD, 20));
    T("F_DUPFD_CLOEXEC", syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 20));
    T("F_DUPFD EINVAL", syscall(SYS_fcntl, fd, F_DUPFD, -1));
    T("F_SETFD", syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC));
    T("F_GETFD", syscall(SYS_fcntl, fd, F_GETFD));
    T("F_GETFL", syscall(SYS_fcntl, fd, F_GETFL));
    T("F_SETFL O_NONBLOCK", syscall(SYS_fcntl, fd, F_SETFL, O_NONBLOCK));
    T("F_GETFL after", syscall(SYS_fcntl, fd, F_GETFL));
    T("fcntl EBADF", syscall(SYS_fcntl, 55, F_GETFD));
    /* dup'ed fds share the offset */
    syscall(SYS_lseek, fd, 3, SEEK_SET);
    T("shared offset", syscall(SYS_lseek, 10, 0, SEEK_CUR));
    long wfd = syscall(SYS_openat, AT_FDCWD, "io.txt", O_RDWR);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 4};
    T("F_SETLK", syscall(SYS_fcntl, wfd, F_SETLK, &fl));
    fl.l_type = F_RDLCK;
    T("F_GETLK", syscall(SYS_fcntl, wfd, F_GETLK, &fl));
    printf("  -> type %d (own lock: F_UNLCK)\n", fl.l_type);
    fl.l_type = F_WRLCK;
    T("F_SETLK EBADF (read-only fd)", syscall(SYS_fcntl, fd, F_SETLK, &fl));
    fl.l_type = F_UNLCK;
    T("F_SETLKW unlock", syscall(SYS_fcntl, wfd, F_SETLKW, &fl));
    T("lowest free", syscall(SYS_openat, AT_FDCWD, "io.txt", O_RDONLY));
    /* close_range: 10, 12, 20, 21 are dups of fd */
    T("close_range EINVAL (first > last)", syscall(SYS_close_range, 21, 20, 0));
    T("close_range EINVAL (flags)", syscall(SYS_close_range, 20, 21, 8));
    T("close_range CLOEXEC", syscall(SYS_close_range, 10, 12, 4));
    T("F_GETFD 10 after", syscall(SYS_fcntl, 10, F_GETFD));
    T("close_range", syscall(SYS_close_range, 12, ~0u, 0));
    T("F_GETFD 12 closed", syscall(SYS_fcntl, 12, F_GETFD));
    T("F_GETFD 21 closed", syscall(SYS_fcntl, 21, F_GETFD));
    T("F_GETFD 10 open", syscall(SYS_fcntl, 10, F_GETFD));
    T("close_range none open", syscall(SYS_close_range, 500, 600, 0));
}

static void pipes(void)
{
    int p[2];
    char buf[16];
    T("pipe2", syscall(SYS_pipe2, p, O_CLOEXEC));
    printf("  -> %d %d\n", p[0], p[1]);
    T("pipe2 EINVAL", syscall(SYS_pipe2, p, 0x1234567));
    T("F_GETFD pipe", syscall(SYS_fcntl, p[0], F_GETFD));
    T("F_GETFL pipe", syscall(SYS_fcntl, p[1], F_GETFL));
    T("lseek ESPIPE", syscall(SYS_lseek, p[0], 0, SEEK_SET));
    T("pread ESPIPE", syscall(SYS_pread64, p[0], buf, 1, 0));
    struct pollfd pf[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {77, POLLIN, 0}};
    T("poll", syscall(SYS_poll, pf, 3, 0));
    printf("  -> %x %x %x\n", pf[0].revents, pf[1].revents, pf[2].revents);
    T("write pipe", syscall(SYS_write, p[1], "data", 4));
    int n = -1;
    T("ioctl FIONREAD", syscall(SYS_ioctl, p[0], FIONREAD, &n));
    printf("  -> %d\n", n);
    struct timespec ts = {0, 1000};
    T("ppoll", syscall(SYS_ppoll, pf, 2, &ts, NULL, 8));
    printf("  -> %x %x\n", pf[0].revents, pf[1].revents);
    T("ppoll EFAULT", syscall(SYS_ppoll, (void *)16, 2, &ts, NULL, 8));
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    struct timeval tv = {0, 0};
    T("select", syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv));
    printf("  -> %d\n", FD_ISSET(p[0], &rd));
    FD_SET(60, &rd);
    T("select EBADF", syscall(SYS_select, 61, &rd, NULL, NULL, &tv));
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    T("pselect6", syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &ts, NULL));
    T("pselect6 EINVAL", syscall(SYS_pselect6, -1, &rd, NULL, NULL, &ts, NULL));
    T("read pipe", syscall(SYS_read, p[0], buf, sizeof buf));
    syscall(SYS_close, p[1]);
    T("read EOF", syscall(SYS_read, p[0], buf, sizeof buf));
    T("poll hup", syscall(SYS_poll, pf, 1, 0));
    printf("  -> %x\n", pf[0].revents);
    syscall(SYS_close, p[0]);
}

static void ioctls(void)
{
    char t[64];
    long fd = syscall(SYS_openat, AT_FDCWD, "io.txt", O_RDONLY);
    T("ioctl TCGETS ENOTTY", syscall(SYS_ioctl, fd, TCGETS, t));
    T("ioctl TIOCGWINSZ ENOTTY", syscall(SYS_ioctl, fd, TIOCGWINSZ, t));
    T("ioctl TIOCGPGRP ENOTTY", syscall(SYS_ioctl, fd, TIOCGPGRP, t));
    T("ioctl TCSETS ENOTTY", syscall(SYS_ioctl, fd, TCSETS, t));
    T("ioctl EBADF", syscall(SYS_ioctl, 55, TCGETS, t));
    int n = -1;
    T("ioctl FIONREAD file", syscall(SYS_ioctl, fd, FIONREAD, &n));
    printf("  -> %d\n", n);
    syscall(SYS_close, fd);
}

static void newfds(void)
{
    unsigned long long v = 0;
    long e = syscall(SYS_eventfd2, 3, 02000000);
    T("eventfd2", e);
    T("eventfd2 EINVAL", syscall(SYS_eventfd2, 0, 0x40));
    T("read eventfd", syscall(SYS_read, e, &v, 8));
    printf("  -> %llu\n", v);
    v = 5;
    T("write eventfd", syscall(SYS_write, e, &v, 8));
    T("write eventfd EINVAL", syscall(SYS_write, e, &v, 4));
    long m = syscall(SYS_memfd_create, "scratch", 1 /* MFD_CLOEXEC */);
    T("memfd_create", m);
    T("F_GETFL memfd", syscall(SYS_fcntl, m, F_GETFL));
    T("F_GETFL eventfd", syscall(SYS_fcntl, e, F_GETFL));
    T("memfd_create EINVAL", syscall(SYS_memfd_create, "x", 0x100));
    T("write memfd", syscall(SYS_write, m, "memory file", 11));
    T("ftruncate memfd", syscall(SYS_ftruncate, m, 4096));
    T("size memfd", syscall(SYS_lseek, m, 0, SEEK_END));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    rw();
    dups();
    pipes();
    ioctls();
    newfds();
    return 0;
}
