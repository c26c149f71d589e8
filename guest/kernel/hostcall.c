/* hostcall.c: issuing hostcalls to the monitor, kernel logging and panic. */
#include "hostcall.h"

#include <stdarg.h>

#include "cpu.h"
#include "fmt.h"
#include "string.h"
#include "syscall.h"

static struct bvm_hostcall hc __attribute__((aligned(64)));
static uint8_t bounce[4096] __attribute__((aligned(4096)));

struct bvm_hostcall *hc_req(uint32_t nr)
{
    memset(&hc, 0, sizeof(hc));
    hc.nr = nr;
    return &hc;
}

int64_t hc_issue(void)
{
    /* The kernel image sits below 4 GiB physical, so the gpa fits the 32-bit port value. */
    outl(BVM_HOSTCALL_PORT, (uint32_t)kva_to_gpa(&hc));
    return hc.ret;
}

void *hc_bounce(void)
{
    return bounce;
}

int64_t hc_io(uint32_t nr, int fd, const struct bvm_seg *segs, uint32_t nsegs, int64_t offset, uint32_t flags)
{
    struct bvm_hostcall *r = hc_req(nr);
    r->u.io.fd = fd;
    r->u.io.nsegs = nsegs;
    r->u.io.segs_gpa = kva_to_gpa(segs);
    r->u.io.offset = offset;
    r->u.io.flags = flags;
    return hc_issue();
}

int64_t hc_path(uint32_t nr, int dirfd, const char *kpath, int flags, uint32_t mode, void *out)
{
    struct bvm_hostcall *r = hc_req(nr);
    r->u.path.dirfd = dirfd;
    r->u.path.path_len = (uint32_t)strlen(kpath);
    r->u.path.path_gpa = kva_to_gpa(kpath);
    r->u.path.flags = flags;
    r->u.path.mode = mode;
    r->u.path.out_gpa = out ? kva_to_gpa(out) : 0;
    return hc_issue();
}

static uint64_t gpa_or_0(const void *p)
{
    return p ? kva_to_gpa(p) : 0;
}

int64_t hc_fd(uint32_t nr, int fd, uint32_t cmd, void *out, uint64_t out_len)
{
    struct bvm_hostcall *r = hc_req(nr);
    r->u.fd.fd = fd;
    r->u.fd.cmd = cmd;
    r->u.fd.out_gpa = gpa_or_0(out);
    r->u.fd.out_len = out_len;
    return hc_issue();
}

int64_t hc_out(uint32_t nr, void *out, uint64_t out_len)
{
    struct bvm_hostcall *r = hc_req(nr);
    r->u.out.out_gpa = gpa_or_0(out);
    r->u.out.out_len = out_len;
    return hc_issue();
}

int64_t hc_close(int fd)
{
    return hc_fd(BVM_HC_CLOSE, fd, 0, NULL, 0);
}

int64_t hc_fstat(int fd, struct linux_stat *st)
{
    return hc_fd(BVM_HC_FSTAT, fd, 0, st, sizeof(*st));
}

int64_t hc_lseek(int fd, int64_t offset, uint32_t whence)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_LSEEK);
    r->u.lseek.fd = fd;
    r->u.lseek.offset = offset;
    r->u.lseek.whence = whence;
    return hc_issue();
}

int64_t hc_clock(int clock, struct linux_timespec *ts)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_CLOCK_GETTIME);
    r->u.clock.clock = clock;
    r->u.clock.ts_gpa = kva_to_gpa(ts);
    return hc_issue();
}

struct bvm_hc_fdop *hc_fdop(int fd, uint32_t op, void *out, uint64_t out_len)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_FDOP);
    r->u.fdop.fd = fd;
    r->u.fdop.op = op;
    r->u.fdop.out_gpa = gpa_or_0(out);
    r->u.fdop.out_len = out_len;
    return &r->u.fdop;
}

int64_t hc_pipe(uint32_t flags, uint32_t sock_type, int32_t fds[2])
{
    struct bvm_hostcall *r = hc_req(BVM_HC_PIPE2);
    r->u.pipe.flags = flags;
    r->u.pipe.sock_type = sock_type;
    r->u.pipe.fds_gpa = kva_to_gpa(fds);
    return hc_issue();
}

int64_t hc_poll(struct linux_pollfd *pfd, uint32_t nfds, int32_t timeout_ms)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_POLL);
    r->u.poll.nfds = nfds;
    r->u.poll.timeout_ms = timeout_ms;
    r->u.poll.fds_gpa = gpa_or_0(pfd);
    return hc_issue();
}

