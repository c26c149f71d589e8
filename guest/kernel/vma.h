/* vma.h: virtual memory areas of the user address space, kept in an AVL tree ordered by address. */
#ifndef VMA_H
#define VMA_H

#include "kernel.h"

/* Address ranges below 2^47 that mmap never hands out (not even for a hint or MAP_FIXED):
 * the heap checker places per-allocation aliases and its metadata there. */
#define VMA_ALIAS_BASE 0x600000000000ull
#define VMA_ALIAS_END 0x700000000000ull
#define VMA_META_BASE 0x700000000000ull
#define VMA_META_END 0x710000000000ull

/* vma->flags */
#define VMA_ANON (1u << 0)  /* zero-filled on demand */
#define VMA_STACK (1u << 1) /* the main stack: grows down on faults below it */
#define VMA_HEAP (1u << 2)  /* brk area */
#define VMA_IMAGE (1u << 3) /* a PT_LOAD segment of the program */
#define VMA_SHARED (1u << 4) /* MAP_SHARED: shown as 's' in /proc/self/maps */
#define VMA_MAYWRITE (1u << 5) /* a shared file mapping mprotect may make writable (fd was O_RDWR) */
#define VMA_PRIVATE_FILE (1u << 6) /* MAP_PRIVATE of a regular file: a page is read from file_host
                                    * at its first touch; each such VMA holds file_host open */
#define VMA_SYSV (1u << 7) /* System V shared memory (shmat): file->ino is the segment's id */
#define VMA_GROWSDOWN VMA_STACK

/* The file behind a mapping, as /proc/self/maps names it (interned, never freed). */
struct vma_file {
    char path[240];
    uint64_t dev, ino;
};

struct fw_file;

struct vma {
    uint64_t start, end; /* [start, end), page aligned */
    uint32_t prot;       /* PROT_READ | PROT_WRITE | PROT_EXEC */
    uint32_t flags;      /* VMA_* */
    const struct vma_file *file; /* NULL for anonymous memory */
    uint64_t pgoff;              /* file offset of start, in bytes */
    struct fw_file *fw;          /* MAP_SHARED file: its pages in the file window (filewin.h) */
    int file_host;               /* VMA_PRIVATE_FILE: the host fd its pages are read from */
    struct vma *left, *right;
    int height;
};

#define VMA_HINTS 4
struct vma_tree {
    struct vma *root;
    uint32_t count;
    /* the last VMAs vma_find found (nodes of this tree: all forgotten when one is removed), tried
     * before the tree: the heap checker looks up the same few code and stack VMAs at every call */
    struct vma *hint[VMA_HINTS];
    uint32_t hint_next;
};

/* Supplied by vma.c's user (mm.c: the host fd's hold count; the unit tests count): a VMA_PRIVATE_FILE
 * VMA of file_host came (delta 1: vma_split) or went (-1: vma_remove, a merge included). */
void vma_file_ref(int host, int delta);

/* Bumped by every change to any tree's ranges, protections or files (vma_insert, vma_remove and
 * the in-place changes, which call vma_changed): what was learnt from the VMAs at one value (the
 * heap checker's remembered stacks) holds while it is unchanged. Never reset. */
extern uint64_t vma_generation;
static inline void vma_changed(void) { vma_generation++; }

/* The VMA containing addr, or NULL. */
struct vma *vma_find(struct vma_tree *t, uint64_t addr);
/* The lowest VMA with end > addr (the one containing addr or the next above), or NULL. */
struct vma *vma_next_from(struct vma_tree *t, uint64_t addr);
/* The highest VMA with start < addr, or NULL. */
struct vma *vma_prev_before(struct vma_tree *t, uint64_t addr);
/* Adds [start, end); NULL if it overlaps an existing VMA or no node is left. */
struct vma *vma_insert(struct vma_tree *t, uint64_t start, uint64_t end, uint32_t prot, uint32_t flags);
void vma_remove(struct vma_tree *t, struct vma *v);
/* Splits v at addr (start < addr < end); returns the upper part, or NULL when out of nodes. */
struct vma *vma_split(struct vma_tree *t, struct vma *v, uint64_t addr);
/* Joins v with equal neighbours that touch it; returns the surviving VMA. */
struct vma *vma_merge(struct vma_tree *t, struct vma *v);
/* True when [start, end) meets no VMA. */
bool vma_range_free(struct vma_tree *t, uint64_t start, uint64_t end);
/* True when [start, end) touches a range reserved for the heap checker. */
bool vma_range_reserved(uint64_t start, uint64_t end);
/* Highest free gap of len bytes ending at or below top and starting at or above bottom, skipping
 * the reserved ranges; returns its start or 0 when there is none. */
uint64_t vma_find_gap(struct vma_tree *t, uint64_t len, uint64_t bottom, uint64_t top);
/* Consistency check (ordering, no overlap, AVL balance); panics when broken. */
void vma_check(struct vma_tree *t);

#endif
