/* hcfuzz_window.c: the file window (phase 2): the fuzzer's model of every window page, and directed
 * steps that map the setup's files (FMAP, FUNMAP, FMSYNC in random orders, over each other, and with
 * bad arguments) and aim hostcall outputs and inputs at the pages, each answer checked against the
 * model: a read-only or unbacked page gives -EFAULT and keeps its bytes, a writable one takes them,
 * and a mapped page always shows its file's bytes (one page cache for the window, PREAD and PWRITE). */
#include "fmt.h"
#include "hcfuzz.h"
#include "hostcall.h"
#include "string.h"

#define WIN_PAGES (BVM_FILEWIN_SIZE / 4096)
#define HEAD_PAGES 2048u /* the busy parts: 8 MiB at the window's start ... */
#define TAIL_PAGES 1024u /* ... and 4 MiB at its end (requests across the end) */
#define BUSY_PAGES (HEAD_PAGES + TAIL_PAGES)

static uint8_t wst[WIN_PAGES]; /* enum wstate of every page */
static struct {
    int8_t kf;      /* enum kfile_id, or -1 */
    uint32_t fpage; /* the file page mapped there */
} busy[BUSY_PAGES];
static uint64_t npages;

void win_init(void)
{
    EXPECT(win_size <= BVM_FILEWIN_SIZE && win_size / 4096 >= 2 * BUSY_PAGES, "window size %#lx",
           (unsigned long)win_size);
    npages = win_size / 4096;
    for (uint32_t i = 0; i < BUSY_PAGES; i++)
        busy[i].kf = -1;
}

static int busy_index(uint64_t pg)
{
    if (pg < HEAD_PAGES)
        return (int)pg;
    if (pg >= npages - TAIL_PAGES && pg < npages)
        return (int)(HEAD_PAGES + pg - (npages - TAIL_PAGES));
    return -1;
}

static uint64_t busy_page(uint32_t i) { return i < HEAD_PAGES ? i : npages - TAIL_PAGES + (i - HEAD_PAGES); }
static uint64_t page_gpa(uint64_t pg) { return win_gpa + pg * 4096; }
static uint64_t gpa_page(uint64_t gpa) { return (gpa - win_gpa) / 4096; }

uint64_t win_pick_page(void) { return page_gpa(busy_page((uint32_t)rnd_below(BUSY_PAGES))); }

/* Called only for requests the monitor accepted: page aligned and inside the window. */
void win_note_fmap(uint64_t gpa, uint64_t len, int fd, uint64_t offset, uint32_t prot)
{
    int k = kfile_of(fd);
    for (uint64_t i = 0, pg = gpa_page(gpa); i < len / 4096; i++, pg++) {
        uint64_t off = offset + i * 4096;
        enum wstate st = prot & BVM_FMAP_WRITE ? W_RW : W_RO;
        if (k < 0 || (kfiles[k].size >= 0 && off >= (uint64_t)kfiles[k].size))
            st = W_UNSAFE; /* a file of unknown size, or past the end */
        wst[pg] = (uint8_t)st;
        int b = busy_index(pg);
        if (b >= 0)
            busy[b].kf = (int8_t)k, busy[b].fpage = (uint32_t)(off / 4096);
    }
}

void win_note_funmap(uint64_t gpa, uint64_t len)
{
    for (uint64_t i = 0, pg = gpa_page(gpa); i < len / 4096; i++, pg++)
        wst[pg] = W_NONE;
}

bool win_span_safe(uint64_t gpa, uint64_t len)
{
    if (!len || gpa < win_gpa || gpa - win_gpa >= win_size)
        return true; /* the monitor refuses it */
    /* From the start: a call may use a prefix (getcwd writes what it got), never past an unbacked
     * page, which the monitor refuses; a range past the window's end is refused as a whole. */
    uint64_t last = len - 1 > win_size - (gpa - win_gpa) - 1 ? npages - 1 : gpa_page(gpa + len - 1);
    for (uint64_t pg = gpa_page(gpa); pg <= last; pg++) {
        if (wst[pg] == W_NONE)
            return true;
        if (wst[pg] == W_UNSAFE)
            return false;
    }
    return true;
}

