/* palloc.c: physical page allocator over the monitor's USABLE ranges, with refcounts and a reverse map. */
#include "palloc.h"

#include "string.h"

/* One per physical page of RAM. */
struct page {
    uint32_t refs;
    uint32_t next_free; /* on the free list: the next free page's frame number (0: the last) */
    struct addrspace *as; /* reverse map: owner and user virtual address, or NULL */
    uint64_t va;
};

static struct page *pages; /* indexed by pa >> PAGE_SHIFT, in the physmap */
static uint64_t npages;
/* pa of the first freed page. The links live in the metadata, not in the pages: a forked
 * process's page is its parent's too until written (the host's copy-on-write), and freeing one
 * must not make the host copy it. */
static uint64_t free_list;
static uint64_t nfree;
/* Never-used pages are handed out by bumping through the ranges, so RAM the program never needs
 * is never touched (the host then need not back it). */
static struct bvm_mem_range usable[BVM_MAX_RANGES];
static uint32_t nusable, cur_range;
static uint64_t bump;

static struct page *page_of(uint64_t pa)
{
    if (!PAGE_ALIGNED(pa) || (pa >> PAGE_SHIFT) >= npages)
        panic("palloc: bad physical page %#lx", (unsigned long)pa);
    return &pages[pa >> PAGE_SHIFT];
}

/* Takes the metadata array out of the first usable range big enough to hold it. */
static void palloc_place_metadata(uint64_t bytes)
{
    for (uint32_t i = 0; i < nusable; i++) {
        if (usable[i].size >= bytes + PAGE_SIZE) {
            /* No memset: guest RAM starts zeroed (fresh anonymous memory in the monitor), and
             * touching the whole array would make the host back it all at boot. */
            pages = P2V(usable[i].base);
            usable[i].base += bytes;
            usable[i].size -= bytes;
            return;
        }
    }
    panic("palloc: no usable range holds %lu bytes of page metadata", (unsigned long)bytes);
}

/* RAM above 3 GiB lives from 4 GiB up (monitor/guestmem.h), so the pages array is indexed up to
 * the end of the highest usable range, hole included (its entries are never touched). RAM lies
 * below the file window. */
void palloc_init(const struct bvm_bootinfo *bi)
{
    uint64_t top = 0;
    for (uint32_t i = 0; i < bi->nr_ranges && i < BVM_MAX_RANGES; i++) {
        const struct bvm_mem_range *r = &bi->ranges[i];
        if (r->type != BVM_RANGE_USABLE || r->size == 0)
            continue;
        if (!PAGE_ALIGNED(r->base) || !PAGE_ALIGNED(r->size) || r->base > BVM_FILEWIN_GPA ||
            r->size > BVM_FILEWIN_GPA - r->base)
            panic("palloc: bad usable range %#lx+%#lx", (unsigned long)r->base, (unsigned long)r->size);
        usable[nusable++] = *r;
        top = MAX(top, r->base + r->size);
    }
    npages = top >> PAGE_SHIFT;
    if (npages > UINT32_MAX) /* free-list links are 32-bit frame numbers */
        panic("palloc: %lu pages of RAM are more than this allocator indexes", (unsigned long)npages);
    palloc_place_metadata(PAGE_UP(npages * sizeof(struct page)));
    for (uint32_t i = 0; i < nusable; i++)
        nfree += usable[i].size >> PAGE_SHIFT;
    bump = nusable ? usable[0].base : 0;
}

/* A page off the free list, else a never-used one (*fresh: still zero from the host). */
static uint64_t palloc_take(bool *fresh)
{
    uint64_t pa;
    *fresh = false;
    if (free_list) {
        pa = free_list;
        free_list = (uint64_t)page_of(pa)->next_free << PAGE_SHIFT;
        return pa;
    }
    *fresh = true;
    while (cur_range < nusable) {
        struct bvm_mem_range *r = &usable[cur_range];
        if (bump < r->base + r->size) {
            pa = bump;
            bump += PAGE_SIZE;
            return pa;
        }
        if (++cur_range < nusable)
            bump = usable[cur_range].base;
    }
    return 0;
}

uint64_t palloc_alloc(void)
{
    bool fresh;
    uint64_t pa = palloc_take(&fresh);
    if (!pa)
        return 0;
    struct page *p = page_of(pa);
    kassert(p->refs == 0);
    p->refs = 1;
    p->as = NULL;
    p->va = 0;
    nfree--;
    if (!fresh) /* a fresh page is left untouched: the host backs it when it is first used */
        memset(P2V(pa), 0, PAGE_SIZE);
    return pa;
}

uint64_t palloc_alloc_run(unsigned n)
{
    uint64_t len = (uint64_t)n * PAGE_SIZE;
    while (cur_range < nusable && bump + len > usable[cur_range].base + usable[cur_range].size)
        if (++cur_range < nusable) /* the rest of this range stays unused */
            bump = usable[cur_range].base;
    if (cur_range >= nusable || nfree < n)
        return 0;
    uint64_t pa = bump;
    bump += len;
    for (unsigned i = 0; i < n; i++) {
        struct page *p = page_of(pa + i * PAGE_SIZE);
        p->refs = 1;
        p->as = NULL;
        nfree--;
    }
    return pa; /* never-used pages: zero already */
}

void palloc_ref(uint64_t pa)
{
    struct page *p = page_of(pa);
    kassert(p->refs > 0);
    p->refs++;
}

void palloc_unref(uint64_t pa)
{
    struct page *p = page_of(pa);
    if (p->refs == 0)
        panic("palloc: double free of page %#lx", (unsigned long)pa);
    if (--p->refs)
        return;
    p->as = NULL;
    p->next_free = (uint32_t)(free_list >> PAGE_SHIFT);
    free_list = pa;
    nfree++;
}

uint32_t palloc_refs(uint64_t pa)
{
    return page_of(pa)->refs;
}

void palloc_set_rmap(uint64_t pa, struct addrspace *as, uint64_t va)
{
    struct page *p = page_of(pa);
    p->as = as;
    p->va = va;
}

bool palloc_rmap(uint64_t pa, struct addrspace **as, uint64_t *va)
{
    struct page *p = page_of(pa);
    *as = p->as;
    *va = p->va;
    return p->as != NULL;
}

uint64_t palloc_free_pages(void)
{
    return nfree;
}
