/* hcfuzz_gen.c: random hostcalls (phase 1): a random number (invalid ones too), the request filled
 * with random bytes, then mostly with plausible values: addresses in RAM, at and across its ends, in
 * the file window, huge and wrapping; lengths 0, 1, a page, the limits and past them; host fds. */
#include "hcfuzz.h"
#include "hostcall.h"
#include "string.h"

/* Left out: EXIT ends the run, FORK makes processes, KILL and STOP act on processes, FUTEX waits
 * on shared memory the fuzzer has none of. Everything else may come. */
#define fill_exit NULL
#define fill_fork NULL
#define fill_kill NULL
#define fill_stop NULL
#define fill_futex NULL

/* Input staging, above where random outputs land (hcfuzz.h). */
enum { ST_SEGS = 0, ST_PATH1 = 8192, ST_PATH2 = 16384, ST_POLL = 24576, ST_TEXT = 40960, ST_NAME = 45056,
       ST_TIMES = 49152, ST_SOCK = 53248 };
static uint64_t stage_gpa(uint64_t off) { return arena_gpa + STAGE_OFF + off; }
static uint8_t *stage(uint64_t off) { return P2V(stage_gpa(off)); }

/* ---- values ---- */

static const uint64_t lens[] = {0, 1, 7, 8, 16, 32, 144, 4095, 4096, 4097, 8192, 65536, 65537, BVM_HC_MAX_IO,
                                BVM_HC_MAX_IO + 1, 1ull << 32, 1ull << 63, ~0ull, ~0ull - 4095};

static uint64_t pick_len(void)
{
    if (chance(25))
        return rnd_below(8193);
    return chance(5) ? rnd() : RND_OF(lens);
}

static uint64_t arena_addr(void)
{
    return arena_gpa + (chance(85) ? rnd_below(ARENA_OUT) & ~7ull : rnd_below(ARENA_OUT));
}

/* An address for a buffer of len bytes. RAM picks stay where only the fuzzer's data lies (its arena,
 * the unused last MiB of each RAM range, the bootstrap page); window picks keep clear of pages that
 * may lie past their file's end. */
static uint64_t pick_gpa(uint64_t len)
{
    static const uint64_t huge[] = {1ull << 63, ~0ull, ~0ull - 7, 1ull << 47, BVM_PHYSMAP_BASE, 1ull << 52,
                                    0xc0000000ull, 0x100000000ull - 8};
    static const uint64_t ks[] = {0, 1, 8, 16, 4096, 8192};
    uint64_t g, k, w_end = win_gpa + win_size;
    switch (rnd_below(20)) {
    case 6: /* at the end of a RAM range: inside, or across it */
        k = chance(30) && len <= (1u << 20) ? len : RND_OF(ks);
        g = ram_end[rnd_below((uint64_t)nr_ram_ends)] - k;
        break;
    case 7: g = ram_end[rnd_below((uint64_t)nr_ram_ends)] + 4096 * rnd_below(3); break; /* past RAM */
    case 8: case 9: case 10: case 11: g = win_pick_page() + (chance(70) ? 0 : rnd_below(4096) & ~7ull); break;
    case 12: g = win_gpa + 4096 * rnd_below(win_size / 4096); break; /* far in the window */
    case 13: g = w_end - (chance(50) && len <= (1u << 20) ? len : RND_OF(ks)); break;
    case 14: g = win_gpa - RND_OF(ks); break;
    case 15: g = chance(80) ? RND_OF(huge) : rnd(); break;
    case 16: g = 0 - (len > 1 ? len / 2 : 8); break; /* gpa + len wraps */
    case 17: g = len <= 4096 ? rnd_below(4096 - len + 1) : arena_addr(); break; /* the dead bootstrap page */
    default: g = arena_addr();
    }
    return win_span_safe(g, len) ? g : arena_addr();
}

/* Host fds: small ones, bad ones, the setup's, and those random requests created. */
static int32_t recent[16];
static uint32_t nrecent;

static void recent_add(int64_t fd)
{
    if (fd >= 0 && fd < BVM_HOST_FD_MAX)
        recent[nrecent++ % ARRAY_SIZE(recent)] = (int32_t)fd;
}

static int32_t setup_fd(void)
{
    int32_t fds[] = {kfiles[KF_PASSWD].fd, kfiles[KF_SCRATCH].fd, kfiles[KF_SCRATCH_RO].fd,
                     kfiles[KF_MEMFD].fd,  kfiles[KF_ZERO].fd,    null_fd,
                     dot_fd,               timer_fd,              pipe_fd[0],
                     pipe_fd[1]};
    return RND_OF(fds);
}

static bool is_setup_fd(int32_t fd)
{
    return kfile_of(fd) >= 0 || fd == null_fd || fd == dot_fd || fd == timer_fd || fd == pipe_fd[0] ||
           fd == pipe_fd[1];
}

static int32_t pick_fd(void)
{
    static const int32_t bad[] = {-1, -100, INT32_MIN, INT32_MAX, 65535, 65536, 1 << 20, 99};
    switch (rnd_below(10)) {
    case 0: case 1: case 2: return (int32_t)rnd_below(11);
    case 3: case 4: return RND_OF(bad);
    case 5: case 6: case 7:
        if (nrecent)
            return recent[rnd_below(MIN(nrecent, ARRAY_SIZE(recent)))];
        return setup_fd();
    default: return setup_fd();
    }
}

/* A dirfd: AT_FDCWD, the scratch directory, any fd, or any fd by its link or as itself (the
 * kernel's names for descriptors, BVM_DIRFD_*; both bits at once are refused). */