static bool compared(uint64_t pg)
{
    int b = busy_index(pg);
    return b >= 0 && busy[b].kf >= 0 && kfiles[busy[b].kf].compare && (wst[pg] == W_RO || wst[pg] == W_RW);
}

uint64_t win_find(enum wstate st, bool regular_file)
{
    uint32_t start = (uint32_t)rnd_below(BUSY_PAGES);
    for (uint32_t n = 0; n < BUSY_PAGES; n++) {
        uint64_t pg = busy_page((start + n) % BUSY_PAGES);
        if (wst[pg] == st && (!regular_file || compared(pg)))
            return page_gpa(pg);
    }
    for (int n = 0; st == W_NONE && n < 1000; n++) { /* far pages, which random requests seldom map */
        uint64_t pg = rnd_below(npages);
        if (wst[pg] == W_NONE)
            return page_gpa(pg);
    }
    return 0;
}

/* ---- checks of the bytes ---- */

static uint8_t fbuf[8192];

static int64_t pread_k(int k, void *buf, uint64_t len, uint64_t off)
{
    struct bvm_seg seg = {kva_to_gpa(buf), len};
    return hc_io(BVM_HC_PREAD, kfiles[k].fd, &seg, 1, (int64_t)off, 0);
}

/* The window's bytes at [gpa, gpa+len) (one page) are its file's, where the model knows the file. */
static void check_page_bytes(uint64_t gpa, uint64_t len)
{
    uint64_t pg = gpa_page(gpa);
    if (!compared(pg))
        return;
    int k = busy[busy_index(pg)].kf;
    uint64_t off = (uint64_t)busy[busy_index(pg)].fpage * 4096 + gpa % 4096, n;
    const uint8_t *want = fbuf;
    if (k == KF_PASSWD) { /* read-only on the host: compared with the copy taken at setup */
        if (off >= passwd_len)
            return;
        n = MIN(len, passwd_len - off);
        want = passwd_copy + off;
    } else {
        int64_t r = pread_k(k, fbuf, len, off);
        EXPECT(r >= 0, "pread file %d at %#lx: %ld", k, (unsigned long)off, (long)r);
        n = (uint64_t)r;
    }
    const volatile uint8_t *w = gpa_ptr(gpa);
    for (uint64_t i = 0; i < n; i++)
        EXPECT(w[i] == want[i], "window %#lx (file %d offset %#lx) holds %#x, the file %#x",
               (unsigned long)(gpa + i), k, (unsigned long)(off + i), w[i], want[i]);
    stats.window_checks++;
}

static void check_bytes(uint64_t gpa, uint64_t len)
{
    while (len) {
        uint64_t n = MIN(len, 4096 - gpa % 4096);
        check_page_bytes(gpa, n);
        gpa += n, len -= n;
    }
}

/* ---- outputs aimed at the window: each issues one hostcall writing [gpa, gpa+len) ---- */

#define ANY_NONNEG INT64_MIN       /* want: any result >= 0 */
#define LEN (INT64_MIN + 1)        /* want: len */
#define PASSWD_LEN (INT64_MIN + 2) /* want: min(len, the passwd file's size) */
#define NOT_EFAULT (INT64_MIN + 3) /* want: anything but -EFAULT (the host's own answer) */

static struct bvm_seg seg1;

static int64_t io1(uint32_t nr, int fd, uint64_t gpa, uint64_t len, int64_t off, uint32_t flags)
{
    seg1 = (struct bvm_seg){gpa, len};
    return hc_io(nr, fd, &seg1, 1, off, flags);
}

