/* sc_fs.c: path and metadata syscalls, each on a success path and an error path: return value and errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sc_common.h"

/* Not every libc declares statx: the kernel's layout, the two fields read here. */
struct sc_statx {
    unsigned char raw[256];
};
#define STX_MODE(s) (*(unsigned short *)((s)->raw + 28))
#define STX_SIZE(s) (*(unsigned long long *)((s)->raw + 40))
#define SC_STATX_MODE 0x2
#define SC_STATX_SIZE 0x200
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif

static void paths(void)
{
    T("mkdir", syscall(SYS_mkdir, "d1", 0755));
    T("mkdir EEXIST", syscall(SYS_mkdir, "d1", 0755));
    T("mkdirat", syscall(SYS_mkdirat, AT_FDCWD, "d1/d2", 0700));
    T("mkdirat ENOENT", syscall(SYS_mkdirat, AT_FDCWD, "nope/d2", 0700));
    T("mkdirat EBADF", syscall(SYS_mkdirat, 99, "x", 0700));
    T("creat", syscall(SYS_openat, AT_FDCWD, "f1", O_CREAT | O_WRONLY | O_TRUNC, 0640));
    T("write f1", syscall(SYS_write, 3, "0123456789", 10));
    T("close", syscall(SYS_close, 3));
    T("close EBADF", syscall(SYS_close, 3));
    T("rmdir ENOTEMPTY", syscall(SYS_rmdir, "d1"));
    T("rmdir ENOTDIR", syscall(SYS_rmdir, "f1"));
    T("unlink EISDIR", syscall(SYS_unlink, "d1"));
    T("unlinkat AT_REMOVEDIR", syscall(SYS_unlinkat, AT_FDCWD, "d1/d2", AT_REMOVEDIR));
    T("unlinkat EINVAL", syscall(SYS_unlinkat, AT_FDCWD, "d1", 0x1234));
    T("rename", syscall(SYS_rename, "f1", "f2"));
    T("rename ENOENT", syscall(SYS_rename, "f1", "f3"));
    T("renameat", syscall(SYS_renameat, AT_FDCWD, "f2", AT_FDCWD, "f1"));
    T("renameat2 NOREPLACE", syscall(SYS_renameat2, AT_FDCWD, "f1", AT_FDCWD, "d1", 1));
    T("renameat2 EINVAL", syscall(SYS_renameat2, AT_FDCWD, "f1", AT_FDCWD, "f9", 0x100));
    T("link", syscall(SYS_link, "f1", "hard"));
    T("link EEXIST", syscall(SYS_link, "f1", "hard"));
    T("linkat", syscall(SYS_linkat, AT_FDCWD, "f1", AT_FDCWD, "hard2", 0));
    T("linkat ENOENT", syscall(SYS_linkat, AT_FDCWD, "nope", AT_FDCWD, "hard3", 0));
    T("symlink", syscall(SYS_symlink, "f1", "sym"));
    T("symlink EEXIST", syscall(SYS_symlink, "f1", "sym"));
    T("symlinkat", syscall(SYS_symlinkat, "dangling", AT_FDCWD, "sym2"));
    T("symlinkat ENOENT", syscall(SYS_symlinkat, "x", AT_FDCWD, "nope/sym"));
    char buf[64] = "";
    T("readlink", syscall(SYS_readlink, "sym", buf, sizeof buf));
    printf("  -> %s\n", buf);
    T("readlink EINVAL", syscall(SYS_readlink, "f1", buf, sizeof buf));
    T("readlinkat", syscall(SYS_readlinkat, AT_FDCWD, "sym2", buf, 3));
    T("readlinkat ENOENT", syscall(SYS_readlinkat, AT_FDCWD, "nope", buf, sizeof buf));
    T("unlink", syscall(SYS_unlink, "hard2"));
    T("unlink ENOENT", syscall(SYS_unlink, "hard2"));
}