static int32_t pick_dirfd(void)
{
    if (chance(10))
        return pick_fd() | (chance(45) ? BVM_DIRFD_LINK : chance(80) ? BVM_DIRFD_SELF : BVM_DIRFD_FLAGS);
    return chance(40) ? LINUX_AT_FDCWD : chance(30) ? dot_fd : pick_fd();
}

/* Paths: names in the scratch directory, read-only system files and devices, the monitor's own /proc
 * and descriptors (refused: its fd 3 is no guest's), random bytes that cannot leave the directory (no
 * '/', never ".."), and too long. Never a name of the setup's files, which must keep their size. */
static const char *const names[] = {"a", "b", "dir", "dir/a", "lnk", "", ".", "a/", "dir/", "nonexistent/x"};
static const char *const sys_paths[] = {
    "/", "/etc", "/etc/passwd", "/etc/passwd/x", "/dev/null", "/dev/zero", "/proc/self/status",
    "/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/3", "/proc/self/maps", "/proc/self/mem",
    "/proc/self/environ", "/proc/self/cwd", "/proc/self/exe", "/nonexistent/x"};

static void pick_path(uint64_t off, uint64_t *gpa, uint32_t *len)
{
    char *p = (char *)stage(off);
    uint64_t n;
    uint32_t kind = (uint32_t)rnd_below(20);
    if (kind < 14) {
        const char *name = kind < 9 ? RND_OF(names) : RND_OF(sys_paths);
        n = strlen(name);
        memcpy(p, name, n + 1);
    } else if (kind < 17) { /* random bytes */
        n = 1 + rnd_below(32);
        for (uint64_t i = 0; i < n; i++) {
            p[i] = (char)rnd();
            p[i] = p[i] == '/' ? '_' : p[i];
        }
        if (p[0] == '.' && p[1] == '.')
            p[0] = '_';
        p[n] = 0;
    } else if (kind < 19) { /* too long: a 4095-byte path, or 4096 bytes the monitor refuses */
        n = chance(50) ? 4095 : 4096;
        memset(p, 'a', n);
        p[n] = 0;
    } else {
        n = pick_len() & 0x1fff;
        *gpa = pick_gpa(n);
        *len = (uint32_t)(chance(80) ? n : rnd());
        return;
    }
    *gpa = stage_gpa(off);
    switch (rnd_below(8)) {
    case 0: *len = (uint32_t)n + 1; break; /* the NUL too: the text ends there */
    case 1: *len = (uint32_t)n + 5; break; /* and what follows */
    case 2: *len = n ? (uint32_t)n - 1 : 0; break;
    default: *len = (uint32_t)n;
    }
}

static uint32_t pick_flags(const uint32_t *plausible, size_t n)
{
    return chance(85) ? plausible[rnd_below(n)] : (uint32_t)rnd();
}
#define PICK_FLAGS(a) pick_flags((a), ARRAY_SIZE(a))

/* ---- one filler per request struct (the req column of BVM_HOSTCALLS) ---- */

/* An address where no len bytes can be read (len > 0): across or past the end of RAM or of the
 * window, below the window, an unbacked window page, huge. For a list of addresses the monitor will
 * write to: anywhere readable, earlier outputs (a stat, a time) could name the kernel's own memory. */
static uint64_t pick_unreadable(uint64_t len)
{
    static const uint64_t huge[] = {1ull << 63, ~0ull - 7, 1ull << 47, BVM_PHYSMAP_BASE};
    uint64_t half = len / 2 & ~7ull, g;
    switch (rnd_below(6)) {
    case 0: return ram_end[rnd_below((uint64_t)nr_ram_ends)] - half;
    case 1: return ram_end[rnd_below((uint64_t)nr_ram_ends)] + 4096 * rnd_below(3);
    case 2: return win_gpa + win_size - half;
    case 3: return win_gpa - 4096;
    case 4: return (g = win_find(W_NONE, false)) ? g : RND_OF(huge);
    default: return RND_OF(huge);
    }
}

/* READ, PREAD, GETRANDOM (fill) write where the list says: it is staged, or unreadable as a whole. */
static void fill_segs(struct bvm_hc_io *a, bool fill)
{
    static const uint32_t nsegs[] = {0, 1, 1, 1, 2, 3, 8, 256, 257, 0xffffffffu};
    a->nsegs = chance(90) ? RND_OF(nsegs) : (uint32_t)rnd();
    if (chance(15)) {
        uint64_t len = (uint64_t)a->nsegs * sizeof(struct bvm_seg);
        a->segs_gpa = fill ? pick_unreadable(len) : pick_gpa(len);
        return;
    }
    struct bvm_seg *s = (struct bvm_seg *)stage(ST_SEGS);
    for (uint32_t i = 0; i < a->nsegs && i < BVM_HC_MAX_SEGS; i++) {
        s[i].len = chance(60) ? rnd_below(4097) : pick_len();
        s[i].gpa = pick_gpa(s[i].len);
    }
    a->segs_gpa = stage_gpa(ST_SEGS);
}

static void fill_io(struct bvm_hostcall *r)
{
    static const uint32_t flags[] = {0, 0, BVM_IO_BAD_BUFFER, LINUX_GRND_NONBLOCK, LINUX_GRND_RANDOM,
                                     LINUX_GRND_INSECURE};
    static const int64_t offs[] = {0, 4096, -1, 1ll << 62, 3 << 20};
    struct bvm_hc_io *a = &r->u.io;
    a->fd = pick_fd();
    fill_segs(a, r->nr == BVM_HC_READ || r->nr == BVM_HC_PREAD || r->nr == BVM_HC_GETRANDOM);
    a->offset = chance(80) ? RND_OF(offs) : (int64_t)rnd();
    a->flags = PICK_FLAGS(flags);
}