static int64_t o_clock(uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_CLOCK_GETTIME);
    r->u.clock.clock = LINUX_CLOCK_MONOTONIC, r->u.clock.ts_gpa = g;
    return hc_issue();
}
static int64_t o_out(uint32_t nr, uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(nr);
    r->u.out.out_gpa = g, r->u.out.out_len = n;
    return hc_issue();
}
static int64_t o_getcwd(uint64_t g, uint64_t n) { return o_out(BVM_HC_GETCWD, g, n); }
static int64_t o_uname(uint64_t g, uint64_t n) { return o_out(BVM_HC_UNAME, g, n); }
static int64_t o_event(uint64_t g, uint64_t n)
{
    guard_reset(); /* it may take the guard timer's event */
    return o_out(BVM_HC_EVENT, g, n);
}
static int64_t o_fd(uint32_t nr, int fd, uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(nr);
    r->u.fd.fd = fd, r->u.fd.out_gpa = g, r->u.fd.out_len = n;
    return hc_issue();
}
static int64_t o_fstat(uint64_t g, uint64_t n) { return o_fd(BVM_HC_FSTAT, kfiles[KF_PASSWD].fd, g, n); }
static int64_t o_getdents(uint64_t g, uint64_t n) { return o_fd(BVM_HC_GETDENTS64, dot_fd, g, n); }
static int64_t o_pread(uint64_t g, uint64_t n) { return io1(BVM_HC_PREAD, kfiles[KF_PASSWD].fd, g, n, 0, 0); }
static int64_t o_read_zero(uint64_t g, uint64_t n)
{
    return io1(BVM_HC_READ, kfiles[KF_ZERO].fd, g, n, 0, 0);
}
static int64_t o_getrandom(uint64_t g, uint64_t n)
{
    return io1(BVM_HC_GETRANDOM, 0, g, n, 0, LINUX_GRND_NONBLOCK);
}
static int64_t o_at(uint32_t nr, const char *path, const char *path2, uint32_t mode, uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(nr);
    r->u.at.dirfd = r->u.at.dirfd2 = LINUX_AT_FDCWD;
    r->u.at.path_gpa = kva_to_gpa(path), r->u.at.path_len = (uint32_t)strlen(path);
    if (path2)
        r->u.at.path2_gpa = kva_to_gpa(path2), r->u.at.path2_len = (uint32_t)strlen(path2);
    r->u.at.mode = mode, r->u.at.out_gpa = g, r->u.at.out_len = n;
    return hc_issue();
}
static int64_t o_statx(uint64_t g, uint64_t n)
{
    return o_at(BVM_HC_STATX, "/etc/passwd", NULL, 0xfff, g, n);
}
static int64_t o_statfs(uint64_t g, uint64_t n) { return o_at(BVM_HC_STATFS, "/", NULL, 0, g, n); }
static int64_t o_readlink(uint64_t g, uint64_t n) { return o_at(BVM_HC_READLINKAT, lnk_path, NULL, 0, g, n); }
static int64_t o_xattr(uint64_t g, uint64_t n)
{
    return o_at(BVM_HC_XATTR, "/etc/passwd", "user.hcfuzz", BVM_XATTR_GET, g, n);
}
static int64_t o_fstatat(uint64_t g, uint64_t n)
{
    static const char path[] = "/etc/passwd";
    struct bvm_hostcall *r = hc_req(BVM_HC_FSTATAT);
    r->u.path.dirfd = LINUX_AT_FDCWD, r->u.path.path_gpa = kva_to_gpa(path);
    r->u.path.path_len = sizeof(path) - 1, r->u.path.out_gpa = g;
    return hc_issue();
}
static int64_t o_fdop(int fd, uint32_t op, uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_FDOP);
    r->u.fdop.fd = fd, r->u.fdop.op = op, r->u.fdop.out_gpa = g, r->u.fdop.out_len = n;
    return hc_issue();
}
static int64_t o_fstatfs(uint64_t g, uint64_t n)
{
    return o_fdop(kfiles[KF_PASSWD].fd, BVM_FDOP_FSTATFS, g, n);
}
static int64_t o_fionread(uint64_t g, uint64_t n)
{
    return o_fdop(kfiles[KF_PASSWD].fd, BVM_FDOP_FIONREAD, g, n);
}
static int64_t o_timerget(uint64_t g, uint64_t n) { return o_fdop(timer_fd, BVM_FDOP_TIMERFD_GET, g, n); }
static int64_t o_proc(uint32_t op, int32_t arg, uint64_t g)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_PROC);
    r->u.proc.op = op, r->u.proc.arg = arg, r->u.proc.gpa = g;
    return hc_issue();
}
static int64_t o_rusage(uint64_t g, uint64_t n) { return o_proc(BVM_PROC_RUSAGE, 0, g); }
static int64_t o_rlimit(uint64_t g, uint64_t n) { return o_proc(BVM_PROC_RLIMIT, LINUX_RLIMIT_NOFILE, g); }
static int64_t o_fetch(uint64_t g, uint64_t n) { return o_proc(BVM_PROC_VFORK_FETCH, 0, g); }
static int64_t o_cred(uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_CRED);
    r->u.cred.nr = -1, r->u.cred.out_gpa = g;
    return hc_issue();
}
static int64_t o_wait(uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_WAIT);
    r->u.wait.idtype = LINUX_P_ALL, r->u.wait.options = LINUX_WEXITED | LINUX_WNOHANG, r->u.wait.info_gpa = g;
    return hc_issue();
}
static int64_t o_pipe(uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_PIPE2);
    r->u.pipe.fds_gpa = g;
    int64_t ret = hc_issue();
    if (ret == 0) { /* the two fds went to the window page */
        const volatile uint8_t *p = gpa_ptr(g);
        int32_t fds[2];
        for (unsigned i = 0; i < sizeof(fds); i++)
            ((uint8_t *)fds)[i] = p[i];
        EXPECT(hc_close(fds[0]) == 0 && hc_close(fds[1]) == 0, "pipe fds %d %d read back from %#lx", fds[0],
               fds[1], (unsigned long)g);
    }
    return ret;
}
static int64_t o_ioctl(uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_IOCTL);
    r->u.ioctl.fd = null_fd, r->u.ioctl.cmd = LINUX_TCGETS, r->u.ioctl.arg = g, r->u.ioctl.len = (uint32_t)n;
    return hc_issue();
}

