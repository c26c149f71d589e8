/* jit_arena.c: the executable memory translations go into, and perf's map of them
 * (BVM_SOFT_PERF_MAP). */
#include "jit_int.h"

#include <cpuid.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARENA_BYTES (256u << 20)
#define HOT_BYTES (80u << 20) /* of ARENA_BYTES: cc1's hot paths are 36 MB of its 124 MB (jit.h) */
#define JIT_HOT_RUNS 8 /* default of BVM_SOFT_JIT_HOT */
#define BLOCK_ROOM (64u << 10) /* more than any block's translation */

/* The translation saves flags with LAHF/SAHF, which 64-bit mode has only with CPUID's LAHF_LM. */
static bool host_has_lahf_lm(void)
{
    unsigned a, b, c, d;
    return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & 1);
}

bool jit_arena_init(struct jit_arena *a)
{
    const char *env = getenv("BVM_SOFT_JIT"), *hot = getenv("BVM_SOFT_JIT_HOT");
    long h = hot ? strtol(hot, NULL, 10) : 0;
    a->hot_runs = h >= 1 && h <= 255 ? (unsigned)h : JIT_HOT_RUNS;
    const char *map = getenv("BVM_SOFT_PERF_MAP");
    a->perf_map = map && map[0] == '1';
    a->map_fd = -1, a->map_pid = 0;
    a->mem = NULL;
    a->used = a->size = a->hot_size = a->cold_used = 0;
    if ((env && env[0] == '0') || !host_has_lahf_lm())
        return false;
    void *m = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return false;
    a->mem = m;
    a->size = ARENA_BYTES;
    a->hot_size = HOT_BYTES;
    a->cold_used = HOT_BYTES;
    return true;
}

/* (jit_int.h) The map is opened anew in a forked child: perf looks for its own pid's. */
void jit_perf_map_note(struct jit_arena *a, const void *start, size_t len, uint64_t rip, unsigned cpl)
{
    int pid = (int)getpid();
    if (a->map_pid != pid) {
        char name[64];
        if (a->map_fd >= 0)
            close(a->map_fd);
        snprintf(name, sizeof name, "/tmp/perf-%d.map", pid);
        a->map_fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        a->map_pid = pid;
    }
    if (a->map_fd >= 0)
        dprintf(a->map_fd, "%lx %zx guest_%s_%llx\n", (unsigned long)(uintptr_t)start, len, cpl ? "user" : "kernel",
                (unsigned long long)rip);
}

void jit_arena_fini(struct jit_arena *a)
{
    if (a->mem)
        munmap(a->mem, a->size);
    a->mem = NULL;
}

void jit_arena_reset(struct jit_arena *a)
{
    a->used = 0;
    a->cold_used = a->hot_size;
}

bool jit_arena_has_room(const struct jit_arena *a)
{
    return !a->mem || (a->used + BLOCK_ROOM <= a->hot_size && a->cold_used + BLOCK_ROOM <= a->size);
}
