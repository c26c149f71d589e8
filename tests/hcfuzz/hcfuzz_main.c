/* hcfuzz_main.c: a hostile shim kernel for buffervm --kernel: random and directed hostcalls, then an
 * optional last act that must stop the VM cleanly. Replaces guest/kernel/main.c in hcfuzz.elf.
 *
 *   buffervm --backend soft --verbose --kernel hcfuzz.elf /bin/true SEED COUNT [FINAL [v]]
 *
 * As an unprivileged user (it refuses root), in a scratch directory whose parent it may write one
 * symlink to. COUNT steps, each a random hostcall (phase 1, hcfuzz_gen.c) or a directed file-window
 * step (phase 2, hcfuzz_window.c); a broken expectation is a kernel panic "hcfuzz: FAIL ...". Then
 * "hcfuzz: done ..." and, with FINAL 0 or none, exit status 0; FINAL 1..8 does one last thing the
 * monitor must answer by stopping the VM (final_act). "v" prints each random request before it goes.
 * The kernel is set up only as far as hostcalls and its own trap panic need (GDT, IDT): no allocator,
 * no address space; it reaches RAM and the window through the physmap. */
#include <stdarg.h>

#include "cpu.h"
#include "fmt.h"
#include "hcfuzz.h"
#include "hostcall.h"
#include "string.h"
#include "trap.h"

#define KSTACK_SIZE (64u << 10)

/* Checked by the monitor when it loads the kernel ELF. */
__attribute__((section(".bvm_abi"), used)) static const struct bvm_abi_note abi_note = {BVM_BOOT_MAGIC,
                                                                                        BVM_ABI_VERSION};

const struct bvm_bootinfo *boot;
static uint8_t kstack[KSTACK_SIZE] __attribute__((aligned(16)));
extern char __bss_start[], __bss_end[];

uint64_t arena_gpa, win_gpa, win_size, ram_end[MAX_RAM_ENDS];
int nr_ram_ends;
struct kfile kfiles[KF_COUNT];
int null_fd, dot_fd, timer_fd, pipe_fd[2];
char cwd[512], lnk_path[600];
uint8_t passwd_copy[PASSWD_COPY];
uint64_t passwd_len;
struct fz_stats stats;
uint64_t fz_seed, fz_step;
bool fz_verbose;

static uint64_t rnd_state;
void rnd_seed(uint64_t seed) { rnd_state = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull; }
uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13, rnd_state ^= rnd_state >> 7, rnd_state ^= rnd_state << 17;
    return rnd_state;
}

_Noreturn void fz_fail(const char *fmt, ...)
{
    static char msg[256];
    va_list ap;
    int n = ksnprintf(msg, sizeof(msg), "hcfuzz: FAIL seed %lu step %lu: ", (unsigned long)fz_seed,
                      (unsigned long)fz_step);
    va_start(ap, fmt);
    kvsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    kprintf("%s", msg);
    hc_exit_panic(msg);
}

int kfile_of(int fd)
{
    for (int k = 0; k < KF_COUNT; k++)
        if (kfiles[k].fd == fd && fd >= 0)
            return k;
    return -1;
}