static void modes(void)
{
    struct stat st;
    T("chmod", syscall(SYS_chmod, "f1", 0604));
    T("chmod ENOENT", syscall(SYS_chmod, "nope", 0604));
    T("fchmodat", syscall(SYS_fchmodat, AT_FDCWD, "f1", 0600));
    T("fchmodat ENOTDIR", syscall(SYS_fchmodat, AT_FDCWD, "f1/x", 0600));
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "f1", O_RDWR);
    T("fchmod", syscall(SYS_fchmod, fd, 0644));
    T("fchmod EBADF", syscall(SYS_fchmod, 77, 0644));
    T("chown", syscall(SYS_chown, "f1", -1, -1));
    T("chown ENOENT", syscall(SYS_chown, "nope", -1, -1));
    T("lchown", syscall(SYS_lchown, "sym", -1, -1));
    T("fchown", syscall(SYS_fchown, fd, -1, -1));
    T("fchown EBADF", syscall(SYS_fchown, 77, -1, -1));
    T("fchownat", syscall(SYS_fchownat, AT_FDCWD, "sym", -1, -1, AT_SYMLINK_NOFOLLOW));
    T("fchownat EINVAL", syscall(SYS_fchownat, AT_FDCWD, "sym", -1, -1, 0x4));
    struct timespec ts[2] = {{1000000000, 5}, {1200000000, 7}};
    T("utimensat", syscall(SYS_utimensat, AT_FDCWD, "f1", ts, 0));
    T("utimensat ENOENT", syscall(SYS_utimensat, AT_FDCWD, "nope", ts, 0));
    T("utimensat fd", syscall(SYS_utimensat, fd, NULL, ts, 0));
    T("stat", syscall(SYS_stat, "f1", &st));
    printf("  -> size %ld mode %o mtime %ld.%ld nlink %ld\n", (long)st.st_size, st.st_mode, (long)st.st_mtim.tv_sec,
           (long)st.st_mtim.tv_nsec, (long)st.st_nlink);
    T("newfstatat ENOENT", syscall(SYS_newfstatat, AT_FDCWD, "nope", &st, 0));
    T("newfstatat nofollow", syscall(SYS_newfstatat, AT_FDCWD, "sym", &st, AT_SYMLINK_NOFOLLOW));
    printf("  -> link %d size %ld\n", S_ISLNK(st.st_mode), (long)st.st_size);
    T("lstat EFAULT", syscall(SYS_lstat, "f1", (void *)8));
    T("fstat", syscall(SYS_fstat, fd, &st));
    T("fstat EBADF", syscall(SYS_fstat, 77, &st));
    T("access", syscall(SYS_access, "f1", R_OK | W_OK));
    T("access ENOENT", syscall(SYS_access, "nope", F_OK));
    T("access EINVAL", syscall(SYS_access, "f1", 0x10));
    T("faccessat2", syscall(SYS_faccessat2, AT_FDCWD, "f1", R_OK, AT_EACCESS));
    T("faccessat2 EINVAL", syscall(SYS_faccessat2, AT_FDCWD, "f1", R_OK, 0x1));
    T("truncate", syscall(SYS_truncate, "f1", 4));
    T("truncate EISDIR", syscall(SYS_truncate, "d1", 4));
    T("truncate EINVAL", syscall(SYS_truncate, "f1", -1L));
    T("ftruncate", syscall(SYS_ftruncate, fd, 6));
    T("ftruncate EBADF", syscall(SYS_ftruncate, 77, 6));
    T("fallocate", syscall(SYS_fallocate, fd, 0, 0, 8192));
    T("fallocate EINVAL", syscall(SYS_fallocate, fd, 0, 0, 0));
    T("fsync", syscall(SYS_fsync, fd));
    T("fsync EBADF", syscall(SYS_fsync, 77));
    T("fdatasync", syscall(SYS_fdatasync, fd));
    T("fdatasync EBADF", syscall(SYS_fdatasync, 77));
    T("stat after", syscall(SYS_stat, "f1", &st));
    printf("  -> size %ld mode %o\n", (long)st.st_size, st.st_mode);
    syscall(SYS_close, fd);
}