struct out_op {
    const char *name;
    uint32_t len_min, len_max;
    int64_t (*issue)(uint64_t gpa, uint64_t len);
    int64_t want; /* the answer on a writable buffer (or ANY_NONNEG, LEN, PASSWD_LEN) */
    int64_t alt;  /* another answer allowed on any buffer (0: none) */
    bool prefix;  /* writes only its answer's length, unchecked beyond: a buffer writable that far will do */
};

static const struct out_op out_ops[] = {
    {"clock_gettime", sizeof(struct linux_timespec), sizeof(struct linux_timespec), o_clock, 0, 0, false},
    {"getcwd", 4096, 4096, o_getcwd, ANY_NONNEG, -LINUX_ENOENT, true}, /* ENOENT: the directory is gone */
    {"uname", sizeof(struct linux_utsname), sizeof(struct linux_utsname), o_uname, 0, 0, false},
    {"event", sizeof(struct bvm_event), sizeof(struct bvm_event), o_event, ANY_NONNEG, 0, false},
    {"fstat", sizeof(struct linux_stat), sizeof(struct linux_stat), o_fstat, 0, 0, false},
    {"getdents64", 512, 4096, o_getdents, ANY_NONNEG, 0, false},
    {"pread", 1, 4096, o_pread, PASSWD_LEN, 0, false},
    {"read", 1, 4096, o_read_zero, LEN, -LINUX_EINTR, false}, /* /dev/zero: a slow fd, the guard cuts it */
    {"getrandom", 1, 256, o_getrandom, LEN, 0, false},
    {"statx", sizeof(struct linux_statx), sizeof(struct linux_statx), o_statx, 0, 0, false},
    {"statfs", sizeof(struct linux_statfs), sizeof(struct linux_statfs), o_statfs, 0, 0, false},
    {"readlinkat", 16, 4096, o_readlink, 11, 0, false},
    {"xattr get", 1, 4096, o_xattr, NOT_EFAULT, 0, false},
    {"fstatat", sizeof(struct linux_stat), sizeof(struct linux_stat), o_fstatat, 0, 0, false},
    {"fstatfs", sizeof(struct linux_statfs), sizeof(struct linux_statfs), o_fstatfs, 0, 0, false},
    {"fionread", 4, 4, o_fionread, 0, 0, false},
    {"timerfd_gettime", sizeof(struct linux_itimerspec), sizeof(struct linux_itimerspec), o_timerget, 0, 0,
     false},
    {"rusage", sizeof(struct linux_rusage), sizeof(struct linux_rusage), o_rusage, 0, 0, false},
    {"rlimit", sizeof(struct linux_rlimit), sizeof(struct linux_rlimit), o_rlimit, 0, 0, false},
    {"vfork_fetch", 4096, 4096, o_fetch, -LINUX_ENOENT, 0, false},
    {"cred", sizeof(struct bvm_cred), sizeof(struct bvm_cred), o_cred, 0, 0, false},
    {"waitid", sizeof(struct linux_siginfo), sizeof(struct linux_siginfo), o_wait, -LINUX_ECHILD, 0, false},
    {"pipe2", 8, 8, o_pipe, 0, 0, false},
    {"ioctl TCGETS", sizeof(struct linux_termios), sizeof(struct linux_termios), o_ioctl, -LINUX_ENOTTY,
     -LINUX_EINTR, false}, /* an ioctl gives way to a pending event */
};