static uint64_t parse_u64(const char *s)
{
    uint64_t v = 0;
    for (; s && *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    return v;
}

static const char *arg(uint64_t i)
{
    const char *const *argv = (const char *const *)(uintptr_t)boot->argv;
    return i < boot->argc ? argv[i] : NULL;
}

/* Where things are: the window, the ends of usable RAM, and the arena right above the kernel. */
static void read_layout(void)
{
    for (uint32_t i = 0; i < boot->nr_ranges && i < BVM_MAX_RANGES; i++) {
        const struct bvm_mem_range *r = &boot->ranges[i];
        if (r->type == BVM_RANGE_FILEWIN)
            win_gpa = r->base, win_size = r->size;
        if (r->type == BVM_RANGE_USABLE && nr_ram_ends < MAX_RAM_ENDS)
            ram_end[nr_ram_ends++] = r->base + r->size;
        if (r->type == BVM_RANGE_KERNEL)
            arena_gpa = (r->base + r->size + (2ull << 20) - 1) & ~((2ull << 20) - 1);
    }
    EXPECT(win_size >= (64ull << 20) && arena_gpa && arena_gpa + ARENA_SIZE <= ram_end[0] - (1ull << 20),
           "boot layout: window %#lx+%#lx, arena %#lx, RAM end %#lx", (unsigned long)win_gpa,
           (unsigned long)win_size, (unsigned long)arena_gpa, (unsigned long)ram_end[0]);
}

static int open_or_fail(int dirfd, const char *path, int flags, uint32_t mode)
{
    int64_t fd = hc_path(BVM_HC_OPENAT, dirfd, path, flags, mode, NULL);
    EXPECT(fd >= 0, "setup: open %s: %ld", path, (long)fd);
    return (int)fd;
}

static void ftruncate_or_fail(int fd, int64_t len)
{
    struct bvm_hc_fdop *op = hc_fdop(fd, BVM_FDOP_FTRUNCATE, NULL, 0);
    op->arg.length = len;
    int64_t r = hc_issue();
    EXPECT(r == 0, "setup: ftruncate %d: %ld", fd, (long)r);
}

/* The files the directed steps map and the descriptors they need, made before any random request. */
static void setup_files(void)
{
    static uint8_t pattern[65536];
    struct bvm_seg seg;
    int64_t r = hc_out(BVM_HC_GETCWD, cwd, sizeof(cwd));
    EXPECT(r > 0, "setup: getcwd: %ld", (long)r);
    int pw = open_or_fail(LINUX_AT_FDCWD, "/etc/passwd", LINUX_O_RDONLY, 0);
    seg = (struct bvm_seg){kva_to_gpa(passwd_copy), sizeof(passwd_copy)};
    r = hc_io(BVM_HC_PREAD, pw, &seg, 1, 0, 0);
    EXPECT(r > 0, "setup: pread /etc/passwd: %ld", (long)r);
    passwd_len = (uint64_t)r;
    EXPECT(hc_fstat(pw, hc_bounce()) == 0, "setup: fstat /etc/passwd");
    kfiles[KF_PASSWD] = (struct kfile){pw, ((struct linux_stat *)hc_bounce())->st_size, false, true};
    int sc = open_or_fail(LINUX_AT_FDCWD, "hcfuzz.map", LINUX_O_RDWR | LINUX_O_CREAT | LINUX_O_TRUNC, 0600);
    ftruncate_or_fail(sc, 4 << 20);
    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 7 + i / 4096);
    seg = (struct bvm_seg){kva_to_gpa(pattern), sizeof(pattern)};
    EXPECT(hc_io(BVM_HC_PWRITE, sc, &seg, 1, 0, 0) == sizeof(pattern), "setup: pwrite hcfuzz.map");
    kfiles[KF_SCRATCH] = (struct kfile){sc, 4 << 20, true, true};
    kfiles[KF_SCRATCH_RO] =
        (struct kfile){open_or_fail(LINUX_AT_FDCWD, "hcfuzz.map", LINUX_O_RDONLY, 0), 4 << 20, false, true};
    r = hc_newfd(BVM_NEWFD_MEMFD, "hcfuzz", 0, 0);
    EXPECT(r >= 0, "setup: memfd: %ld", (long)r);
    ftruncate_or_fail((int)r, 2 << 20);
    kfiles[KF_MEMFD] = (struct kfile){(int)r, 2 << 20, true, true};
    kfiles[KF_ZERO] =
        (struct kfile){open_or_fail(LINUX_AT_FDCWD, "/dev/zero", LINUX_O_RDWR, 0), -1, true, false};
    null_fd = open_or_fail(LINUX_AT_FDCWD, "/dev/null", LINUX_O_RDWR, 0);
    dot_fd = open_or_fail(LINUX_AT_FDCWD, ".", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
    r = hc_newfd(BVM_NEWFD_TIMERFD, NULL, 0, LINUX_CLOCK_MONOTONIC);
    EXPECT(r >= 0, "setup: timerfd: %ld", (long)r);
    timer_fd = (int)r;
    static int32_t fds[2];
    EXPECT(hc_pipe(0, 0, fds) == 0, "setup: pipe");
    pipe_fd[0] = fds[0], pipe_fd[1] = fds[1];
    /* A symlink whose path random requests cannot spoil: in the parent directory, which they never
     * name (random chmods of the run's own directory would make lookups through it fail). */
    size_t parent = 0;
    for (size_t i = 0; cwd[i]; i++)
        parent = cwd[i] == '/' ? i : parent;
    memcpy(lnk_path, cwd, parent);
    ksnprintf(lnk_path + parent, sizeof(lnk_path) - parent, "/hcfuzz.lnk");
    struct hc_at_args a = {.dirfd = LINUX_AT_FDCWD, .dirfd2 = LINUX_AT_FDCWD, .kpath = "/etc/passwd",
                           .kpath2 = lnk_path};
    r = hc_at(BVM_HC_SYMLINKAT, &a);
    EXPECT(r == 0 || r == -LINUX_EEXIST, "setup: symlink %s: %ld", lnk_path, (long)r);
}

/* ---- phase 3: one last act the monitor must answer by stopping the VM ---- */

static _Noreturn void final_failed(const char *what)
{
    fz_fail("final act did not stop the VM: %s", what);
}

static void fmap_or_fail(int k, uint32_t prot, uint64_t gpa, uint64_t len)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_FMAP);
    r->u.fmap = (struct bvm_hc_fmap){kfiles[k].fd, prot, 0, gpa, len};
    int64_t ret = hc_issue();
    EXPECT(ret == (int64_t)gpa, "final: fmap file %d at %#lx+%#lx: %ld", k, (unsigned long)gpa,
           (unsigned long)len, (long)ret);
    win_note_fmap(gpa, len, kfiles[k].fd, 0, prot);
}

