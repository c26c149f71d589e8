/* hostcall_fs.h: file-system hostcall handlers (paths, descriptors, metadata). */
#ifndef BVM_HOSTCALL_FS_H
#define BVM_HOSTCALL_FS_H

#include "hostcall.h"

/* The one place a guest path reaches the host: copies path_len bytes at gpa into buf and
 * NUL-terminates them. 0, -ENAMETOOLONG, -EFAULT. Every path hostcall
 * goes through it, so the sandbox policy can hook path resolution here. */
int hc_guest_path(struct hc_ctx *c, uint64_t gpa, uint32_t len, char buf[BVM_HC_MAX_PATH]);
/* AT_FDCWD or a host fd the guest owns. */
int hc_dirfd_ok(const struct hc_ctx *c, int dirfd);
int64_t hc_openat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_close(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_fstat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_fstatat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_lseek(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_unlinkat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_ioctl(struct hc_ctx *c, const struct bvm_hostcall *r);


/* hostcall_at.c: the *at family (struct bvm_hc_at). */
int64_t hc_mkdirat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_renameat2(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_linkat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_symlinkat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_readlinkat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_fchmodat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_fchownat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_utimensat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_faccessat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_truncate(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_statx(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_statfs(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_chdir(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_newfd(struct hc_ctx *c, const struct bvm_hostcall *r);

/* hostcall_fd.c: descriptor calls (struct bvm_hc_fd). */
int64_t hc_getdents64(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_getcwd(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_fchdir(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_fdop(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_pipe2(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_poll(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_umask(struct hc_ctx *c, const struct bvm_hostcall *r);

#endif
