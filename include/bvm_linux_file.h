/* bvm_linux_file.h: Files: stat/statx/statfs, open and *at flags, fcntl, locks, poll, getdents, iovec, epoll, I/O limits. */
#ifndef BVM_LINUX_FILE_H
#define BVM_LINUX_FILE_H

#include <stddef.h>
#include <stdint.h>
#include "bvm_linux_time.h"

struct linux_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;
    struct linux_timespec st_atim;
    struct linux_timespec st_mtim;
    struct linux_timespec st_ctim;
    int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "stat size");
_Static_assert(offsetof(struct linux_stat, st_mode) == 24, "stat mode");
_Static_assert(offsetof(struct linux_stat, st_size) == 48, "stat size field");
_Static_assert(offsetof(struct linux_stat, st_atim) == 72, "stat atime");

struct linux_iovec {
    uint64_t iov_base;
    uint64_t iov_len;
};
_Static_assert(sizeof(struct linux_iovec) == 16, "iovec");

struct linux_statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
_Static_assert(sizeof(struct linux_statx_timestamp) == 16, "statx_timestamp");

struct linux_statx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t stx_mnt_id;
    uint32_t stx_dio_mem_align, stx_dio_offset_align;
    uint64_t spare[12];
};
_Static_assert(sizeof(struct linux_statx) == 256, "statx size");
_Static_assert(offsetof(struct linux_statx, stx_atime) == 64, "statx atime");
_Static_assert(offsetof(struct linux_statx, stx_rdev_major) == 128, "statx rdev");

struct linux_statfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags;
    int64_t f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "statfs size");

struct linux_flock {
    int16_t l_type, l_whence;
    uint32_t pad0;
    int64_t l_start, l_len;
    int32_t l_pid;
    uint32_t pad1;
};
_Static_assert(sizeof(struct linux_flock) == 32, "flock size");

struct linux_pollfd {
    int32_t fd;
    int16_t events, revents;
};
_Static_assert(sizeof(struct linux_pollfd) == 8, "pollfd size");

/* getdents64 records: this header, then the NUL-terminated name, padded to 8 bytes. */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};
_Static_assert(offsetof(struct linux_dirent64, d_name) == 19, "dirent64 name");
#define LINUX_DT_DIR 4
#define LINUX_DT_REG 8
#define LINUX_DT_LNK 10

/* open(2) flags (octal, as in Linux's asm-generic/fcntl.h) */
#define LINUX_O_RDONLY 0
#define LINUX_O_WRONLY 01
#define LINUX_O_RDWR 02
#define LINUX_O_ACCMODE 03
#define LINUX_O_CREAT 0100
#define LINUX_O_EXCL 0200
#define LINUX_O_NOCTTY 0400
#define LINUX_O_TRUNC 01000
#define LINUX_O_APPEND 02000
#define LINUX_O_NONBLOCK 04000
#define LINUX_O_DSYNC 010000
#define LINUX_O_ASYNC 020000
#define LINUX_O_DIRECT 040000
#define LINUX_O_LARGEFILE 0100000
#define LINUX_O_DIRECTORY 0200000
#define LINUX_O_NOFOLLOW 0400000
#define LINUX_O_NOATIME 01000000
#define LINUX_O_CLOEXEC 02000000
#define LINUX_O_SYNC 04010000 /* __O_SYNC | O_DSYNC */
#define LINUX_O_PATH 010000000

/* *at(2) flags */
#define LINUX_AT_FDCWD (-100)
#define LINUX_CLOSE_RANGE_UNSHARE 2u /* close_range flags */
#define LINUX_CLOSE_RANGE_CLOEXEC 4u
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_EACCESS 0x200 /* faccessat */
#define LINUX_AT_REMOVEDIR 0x200 /* unlinkat */
#define LINUX_AT_SYMLINK_FOLLOW 0x400
#define LINUX_AT_NO_AUTOMOUNT 0x800
#define LINUX_AT_EMPTY_PATH 0x1000

/* access(2) modes */
#define LINUX_F_OK 0
#define LINUX_X_OK 1
#define LINUX_W_OK 2
#define LINUX_R_OK 4

/* file types in st_mode */
#define LINUX_S_IFMT 0170000
#define LINUX_S_IFSOCK 0140000
#define LINUX_S_IFLNK 0120000
#define LINUX_S_IFREG 0100000
#define LINUX_S_IFBLK 0060000
#define LINUX_S_IFDIR 0040000
#define LINUX_S_IFCHR 0020000
#define LINUX_S_IFIFO 0010000
#define LINUX_S_IALLUGO 07777 /* permission bits with set-id and sticky */

/* lseek(2) */
#define LINUX_SEEK_SET 0
#define LINUX_SEEK_CUR 1
#define LINUX_SEEK_END 2

/* fcntl(2) */
#define LINUX_F_DUPFD 0
#define LINUX_F_GETFD 1
#define LINUX_F_SETFD 2
#define LINUX_F_GETFL 3
#define LINUX_F_SETFL 4
#define LINUX_F_GETLK 5
#define LINUX_F_SETLK 6
#define LINUX_F_SETLKW 7
#define LINUX_F_OFD_GETLK 36
#define LINUX_F_OFD_SETLK 37
#define LINUX_F_OFD_SETLKW 38
#define LINUX_F_DUPFD_CLOEXEC 1030
#define LINUX_FD_CLOEXEC 1
#define LINUX_F_UNLCK 2

/* poll(2) events */
#define LINUX_POLLIN 0x1
#define LINUX_POLLPRI 0x2
#define LINUX_POLLOUT 0x4
#define LINUX_POLLERR 0x8
#define LINUX_POLLHUP 0x10
#define LINUX_POLLNVAL 0x20

/* eventfd2(2), memfd_create(2) flags */
#define LINUX_EFD_SEMAPHORE 1
#define LINUX_MFD_CLOEXEC 1u
#define LINUX_MFD_ALLOW_SEALING 2u

/* epoll */
#define LINUX_EPOLL_CTL_ADD 1
#define LINUX_EPOLL_CTL_DEL 2
#define LINUX_EPOLL_CTL_MOD 3
struct linux_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12, "epoll_event is packed on x86-64");

/* limits */
#define LINUX_UIO_MAXIOV 1024   /* iovecs per readv/writev */
#define LINUX_MAX_RW_COUNT 0x7ffff000ull /* INT_MAX rounded down to a page: one transfer's most */

#endif