static bool want_ok(int64_t want, int64_t ret, uint64_t len)
{
    switch (want) {
    case ANY_NONNEG: return ret >= 0;
    case LEN: return ret == (int64_t)len;
    case PASSWD_LEN: return ret == (int64_t)MIN(len, (uint64_t)kfiles[KF_PASSWD].size);
    case NOT_EFAULT: return ret != -LINUX_EFAULT;
    default: return ret == want;
    }
}

/* A buffer of len bytes (at most a page) at a random place of a random busy page, maybe across into
 * the next: 0 unless every page it covers is in the same busy part and known (none W_UNSAFE). */
static uint64_t pick_buffer(uint64_t len)
{
    uint64_t g = win_pick_page() + (chance(30) ? 4096 - rnd_below(len) : rnd_below(4096 - len + 1) & ~7ull);
    int first = busy_index(gpa_page(g)), last = busy_index(gpa_page(g + len - 1));
    if (first < 0 || last != first + (int)(gpa_page(g + len - 1) - gpa_page(g)))
        return 0;
    for (uint64_t pg = gpa_page(g); pg <= gpa_page(g + len - 1); pg++)
        if (wst[pg] == W_UNSAFE)
            return 0;
    return g;
}

/* Whether every page of [gpa, gpa+len) is in state a or b. */
static bool all_pages(uint64_t gpa, uint64_t len, enum wstate a, enum wstate b)
{
    for (uint64_t pg = gpa_page(gpa); pg <= gpa_page(gpa + len - 1); pg++)
        if (wst[pg] != a && wst[pg] != b)
            return false;
    return true;
}

static void d_out(void)
{
    const struct out_op *op = &RND_OF(out_ops);
    uint64_t len = op->len_min + rnd_below(op->len_max - op->len_min + 1), g = pick_buffer(len);
    if (!g)
        return;
    bool writable = all_pages(g, len, W_RW, W_RW);
    int64_t ret = op->issue(g, len);
    if (writable || (op->prefix && ret > 0 && all_pages(g, (uint64_t)ret, W_RW, W_RW)))
        EXPECT(want_ok(op->want, ret, len) || (op->alt && ret == op->alt),
               "%s into writable window %#lx+%lu: %ld", op->name, (unsigned long)g, (unsigned long)len,
               (long)ret);
    else
        EXPECT(ret == -LINUX_EFAULT || (op->alt && ret == op->alt),
               "%s into a window buffer not all writable %#lx+%lu: %ld, expected -EFAULT", op->name,
               (unsigned long)g, (unsigned long)len, (long)ret);
    if (writable && op->issue == o_clock) {
        const volatile uint8_t *p = gpa_ptr(g);
        struct linux_timespec ts;
        for (unsigned i = 0; i < sizeof(ts); i++)
            ((uint8_t *)&ts)[i] = p[i];
        EXPECT(ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000,
               "clock_gettime wrote %ld.%ld at %#lx", (long)ts.tv_sec, (long)ts.tv_nsec, (unsigned long)g);
    }
    check_bytes(g, len);
}

