/* trace.c: strace-style syscall lines (`write(1, "hi\n", 3) = 3`) sent through the TRACE hostcall. */
#include "bvm_linux.h"
#include "fmt.h"
#include "hostcall.h"
#include "string.h"
#include "syscall.h"
#include "sched.h"
#include "usercopy.h"

#define STR_MAX 32 /* strace's default -s */

struct line {
    char buf[BVM_HC_MAX_TRACE];
    size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
    va_list ap;
    if (l->len >= sizeof(l->buf))
        return;
    va_start(ap, fmt);
    int n = kvsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
    va_end(ap);
    l->len = MIN(l->len + (size_t)n, sizeof(l->buf) - 1);
}

struct name_val {
    uint64_t val;
    const char *name;
};

static const struct {
    int err;
    const char *name, *text;
} errnos[] = {
    {LINUX_EPERM, "EPERM", "Operation not permitted"},
    {LINUX_ENOENT, "ENOENT", "No such file or directory"},
    {LINUX_ESRCH, "ESRCH", "No such process"},
    {LINUX_EINTR, "EINTR", "Interrupted system call"},
    {LINUX_EIO, "EIO", "Input/output error"},
    {LINUX_E2BIG, "E2BIG", "Argument list too long"},
    {LINUX_ENOEXEC, "ENOEXEC", "Exec format error"},
    {LINUX_EBADF, "EBADF", "Bad file descriptor"},
    {LINUX_ECHILD, "ECHILD", "No child processes"},
    {LINUX_EAGAIN, "EAGAIN", "Resource temporarily unavailable"},
    {LINUX_ENOMEM, "ENOMEM", "Cannot allocate memory"},
    {LINUX_EACCES, "EACCES", "Permission denied"},
    {LINUX_EFAULT, "EFAULT", "Bad address"},
    {LINUX_EEXIST, "EEXIST", "File exists"},
    {LINUX_ENODEV, "ENODEV", "No such device"},
    {LINUX_ENOTDIR, "ENOTDIR", "Not a directory"},
    {LINUX_EISDIR, "EISDIR", "Is a directory"},
    {LINUX_EINVAL, "EINVAL", "Invalid argument"},
    {LINUX_EMFILE, "EMFILE", "Too many open files"},
    {LINUX_ENOTTY, "ENOTTY", "Inappropriate ioctl for device"},
    {LINUX_EFBIG, "EFBIG", "File too large"},
    {LINUX_ESPIPE, "ESPIPE", "Illegal seek"},
    {LINUX_EPIPE, "EPIPE", "Broken pipe"},
    {LINUX_ERANGE, "ERANGE", "Numerical result out of range"},
    {LINUX_ENAMETOOLONG, "ENAMETOOLONG", "File name too long"},
    {LINUX_ENOSYS, "ENOSYS", "Function not implemented"},
    {LINUX_ENOTEMPTY, "ENOTEMPTY", "Directory not empty"},
    {LINUX_ELOOP, "ELOOP", "Too many levels of symbolic links"},
    {LINUX_EOVERFLOW, "EOVERFLOW", "Value too large for defined data type"},
    {LINUX_ENXIO, "ENXIO", "No such device or address"},
    {LINUX_ENOTBLK, "ENOTBLK", "Block device required"},
    {LINUX_EBUSY, "EBUSY", "Device or resource busy"},
    {LINUX_EXDEV, "EXDEV", "Invalid cross-device link"},
    {LINUX_ENFILE, "ENFILE", "Too many open files in system"},
    {LINUX_ETXTBSY, "ETXTBSY", "Text file busy"},
    {LINUX_ENOSPC, "ENOSPC", "No space left on device"},
    {LINUX_EROFS, "EROFS", "Read-only file system"},
    {LINUX_EMLINK, "EMLINK", "Too many links"},
    {LINUX_EDOM, "EDOM", "Numerical argument out of domain"},
    {LINUX_EDEADLK, "EDEADLK", "Resource deadlock avoided"},
    {LINUX_ENOLCK, "ENOLCK", "No locks available"},
    {LINUX_ENODATA, "ENODATA", "No data available"},
    {LINUX_EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported"},
    {LINUX_EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol"},
    {LINUX_ETIMEDOUT, "ETIMEDOUT", "Connection timed out"},
    {LINUX_EDQUOT, "EDQUOT", "Disk quota exceeded"},
};

#define SN(sig) [LINUX_##sig] = #sig
static const char *const signames[] = {
    [0] = "0",
    SN(SIGHUP), SN(SIGINT), SN(SIGQUIT), SN(SIGILL), SN(SIGTRAP), SN(SIGABRT),
    SN(SIGBUS), SN(SIGFPE), SN(SIGKILL), SN(SIGUSR1), SN(SIGSEGV), SN(SIGUSR2),
    SN(SIGPIPE), SN(SIGALRM), SN(SIGTERM), SN(SIGSTKFLT), SN(SIGCHLD), SN(SIGCONT),
    SN(SIGSTOP), SN(SIGTSTP), SN(SIGTTIN), SN(SIGTTOU), SN(SIGURG), SN(SIGXCPU),
    SN(SIGXFSZ), SN(SIGVTALRM), SN(SIGPROF), SN(SIGWINCH), SN(SIGIO), SN(SIGPWR),
    SN(SIGSYS),
};

const char *signal_name(int sig)
{
    static char rt[16];
    if (sig >= 0 && (size_t)sig < ARRAY_SIZE(signames))
        return signames[sig];
    if (sig < 32 || sig > LINUX_NSIG)
        return "SIG?";
    if (sig == 32)
        return "SIGRTMIN";
    ksnprintf(rt, sizeof(rt), "SIGRT_%d", sig - 32); /* strace's names */
    return rt;
}

/* si_code names, by the signal for the positive (fault) ones. */
static const char *code_name(int sig, int code)
{
    static const struct {
        int sig, code;
        const char *name;
    } t[] = {
        {0, LINUX_SI_USER, "SI_USER"},       {0, LINUX_SI_KERNEL, "SI_KERNEL"},   {0, LINUX_SI_QUEUE, "SI_QUEUE"},
        {0, LINUX_SI_TIMER, "SI_TIMER"},     {0, LINUX_SI_MESGQ, "SI_MESGQ"},     {0, LINUX_SI_ASYNCIO, "SI_ASYNCIO"},
        {0, LINUX_SI_SIGIO, "SI_SIGIO"},     {0, LINUX_SI_TKILL, "SI_TKILL"},
        {LINUX_SIGSEGV, LINUX_SEGV_MAPERR, "SEGV_MAPERR"}, {LINUX_SIGSEGV, LINUX_SEGV_ACCERR, "SEGV_ACCERR"},
        {LINUX_SIGBUS, LINUX_BUS_ADRALN, "BUS_ADRALN"},    {LINUX_SIGBUS, LINUX_BUS_ADRERR, "BUS_ADRERR"},
        {LINUX_SIGILL, LINUX_ILL_ILLOPN, "ILL_ILLOPN"},    {LINUX_SIGFPE, LINUX_FPE_INTDIV, "FPE_INTDIV"},
        {LINUX_SIGFPE, LINUX_FPE_INTOVF, "FPE_INTOVF"},    {LINUX_SIGFPE, LINUX_FPE_FLTDIV, "FPE_FLTDIV"},
        {LINUX_SIGFPE, LINUX_FPE_FLTOVF, "FPE_FLTOVF"},    {LINUX_SIGFPE, LINUX_FPE_FLTUND, "FPE_FLTUND"},
        {LINUX_SIGFPE, LINUX_FPE_FLTRES, "FPE_FLTRES"},    {LINUX_SIGFPE, LINUX_FPE_FLTINV, "FPE_FLTINV"},
        {LINUX_SIGTRAP, LINUX_TRAP_BRKPT, "TRAP_BRKPT"},   {LINUX_SIGTRAP, LINUX_TRAP_TRACE, "TRAP_TRACE"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(t); i++)
        if (t[i].code == code && (t[i].sig == 0 ? code <= 0 || code == LINUX_SI_KERNEL : t[i].sig == sig))
            return t[i].name;
    return NULL;
}


void trace_exit(int kind, int value)
{
    if (!(boot->flags & BVM_BOOT_TRACE_SYSCALLS))
        return;
    if (kind == BVM_EXIT_STATUS)
        kprintf("+++ exited with %d +++", value);
    else
        kprintf("+++ killed by %s +++", signal_name(value));
}

static void add_flags(struct line *l, uint64_t v, const struct name_val *t, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (t[i].val && (v & t[i].val) == t[i].val) {
            add(l, "%s%s", any ? "|" : "", t[i].name);
            v &= ~t[i].val;
            any = true;
        }
    }
    if (v || !any)
        add(l, "%s%#lx", any ? "|" : "", (unsigned long)v);
}

static void add_choice(struct line *l, uint64_t v, const struct name_val *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].val == v) {
            add(l, "%s", t[i].name);
            return;
        }
    add(l, "%ld", (long)v);
}

