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
int64_t hc_fd(uint32_t nr, int fd, uint32_t cmd, int64_t offset, void *out, uint64_t out_len);
void hc_trace(const char *text, uint32_t len);
/* The *at family (struct bvm_hc_at); kpath2 and out may be NULL. */
struct hc_at_args {
    int dirfd, dirfd2;
    const char *kpath, *kpath2;
    int flags;
    uint32_t mode;
    int64_t arg;
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