static void dirs(void)
{
    char cwd[4096], small[2];
    struct sc_statx sx;
    struct statfs_buf {
        long w[15];
    } sf;
    T("getcwd ERANGE", syscall(SYS_getcwd, small, sizeof small));
    long n = syscall(SYS_getcwd, cwd, sizeof cwd);
    printf("getcwd length matches %d\n", n == (long)strlen(cwd) + 1);
    T("chdir", syscall(SYS_chdir, "d1"));
    T("chdir ENOTDIR", syscall(SYS_chdir, "../f1"));
    int dfd = (int)syscall(SYS_openat, AT_FDCWD, "..", O_RDONLY | O_DIRECTORY);
    T("fchdir", syscall(SYS_fchdir, dfd));
    T("fchdir EBADF", syscall(SYS_fchdir, 77));
    int ffd = (int)syscall(SYS_openat, AT_FDCWD, "f1", O_RDONLY);
    T("fchdir ENOTDIR", syscall(SYS_fchdir, ffd));
    char dents[4096];
    int sub = (int)syscall(SYS_openat, AT_FDCWD, "d1", O_RDONLY | O_DIRECTORY);
    T("getdents64 (. and ..)", syscall(SYS_getdents64, sub, dents, sizeof dents) > 0);
    T("getdents64 end", syscall(SYS_getdents64, sub, dents, sizeof dents));
    T("getdents64 ENOTDIR", syscall(SYS_getdents64, ffd, dents, sizeof dents));
    T("getdents64 EINVAL", syscall(SYS_getdents64, dfd, dents, 4));
    T("statx", syscall(SYS_statx, AT_FDCWD, "f1", 0, SC_STATX_SIZE | SC_STATX_MODE, &sx));
    printf("  -> size %llu mode %o\n", STX_SIZE(&sx), STX_MODE(&sx));
    T("statx ENOENT", syscall(SYS_statx, AT_FDCWD, "nope", 0, SC_STATX_SIZE, &sx));
    T("statx empty path", syscall(SYS_statx, ffd, "", AT_EMPTY_PATH, SC_STATX_SIZE, &sx));
    T("statfs", syscall(SYS_statfs, ".", &sf) == 0);
    T("statfs ENOENT", syscall(SYS_statfs, "nope", &sf));
    T("fstatfs", syscall(SYS_fstatfs, ffd, &sf) == 0);
    T("fstatfs EBADF", syscall(SYS_fstatfs, 77, &sf));
}

static void opens(void)
{
    T("open O_EXCL EEXIST", syscall(SYS_openat, AT_FDCWD, "f1", O_CREAT | O_EXCL | O_WRONLY, 0600));
    T("open O_DIRECTORY ENOTDIR", syscall(SYS_openat, AT_FDCWD, "f1", O_RDONLY | O_DIRECTORY));
    T("open O_NOFOLLOW ELOOP", syscall(SYS_openat, AT_FDCWD, "sym", O_RDONLY | O_NOFOLLOW));
    T("open EISDIR", syscall(SYS_openat, AT_FDCWD, "d1", O_WRONLY));
    T("open ENOENT", syscall(SYS_open, "nope", O_RDONLY));
    long fd = syscall(SYS_openat, AT_FDCWD, "app", O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
    T("open O_APPEND|O_CLOEXEC", fd);
    T("F_GETFD", syscall(SYS_fcntl, fd, F_GETFD));
    T("F_GETFL", syscall(SYS_fcntl, fd, F_GETFL));
    T("write", syscall(SYS_write, fd, "abc", 3));
    T("lseek", syscall(SYS_lseek, fd, 0, SEEK_SET));
    T("write appends", syscall(SYS_write, fd, "def", 3));
    T("lseek cur", syscall(SYS_lseek, fd, 0, SEEK_CUR));
    T("lseek EINVAL", syscall(SYS_lseek, fd, 0, 9));
    T("read EBADF (write-only)", syscall(SYS_read, fd, (char[4]){0}, 4));
    syscall(SYS_close, fd);
    fd = syscall(SYS_openat, AT_FDCWD, "app", O_RDWR | O_TRUNC);
    T("open O_TRUNC", fd);
    T("size after O_TRUNC", syscall(SYS_lseek, fd, 0, SEEK_END));
    long p = syscall(SYS_openat, AT_FDCWD, "app", O_PATH);
    T("open O_PATH", p > 0);
    T("read O_PATH EBADF", syscall(SYS_read, p, (char[4]){0}, 4));
    T("fstat O_PATH", syscall(SYS_fstat, p, &(struct stat){0}));
    syscall(SYS_close, p);
    syscall(SYS_close, fd);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    paths();
    modes();
    dirs();
    opens();
    return 0;
}