/* A user string or buffer, quoted and escaped; at most STR_MAX bytes, then "...". */
static void add_quoted(struct line *l, uint64_t addr, uint64_t len, bool nul_ends)
{
    uint8_t tmp[STR_MAX];
    uint64_t n = MIN(len, (uint64_t)STR_MAX);
    if (copy_from_user(tmp, addr, n)) {
        add(l, "%#lx", (unsigned long)addr);
        return;
    }
    add(l, "\"");
    uint64_t i;
    for (i = 0; i < n && !(nul_ends && tmp[i] == 0); i++) {
        uint8_t c = tmp[i];
        bool digit_next = i + 1 < n && tmp[i + 1] >= '0' && tmp[i + 1] <= '7';
        if (c == '\n')
            add(l, "\\n");
        else if (c == '\t')
            add(l, "\\t");
        else if (c == '"' || c == '\\')
            add(l, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            add(l, "%c", c);
        else
            add(l, digit_next ? "\\%03o" : "\\%o", c);
    }
    add(l, "\"%s", (i == n && len > n) ? "..." : "");
}

static void add_string(struct line *l, uint64_t addr)
{
    char tmp[STR_MAX + 1];
    int64_t n = strncpy_from_user(tmp, addr, sizeof(tmp));
    if (!addr)
        add(l, "NULL");
    else if (n == -LINUX_EFAULT)
        add(l, "%#lx", (unsigned long)addr);
    else
        add_quoted(l, addr, n < 0 ? STR_MAX + 1 : (uint64_t)n, true);
}

static void add_iovec(struct line *l, uint64_t addr, uint64_t cnt)
{
    add(l, "[");
    for (uint64_t i = 0; i < cnt && i < 4; i++) {
        struct linux_iovec iov;
        if (copy_from_user(&iov, addr + i * sizeof(iov), sizeof(iov))) {
            add(l, "%#lx", (unsigned long)addr);
            break;
        }
        add(l, "%s{iov_base=", i ? ", " : "");
        add_quoted(l, iov.iov_base, iov.iov_len, false);
        add(l, ", iov_len=%lu}", (unsigned long)iov.iov_len);
    }
    add(l, cnt > 4 ? ", ...]" : "]");
}

/* execve's argv as strace shows it: the strings, at most STR_MAX of them. */
static void add_argv(struct line *l, uint64_t addr)
{
    uint64_t s, i;
    if (!addr || copy_from_user(&s, addr, sizeof(s))) {
        addr ? add(l, "%#lx", (unsigned long)addr) : add(l, "NULL");
        return;
    }
    add(l, "[");
    for (i = 0; s && i < STR_MAX; i++) {
        add(l, i ? ", " : "");
        add_string(l, s);
        if (copy_from_user(&s, addr + (i + 1) * sizeof(s), sizeof(s)))
            break;
    }
    add(l, s ? ", ...]" : "]");
}

/* execve's envp as strace shows it without -v: the address and the count. */
static void add_envp(struct line *l, uint64_t addr)
{
    uint64_t s = 1, n = 0;
    while (addr && n < (1u << 20) && !copy_from_user(&s, addr + n * sizeof(s), sizeof(s)) && s)
        n++;
    addr ? add(l, "%#lx", (unsigned long)addr) : add(l, "NULL");
    if (addr && !s)
        add(l, " /* %lu var%s */", (unsigned long)n, n == 1 ? "" : "s");
}

/* {LINUX_X, "X"}: one definition of each value (bvm_linux.h), its name spelled by the macro. */
#define NV(name) {LINUX_##name, #name}
static const struct name_val oflags[] = {
    NV(O_WRONLY),    NV(O_RDWR),     NV(O_CREAT),   NV(O_EXCL),   NV(O_NOCTTY), NV(O_TRUNC),  NV(O_APPEND),
    NV(O_NONBLOCK),  NV(O_DIRECTORY), NV(O_NOFOLLOW), NV(O_CLOEXEC), NV(O_PATH), NV(O_SYNC), NV(O_LARGEFILE)};
static const struct name_val amodes[] = {NV(R_OK), NV(W_OK), NV(X_OK)};
static const struct name_val prots[] = {NV(PROT_READ), NV(PROT_WRITE), NV(PROT_EXEC)};
static const struct name_val mflags[] = {
    NV(MAP_SHARED),    NV(MAP_PRIVATE),  NV(MAP_FIXED),    NV(MAP_ANONYMOUS), NV(MAP_GROWSDOWN),
    NV(MAP_DENYWRITE), NV(MAP_LOCKED),   NV(MAP_NORESERVE), NV(MAP_POPULATE), NV(MAP_STACK),
    NV(MAP_FIXED_NOREPLACE)};
static const struct name_val atflags[] = {NV(AT_SYMLINK_NOFOLLOW), NV(AT_REMOVEDIR), NV(AT_SYMLINK_FOLLOW),
                                          NV(AT_NO_AUTOMOUNT), NV(AT_EMPTY_PATH)};
static const struct name_val hows[] = {NV(SIG_BLOCK), NV(SIG_UNBLOCK), NV(SIG_SETMASK)};
static const struct name_val whences[] = {NV(SEEK_SET), NV(SEEK_CUR), NV(SEEK_END)};
static const struct name_val arch_codes[] = {NV(ARCH_SET_GS), NV(ARCH_SET_FS), NV(ARCH_GET_FS), NV(ARCH_GET_GS)};
static const struct name_val rlims[] = {NV(RLIMIT_STACK), NV(RLIMIT_NOFILE), NV(RLIMIT_AS), NV(RLIMIT_CORE),
                                        NV(RLIMIT_DATA)};
static const struct name_val clocks[] = {
    NV(CLOCK_REALTIME),      NV(CLOCK_MONOTONIC),       NV(CLOCK_PROCESS_CPUTIME_ID), NV(CLOCK_THREAD_CPUTIME_ID),
    NV(CLOCK_MONOTONIC_RAW), NV(CLOCK_REALTIME_COARSE), NV(CLOCK_MONOTONIC_COARSE),   NV(CLOCK_BOOTTIME)};
static const struct name_val ioctls[] = {NV(TCGETS),     NV(TCSETS),     NV(TCSETSW),    NV(TCSETSF),  NV(TIOCGWINSZ),
                                         NV(TIOCSWINSZ), NV(TIOCSPGRP),  NV(TIOCGPGRP),  NV(TIOCGSID), NV(FIONREAD),
                                         NV(TIOCSCTTY),  NV(TIOCNOTTY),  NV(FIONBIO),    NV(FIOCLEX),  NV(FIONCLEX)};
static const struct name_val advices[] = {
    NV(MADV_NORMAL),   NV(MADV_RANDOM), NV(MADV_SEQUENTIAL), NV(MADV_WILLNEED),
    NV(MADV_DONTNEED), NV(MADV_FREE),   NV(MADV_HUGEPAGE),   NV(MADV_NOHUGEPAGE)};
static const struct name_val mremaps[] = {NV(MREMAP_MAYMOVE), NV(MREMAP_FIXED), NV(MREMAP_DONTUNMAP)};
static const struct name_val fcntls[] = {NV(F_DUPFD), NV(F_GETFD), NV(F_SETFD),
                                         NV(F_GETFL), NV(F_SETFL), NV(F_DUPFD_CLOEXEC)};
static const struct name_val grnds[] = {NV(GRND_NONBLOCK), NV(GRND_RANDOM), NV(GRND_INSECURE)};

static void add_open_flags(struct line *l, uint64_t v)
{
    /* O_RDONLY is zero, so it is named only when no access bit is set. */
    if (!(v & LINUX_O_ACCMODE)) {
        add(l, "O_RDONLY");
        if (v & ~(uint64_t)LINUX_O_LARGEFILE) {
            add(l, "|");
            add_flags(l, v, oflags, ARRAY_SIZE(oflags));
        }
        return;
    }
    add_flags(l, v, oflags, ARRAY_SIZE(oflags));
}

/* One argument by its kind letter (see syscall.h); a table of one-line cases. */
static void add_arg(struct line *l, char kind, const uint64_t *a, int i, int64_t ret)
{
    uint64_t v = a[i];
    // clang-format off
    switch (kind) {
    case 'f': add(l, "%d", (int)v); break;
    case 'd': (int)v == LINUX_AT_FDCWD ? add(l, "AT_FDCWD") : add(l, "%d", (int)v); break;
    case 'i': add(l, "%ld", (long)v); break;
    case 'u': case 'U': add(l, "%lu", (unsigned long)v); break;
    case 'x': add(l, "%#lx", (unsigned long)v); break;
    case 'p': v ? add(l, "%#lx", (unsigned long)v) : add(l, "NULL"); break;
    case 's': add_string(l, v); break;
    case 'w': add_quoted(l, v, a[i + 1], false); break;
    case 'r': ret >= 0 ? add_quoted(l, v, (uint64_t)ret, false) : add(l, "%#lx", (unsigned long)v); break;
    case 'v': add_iovec(l, v, a[i + 1]); break;
    case 'V': add_argv(l, v); break;
    case 'N': add_envp(l, v); break;
    case 'O': add_open_flags(l, v); break;
    case 'm': add(l, "%#lo", (unsigned long)v); break;
    case 'a': v ? add_flags(l, v, amodes, ARRAY_SIZE(amodes)) : add(l, "F_OK"); break;
    case 'P': v ? add_flags(l, v, prots, ARRAY_SIZE(prots)) : add(l, "PROT_NONE"); break;
    case 'M': add_flags(l, v, mflags, ARRAY_SIZE(mflags)); break;
    case 'F': v ? add_flags(l, v, atflags, ARRAY_SIZE(atflags)) : add(l, "0"); break;
    case 'S': add(l, "%s", signal_name((int)v)); break;
    case 'H': add_choice(l, v, hows, ARRAY_SIZE(hows)); break;
    case 'W': add_choice(l, v, whences, ARRAY_SIZE(whences)); break;
    case 'A': add_choice(l, v, arch_codes, ARRAY_SIZE(arch_codes)); break;
    case 'R': add_choice(l, v, rlims, ARRAY_SIZE(rlims)); break;
    case 'C': add_choice(l, v, clocks, ARRAY_SIZE(clocks)); break;
    case 'I': add_choice(l, v, ioctls, ARRAY_SIZE(ioctls)); break;
    case 'D': add_choice(l, v, advices, ARRAY_SIZE(advices)); break;
    case 'E': v ? add_flags(l, v, mremaps, ARRAY_SIZE(mremaps)) : add(l, "0"); break;
    case 'K': add_choice(l, v, fcntls, ARRAY_SIZE(fcntls)); break;
    case 'G': v ? add_flags(l, v, grnds, ARRAY_SIZE(grnds)) : add(l, "0"); break;
    default: add(l, "%#lx", (unsigned long)v);
    }
    // clang-format on
}

static void add_result(struct line *l, const struct syscall_desc *d, int64_t ret)
{
    if (ret < 0 && ret > -4096) {
        for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
            if (errnos[i].err == -ret) {
                add(l, " = -1 %s (%s)", errnos[i].name, errnos[i].text);
                return;
            }
        add(l, " = -1 E%ld", (long)-ret);
    } else if (d && d->ret_kind == 'o') {
        add(l, " = %#lo", (unsigned long)ret);
    } else if (d && d->ret_kind == 'x') {
        add(l, " = %#lx", (unsigned long)ret);
    } else {
        add(l, " = %ld", (long)ret);
    }
}

/* A new line: in a process with threads, which thread's it is, as strace -f says it. */
static void line_start(struct line *l)
{
    l->len = 0;
    if (sched_threaded())
        add(l, "[pid %d] ", cur->tid);
}

static void emit(struct line *l)
{
    l->len = MIN(l->len, sizeof(l->buf) - 2);
    l->buf[l->len++] = '\n';
    hc_trace(l->buf, (uint32_t)l->len);
}

static struct line exec_line; /* an execve's line, made before the call */
static bool exec_line_kept;

void trace_syscall_result(int64_t ret, bool known)
{
    if (!exec_line_kept)
        return;
    exec_line_kept = false;
    known ? add_result(&exec_line, NULL, ret) : add(&exec_line, " = ?");
    emit(&exec_line);
}

void trace_syscall(uint64_t nr, const struct syscall_desc *d, const uint64_t args[6], int64_t ret,
                   bool before)
{
    static struct line l;
    bool keep = before && d && d->ret_kind == 'e';
    struct line *lp = keep ? &exec_line : &l;
    line_start(lp);
    if (!d) {
        add(lp, "syscall_%lu(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)", (unsigned long)nr, (unsigned long)args[0],
            (unsigned long)args[1], (unsigned long)args[2], (unsigned long)args[3], (unsigned long)args[4],
            (unsigned long)args[5]);
    } else {
        add(lp, "%s(", d->name);
        for (int i = 0; d->kinds[i] && i < 6; i++) {
            if (i)
                add(lp, ", ");
            add_arg(lp, d->kinds[i], args, i, ret);
        }
        add(lp, ")");
    }
    if (keep) {
        exec_line_kept = true;
        return;
    }
    if (before)
        add(lp, " = ?");
    else
        add_result(lp, d, ret);
    emit(lp);
}

void trace_signal(const struct linux_siginfo *si)
{
    static struct line l;
    if (!(boot->flags & BVM_BOOT_TRACE_SYSCALLS))
        return;
    int sig = si->si_signo, code = si->si_code;
    const char *cn = code_name(sig, code);
    line_start(&l);
    add(&l, "--- %s {si_signo=%s, si_code=", signal_name(sig), signal_name(sig));
    cn ? add(&l, "%s", cn) : add(&l, "%d", code);
    if (code == LINUX_SI_USER || code == LINUX_SI_TKILL || code == LINUX_SI_QUEUE)
        add(&l, ", si_pid=%d, si_uid=%u", si->u.kill.pid, si->u.kill.uid);
    if (code == LINUX_SI_TIMER)
        add(&l, ", si_timerid=%#x, si_overrun=%d", (unsigned)si->u.timer.tid, si->u.timer.overrun);
    if (code == LINUX_SI_QUEUE || code == LINUX_SI_TIMER)
        add(&l, ", si_int=%d, si_ptr=%#lx", (int)si->u.kill.value, (unsigned long)si->u.kill.value);
    bool fault = sig == LINUX_SIGSEGV || sig == LINUX_SIGBUS || sig == LINUX_SIGILL || sig == LINUX_SIGFPE ||
                 sig == LINUX_SIGTRAP;
    if (code > 0 && fault) /* SI_KERNEL (0x80) too, as strace shows it */
        si->u.fault.addr ? add(&l, ", si_addr=%#lx", (unsigned long)si->u.fault.addr) : add(&l, ", si_addr=NULL");
    add(&l, "} ---");
    emit(&l);
}

void trace_stop(int sig)
{
    if (boot->flags & BVM_BOOT_TRACE_SYSCALLS)
        kprintf("--- stopped by %s ---", signal_name(sig));
}
