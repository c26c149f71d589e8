/* check_meta.c: the heap checker's own memory: pages of the META range, mapped supervisor-only
 * in the process's page tables (so out of the program's reach), zero-filled on demand. */
#include "check_int.h"
#include "cpu.h"
#include "mm.h"
#include "pagetable.h"
#include "palloc.h"
#include "string.h"

/* Present, writable, supervisor-only, never executable. */
#define META_FLAGS (PTE_P | PTE_W | (nx_enabled() ? PTE_NX : 0))

/* Pages known to be mapped, by page number: the malloc path ensures the same few pages (its
 * block record, the bounds and chunk counts) at every call. Forgotten when a page is released
 * and when heap_reset unmaps them all (meta_reset); kept with the root they are mapped in. */
#define KNOWN 64 /* 2^6: known_slot takes the top 6 bits of a product */
static struct {
    uint64_t root;
    uint64_t page[KNOWN];
} known;

/* Hashed: the regions' pages in step (an alias page's bounds and owner entries) lie a multiple of
 * KNOWN pages apart, and would take one slot by turns. */
static inline uint64_t *known_slot(uint64_t page)
{
    return &known.page[((page >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ull) >> 58];
}

void meta_reset(void) { memset(&known, 0, sizeof(known)); }

/* (or'ed: one branch, not two, for the soft CPU) */
static bool known_has(uint64_t page) { return ((*known_slot(page) ^ page) | (known.root ^ cur_as->root)) == 0; }

static bool meta_map(uint64_t page)
{
    if (!(pt_lookup(cur_as->root, page) & PTE_P)) {
        uint64_t pa = palloc_alloc();
        if (!pa)
            return false;
        if (pt_map(cur_as->root, page, pa, META_FLAGS)) {
            palloc_unref(pa);
            return false;
        }
    }
    if (known.root != cur_as->root)
        meta_reset(), known.root = cur_as->root;
    *known_slot(page) = page;
    return true;
}

bool meta_ensure(uint64_t va, uint64_t len)
{
    for (uint64_t p = PAGE_DOWN(va); p < va + len; p += PAGE_SIZE)
        if (!known_has(p) && !meta_map(p))
            return false;
    return true;
}

bool meta_present(uint64_t va)
{
    uint64_t p = PAGE_DOWN(va);
    return known_has(p) || (pt_lookup(cur_as->root, p) & PTE_P);
}

void meta_release(uint64_t va, uint64_t len)
{
    for (uint64_t p = PAGE_UP(va); p + PAGE_SIZE <= va + len; p += PAGE_SIZE) {
        uint64_t pa = pt_unmap(cur_as->root, p);
        if (*known_slot(p) == p)
            *known_slot(p) = 0;
        if (pa) {
            invlpg(p);
            palloc_unref(pa);
        }
    }
}

void meta_set_bounds(uint64_t va, uint32_t entry)
{
    uint64_t slot = META_BOUNDS + ((va - BVM_CHECK_ALIAS_BASE) >> PAGE_SHIFT) * 4;
    if (!entry && !meta_present(slot))
        return;
    if (meta_ensure(slot, 4))
        *(volatile uint32_t *)slot = entry;
}
