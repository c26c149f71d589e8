/* usercopy.h: the only way the kernel touches user memory: checked, page by page, via the physmap. */
#ifndef USERCOPY_H
#define USERCOPY_H

#include "kernel.h"
#include "mm.h"

/* [addr, addr+len) lies entirely in the user window (overflow-safe). Zero length is fine. */
bool user_range_ok(uint64_t addr, uint64_t len);

/* Each returns 0 or -EFAULT (bad range, no VMA, VMA protection forbids it); never faults. */
int copy_from_user(void *dst, uint64_t src, size_t len);
int copy_to_user(uint64_t dst, const void *src, size_t len);
/* Copies a NUL-terminated string of at most max-1 chars; returns its length, -EFAULT, or
 * -ENAMETOOLONG when no NUL is found within max bytes. */
int64_t strncpy_from_user(char *dst, uint64_t src, size_t max);
/* Linux's strnlen_user: the length of a user string with its NUL, max + 1 when there is no NUL
 * within max bytes, or -EFAULT. */
int64_t strnlen_user(uint64_t src, size_t max);

/* Describes user [va, va+len) as physical segments for a hostcall, faulting pages in and
 * checking access (0: kernel-internal, any VMA). Adjacent physical pages are joined. Stops at
 * max_segs segments or BVM_HC_MAX_IO bytes; returns the bytes covered (> 0), or -EFAULT when
 * not even the first page is accessible. */
int64_t user_segs(uint64_t va, uint64_t len, uint32_t access, struct bvm_seg *segs, uint32_t max_segs,
                  uint32_t *nsegs);

/* Moves data between a host fd and user memory with READ/WRITE/PREAD/PWRITE/GETRANDOM hostcalls,
 * in chunks; short transfers stop early. Returns bytes moved, or -errno when nothing was. */
int64_t user_io(uint32_t hc_nr, int host_fd, uint64_t va, uint64_t len, int64_t off, uint32_t access,
                uint32_t flags);

#endif
