/* check_meta.c: the heap checker's own memory: pages of the META range, mapped supervisor-only
 * in the process's page tables (so out of the program's reach), zero-filled on demand. */
#include "check_int.h"
#include "cpu.h"
#include "mm.h"
#include "pagetable.h"
#include "palloc.h"

/* Present, writable, supervisor-only, never executable. */
#define META_FLAGS (PTE_P | PTE_W | (nx_enabled() ? PTE_NX : 0))

bool meta_ensure(uint64_t va, uint64_t len)
{
    for (uint64_t p = PAGE_DOWN(va); p < va + len; p += PAGE_SIZE) {
        if (pt_lookup(cur_as->root, p) & PTE_P)
            continue;
        uint64_t pa = palloc_alloc();
        if (!pa)
            return false;
        if (pt_map(cur_as->root, p, pa, META_FLAGS)) {
            palloc_unref(pa);
            return false;
        }
    }
    return true;
}

void meta_release(uint64_t va, uint64_t len)
{
    for (uint64_t p = PAGE_UP(va); p + PAGE_SIZE <= va + len; p += PAGE_SIZE) {
        uint64_t pa = pt_unmap(cur_as->root, p);
        if (pa) {
            invlpg(p);
            palloc_unref(pa);
        }
    }
}

void meta_set_bounds(uint64_t va, uint32_t entry)
{
    uint64_t slot = META_BOUNDS + ((va - BVM_CHECK_ALIAS_BASE) >> PAGE_SHIFT) * 4;
    if (!entry && !(pt_lookup(cur_as->root, PAGE_DOWN(slot)) & PTE_P))
        return;
    if (meta_ensure(slot, 4))
        *(volatile uint32_t *)slot = entry;
}
