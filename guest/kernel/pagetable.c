/* pagetable.c: x86-64 4-level page tables for user mappings (map/unmap/protect/lookup), via the physmap. */
#include "pagetable.h"

#include "bvm_linux.h"
#include "cpu.h"
#include "palloc.h"
#include "string.h"

#define PT_ENTRIES 512

static unsigned pt_index(uint64_t va, int level)
{
    return (va >> (12 + 9 * level)) & 0x1ff;
}

/* The last level-0 tables walked to, by 2 MiB region: the checker maps and unmaps alias pages
 * and its metadata many times per allocation, mostly in a few regions. Freeing any table
 * (prune_level) forgets them all. */
#define LEAF_CACHE 64
static struct {
    uint64_t root, region;
    uint64_t *table;
} leaf_cache[LEAF_CACHE];

/* Regions a GiB apart (the checker's metadata areas) must not share a slot. */
static inline unsigned leaf_slot(uint64_t region)
{
    return (unsigned)(region ^ (region >> 9) ^ (region >> 18)) % LEAF_CACHE;
}

static void leaf_cache_forget(void) { memset(leaf_cache, 0, sizeof(leaf_cache)); }

uint64_t pt_root(void)
{
    return read_cr3() & PTE_ADDR;
}

void pt_drop_identity(uint64_t root)
{
    uint64_t *pml4 = P2V(root);
    /* Its tables belong to the monitor's reserved boot area, so nothing is freed. */
    pml4[0] = 0;
    leaf_cache_forget();
    write_cr3(read_cr3());
}

/* pt_walk when va's region is not in leaf_cache. */
static uint64_t *pt_walk_tables(uint64_t root, uint64_t va, bool create)
{
    uint64_t region = (va >> 21) + 1;
    unsigned slot = leaf_slot(region);
    uint64_t *table = P2V(root);
    kassert(va < USER_TOP);
    for (int level = 3; level > 0; level--) {
        uint64_t *e = &table[pt_index(va, level)];
        if (!(*e & PTE_P)) {
            if (!create)
                return NULL;
            uint64_t pa = palloc_alloc();
            if (!pa)
                return NULL;
            /* Upper levels allow everything; the leaf decides the page's protection. */
            *e = pa | PTE_P | PTE_W | PTE_U;
        }
        if (*e & PTE_PS)
            panic("pagetable: large page in a user slot at %#lx", (unsigned long)va);
        table = P2V(*e & PTE_ADDR);
    }
    leaf_cache[slot].root = root, leaf_cache[slot].region = region, leaf_cache[slot].table = table;
    return &table[pt_index(va, 0)];
}

/* Walks to the level-0 table entry for va, creating tables when create is set. */
static inline uint64_t *pt_walk(uint64_t root, uint64_t va, bool create)
{
    uint64_t region = (va >> 21) + 1; /* 0: an empty slot */
    unsigned slot = leaf_slot(region);
    /* one branch (each ends a block of the soft CPU's translated code) */
    if (((leaf_cache[slot].region ^ region) | (leaf_cache[slot].root ^ root)) == 0)
        return &leaf_cache[slot].table[pt_index(va, 0)];
    return pt_walk_tables(root, va, create);
}

int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *pte = pt_walk(root, va, true);
    if (!pte)
        return -LINUX_ENOMEM;
    if (*pte & PTE_P)
        panic("pagetable: %#lx already mapped", (unsigned long)va);
    *pte = (pa & PTE_ADDR) | flags | PTE_P;
    return 0;
}

int pt_reserve(uint64_t root, uint64_t va) { return pt_walk(root, va, true) ? 0 : -LINUX_ENOMEM; }

uint64_t pt_unmap(uint64_t root, uint64_t va)
{
    uint64_t *pte = pt_walk(root, va, false);
    if (!pte || !(*pte & PTE_P))
        return 0;
    uint64_t pa = *pte & PTE_ADDR;
    *pte = 0;
    invlpg(va);
    return pa;
}

