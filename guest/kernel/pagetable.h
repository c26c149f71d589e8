/* pagetable.h: x86-64 4-level page tables for user mappings (map/unmap/protect/lookup), via the physmap. */
#ifndef PAGETABLE_H
#define PAGETABLE_H

#include "kernel.h"
#include "x86_arch.h"


/* The root (PML4) is shared with the kernel halves set up by the monitor; user mappings live in
 * slots 0..255. All functions take the physical address of the PML4. */
uint64_t pt_root(void);
/* Removes the boot identity map (PML4[0]) and flushes the TLB; called once before user mappings. */
void pt_drop_identity(uint64_t root);
/* Maps one 4 KiB page; va must be unmapped (an invariant). Returns 0 or -ENOMEM. */
int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags);
/* Creates the tables a mapping at va needs (so a later pt_map there cannot fail). 0 or -ENOMEM. */
int pt_reserve(uint64_t root, uint64_t va);
/* Unmaps one page; returns its pa, or 0 when nothing was mapped. */
uint64_t pt_unmap(uint64_t root, uint64_t va);
/* The leaf PTE for va (0 when not present). */
uint64_t pt_lookup(uint64_t root, uint64_t va);
/* Sets the accessed and dirty bits of va's present PTE, as a user write would. */
void pt_mark_written(uint64_t root, uint64_t va);
bool pt_protect(uint64_t root, uint64_t va, uint64_t flags);

/* Calls fn for every present leaf PTE in [start, end), skipping empty tables quickly. */
typedef void pt_visit_fn(uint64_t va, uint64_t *pte, void *ctx);
void pt_range(uint64_t root, uint64_t start, uint64_t end, pt_visit_fn *fn, void *ctx);

/* Frees the page tables overlapping [start, end) that map nothing any more (after an unmap). */
void pt_prune(uint64_t root, uint64_t start, uint64_t end);

/* PTE flags for a PROT_* combination (user pages). */
uint64_t pt_prot_flags(uint32_t prot);
bool nx_enabled(void);

#endif
