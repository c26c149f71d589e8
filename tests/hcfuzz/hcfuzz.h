/* hcfuzz.h: the hostile-kernel hostcall fuzzer's shared parts: random numbers, the guest memory it
 * owns, the files it opened, its model of the file window, and how it reports a broken expectation. */
#ifndef HCFUZZ_H
#define HCFUZZ_H

#include "bvm_linux.h"
#include "kernel.h"

/* ---- random numbers (xorshift64, seeded from argv) ---- */
uint64_t rnd(void);
void rnd_seed(uint64_t seed);
static inline uint64_t rnd_below(uint64_t n) { return n ? rnd() % n : 0; }
static inline bool chance(unsigned percent) { return rnd_below(100) < percent; }
#define RND_OF(a) ((a)[rnd_below(ARRAY_SIZE(a))])

/* ---- guest RAM the fuzzer owns ----
 * The arena: ARENA_SIZE bytes of usable RAM above the kernel image. Random outputs land in its
 * first ARENA_OUT bytes (a hostcall writes at most BVM_HC_MAX_IO); inputs are staged above that. */
#define ARENA_SIZE (4ull << 20)
#define ARENA_OUT (2ull << 20)
#define STAGE_OFF (3ull << 20)
extern uint64_t arena_gpa;
/* The ends of the usable RAM ranges (nothing there is used) and of the window. */
#define MAX_RAM_ENDS 4
extern uint64_t ram_end[MAX_RAM_ENDS];
extern int nr_ram_ends;
extern uint64_t win_gpa, win_size;

/* ---- files opened at setup: the known ones (never closed, truncated or re-flagged) ---- */
enum kfile_id { KF_PASSWD, KF_SCRATCH, KF_SCRATCH_RO, KF_MEMFD, KF_ZERO, KF_COUNT };
struct kfile {
    int fd;
    int64_t size;  /* regular files: the bytes mapped pages may reach; -1: no end (/dev/zero) */
    bool writable; /* open for writing: FMAP with BVM_FMAP_WRITE succeeds */
    bool compare;  /* the mapping's bytes equal the file's, read with PREAD */
};
extern struct kfile kfiles[KF_COUNT];
/* Other descriptors of the setup, for calls that need one of a kind. */
extern int null_fd, dot_fd, timer_fd, pipe_fd[2];
extern char cwd[512];      /* the run's scratch directory, absolute */
extern char lnk_path[600]; /* its parent's hcfuzz.lnk, a symlink to /etc/passwd */
int kfile_of(int fd); /* its enum kfile_id, or -1 */
/* The passwd file's first bytes as read at setup (a read-only mapping must keep showing them). */
#define PASSWD_COPY 16384
extern uint8_t passwd_copy[PASSWD_COPY];
extern uint64_t passwd_len;

/* ---- the file window as the fuzzer believes it to be (hcfuzz_window.c) ----
 * Every page's state, updated from every FMAP/FUNMAP that succeeded. W_UNSAFE: backed, but maybe
 * past its file's end, where a touch would make the monitor end the run with SIGBUS (its answer to
 * a file truncated under a mapping): random requests keep clear of such pages. */
enum wstate { W_NONE, W_RO, W_RW, W_UNSAFE };
void win_init(void);
void win_note_fmap(uint64_t gpa, uint64_t len, int fd, uint64_t offset, uint32_t prot);
void win_note_funmap(uint64_t gpa, uint64_t len);
/* Whether the monitor may touch [gpa, gpa+len), or any start of it, without meeting a W_UNSAFE
 * page (true when an unbacked page comes first: the monitor refuses any range reaching it). */
bool win_span_safe(uint64_t gpa, uint64_t len);
/* A page-aligned address in the window's busy parts (its head and its tail). */
uint64_t win_pick_page(void);
/* One directed step: map known files, aim outputs and inputs at the window, check the answers. */
void win_step(void);
/* A page in state st in the busy parts (regular_file: one whose bytes are checked against its file;
 * W_NONE: else a far page), for the last acts. 0: none. */
uint64_t win_find(enum wstate st, bool regular_file);

/* ---- requests ---- */
/* A random request (phase 1): number, fields, issued; the model follows what it changed. */
void gen_step(void);
/* Before each request: a host timer is armed so no host call the monitor makes for a request can
 * wait forever (a pipe's read, a lock): it ends with -EINTR once the timer's event is pending. */
void guard_arm(void);
void guard_reset(void);
/* The last CLOCK_MONOTONIC reading (ns), for plausible deadlines. */
extern int64_t now_ns;

/* ---- counters, for the summary line ---- */
struct fz_stats {
    uint64_t random, ok, efault, errors, window_checks, fmaps, bad_fmaps;
};
extern struct fz_stats stats;
extern uint64_t fz_seed, fz_step;
extern bool fz_verbose; /* argv[4] "v": each random request is printed before it is sent */

/* A broken expectation: the message (with seed and step) to the trace, then a kernel panic with it,
 * which buffervm reports as "buffervm: kernel panic: hcfuzz: FAIL ...". */
_Noreturn void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define EXPECT(cond, ...)                                                                                    \
    do {                                                                                                     \
        if (!(cond))                                                                                         \
            fz_fail(__VA_ARGS__);                                                                            \
    } while (0)

/* The kernel's pointer to guest-physical gpa (RAM or window), through the physmap. */
static inline volatile uint8_t *gpa_ptr(uint64_t gpa) { return (volatile uint8_t *)P2V(gpa); }

#endif