void pt_mark_written(uint64_t root, uint64_t va)
{
    uint64_t *pte = pt_walk(root, va, false);
    if (pte && (*pte & PTE_P))
        *pte |= PTE_A | PTE_D;
}

uint64_t pt_lookup(uint64_t root, uint64_t va)
{
    uint64_t *pte = pt_walk(root, va, false);
    return pte ? *pte : 0;
}

bool pt_protect(uint64_t root, uint64_t va, uint64_t flags)
{
    uint64_t *pte = pt_walk(root, va, false);
    if (!pte || !(*pte & PTE_P))
        return false;
    *pte = (*pte & (PTE_ADDR | PTE_A | PTE_D)) | flags | PTE_P;
    invlpg(va);
    return true;
}

static void pt_range_level(uint64_t table_pa, int level, uint64_t base, uint64_t start, uint64_t end,
                           pt_visit_fn *fn, void *ctx)
{
    uint64_t *table = P2V(table_pa);
    uint64_t span = 1ull << (12 + 9 * level);
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        uint64_t lo = base + i * span, hi = lo + span;
        if (hi <= start || lo >= end || !(table[i] & PTE_P))
            continue;
        if (level == 0)
            fn(lo, &table[i], ctx);
        else
            pt_range_level(table[i] & PTE_ADDR, level - 1, lo, start, end, fn, ctx);
    }
}

void pt_range(uint64_t root, uint64_t start, uint64_t end, pt_visit_fn *fn, void *ctx)
{
    kassert(start <= end && end <= USER_TOP);
    pt_range_level(root, 3, 0, start, end, fn, ctx);
}

static bool table_empty(const uint64_t *table)
{
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        if (table[i])
            return false;
    return true;
}

/* Frees the tables below table_pa (at `level`) that overlap [start, end) and hold nothing. */
static void prune_level(uint64_t table_pa, int level, uint64_t base, uint64_t start, uint64_t end)
{
    uint64_t *table = P2V(table_pa);
    uint64_t span = 1ull << (12 + 9 * level);
    /* only the entries [start, end) overlaps (the heap checker prunes 4 MiB at a time) */
    unsigned first = start > base ? (unsigned)((start - base) / span) : 0;
    unsigned last = (unsigned)MIN((uint64_t)PT_ENTRIES - 1, (end - 1 - base) / span);
    for (unsigned i = first; i <= last && end > base; i++) {
        uint64_t lo = base + i * span;
        if (!(table[i] & PTE_P))
            continue;
        uint64_t child = table[i] & PTE_ADDR;
        if (level > 1)
            prune_level(child, level - 1, lo, start, end);
        if (table_empty(P2V(child))) {
            table[i] = 0;
            /* INVLPG drops the paging-structure cache entries that lead through the freed table
             * (Intel: all of them; AMD: those on the way to the address, and the table covered
             * only addresses on that way); its pages' TLB entries went when they were unmapped.
             * A CR3 reload instead cost the soft CPU its whole TLB every few hundred mallocs. */
            invlpg(lo);
            palloc_unref(child);
            leaf_cache_forget();
        }
    }
}

void pt_prune(uint64_t root, uint64_t start, uint64_t end)
{
    kassert(start <= end && end <= USER_TOP);
    prune_level(root, 3, 0, start, end);
}

uint64_t pt_prot_flags(uint32_t prot)
{
    /* PROT_NONE pages stay (their data must survive a later mprotect) but supervisor-only: any
     * user access faults and the VMA check turns it into SIGSEGV. */
    if (prot == LINUX_PROT_NONE)
        return PTE_NX;
    /* x86 cannot express write-only or exec-only: any access right implies read. */
    uint64_t f = PTE_U;
    if (prot & LINUX_PROT_WRITE)
        f |= PTE_W;
    if (!(prot & LINUX_PROT_EXEC) && nx_enabled())
        f |= PTE_NX;
    return f;
}