/* OPENAT, FSTATAT, UNLINKAT */
static void fill_path(struct bvm_hostcall *r)
{
    static const uint32_t open_flags[] = {
        LINUX_O_RDONLY, LINUX_O_RDWR, LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_TRUNC,
        LINUX_O_RDWR | LINUX_O_CREAT | LINUX_O_EXCL, LINUX_O_RDONLY | LINUX_O_DIRECTORY, LINUX_O_PATH,
        LINUX_O_PATH | LINUX_O_NOFOLLOW, 020200000 | LINUX_O_RDWR /* O_TMPFILE */,
        LINUX_O_WRONLY | LINUX_O_APPEND | LINUX_O_CREAT, LINUX_O_RDONLY | LINUX_O_NONBLOCK};
    static const uint32_t at_flags[] = {0, LINUX_AT_SYMLINK_NOFOLLOW, LINUX_AT_EMPTY_PATH,
                                        LINUX_AT_REMOVEDIR};
    static const uint32_t modes[] = {0644, 0, 07777, 0600};
    struct bvm_hc_path *a = &r->u.path;
    a->dirfd = pick_dirfd();
    pick_path(ST_PATH1, &a->path_gpa, &a->path_len);
    a->flags = (int32_t)(r->nr == BVM_HC_OPENAT ? PICK_FLAGS(open_flags) : PICK_FLAGS(at_flags));
    a->mode = PICK_FLAGS(modes);
    a->out_gpa = pick_gpa(sizeof(struct linux_stat));
}

static uint64_t pick_out_len(uint64_t exact)
{
    static const uint64_t more[] = {0, 1, 4096, 65536, 65537};
    return chance(50) ? exact : chance(60) ? RND_OF(more) : pick_len();
}

static void fill_fd(struct bvm_hostcall *r)
{
    struct bvm_hc_fd *a = &r->u.fd;
    a->fd = pick_fd();
    a->out_len = pick_out_len(chance(50) ? sizeof(struct linux_stat) : 4096);
    a->out_gpa = pick_gpa(a->out_len);
}

static void fill_out(struct bvm_hostcall *r)
{
    static const uint64_t exact[] = {sizeof(struct linux_utsname), sizeof(struct bvm_event), 256, 4096};
    r->u.out.out_len = pick_out_len(RND_OF(exact));
    r->u.out.out_gpa = pick_gpa(r->u.out.out_len);
}

static void fill_lseek(struct bvm_hostcall *r)
{
    static const int64_t offs[] = {0, 1ll << 40, -1, 4096, INT64_MAX};
    r->u.lseek.fd = pick_fd();
    r->u.lseek.whence = chance(80) ? (uint32_t)rnd_below(5) : (uint32_t)rnd();
    r->u.lseek.offset = chance(80) ? RND_OF(offs) : (int64_t)rnd();
}

static void fill_clock(struct bvm_hostcall *r)
{
    int32_t fd = pick_fd();
    switch (rnd_below(5)) {
    case 0: r->u.clock.clock = (int32_t)(~(uint32_t)fd << 3 | 3); break; /* a clock by fd */
    case 1: r->u.clock.clock = (int32_t)(~(uint32_t)boot->pid << 3 | 2); break; /* a process's CPU clock */
    case 2: r->u.clock.clock = (int32_t)rnd(); break;
    default: r->u.clock.clock = (int32_t)rnd_below(13) - 1;
    }
    r->u.clock.ts_gpa = pick_gpa(sizeof(struct linux_timespec));
}

/* Trace text is printed under --verbose: mostly lines of text, sometimes a bad buffer. */
static void fill_trace(struct bvm_hostcall *r)
{
    static const char line[] = "hcfuzz trace text\n";
    static const uint32_t lens_[] = {0, 1, 19, 1024, 1025};
    char *t = (char *)stage(ST_TEXT);
    for (uint32_t i = 0; i < BVM_HC_MAX_TRACE; i++)
        t[i] = line[i % (sizeof(line) - 1)];
    r->u.trace.text_len = chance(85) ? RND_OF(lens_) : (uint32_t)rnd();
    r->u.trace.text_gpa = chance(70) ? stage_gpa(ST_TEXT) : pick_gpa(r->u.trace.text_len);
    if (r->u.trace.text_gpa >= arena_gpa && r->u.trace.text_gpa < arena_gpa + ARENA_SIZE)
        r->u.trace.text_gpa = stage_gpa(ST_TEXT);
}

/* The flags each *at call takes (others are -EINVAL): most requests keep to them. */
#define AT_NOFOLLOW_EMPTY (LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH)
static const uint32_t at_valid[BVM_HC_COUNT] = {
    [BVM_HC_RENAMEAT2] = 7, /* RENAME_NOREPLACE, _EXCHANGE, _WHITEOUT */
    [BVM_HC_LINKAT] = LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH,
    [BVM_HC_READLINKAT] = LINUX_AT_EMPTY_PATH,
    [BVM_HC_FCHOWNAT] = AT_NOFOLLOW_EMPTY,
    [BVM_HC_UTIMENSAT] = AT_NOFOLLOW_EMPTY,
    [BVM_HC_FACCESSAT] = AT_NOFOLLOW_EMPTY | LINUX_AT_EACCESS,
    [BVM_HC_STATX] = AT_NOFOLLOW_EMPTY | 0x2000 /* AT_STATX_FORCE_SYNC */,
    [BVM_HC_XATTR] = AT_NOFOLLOW_EMPTY,
};

