/* hostcall.h: requests to the host monitor (one port write carrying a struct's guest-physical address). */
#ifndef HOSTCALL_H
#define HOSTCALL_H

#include "bvm_linux.h"
#include "kernel.h"

/* The one request block; single vCPU, so one is enough. Callers fill hc_req()->u then hc_issue(). */
struct bvm_hostcall *hc_req(uint32_t nr);
int64_t hc_issue(void);

/* A kernel bounce buffer (page-sized) for small OUT results: stat, termios, timespec, utsname. */
void *hc_bounce(void);

/* Buffer I/O with a prepared segment list (see usercopy.h). */
int64_t hc_io(uint32_t nr, int fd, const struct bvm_seg *segs, uint32_t nsegs, int64_t offset,
              uint32_t flags);
int64_t hc_path(uint32_t nr, int dirfd, const char *kpath, int flags, uint32_t mode, void *out);
/* CLOSE, FSTAT, IOCTL, GETDENTS64, FCHDIR (out may be NULL); UNAME, GETCWD, GETGROUPS. */
int64_t hc_fd(uint32_t nr, int fd, uint32_t cmd, void *out, uint64_t out_len);
int64_t hc_out(uint32_t nr, void *out, uint64_t out_len);
int64_t hc_close(int fd);
int64_t hc_fstat(int fd, struct linux_stat *st);
int64_t hc_lseek(int fd, int64_t offset, uint32_t whence);
int64_t hc_clock(int clock, struct linux_timespec *ts);
/* FDOP: fills fd, op and the result buffer (may be NULL) of the one request; the caller sets
 * the op's argument in the returned struct, then calls hc_issue(). */
struct bvm_hc_fdop *hc_fdop(int fd, uint32_t op, void *out, uint64_t out_len);
int64_t hc_pipe(uint32_t flags, uint32_t sock_type, int32_t fds[2]);
/* pfd: nfds host pollfds (may be NULL with nfds 0, to sleep); timeout_ms -1 waits forever. */
int64_t hc_poll(struct linux_pollfd *pfd, uint32_t nfds, int32_t timeout_ms);
/* A memfd named name, or an eventfd starting at count (enum bvm_newfd_kind). */
int64_t hc_newfd(uint32_t kind, const char *name, int flags, uint64_t count);
int64_t hc_umask(uint32_t mask);
void hc_trace(const char *text, uint32_t len);
/* The *at family (struct bvm_hc_at, whose IN fields these mirror); kpath2 and out may be NULL. */
struct hc_at_args {
    int dirfd, dirfd2;
    const char *kpath, *kpath2;
    int flags;
    union {
        uint32_t mode;       /* MKDIRAT, FCHMODAT */
        uint32_t access;     /* FACCESSAT */
        uint32_t statx_mask; /* STATX */
        uint32_t xattr_op;   /* XATTR */
    };
    union {
        int64_t length; /* TRUNCATE */
        struct {
            uint32_t uid, gid;
        } owner; /* FCHOWNAT */
    };
    void *out;
    uint64_t out_len;
};
int64_t hc_at(uint32_t nr, const struct hc_at_args *a);

/* Ends the run; never returns. */
_Noreturn void hc_exit_status(int status);
_Noreturn void hc_exit_signal(int sig, uint32_t vector, uint64_t addr, uint64_t rip, const uint8_t *insn,
                              uint32_t insn_len);
_Noreturn void hc_exit_panic(const char *text);
/* The boot program cannot be executed: err is the positive errno, text names the file. */
_Noreturn void hc_exit_exec(int err, const char *text);

#endif
