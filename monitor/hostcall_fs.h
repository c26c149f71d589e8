/* hostcall_fs.h: file-system hostcall handlers (paths, descriptors, metadata). */
#ifndef BVM_HOSTCALL_FS_H
#define BVM_HOSTCALL_FS_H

#include <sys/types.h>

#include "hostcall.h"

/* What a hostcall does with the object a guest path names: the check depends on it. */
enum hc_access {
    HC_ACC_META,  /* stat, statx, access, statfs: metadata only */
    HC_ACC_READ,  /* open for reading (or O_PATH), chdir */
    HC_ACC_LINK,  /* readlink: a symlink's target is read, anything else only looked at */
    HC_ACC_WRITE, /* chmod, chown, utimes, truncate, links to it; entries made or removed in a dir */
    HC_ACC_DATA,  /* open for writing (or creating): the object's data, not its metadata */
};

/* How a guest path is resolved on the host. */
enum hc_walk {
    HC_WALK_FOLLOW,   /* the object, a final symlink followed */
    HC_WALK_NOFOLLOW, /* the object, a final symlink itself */
    HC_WALK_PARENT,   /* the directory holding the final component; the call acts on that name */
};

/* A guest path, copied once, then resolved to the object it names. */
struct hc_gpath {
    char text[BVM_HC_MAX_PATH]; /* as the guest gave it, NUL-terminated */
    int fd;                     /* after hc_path_resolve: O_PATH fd of the object (or parent), else -1 */
    const char *last;           /* HC_WALK_PARENT: the final component, relative to fd */
    char link[32];              /* "/proc/self/fd/<fd>": for calls that take no fd (chmod, truncate) */
};

/* The one place a guest path enters the monitor: copies len bytes at gpa into p->text and
 * NUL-terminates them. 0, -ENAMETOOLONG, -EFAULT. Every path hostcall goes through it, then
 * reaches the host only through hc_path_resolve or hc_path_open, both ending in hc_path_check. */
int hc_guest_path(struct hc_ctx *c, uint64_t gpa, uint32_t len, struct hc_gpath *p);
/* Resolves p->text from dirfd (a guest fd or AT_FDCWD, with a BVM_DIRFD_* bit for the kernel's names
 * of descriptors; an empty path with empty_ok: dirfd itself) with openat2, never through a /proc
 * magic link but BVM_DIRFD_LINK's, and checks the object for acc. 0 (p->fd open until
 * hc_gpath_put) or -errno: the lookup's own error, or hc_path_check's. */
int hc_path_resolve(struct hc_ctx *c, int dirfd, struct hc_gpath *p, enum hc_walk walk, int empty_ok,
                    enum hc_access acc);
/* Opens p->text from dirfd with open(2) flags the same way and checks what was opened: the host
 * fd (not yet granted to the guest) or -errno. */
int hc_path_open(struct hc_ctx *c, int dirfd, const struct hc_gpath *p, int flags, mode_t mode);
/* An open with those flags that would wait for a FIFO's other end (reading or writing only, not
 * O_NONBLOCK): *object the FIFO's O_PATH fd, checked for that access, 0 or -errno; *object -1 for
 * any other open (made as usual by hc_path_open). */
int hc_path_fifo(struct hc_ctx *c, int dirfd, const struct hc_gpath *p, int flags, int *object);
void hc_gpath_put(struct hc_gpath *p);
/* The check on the object itself (fd), whatever spelling led there: 0 or -EACCES. Refuses the
 * monitor's own /proc/<pid> (and its threads') but for metadata, directory listings and the
 * namespace-wide files. The sandbox policy hooks here. */
int hc_path_check(struct hc_ctx *c, int fd, enum hc_access acc);
/* Ends the run (status 125) when the host cannot resolve paths safely (no openat2). */
void hc_path_init(void);
/* AT_FDCWD or a host fd the guest owns, with at most one BVM_DIRFD_* bit. */
int hc_dirfd_ok(const struct hc_ctx *c, int dirfd);

#endif