static void fill_at(struct bvm_hostcall *r)
{
    static const uint32_t at_flags[] = {0, 0, LINUX_AT_SYMLINK_NOFOLLOW, LINUX_AT_EMPTY_PATH,
                                        LINUX_AT_SYMLINK_FOLLOW, 0x200, 1 /* RENAME_NOREPLACE */,
                                        2 /* RENAME_EXCHANGE */, 4, 0x2000, 0x4000};
    static const uint32_t modes[] = {0755, 0, 07777, 4, 7, 0xfff, 0, 1, 2, 3, 4};
    static const int64_t lengths[] = {0, 4096, 1 << 20, -1, 1ll << 62, 1, 2};
    static const uint64_t exact[] = {32, sizeof(struct linux_statfs), sizeof(struct linux_statx), 4096,
                                     65536};
    struct bvm_hc_at *a = &r->u.at;
    a->dirfd = pick_dirfd();
    a->dirfd2 = pick_dirfd();
    pick_path(ST_PATH1, &a->path_gpa, &a->path_len);
    if (chance(10))
        a->path_gpa = 0, a->path_len = 0; /* UTIMENSAT on dirfd itself */
    pick_path(ST_PATH2, &a->path2_gpa, &a->path2_len);
    a->flags = (int32_t)(PICK_FLAGS(at_flags) & (chance(70) ? at_valid[r->nr] : ~0u));
    if (r->nr == BVM_HC_TRUNCATE && chance(70))
        a->dirfd = LINUX_AT_FDCWD; /* the only one it takes */
    a->mode = PICK_FLAGS(modes);
    if (chance(80))
        a->length = RND_OF(lengths);
    a->out_len = pick_out_len(RND_OF(exact));
    a->out_gpa = chance(10) ? 0 : pick_gpa(a->out_len);
    if (r->nr == BVM_HC_UTIMENSAT && chance(50)) { /* times that make sense: now, omitted, a date */
        static const int64_t nsecs[] = {(1 << 30) - 1 /* UTIME_NOW */, (1 << 30) - 2 /* UTIME_OMIT */, 0,
                                        999999999};
        struct linux_timespec *t = (struct linux_timespec *)stage(ST_TIMES);
        for (int i = 0; i < 2; i++)
            t[i] = (struct linux_timespec){(int64_t)rnd_below(1ull << 32), RND_OF(nsecs)};
        a->out_gpa = chance(20) ? 0 : stage_gpa(ST_TIMES), a->out_len = 2 * sizeof(*t);
    }
}

static void fill_fdop(struct bvm_hostcall *r)
{
    static const int64_t lengths[] = {0, 4096, 1 << 20, -1, 1ll << 40};
    static const uint32_t locks[] = {5, 6, 7, 36, 37, 38, 1, 2, 8, 1 | 4, 2 | 4};
    static const uint32_t alloc_modes[] = {0, 1, 3, 8, 0x10, 0x20};
    static const uint64_t exact[] = {sizeof(struct linux_statfs), sizeof(struct linux_flock), 4,
                                     2 * sizeof(struct linux_itimerspec), sizeof(struct linux_itimerspec)};
    struct bvm_hc_fdop *a = &r->u.fdop;
    a->fd = pick_fd();
    a->op = chance(90) ? (uint32_t)rnd_below(BVM_FDOP_COUNT + 1) : (uint32_t)rnd();
    switch (a->op) {
    case BVM_FDOP_FTRUNCATE: a->arg.length = chance(80) ? RND_OF(lengths) : (int64_t)rnd(); break;
    case BVM_FDOP_RECLOCK: case BVM_FDOP_FLOCK: a->arg.lock_cmd = (int32_t)PICK_FLAGS(locks); break;
    case BVM_FDOP_FALLOCATE: /* small or refused: the host's file-size limit keeps the disk safe */
        a->arg.alloc.mode = (int32_t)PICK_FLAGS(alloc_modes);
        a->arg.alloc.offset = chance(80) ? (int64_t)(4096 * rnd_below(16)) : (int64_t)rnd();
        a->arg.alloc.len = chance(80) ? (int64_t)(4096 * rnd_below(17)) : RND_OF(lengths);
        break;
    default: break; /* the union's random bytes */
    }
    a->out_len = pick_out_len(RND_OF(exact));
    a->out_gpa = pick_gpa(a->out_len);
}

static void fill_pipe(struct bvm_hostcall *r)
{
    static const uint32_t flags[] = {0, LINUX_O_NONBLOCK, LINUX_O_DIRECT};
    static const uint32_t types[] = {0, 0, LINUX_SOCK_STREAM, LINUX_SOCK_DGRAM, LINUX_SOCK_SEQPACKET, 3};
    r->u.pipe.flags = PICK_FLAGS(flags);
    r->u.pipe.sock_type = PICK_FLAGS(types);
    r->u.pipe.fds_gpa = pick_gpa(8);
}

static void fill_ioctl(struct bvm_hostcall *r)
{
    static const uint32_t cmds[] = {LINUX_TCGETS,     LINUX_TCSETS,    LINUX_TCSETSW,    LINUX_TCSETSF,
                                    LINUX_TCSBRK,     LINUX_TCXONC,    LINUX_TCFLSH,     LINUX_TIOCSCTTY,
                                    LINUX_TIOCGPGRP,  LINUX_TIOCSPGRP, LINUX_TIOCOUTQ,   LINUX_TIOCGWINSZ,
                                    LINUX_TIOCSWINSZ, LINUX_FIONREAD,  LINUX_TIOCNOTTY,  LINUX_TIOCGSID,
                                    LINUX_TIOCGPTN,   LINUX_TIOCSPTLCK, LINUX_FIONBIO,   LINUX_FIOCLEX};
    struct bvm_hc_ioctl *a = &r->u.ioctl;
    uint32_t size;
    a->fd = pick_fd();
    a->cmd = PICK_FLAGS(cmds);
    enum linux_ioctl_arg kind = linux_ioctl_arg(a->cmd, &size);
    a->len = chance(70) ? size : (uint32_t)pick_len();
    if (kind != LINUX_IOCTL_VALUE || chance(20))
        a->arg = pick_gpa(a->len);
    a->flags = (uint32_t)rnd_below(3);
}

