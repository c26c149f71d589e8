/* palloc.h: physical page allocator over the monitor's USABLE ranges, with refcounts and a reverse map. */
#ifndef PALLOC_H
#define PALLOC_H

#include "kernel.h"

struct addrspace;

void palloc_init(const struct bvm_bootinfo *bi);
/* A zeroed page with one reference, or 0 when memory is exhausted (physical page 0 is never usable). */
uint64_t palloc_alloc(void);
/* n physically contiguous zeroed pages (kernel stacks), each with one reference, or 0. Taken from
 * memory never used before only (freed pages are not contiguous), so callers keep and reuse them. */
uint64_t palloc_alloc_run(unsigned n);
void palloc_ref(uint64_t pa);
/* Drops one reference; the page is freed when none remain. */
void palloc_unref(uint64_t pa);
uint32_t palloc_refs(uint64_t pa);
/* Reverse map: which user mapping a page backs (for the heap checker and diagnostics). */
void palloc_set_rmap(uint64_t pa, struct addrspace *as, uint64_t va);
bool palloc_rmap(uint64_t pa, struct addrspace **as, uint64_t *va);
uint64_t palloc_free_pages(void);

#endif