/* ---- inputs taken from the window: each issues one hostcall reading [gpa, gpa+len) ---- */

static int64_t i_write(uint64_t g, uint64_t n) { return io1(BVM_HC_WRITE, null_fd, g, n, 0, 0); }
static int64_t i_pwrite(uint64_t g, uint64_t n)
{
    /* into the last MiB of the 4 MiB file: its size stays */
    return io1(BVM_HC_PWRITE, kfiles[KF_SCRATCH].fd, g, n, (int64_t)((3u << 20) + rnd_below((1u << 20) - n)),
               0);
}
static int64_t i_memfd(uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_NEWFD);
    r->u.newfd.kind = BVM_NEWFD_MEMFD, r->u.newfd.name_gpa = g, r->u.newfd.name_len = (uint32_t)n;
    int64_t fd = hc_issue();
    if (fd >= 0)
        hc_close((int)fd);
    return fd;
}
static int64_t i_open(uint64_t g, uint64_t n)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_OPENAT);
    r->u.path.dirfd = LINUX_AT_FDCWD, r->u.path.path_gpa = g, r->u.path.path_len = (uint32_t)n;
    r->u.path.flags = LINUX_O_RDONLY | LINUX_O_NONBLOCK;
    int64_t fd = hc_issue();
    if (fd >= 0)
        hc_close((int)fd);
    return fd;
}
static int64_t i_setgroups(uint64_t g, uint64_t n)
{
    static struct bvm_cred out;
    struct bvm_hostcall *r = hc_req(BVM_HC_CRED);
    r->u.cred.nr = 116, r->u.cred.args[0] = n / 4, r->u.cred.args[1] = g,
    r->u.cred.out_gpa = kva_to_gpa(&out);
    return hc_issue();
}

static const struct out_op in_ops[] = {
    {"write", 4, 4096, i_write, LEN, -LINUX_EINTR, false}, /* /dev/null: a slow fd */
    {"pwrite", 4, 4096, i_pwrite, LEN, 0, false},
    {"memfd_create name", 4, 248, i_memfd, ANY_NONNEG, 0, false},
    {"openat path", 4, 252, i_open, NOT_EFAULT, 0, false},
    {"setgroups list", 4, 4096, i_setgroups, NOT_EFAULT, 0, false},
};

static void d_in(void)
{
    const struct out_op *op = &RND_OF(in_ops);
    uint64_t len = (op->len_min + rnd_below(op->len_max - op->len_min + 1)) & ~3ull, g = pick_buffer(len);
    if (!g)
        return;
    bool readable = all_pages(g, len, W_RO, W_RW);
    int64_t ret = op->issue(g, len);
    if (readable)
        EXPECT(want_ok(op->want, ret, len) || (op->alt && ret == op->alt), "%s from window %#lx+%lu: %ld",
               op->name, (unsigned long)g, (unsigned long)len, (long)ret);
    else
        EXPECT(ret == -LINUX_EFAULT || (op->alt && ret == op->alt),
               "%s from a window buffer not all mapped %#lx+%lu: %ld, expected -EFAULT", op->name,
               (unsigned long)g, (unsigned long)len, (long)ret);
    check_bytes(g, len);
}

/* ---- mapping ---- */

static int64_t fmap_req(uint32_t nr, int fd, uint32_t prot, uint64_t off, uint64_t gpa, uint64_t len)
{
    struct bvm_hostcall *r = hc_req(nr);
    r->u.fmap = (struct bvm_hc_fmap){fd, prot, off, gpa, len};
    return hc_issue();
}

