/* kernel.h: shim kernel basics shared by every file: types, page math, address conversion, panic. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bvm_abi.h"

#define PAGE_SIZE 4096ull
#define PAGE_SHIFT 12
#define PAGE_DOWN(x) ((uint64_t)(x) & ~(PAGE_SIZE - 1))
#define PAGE_UP(x) (((uint64_t)(x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGNED(x) (((uint64_t)(x) & (PAGE_SIZE - 1)) == 0)

/* The user range (bvm_abi.h; the monitor checks ET_EXEC programs against the same). */
#define USER_TOP BVM_USER_TOP
#define USER_MIN BVM_USER_MIN

/* Kernel memory: RAM is direct-mapped at the physmap; the image also lives in the top 2 GiB. */
#define P2V(pa) ((void *)((uint64_t)(pa) + BVM_PHYSMAP_BASE))
#define V2P(va) ((uint64_t)(uintptr_t)(va)-BVM_PHYSMAP_BASE)
/* Any kernel pointer (physmap or image) to guest-physical, for hostcalls. */
static inline uint64_t kva_to_gpa(const void *p)
{
    uint64_t v = (uint64_t)(uintptr_t)p;
    return v >= BVM_KERNEL_VBASE ? v - BVM_KERNEL_VBASE : v - BVM_PHYSMAP_BASE;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Broken kernel invariant: stop the run with file:line (EXIT hostcall, kind PANIC). */
_Noreturn void kpanic(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define panic(...) kpanic(__FILE__, __LINE__, __VA_ARGS__)
#define kassert(cond)                                                                                        \
    do {                                                                                                     \
        if (!(cond))                                                                                         \
            kpanic(__FILE__, __LINE__, "assertion failed: %s", #cond);                                       \
    } while (0)

/* Kernel log line through the TRACE hostcall (shown by the monitor on stderr). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The monitor's boot info (read-only), set first thing in kernel_main. */
extern const struct bvm_bootinfo *boot;
/* The supplementary groups (the monitor's, which the program has as its own): the count and the
 * list in *groups, or -errno. */
int64_t kern_groups(const uint32_t **groups);
#endif
