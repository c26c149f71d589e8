/* hostcall.h: serving the shim kernel's hostcalls: copy once, validate, act, answer. */
#ifndef BVM_HOSTCALL_H
#define BVM_HOSTCALL_H

#include <errno.h>
#include <stdint.h>

#include "bvm_abi.h"
#include "guestmem.h"
#include "vcpu.h"

#define HC_MAX_FD BVM_HOST_FD_MAX

struct hc_ctx {
    struct guestmem *gm;
    int trace_fd;                   /* where BVM_HC_TRACE lines go */
    uint8_t guest_fd[HC_MAX_FD / 8]; /* host fds the guest may name: 0 1 2 and what it opened */
    uint8_t slow_fd[HC_MAX_FD / 8];  /* of those, pipes, sockets and devices: reads and writes may wait */
    uint8_t connecting[HC_MAX_FD / 8]; /* sockets whose connect goes on in the host (hostcall_sock.c) */
    int trace_hostcalls;            /* --trace-hostcalls: a line per hostcall to trace_fd */
    int exited;                     /* BVM_HC_EXIT was called */
    struct bvm_hc_exit exit;        /* its (validated) copy */
    uint64_t calls;                 /* hostcalls served */
    struct vcpu *vcpu;              /* FORK rebuilds it in the child */
    int vfork_fd;                   /* a vfork child's end of the pipe its parent waits on, or -1 */
    int vfork_mem;                  /* CLONE_VM vfork: the child's written pages for the parent, or -1 */
};

void hc_init(struct hc_ctx *c, struct guestmem *gm, int trace_fd);

/* A host call's result as a hostcall answers it: rc, or -errno when it failed. */
static inline int64_t hc_host_ret(long rc) { return rc < 0 ? -errno : rc; }

/* One fd's bit in a per-fd bitmap of hc_ctx (fd already in [0, HC_MAX_FD)). */
static inline int hc_fd_bit(const uint8_t *map, int fd) { return (map[fd / 8] >> (fd % 8)) & 1; }
static inline void hc_fd_bit_set(uint8_t *map, int fd, int on)
{
    uint8_t bit = (uint8_t)(1u << (fd % 8));
    map[fd / 8] = (uint8_t)(on ? map[fd / 8] | bit : map[fd / 8] & ~bit);
}

/* Serve the hostcall whose request is at req_gpa. The request is copied once; every
 * address and length in the copy is checked against guest RAM; the result (>= 0 or
 * -errno, -EFAULT for a bad address) is written back to the request's `ret`.
 * Returns -1 if req_gpa itself is unusable (nothing can be answered), else 0. */
int hc_serve(struct hc_ctx *c, uint64_t req_gpa);

/* The handlers, one per hostcall of the list in bvm_abi.h (hc_<name>): each validates the copy of the
 * request it is given and returns the result or -errno. */
#define HC_DECLARE(n, NAME, name, req) int64_t hc_##name(struct hc_ctx *c, const struct bvm_hostcall *r);
BVM_HOSTCALLS(HC_DECLARE)
#undef HC_DECLARE

/* Keeps buffervm's own resource limits for the program (BVM_PROC_RLIMIT), then raises the
 * monitor's open-file limit to its hard limit: each file the program maps shared holds a host fd,
 * as many as Linux lets a program map. (hostcall_proc.c) */
void hc_rlimits_init(void);

/* Whether host fd names a file this process executes (hostcall_proc.c): writing it is ETXTBSY. */
int hc_exec_image(int fd);

/* Copy the guest's segment list once into segs and turn it into host iovecs; every segment
 * checked (for writing when the host fills them). Returns the number of iovecs, or -EFAULT /
 * -EINVAL. */
struct iovec;
int hc_segs(struct hc_ctx *c, uint64_t segs_gpa, uint32_t nsegs, int fill, struct bvm_seg *segs, struct iovec *iov,
            uint64_t *total);
/* After the host filled guest memory through iov, announce the bytes written, from the same
 * validated copy of the list (the guest's may have changed meanwhile). */
void hc_segs_written(struct hc_ctx *c, const struct bvm_seg *segs, int n, const struct iovec *iov, uint64_t bytes);

/* Host fds the guest may use. */
void hc_fd_grant(struct hc_ctx *c, int fd);
void hc_fd_revoke(struct hc_ctx *c, int fd);
int hc_fd_ok(const struct hc_ctx *c, int fd);
/* A granted fd whose reads and writes may wait (not a regular file or directory): only those are
 * cut short by events, as Linux interrupts only "slow" I/O. */
int hc_fd_slow(const struct hc_ctx *c, int fd);
/* Whether the host fd's open file is O_NONBLOCK. */
int hc_fd_nonblocking(int fd);
/* Result of a host call that created fd: -errno if it failed, -EMFILE (fd closed) if it is
 * beyond what the guest may own, else fd, now granted. */
int64_t hc_fd_adopt(struct hc_ctx *c, int fd);

#endif