static void fill_poll(struct bvm_hostcall *r)
{
    static const uint32_t ns[] = {0, 1, 2, 8, BVM_HC_MAX_POLL, BVM_HC_MAX_POLL + 1};
    static const int32_t timeouts[] = {0, 1, 5, -1};
    struct bvm_hc_poll *a = &r->u.poll;
    a->nfds = chance(90) ? RND_OF(ns) : (uint32_t)rnd();
    a->timeout_ms = chance(90) ? RND_OF(timeouts) : (int32_t)rnd(); /* waits end at the guard timer */
    if (chance(20)) {
        a->fds_gpa = pick_gpa((uint64_t)a->nfds * sizeof(struct linux_pollfd));
        return;
    }
    struct linux_pollfd *p = (struct linux_pollfd *)stage(ST_POLL);
    for (uint32_t i = 0; i < a->nfds && i < BVM_HC_MAX_POLL; i++) {
        p[i].fd = pick_fd();
        p[i].events = (int16_t)(chance(70) ? LINUX_POLLIN | LINUX_POLLOUT : rnd());
    }
    a->fds_gpa = stage_gpa(ST_POLL);
}

static void fill_newfd(struct bvm_hostcall *r)
{
    static const uint32_t flags[] = {0, 1, 2, 02000000, 04000};
    static const uint32_t name_lens[] = {0, 6, 249, 250};
    static const uint64_t counts[] = {0, 1, LINUX_CLOCK_MONOTONIC, LINUX_CLOCK_REALTIME_ALARM, 1ull << 40};
    struct bvm_hc_newfd *a = &r->u.newfd;
    a->kind = chance(90) ? (uint32_t)rnd_below(4) : (uint32_t)rnd();
    a->flags = (int32_t)PICK_FLAGS(flags);
    a->count = chance(80) ? RND_OF(counts) : rnd();
    a->name_len = chance(80) ? RND_OF(name_lens) : (uint32_t)rnd();
    a->name_gpa = chance(80) ? stage_gpa(ST_NAME) : pick_gpa(a->name_len);
}

static void fill_umask(struct bvm_hostcall *r)
{
    static const uint32_t masks[] = {022, 0, 077};
    r->u.umask.mask = PICK_FLAGS(masks);
}

/* FMAP, FUNMAP, FMSYNC: mostly on the window's busy pages with the setup's files. */
static void fill_fmap(struct bvm_hostcall *r)
{
    static const uint32_t prots[] = {BVM_FMAP_READ, BVM_FMAP_READ | BVM_FMAP_WRITE, 0, BVM_FMAP_WRITE, 7};
    static const uint64_t offs[] = {0, 4096, 2 << 20, 1, 1ull << 63, 0x7ffffffffffff000ull, 1ull << 40};
    struct bvm_hc_fmap *a = &r->u.fmap;
    uint64_t w_end = win_gpa + win_size;
    a->fd = chance(60) ? kfiles[rnd_below(KF_COUNT)].fd : pick_fd();
    a->prot = PICK_FLAGS(prots);
    a->offset = chance(40) ? 4096 * rnd_below(16) : chance(85) ? RND_OF(offs) : rnd();
    switch (rnd_below(12)) {
    case 0: a->gpa = win_pick_page() + 8; break;
    case 1: a->gpa = win_gpa; break;
    case 2: a->gpa = w_end - 4096 * (1 + rnd_below(4)); break;
    case 3: a->gpa = win_gpa - 4096; break;
    case 4: a->gpa = arena_gpa; break;
    case 5: a->gpa = win_gpa + 4096 * rnd_below(win_size / 4096); break;
    case 6: a->gpa = chance(50) ? ~0ull & ~4095ull : rnd(); break;
    default: a->gpa = win_pick_page();
    }
    switch (rnd_below(12)) {
    case 0: a->len = 2 << 20; break;
    case 1: a->len = 0; break;
    case 2: a->len = 4095; break;
    case 3: a->len = chance(50) ? 1ull << 30 : win_size; break;
    case 4: a->len = chance(50) ? ~0ull & ~4095ull : rnd(); break;
    case 5: a->len = w_end - a->gpa; break;
    default: a->len = 4096 * (1 + rnd_below(32));
    }
}

static void fill_alarm(struct bvm_hostcall *r)
{
    int64_t deadlines[] = {0, 1, now_ns + 1000000, now_ns + 1000000000, -1, INT64_MAX};
    r->u.alarm.timer = chance(90) ? (uint32_t)rnd_below(BVM_TIMER_COUNT + 1) : (uint32_t)rnd();
    r->u.alarm.deadline = chance(90) ? RND_OF(deadlines) : (int64_t)rnd();
}