/* Each says what it does and how the run must end ("expect vm": a VM failure, status 125 with its
 * message; "panic": the kernel's own trap panic; "sigbus": the program's SIGBUS), then does it. */
static _Noreturn void final_act(uint64_t which)
{
    const uint32_t rw = BVM_FMAP_READ | BVM_FMAP_WRITE;
    uint64_t g, w_end = win_gpa + win_size;
    volatile uint8_t *p;
    switch (which) {
    case 1:
        if (!(g = win_find(W_RO, false)))
            fmap_or_fail(KF_PASSWD, BVM_FMAP_READ, g = win_gpa, 4096);
        kprintf("hcfuzz: final 1: kernel store to a read-only window page %#lx; expect vm", (unsigned long)g);
        gpa_ptr(g)[8] = 0x55;
        final_failed("store to a read-only page");
    case 2:
        g = win_find(W_NONE, false);
        kprintf("hcfuzz: final 2: kernel load from an unbacked window page %#lx; expect vm",
                (unsigned long)g);
        (void)gpa_ptr(g)[0];
        final_failed("load from an unbacked page");
    case 3:
        g = win_find(W_NONE, false);
        kprintf("hcfuzz: final 3: kernel store to an unbacked window page %#lx; expect vm", (unsigned long)g);
        gpa_ptr(g)[100] = 1;
        final_failed("store to an unbacked page");
    case 4: /* the soft CPU must forget a writable page's host address when it becomes read-only */
        g = w_end - 4096;
        fmap_or_fail(KF_SCRATCH, rw, g, 4096);
        p = gpa_ptr(g);
        p[0] = 1, p[1] = 2;
        fmap_or_fail(KF_PASSWD, BVM_FMAP_READ, g, 4096);
        kprintf("hcfuzz: final 4: kernel store to a page remapped read-only %#lx; expect vm",
                (unsigned long)g);
        p[2] = 3;
        final_failed("store to a page remapped read-only");
    case 5: { /* ... and a page's that was unmapped */
        g = w_end - 8192;
        fmap_or_fail(KF_SCRATCH, rw, g, 4096);
        p = gpa_ptr(g);
        p[0] = p[1];
        struct bvm_hostcall *r = hc_req(BVM_HC_FUNMAP);
        r->u.fmap.gpa = g, r->u.fmap.len = 4096;
        EXPECT(hc_issue() == 0, "final: funmap");
        kprintf("hcfuzz: final 5: kernel load from a page just unmapped %#lx; expect vm", (unsigned long)g);
        (void)p[0];
        final_failed("load from an unmapped page");
    }
    case 6: /* the port value is 32 bits: an address in the hole below 4 GiB when RAM goes higher */
        g = chance(50) ? arena_gpa + 4 : MIN(ram_end[nr_ram_ends - 1], 1ull << 32) - 8;
        kprintf("hcfuzz: final 6: hostcall with an unusable request address %#lx; expect vm",
                (unsigned long)g);
        outl(BVM_HOSTCALL_PORT, (uint32_t)g);
        final_failed("unusable request address");
    case 7:
        kprintf("hcfuzz: final 7: kernel load past the window, unmapped in the physmap %#lx; expect panic",
                (unsigned long)w_end);
        (void)gpa_ptr(w_end)[0];
        final_failed("load of an unmapped kernel address");
    default: { /* 8: the monitor ends the run as Linux ends a program touching a page past its file */
        uint64_t pages = ((uint64_t)kfiles[KF_PASSWD].size + 4095) / 4096;
        g = w_end - (pages + 1) * 4096;
        fmap_or_fail(KF_PASSWD, BVM_FMAP_READ, g, (pages + 1) * 4096);
        kprintf("hcfuzz: final 8: kernel load from a window page past its file's end %#lx; expect sigbus",
                (unsigned long)(g + pages * 4096));
        (void)gpa_ptr(g + pages * 4096)[0];
        final_failed("load past the end of a file");
    }
    }
}

