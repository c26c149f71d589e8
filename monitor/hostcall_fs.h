/* hostcall_fs.h: file-system hostcall handlers (paths, descriptors, metadata). */
#ifndef BVM_HOSTCALL_FS_H
#define BVM_HOSTCALL_FS_H

#include "hostcall.h"

int64_t hc_openat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_close(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_fstat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_fstatat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_lseek(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_unlinkat(struct hc_ctx *c, const struct bvm_hostcall *r);
int64_t hc_ioctl(struct hc_ctx *c, const struct bvm_hostcall *r);

#endif