static void fill_wait(struct bvm_hostcall *r)
{
    static const uint32_t options[] = {LINUX_WEXITED | LINUX_WNOHANG, LINUX_WEXITED,
                                       LINUX_WUNTRACED | LINUX_WNOHANG, 0,
                                       LINUX_WNOWAIT | LINUX_WEXITED,   LINUX_WCONTINUED};
    struct bvm_hc_wait *a = &r->u.wait;
    a->idtype = chance(90) ? (int32_t)rnd_below(4) : (int32_t)rnd();
    a->id = chance(50) ? (int32_t)rnd_below(2) - 1 : chance(50) ? boot->pid : (int32_t)rnd();
    a->options = (int32_t)PICK_FLAGS(options);
    a->info_gpa = pick_gpa(sizeof(struct linux_siginfo));
    a->rusage_gpa = chance(50) ? 0 : pick_gpa(sizeof(struct linux_rusage));
}

static void fill_proc(struct bvm_hostcall *r)
{
    static const int32_t args[] = {0, 1, -1, 7, 64, 65, LINUX_SIGUSR1};
    struct bvm_hc_proc *a = &r->u.proc;
    a->op = chance(90) ? (uint32_t)rnd_below(BVM_PROC_COMMIT_LIMIT + 2) : (uint32_t)rnd();
    a->pid = chance(30) ? 0 : chance(30) ? boot->pid : chance(30) ? -1 : (int32_t)rnd();
    a->arg = chance(80) ? RND_OF(args) : (int32_t)rnd();
    switch (a->op) { /* the bytes the op uses at gpa */
    case BVM_PROC_RUSAGE: a->gpa = pick_gpa(sizeof(struct linux_rusage)); break;
    case BVM_PROC_RLIMIT: a->gpa = pick_gpa(sizeof(struct linux_rlimit)); break;
    case BVM_PROC_VFORK_PAGES: a->gpa = pick_gpa(sizeof(struct bvm_vfork_page) * BVM_VFORK_PAGES_MAX); break;
    default: a->gpa = pick_gpa(4096);
    }
}

static void fill_cred(struct bvm_hostcall *r)
{
    /* setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid, setfsgid, setgroups */
    static const int32_t nrs[] = {105, 106, 113, 114, 117, 119, 122, 123, 116, -1, 0};
    static const uint64_t ids[] = {~0ull, 0, 65534, 1000, 0xffffffffull};
    struct bvm_hc_cred *a = &r->u.cred;
    a->nr = chance(90) ? RND_OF(nrs) : (int32_t)rnd();
    for (int i = 0; i < 3; i++)
        a->args[i] = chance(80) ? RND_OF(ids) : rnd();
    if (a->nr == 116) { /* setgroups: a count and a list */
        static const uint64_t counts[] = {0, 1, 2, 65536, 65537};
        a->args[0] = RND_OF(counts);
        a->args[1] = pick_gpa(a->args[0] * 4);
    }
    a->out_gpa = pick_gpa(sizeof(struct bvm_cred));
}

/* SOCK: the ops on sockets the fuzz made and on anything else; addresses on this host only (a
 * unix name in the scratch directory, loopback, nonsense lengths), control messages with random
 * fds. (The run has no network besides: tests/lib.sh's unprivileged.) */
static void fill_sock_msg(struct bvm_sock_msg *m)
{
    static const uint32_t name_lens[] = {0, 2, 16, 28, 110, 128, 129, 0xffffffffu};
    static const uint32_t data_lens[] = {0, 16, 20, 24, 64, 2048, 2049};
    m->name_len = chance(90) ? RND_OF(name_lens) : (uint32_t)rnd();
    m->data_len = chance(90) ? RND_OF(data_lens) : (uint32_t)rnd();
    for (size_t i = 0; i < sizeof m->name; i++)
        m->name[i] = (uint8_t)rnd();
    switch (rnd_below(4)) {
    case 0: memcpy(m->name, "\1\0sock", 7); break;                     /* AF_UNIX "sock" */
    case 1: memcpy(m->name, "\1\0\0abstract", 12); break;              /* AF_UNIX abstract */
    case 2: memcpy(m->name, "\2\0\x1f\x90\x7f\0\0\1", 8); break;     /* 127.0.0.1:8080 */
    default: memcpy(m->name, "\x0a\0\x1f\x90\0\0\0\0", 8);            /* [::1]:8080 */
        memset(m->name + 8, 0, 16), m->name[23] = 1;
    }
    struct linux_cmsghdr *cm = (struct linux_cmsghdr *)m->data;
    cm->cmsg_len = chance(80) ? 16 + 4 * rnd_below(4) : rnd();
    cm->cmsg_level = chance(80) ? LINUX_SOL_SOCKET : (int32_t)rnd();
    cm->cmsg_type = chance(70) ? LINUX_SCM_RIGHTS : (int32_t)rnd_below(4);
    for (int i = 0; i < 4; i++)
        ((int32_t *)(cm + 1))[i] = pick_fd();
}

static void fill_sock(struct bvm_hostcall *r)
{
    static const int32_t domains[] = {LINUX_AF_UNIX, LINUX_AF_INET, LINUX_AF_INET6, LINUX_AF_NETLINK, 17, 0, -1};
    static const int32_t types[] = {LINUX_SOCK_STREAM, LINUX_SOCK_DGRAM, LINUX_SOCK_SEQPACKET,
                                    LINUX_SOCK_STREAM | LINUX_SOCK_NONBLOCK, LINUX_SOCK_RAW, 0, 0x7fff};
    static const int32_t small[] = {0, 1, 2, 3, 6, 17, 41, 0x40, 0x100, -1, 0x4000};
    struct bvm_hc_sock *a = &r->u.sock;
    a->fd = pick_fd();
    a->op = chance(95) ? (uint32_t)rnd_below(BVM_SOCK_COUNT + 1) : (uint32_t)rnd();
    a->a = a->op == BVM_SOCK_SOCKET ? RND_OF(domains) : chance(80) ? RND_OF(small) : (int32_t)rnd();
    a->b = a->op == BVM_SOCK_SOCKET ? RND_OF(types) : chance(80) ? RND_OF(small) : (int32_t)rnd();
    a->c = chance(80) ? 0 : RND_OF(small);
    a->flags = chance(50) ? BVM_IO_TRY : 0;
    if (chance(85)) {
        fill_sock_msg((struct bvm_sock_msg *)stage(ST_SOCK));
        a->msg_gpa = stage_gpa(ST_SOCK);
    } else {
        a->msg_gpa = pick_gpa(sizeof(struct bvm_sock_msg));
    }
    struct bvm_hc_io io;
    fill_segs(&io, a->op == BVM_SOCK_RECVMSG);
    a->segs_gpa = io.segs_gpa, a->nsegs = io.nsegs;
}