static _Noreturn void kernel_start(void)
{
    uint64_t ktop = (uint64_t)(uintptr_t)(kstack + KSTACK_SIZE);
    if (boot->magic != BVM_BOOT_MAGIC || boot->abi_version != BVM_ABI_VERSION)
        hc_exit_panic("hcfuzz: bad boot info");
    /* Random paths and modes on the host: as root they could change the system's own files. */
    if (boot->uid == 0 || boot->euid == 0 || boot->gid == 0 || boot->egid == 0)
        hc_exit_panic("hcfuzz: refusing to run as root (run it as an unprivileged user)");
    gdt_init(ktop);
    idt_init(); /* a kernel fault ends as the kernel's own trap panic */
    fz_seed = parse_u64(arg(1));
    uint64_t count = arg(2) ? parse_u64(arg(2)) : 1000, final = parse_u64(arg(3));
    fz_verbose = arg(4) && arg(4)[0] == 'v';
    rnd_seed(fz_seed);
    read_layout();
    win_init();
    setup_files();
    for (fz_step = 1; fz_step <= count; fz_step++) {
        guard_arm();
        if (chance(35))
            win_step();
        else
            gen_step();
        if (fz_step % 16 == 0)
            guard_reset(); /* drain the timer's event now and then, so calls wait (shortly) again */
    }
    kprintf(
        "hcfuzz: done: seed %lu, %lu steps: %lu random hostcalls (%lu ok, %lu -EFAULT, %lu other errors), "
        "%lu window checks, %lu FMAPs mapped, %lu refused as expected",
        (unsigned long)fz_seed, (unsigned long)count, (unsigned long)stats.random, (unsigned long)stats.ok,
        (unsigned long)stats.efault, (unsigned long)stats.errors, (unsigned long)stats.window_checks,
        (unsigned long)stats.fmaps, (unsigned long)stats.bad_fmaps);
    if (final)
        final_act(final);
    hc_exit_status(0);
}

/* Called by the bootstrap on its boot stack, as guest/kernel/main.c's. */
_Noreturn void kernel_main(uint64_t entry, uint64_t stack_max, uint64_t tss, uint64_t argc, uint64_t argv,
                           uint64_t envp)
{
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    boot = P2V(BVM_BOOTINFO_GPA);
    /* Move to the kernel's own stack (in the image) so nothing depends on the boot area's mapping. */
    run_on_stack((uint64_t)(uintptr_t)(kstack + KSTACK_SIZE), kernel_start);
}