/* A run of pages from a random busy page: a few, or to the end of its 2 MiB chunk (the kernel's
 * unit), never past its busy part. */
static void pick_run(uint64_t *pg, uint64_t *n)
{
    static const uint64_t wants[] = {1, 2, 3, 16, 512};
    uint32_t i = (uint32_t)rnd_below(BUSY_PAGES);
    uint64_t p = busy_page(i), end = i < HEAD_PAGES ? HEAD_PAGES : npages;
    uint64_t want = chance(30) ? 512 - p % 512 : RND_OF(wants);
    *pg = p, *n = MIN(want, end - p);
}

static void d_map(void)
{
    int k = (int)rnd_below(KF_COUNT);
    const struct kfile *f = &kfiles[k];
    uint64_t pg, n;
    pick_run(&pg, &n);
    uint32_t prot = BVM_FMAP_READ | (chance(50) ? BVM_FMAP_WRITE : 0);
    uint64_t fpages = f->size < 0 ? 1u << 18 : ((uint64_t)f->size + 4095) / 4096;
    uint64_t off = 4096 * (chance(90) ? rnd_below(fpages > n ? fpages - n + 1 : 1) : fpages + rnd_below(4));
    int64_t want = (prot & BVM_FMAP_WRITE) && !f->writable ? -LINUX_EACCES : (int64_t)page_gpa(pg);
    int64_t ret = fmap_req(BVM_HC_FMAP, f->fd, prot, off, page_gpa(pg), n * 4096);
    EXPECT(ret == want, "FMAP file %d prot %u offset %#lx at %#lx+%#lx: %ld, expected %ld", k, prot,
           (unsigned long)off, (unsigned long)page_gpa(pg), (unsigned long)(n * 4096), (long)ret, (long)want);
    if (ret >= 0) {
        win_note_fmap(page_gpa(pg), n * 4096, f->fd, off, prot);
        stats.fmaps++;
    }
    check_bytes(page_gpa(pg + rnd_below(n)), 4096); /* mapped: the file's bytes; refused: as before */
}

static void d_unmap(void)
{
    uint64_t pg, n;
    pick_run(&pg, &n);
    int64_t ret = fmap_req(BVM_HC_FUNMAP, -1, 0, 0, page_gpa(pg), n * 4096);
    EXPECT(ret == 0, "FUNMAP %#lx+%#lx: %ld", (unsigned long)page_gpa(pg), (unsigned long)(n * 4096),
           (long)ret);
    win_note_funmap(page_gpa(pg), n * 4096);
    uint64_t g = page_gpa(pg + rnd_below(n));
    ret = o_clock(g, 16);
    EXPECT(ret == -LINUX_EFAULT, "clock_gettime into the page just unmapped %#lx: %ld", (unsigned long)g,
           (long)ret);
}

static void d_sync(void)
{
    uint64_t pg, n;
    pick_run(&pg, &n);
    bool any_none = false, any_unsafe = false;
    for (uint64_t i = 0; i < n; i++)
        any_none |= wst[pg + i] == W_NONE, any_unsafe |= wst[pg + i] == W_UNSAFE;
    int64_t ret = fmap_req(BVM_HC_FMSYNC, -1, 0, 0, page_gpa(pg), n * 4096);
    if (any_none || !any_unsafe)
        EXPECT(ret == (any_none ? -LINUX_EINVAL : 0), "FMSYNC %#lx+%#lx: %ld", (unsigned long)page_gpa(pg),
               (unsigned long)(n * 4096), (long)ret);
}

/* The kernel's own loads and stores through the physmap: a mapped page is its file's page. */
static void d_read(void)
{
    uint64_t g = win_find(chance(50) ? W_RO : W_RW, true);
    if (g)
        check_bytes(g, 4096);
}