/* The heap checker's calls: a file's allocator entries or unwind tables, a report of random
 * contents, a reason. */
static void fill_check(struct bvm_hostcall *r)
{
    static const uint32_t lens[] = {0, 1, 16, sizeof(struct bvm_check_unwind), sizeof(struct bvm_check_report),
                                    4096, 0xffffffffu};
    struct bvm_hc_check *c = &r->u.check;
    c->op = chance(90) ? (uint32_t)rnd_below(BVM_CHECK_UNWIND + 2) : (uint32_t)rnd();
    c->fd = pick_fd();
    c->buf_len = chance(70) ? RND_OF(lens) : (uint32_t)rnd();
    c->buf_gpa = pick_gpa(c->buf_len < 8192 ? c->buf_len : 8192);
}

/* System V IPC: ids and keys near the first objects, the limits' edges; never a wait (nowait is 1,
 * or invalid), since nothing else would ever end it. */
static void fill_ipc(struct bvm_hostcall *r)
{
    static const int32_t flags[] = {0, 0600, 01600, 03600, 04000, 010000, 020000, 040000, 0100000, 2, 3, 11, 13, 14,
                                     17, 18, 20, 0x100};
    struct bvm_hc_ipc *a = &r->u.ipc;
    a->op = chance(90) ? (uint32_t)rnd_below(BVM_IPC_EXEC + 2) : (uint32_t)rnd();
    a->id = chance(60) ? (int32_t)rnd_below(4) + (chance(50) ? 32768 : 0) : (int32_t)rnd();
    a->flags = chance(70) ? RND_OF(flags) | (chance(30) ? 04000 : 0) : (int32_t)rnd();
    a->arg = chance(70) ? (int32_t)rnd_below(600) : (int32_t)rnd();
    a->val = chance(60) ? (int64_t)rnd_below(70000) - 3 : (int64_t)rnd();
    a->buf_len = pick_len();
    a->buf_gpa = pick_gpa(a->buf_len < 8192 ? a->buf_len : 8192);
    a->deadline = chance(50) ? -1 : (int64_t)rnd();
    a->nowait = chance(95) ? 1 : (uint32_t)rnd() | 2;
}

/* POSIX message queues: names from the staging area (the run's own queues, unlinked at its end),
 * any fd; never a wait (nowait 1, or invalid), never NOTIFY (it could ask for SIGKILL). */
static void fill_mq(struct bvm_hostcall *r)
{
    static const uint32_t name_lens[] = {0, 1, 6, 200, 255, 256};
    static const uint32_t flags[] = {0, 1, 2, 0100, 0300, 04000, 02000000};
    struct bvm_hc_mq *a = &r->u.mq;
    a->op = (uint32_t)rnd_below(BVM_MQ_GETSETATTR + 2);
    a->op = a->op == BVM_MQ_NOTIFY ? BVM_MQ_GETSETATTR : a->op;
    a->fd = pick_fd();
    a->flags = (int32_t)PICK_FLAGS(flags);
    a->mode = chance(80) ? 0600 : (uint32_t)rnd();
    a->name_len = chance(80) ? RND_OF(name_lens) : (uint32_t)rnd();
    a->name_gpa = chance(80) ? stage_gpa(ST_NAME) : pick_gpa(a->name_len);
    a->prio = chance(80) ? (uint32_t)rnd_below(40000) : (uint32_t)rnd();
    a->buf_len = pick_len();
    a->buf_gpa = pick_gpa(a->buf_len < 8192 ? a->buf_len : 8192);
    a->attr_gpa = chance(20) ? 0 : pick_gpa(sizeof(struct linux_mq_attr));
    a->deadline = chance(50) ? -1 : (int64_t)rnd();
    a->nowait = chance(95) ? 1 : (uint32_t)rnd() | 2;
}

static void (*const fillers[BVM_HC_COUNT])(struct bvm_hostcall *) = {
#define HCF_ENTRY(n, NAME, name, req) [n] = fill_##req,
    BVM_HOSTCALLS(HCF_ENTRY)
#undef HCF_ENTRY
};

/* ---- one random request ---- */

static uint32_t pick_nr(void)
{
    static const uint32_t invalid[] = {BVM_HC_COUNT, BVM_HC_COUNT + 1, BVM_HC_COUNT + 100, 0x7fffffffu,
                                       0x80000000u, 0xffffffffu};
    if (chance(4))
        return chance(80) ? RND_OF(invalid) : (uint32_t)rnd() | BVM_HC_COUNT;
    for (;;) {
        uint32_t nr = (uint32_t)rnd_below(BVM_HC_COUNT);
        if (fillers[nr])
            return nr;
    }
}

/* The setup's files stay what the window model and the directed steps rely on: open, their size
 * never shrinking, their flags their own, and no new name for them (a name could be truncated).
 * (The fd field is the first of io, fd and fdop alike.) */