int64_t hc_newfd(uint32_t kind, const char *name, int flags, uint64_t count)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_NEWFD);
    r->u.newfd.kind = kind;
    r->u.newfd.flags = flags;
    r->u.newfd.count = count;
    if (name) {
        r->u.newfd.name_gpa = kva_to_gpa(name);
        r->u.newfd.name_len = (uint32_t)strlen(name);
    }
    return hc_issue();
}

int64_t hc_umask(uint32_t mask)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_UMASK);
    r->u.umask.mask = mask;
    return hc_issue();
}

int64_t hc_at(uint32_t nr, const struct hc_at_args *a)
{
    struct bvm_hostcall *r = hc_req(nr);
    r->u.at.dirfd = a->dirfd;
    r->u.at.dirfd2 = a->dirfd2;
    if (a->kpath) {
        r->u.at.path_len = (uint32_t)strlen(a->kpath);
        r->u.at.path_gpa = kva_to_gpa(a->kpath);
    }
    if (a->kpath2) {
        r->u.at.path2_len = (uint32_t)strlen(a->kpath2);
        r->u.at.path2_gpa = kva_to_gpa(a->kpath2);
    }
    r->u.at.flags = a->flags;
    r->u.at.mode = a->mode;     /* the whole union: mode, access or statx_mask */
    r->u.at.length = a->length; /* the whole union: length or owner */
    r->u.at.out_gpa = gpa_or_0(a->out);
    r->u.at.out_len = a->out_len;
    return hc_issue();
}

void hc_trace(const char *text, uint32_t len)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_TRACE);
    r->u.trace.text_gpa = kva_to_gpa(text);
    r->u.trace.text_len = len < BVM_HC_MAX_TRACE ? len : BVM_HC_MAX_TRACE;
    hc_issue();
}

static _Noreturn void exit_issue(void)
{
    hc_issue();
    /* The monitor must not resume us after EXIT; stop hard if it does. */
    halt_forever();
}

_Noreturn void hc_exit_status(int status)
{
    trace_exit(BVM_EXIT_STATUS, status);
    struct bvm_hostcall *r = hc_req(BVM_HC_EXIT);
    r->u.exit.kind = BVM_EXIT_STATUS;
    r->u.exit.status = status;
    r->u.exit.fault_vector = 0xffffffffu;
    exit_issue();
}

_Noreturn void hc_exit_signal(int sig, uint32_t vector, uint64_t addr, uint64_t rip, const uint8_t *insn,
                              uint32_t insn_len)
{
    trace_exit(BVM_EXIT_SIGNAL, sig);
    struct bvm_hostcall *r = hc_req(BVM_HC_EXIT);
    r->u.exit.kind = BVM_EXIT_SIGNAL;
    r->u.exit.status = sig;
    r->u.exit.fault_vector = vector;
    r->u.exit.fault_addr = addr;
    r->u.exit.fault_rip = rip;
    insn_len = MIN(insn_len, sizeof(r->u.exit.insn));
    r->u.exit.insn_len = insn_len;
    if (insn_len)
        memcpy(r->u.exit.insn, insn, insn_len);
    exit_issue();
}

static _Noreturn void exit_text(uint32_t kind, int status, const char *text)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_EXIT);
    r->u.exit.kind = kind;
    r->u.exit.status = status;
    r->u.exit.fault_vector = 0xffffffffu;
    size_t n = strnlen(text, sizeof(r->u.exit.text) - 1);
    memcpy(r->u.exit.text, text, n);
    exit_issue();
}

_Noreturn void hc_exit_panic(const char *text)
{
    exit_text(BVM_EXIT_PANIC, 0, text);
}

_Noreturn void hc_exit_exec(int err, const char *text)
{
    exit_text(BVM_EXIT_EXEC, err, text);
}

_Noreturn void kpanic(const char *file, int line, const char *fmt, ...)
{
    static char msg[256];
    va_list ap;
    int n = ksnprintf(msg, sizeof(msg), "%s:%d: ", file, line);
    va_start(ap, fmt);
    kvsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
    va_end(ap);
    /* The full text goes to the trace too when it is longer than the exit record's 128 bytes. */
    if (strlen(msg) >= sizeof(hc.u.exit.text))
        kprintf("%s", msg);
    hc_exit_panic(msg);
}

void kprintf(const char *fmt, ...)
{
    static char line[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = (size_t)kvsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    n = MIN(n, sizeof(line) - 2);
    line[n++] = '\n'; /* the monitor writes trace text as is */
    hc_trace(line, (uint32_t)n);
}