static void d_write(void)
{
    uint64_t g = win_find(W_RW, true);
    if (!g)
        return;
    g += rnd_below(4096 - 16);
    uint8_t bytes[16];
    volatile uint8_t *p = gpa_ptr(g);
    for (unsigned i = 0; i < sizeof(bytes); i++)
        p[i] = bytes[i] = (uint8_t)rnd();
    int b = busy_index(gpa_page(g));
    uint64_t off = (uint64_t)busy[b].fpage * 4096 + g % 4096;
    int64_t r = pread_k(busy[b].kf, fbuf, sizeof(bytes), off);
    EXPECT(r == sizeof(bytes) && memcmp(fbuf, bytes, sizeof(bytes)) == 0,
           "kernel store at window %#lx not in file %d at %#lx (pread %ld)", (unsigned long)g, busy[b].kf,
           (unsigned long)off, (long)r);
    stats.window_checks++;
}

/* Requests the monitor must refuse with the given error, changing nothing. */
static void d_bad(void)
{
    uint64_t p = win_pick_page(), w_end = win_gpa + win_size, len = 4096, off = 0, gpa = p;
    int fd = kfiles[KF_PASSWD].fd;
    uint32_t nr = BVM_HC_FMAP, prot = BVM_FMAP_READ;
    int64_t err = -LINUX_EINVAL;
    uint64_t v = rnd_below(26);
    switch (v) {
    case 0: gpa = p + 8; break;
    case 1: len = 0; break;
    case 2: len = 4095; break;
    case 3: gpa = win_gpa - 4096, len = 8192; break;
    case 4: gpa = w_end - 4096, len = 8192; break;
    case 5: gpa = w_end; break;
    case 6: gpa = ~0ull & ~4095ull, len = 8192; break; /* gpa + len wraps */
    case 7: len = 0 - 4096ull; break;
    case 8: off = 1; break;
    case 9: gpa = win_gpa, off = 0x7ffffffffffff000ull, len = 8192, err = -LINUX_EOVERFLOW; break;
    case 10: off = 1ull << 63, err = -LINUX_EOVERFLOW; break;
    case 11: fd = -1, err = -LINUX_EBADF; break;
    case 12: fd = 1 << 20, err = -LINUX_EBADF; break;
    case 13: prot = 0; break;
    case 14: prot = BVM_FMAP_WRITE; break;
    case 15: prot = BVM_FMAP_READ | 4; break;
    case 16: fd = dot_fd, err = -LINUX_ENODEV; break;
    case 17: fd = pipe_fd[0], err = -LINUX_ENODEV; break;
    case 18: fd = timer_fd, err = -LINUX_ENODEV; break;
    case 19: fd = null_fd, err = -LINUX_ENODEV; break;
    case 20: gpa = arena_gpa; break;
    case 21: nr = BVM_HC_FUNMAP, gpa = p + 8; break;
    case 22: nr = BVM_HC_FUNMAP, len = 0; break;
    case 23: nr = BVM_HC_FUNMAP, gpa = arena_gpa; break;
    case 24: nr = BVM_HC_FUNMAP, gpa = w_end - 4096, len = 8192; break;
    default: nr = BVM_HC_FMSYNC, gpa = arena_gpa; break;
    }
    int64_t ret = fmap_req(nr, fd, prot, off, gpa, len);
    EXPECT(ret == err,
           "bad request %lu (hostcall %u fd %d prot %u offset %#lx at %#lx+%#lx): %ld, expected %ld",
           (unsigned long)v, nr, fd, prot, (unsigned long)off, (unsigned long)gpa, (unsigned long)len,
           (long)ret, (long)err);
    stats.bad_fmaps++;
    check_bytes(p, 4096);
    check_bytes(w_end - 4096, 4096);
}

void win_step(void)
{
    uint64_t d = rnd_below(100);
    if (d < 20)
        d_map();
    else if (d < 28)
        d_unmap();
    else if (d < 32)
        d_sync();
    else if (d < 64)
        d_out();
    else if (d < 76)
        d_in();
    else if (d < 84)
        d_read();
    else if (d < 92)
        d_write();
    else
        d_bad();
}