static void protect_setup_files(struct bvm_hostcall *r)
{
    const struct bvm_hc_fdop *op = &r->u.fdop;
    bool shapes = op->op == BVM_FDOP_FTRUNCATE || op->op == BVM_FDOP_FALLOCATE || op->op == BVM_FDOP_SETFL;
    bool log_change = r->nr == BVM_HC_WRITE || r->nr == BVM_HC_PWRITE || r->nr == BVM_HC_LSEEK ||
                      (r->nr == BVM_HC_FDOP && shapes);
    /* stdout and stderr: the run's logs, where buffervm's own messages go too (a dup of stderr, its
     * offset and flags shared), kept small and in place */
    if (log_change && (r->u.io.fd == 1 || r->u.io.fd == 2))
        r->u.io.fd = null_fd;
    if (r->nr == BVM_HC_CLOSE && is_setup_fd(r->u.fd.fd))
        r->u.fd.fd = -1;
    if (r->nr == BVM_HC_FDOP && kfile_of(op->fd) >= 0 && shapes)
        r->u.fdop.fd = -1;
    if (r->nr == BVM_HC_LINKAT && kfile_of(r->u.at.dirfd) >= 0)
        r->u.at.dirfd = LINUX_AT_FDCWD;
}

/* The owner keeps the right to use what the requests make and change (the run's directory first):
 * past a chmod 0 of ".", every later path request would fail the same way. */
static void keep_tree_usable(struct bvm_hostcall *r)
{
    if (r->nr == BVM_HC_FCHMODAT)
        r->u.at.mode |= 0700;
    if (r->nr == BVM_HC_FDOP && r->u.fdop.op == BVM_FDOP_FCHMOD)
        r->u.fdop.arg.mode |= 0700;
    if (r->nr == BVM_HC_UMASK)
        r->u.umask.mask &= 077;
}

/* What a request changed that the fuzzer keeps track of. */
static void after(const struct bvm_hostcall *r, int64_t ret)
{
    const struct bvm_hc_fmap *f = &r->u.fmap;
    bool new_sock = r->nr == BVM_HC_SOCK && (r->u.sock.op == BVM_SOCK_SOCKET || r->u.sock.op == BVM_SOCK_ACCEPT);
    if ((r->nr == BVM_HC_OPENAT || r->nr == BVM_HC_NEWFD || new_sock) && ret >= 0)
        recent_add(ret);
    if (r->nr == BVM_HC_PIPE2 && ret == 0 && r->u.pipe.fds_gpa >= arena_gpa &&
        r->u.pipe.fds_gpa + 8 <= arena_gpa + ARENA_SIZE) {
        const volatile int32_t *fds = (const volatile int32_t *)gpa_ptr(r->u.pipe.fds_gpa);
        recent_add(fds[0]), recent_add(fds[1]);
    }
    if (r->nr == BVM_HC_FMAP && ret >= 0) {
        win_note_fmap(f->gpa, f->len, f->fd, f->offset, f->prot);
        stats.fmaps++;
    }
    if (r->nr == BVM_HC_FUNMAP && ret == 0)
        win_note_funmap(f->gpa, f->len);
    if (r->nr == BVM_HC_ALARM || r->nr == BVM_HC_EVENT)
        guard_reset(); /* the guard timer may be gone, or its event taken */
}

void gen_step(void)
{
    uint32_t nr = pick_nr();
    struct bvm_hostcall *r = hc_req(nr);
    uint64_t *u = (uint64_t *)&r->u;
    for (size_t i = 0; i < sizeof(r->u) / sizeof(*u); i++)
        u[i] = rnd();
    r->pad = chance(90) ? 0 : (uint32_t)rnd();
    if (nr < BVM_HC_COUNT && chance(92))
        fillers[nr](r);
    protect_setup_files(r);
    keep_tree_usable(r);
    if (fz_verbose) { /* the request as sent, for a failure's reproduction */
        static struct bvm_hostcall copy;
        copy = *r;
        kprintf("hcfuzz: step %lu: hostcall %u: %lx %lx %lx %lx %lx %lx %lx %lx", (unsigned long)fz_step,
                copy.nr, (unsigned long)u[0], (unsigned long)u[1], (unsigned long)u[2], (unsigned long)u[3],
                (unsigned long)u[4], (unsigned long)u[5], (unsigned long)u[6], (unsigned long)u[7]);
        *hc_req(nr) = copy;
    }
    int64_t ret = hc_issue();
    stats.random++;
    if (ret >= 0)
        stats.ok++;
    else if (ret == -LINUX_EFAULT)
        stats.efault++;
    else
        stats.errors++;
    after(r, ret);
}

/* ---- the guard timer ---- */

int64_t now_ns;
static bool guard_armed;

void guard_reset(void) { guard_armed = false; }

void guard_arm(void)
{
    static struct bvm_event ev;
    static struct linux_timespec ts;
    if (guard_armed)
        return;
    for (int i = 0; i < 1000 && hc_out(BVM_HC_EVENT, &ev, sizeof(ev)) == 1; i++)
        ; /* taken: the timer's event (calls wait again) and the host signals for the program */
    int64_t r = hc_clock(LINUX_CLOCK_MONOTONIC, &ts);
    EXPECT(r == 0, "guard: clock_gettime: %ld", (long)r);
    now_ns = ts.tv_sec * 1000000000 + ts.tv_nsec;
    struct bvm_hostcall *a = hc_req(BVM_HC_ALARM);
    a->u.alarm.timer = BVM_TIMER_MONO;
    a->u.alarm.deadline = now_ns + 2000000;
    r = hc_issue();
    EXPECT(r == 0, "guard: alarm: %ld", (long)r);
    guard_armed = true;
}
