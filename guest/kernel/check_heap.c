/* check_heap.c: the heap checker's blocks: alias pages, physical slabs, the block records.
 *
 * Alias space is handed out by a bump pointer and never reused: a small block takes one alias page
 * plus an unmapped guard page, a large one its pages plus the guard. Small blocks (< 2 KiB) live in
 * slabs, physical pages of one size class, each block seen through its own alias page at its slot's
 * offset; large blocks get pages of their own and end against the guard page (16-byte rounded).
 * A freed block's record is copied into the ring of the last FREED_KEEP frees (to name the block in
 * a report) and its slot among the live records is taken again by the next malloc; its alias stays
 * unmapped for ever. A block is found from an address by the owner table, one entry per alias page
 * (guard included) naming the live record or ring slot of the block whose pages those are: written
 * where the bump pointer is (and the bounds table is) when a block is made, rewritten when it is
 * freed, read only for a free or a report. Page tables of 4 MiB alias chunks no record refers to
 * any more are given back, with their part of the bounds and owner tables.
 *
 * When the bump pointer reaches the end of alias space, that space is recycled (MarkUs' way): the
 * program's memory (its data, stacks, every live block, every thread's registers) is searched for
 * values pointing into alias pages no block holds any more, as a stale pointer would, and a chunk
 * such a pointer points into is never reused, so that pointer's use still faults. In the other
 * chunks the pages no block (live, or freed and remembered) holds become runs the bump pointer goes
 * through again. If nothing can be recycled, the oldest half of the ring of freed blocks is
 * forgotten first (their reports lose the free's stack, as memcheck's once past its freed-blocks
 * queue). */
#include "check_int.h"
#include "cpu.h"
#include "mm.h"
#include "pagetable.h"
#include "palloc.h"
#include "string.h"

#define SMALL_MAX 2047 /* larger blocks get pages of their own */
#define CHUNK_SHIFT 22 /* 4 MiB: two page tables and one page each of the bounds and owner tables */
#define FREED_KEEP 65536

struct slab {
    uint64_t pa;
    uint64_t used[4]; /* one bit per slot */
    uint16_t cls, nused;
    uint16_t slots; /* PAGE_SIZE / its class's size (made once: the soft CPU runs DIV the slow way) */
    uint32_t next;  /* partial list or free list, index + 1 */
};

static const uint16_t class_size[] = {16,  32,  48,  64,  80,  96,  112, 128, 160, 192,  224,  256,
                                      320, 384, 448, 512, 640, 768, 896, 1024, 1360, 2048};
#define NCLASSES ARRAY_SIZE(class_size)

struct heap_totals heap_totals;
static struct cblock *const blocks = (struct cblock *)META_BLOCKS;
/* By alias page: live block id + 1, or OWNER_FREED | ring slot, 0: none. */
static uint32_t *const owners = (uint32_t *)META_OWNERS;
#define OWNER_FREED (1u << 31)
static struct cblock *const ring = (struct cblock *)META_FREED; /* the last FREED_KEEP freed */
static struct slab *const slabs = (struct slab *)META_SLABS;
static uint32_t *const chunk_live = (uint32_t *)META_CHUNKS;

/* The first alias page stays unmapped too: every block has a guard page before and after it. */
#define ALIAS_FIRST (BVM_CHECK_ALIAS_BASE + PAGE_SIZE)
static uint64_t alias_next = ALIAS_FIRST;
static uint64_t alias_end = BVM_CHECK_ALIAS_END; /* the end of the run the bump pointer is in */
static uint64_t alias_top = ALIAS_FIRST;         /* the highest alias_next so far */
static bool counts_lost; /* a chunk's count could not be made: empty chunks are not known (no recycling) */
static uint64_t vfork_mark; /* alias_next when this vfork child began; 0: not one */
static uint32_t nblocks, free_records;
static uint32_t nslabs, free_slabs, partial[NCLASSES];
static uint32_t freed_head, freed_count;

/* ---- block records and the owner table ---- */
static uint32_t *owner_slot(uint64_t va) { return &owners[(va - BVM_CHECK_ALIAS_BASE) >> PAGE_SHIFT]; }

/* Bytes of alias space b holds from b->alias: its pages and the guard page after them. */
static uint64_t alias_span(const struct cblock *b) { return ((uint64_t)b->npages + 1) * PAGE_SIZE; }

/* Enters owner as the owner of b's alias pages and guard page (their entries made present before). */
static void owner_set(const struct cblock *b, uint32_t owner)
{
    uint32_t *first = owner_slot(b->alias), n = b->npages + 1;
    for (uint32_t i = 0; i < n; i++)
        first[i] = owner;
}

/* The block (live, or freed and still in the ring) whose alias pages or guard page hold va. */
static struct cblock *find_owner(uint64_t va)
{
    uint32_t *o = owner_slot(va);
    if (!meta_present((uint64_t)o) || !*o)
        return NULL;
    struct cblock *b; /* the record or slot may be another block's since */
    uint32_t slot = *o & ~OWNER_FREED;
    if (*o & OWNER_FREED) /* a slot of the ring's part in use (from freed_head on, freed_count of them) */
        b = slot < FREED_KEEP && (slot + FREED_KEEP - freed_head) % FREED_KEEP < freed_count ? &ring[slot] : NULL;
    else
        b = *o <= nblocks ? &blocks[*o - 1] : NULL;
    bool holds = b && b->state != CB_FREE_RECORD && va >= b->alias && va - b->alias < alias_span(b);
    return holds ? b : NULL;
}

static struct cblock *record_new(void)
{
    uint32_t id;
    if (free_records) {
        id = free_records - 1;
        free_records = blocks[id].hnext;
    } else {
        if (!meta_ensure((uint64_t)&blocks[nblocks], sizeof(struct cblock)))
            return NULL;
        id = nblocks++;
    }
    return &blocks[id]; /* its fields are the caller's to fill in, every one */
}

/* A record no block (or no longer one) is kept in: back to the free ones. */
static void record_free(struct cblock *b)
{
    b->state = CB_FREE_RECORD, b->hnext = free_records, free_records = (uint32_t)(b - blocks) + 1;
}

static void chunks_count(uint64_t start, uint64_t end, int delta);
static inline void block_chunks(const struct cblock *b, int delta);

/* The oldest freed block in the ring is forgotten (its chunks then free to go). */
static void ring_drop_oldest(void)
{
    block_chunks(&ring[freed_head], -1);
    freed_head = (freed_head + 1) % FREED_KEEP;
    freed_count--;
}

/* The freed block b, copied into the ring (the oldest one there forgotten when it is full) and
 * named by its pages' owner entries; false when RAM is out (it is forgotten at once). */
static bool ring_keep(const struct cblock *b)
{
    uint32_t slot = (freed_head + freed_count) % FREED_KEEP;
    if (freed_count == FREED_KEEP)
        ring_drop_oldest();
    if (!meta_ensure((uint64_t)&ring[slot], sizeof(ring[slot])))
        return false;
    ring[slot] = *b;
    freed_count++;
    owner_set(b, OWNER_FREED | slot);
    return true;
}

/* ---- alias chunks: records per 4 MiB, to give back page tables and table pages no block needs ---- */
static uint64_t counts_page; /* a page of the counts known present (they stay until exec) */

static uint32_t *chunk_count(uint64_t c, bool make)
{
    uint32_t *live = &chunk_live[c - (BVM_CHECK_ALIAS_BASE >> CHUNK_SHIFT)];
    if (PAGE_DOWN(live) == counts_page)
        return live;
    if (make ? !meta_ensure((uint64_t)live, sizeof(*live)) : !meta_present((uint64_t)live))
        return NULL;
    counts_page = PAGE_DOWN(live);
    return live;
}

/* A chunk the bump pointer has left, with no record of a block in it: its tables go. */
static void chunk_release(uint64_t c)
{
    uint32_t *live = chunk_count(c, false);
    uint64_t start = c << CHUNK_SHIFT;
    if ((live && *live) || alias_next >> CHUNK_SHIFT == c) /* (the bump pointer is in it) */
        return;
    pt_prune(cur_as->root, start, start + (1ull << CHUNK_SHIFT));
    meta_release(META_BOUNDS + ((start - BVM_CHECK_ALIAS_BASE) >> PAGE_SHIFT) * 4, PAGE_SIZE);
    meta_release((uint64_t)owner_slot(start), PAGE_SIZE);
}

static void chunks_count(uint64_t start, uint64_t end, int delta)
{
    for (uint64_t c = start >> CHUNK_SHIFT; c <= (end - 1) >> CHUNK_SHIFT; c++) {
        uint32_t *live = chunk_count(c, delta > 0);
        if (!live) { /* the count is only an economy, and a condition of recycling */
            counts_lost |= delta > 0;
            continue;
        }
        *live += (uint32_t)delta;
        if (delta < 0 && *live == 0)
            chunk_release(c);
    }
}

/* One record more (delta 1) or fewer (-1) in the chunks b's alias span lies in. */
static inline void block_chunks(const struct cblock *b, int delta)
{
    chunks_count(b->alias, b->alias + alias_span(b), delta);
}

static bool alias_fits(uint64_t from, uint64_t end, uint64_t pages, uint64_t align)
{
    uint64_t a = (from + align - 1) & ~(align - 1);
    return a >= from && a < end && pages < (end - a) / PAGE_SIZE;
}

/* ---- recycling ---- */
#define CHUNK_PINNED (1u << 31) /* (in a chunk's count while recycle runs) */
static uint64_t alias_limit = BVM_CHECK_ALIAS_END; /* (BVM_CHECK_ALIAS_MIB: smaller, for tests) */
#define MAX_RUNS 4096

static struct run {
    uint64_t start, end;
} runs[MAX_RUNS];
static uint32_t nruns, next_run;

/* A value in memory that points into alias pages no block holds (a stale pointer): its chunk is
 * not to be reused. (Pointers into live blocks and remembered freed ones are not: their pages are
 * taken anyway.) */
static void pin(uint64_t v)
{
    if (v < ALIAS_FIRST || v >= alias_top || find_owner(v))
        return;
    uint32_t *live = chunk_count(v >> CHUNK_SHIFT, false);
    if (live)
        *live |= CHUNK_PINNED;
}

static void run_add(uint64_t start, uint64_t end)
{
    if (nruns && runs[nruns - 1].end == start)
        runs[nruns - 1].end = end;
    else if (nruns < MAX_RUNS)
        runs[nruns++] = (struct run){start, end};
}

/* The alias pages below alias_top that no block holds, in chunks no stale pointer points into, as
 * runs (a chunk without a record whole; else page by page); false when there is none. */
static bool recycle(void)
{
    uint64_t first = (ALIAS_FIRST >> CHUNK_SHIFT) + 1, top = (MIN(alias_top, alias_limit) - 1) >> CHUNK_SHIFT;
    if (counts_lost)
        return false;
    leak_scan_pins(pin);
    nruns = next_run = 0;
    for (uint64_t c = first; c <= top; c++) {
        uint32_t *live = chunk_count(c, false);
        if (!live)
            continue; /* (never used) */
        bool pinned = (*live & CHUNK_PINNED) != 0;
        *live &= ~CHUNK_PINNED;
        uint64_t start = c << CHUNK_SHIFT, end = MIN(start + (1ull << CHUNK_SHIFT), alias_limit);
        if (pinned || nruns == MAX_RUNS)
            continue;
        if (*live == 0)
            run_add(start, end);
        else
            for (uint64_t va = start; va < end; va += PAGE_SIZE)
                if (!find_owner(va))
                    run_add(va, va + PAGE_SIZE);
    }
    return nruns > 0;
}

/* The bump pointer moves to the next run of recycled pages that holds pages; false when none
 * is left. */
static bool take_run(uint64_t pages, uint64_t align)
{
    while (next_run < nruns) {
        struct run r = runs[next_run++];
        if (alias_fits(r.start, r.end, pages, align)) {
            uint64_t left = alias_next >> CHUNK_SHIFT;
            alias_next = r.start, alias_end = r.end;
            chunk_release(left);
            return true;
        }
    }
    return false;
}

/* take_run, recycling when no run is left, the ring of freed blocks halved (its oldest) until one
 * is found; false when alias space is out. Not in a vfork child (what it makes must lie in one
 * range after where it began, for its parent to take over). */
static bool alias_next_run(uint64_t pages, uint64_t align)
{
    if (vfork_mark)
        return false;
    for (;;) {
        if (take_run(pages, align))
            return true;
        recycle();
        if (take_run(pages, align))
            return true;
        if (!freed_count)
            return false;
        for (uint32_t n = (freed_count + 1) / 2; n; n--)
            ring_drop_oldest();
    }
}

/* pages alias pages (and a guard page) at an align boundary, their owner table entries present;
 * 0 when alias space or RAM is out. */
static uint64_t alias_take(uint64_t pages, uint64_t align)
{
    if (!alias_fits(alias_next, alias_end, pages, align) && !alias_next_run(pages, align))
        return 0;
    uint64_t a = (alias_next + align - 1) & ~(align - 1), was = alias_next;
    uint64_t before = alias_next >> CHUNK_SHIFT;
    alias_next = a + (pages + 1) * PAGE_SIZE;
    alias_top = MAX(alias_top, alias_next);
    if (alias_next >> CHUNK_SHIFT != before)
        chunk_release(before); /* left behind empty: its blocks all freed and forgotten already */
    if (!meta_ensure((uint64_t)owner_slot(a), (pages + 1) * sizeof(uint32_t))) {
        alias_next = was;
        return 0;
    }
    return a;
}

static uint64_t user_rw(void) { return pt_prot_flags(LINUX_PROT_READ | LINUX_PROT_WRITE); }

/* ---- slabs ---- */
/* The smallest class holding size (<= SMALL_MAX), by 16-byte steps (made once). */
static unsigned class_of(uint64_t size)
{
    static uint8_t by16[(SMALL_MAX + 1) / 16 + 2];
    static bool made;
    for (unsigned k = 0, c = 0; !made && k < ARRAY_SIZE(by16); k++) {
        while (c + 1 < NCLASSES && class_size[c] < k * 16)
            c++;
        by16[k] = (uint8_t)c;
    }
    made = true;
    return by16[(size + 15) / 16];
}

static uint32_t slab_get(unsigned cls)
{
    if (partial[cls])
        return partial[cls] - 1;
    uint32_t id;
    if (free_slabs) {
        id = free_slabs - 1;
        free_slabs = slabs[id].next;
    } else {
        if (!meta_ensure((uint64_t)&slabs[nslabs], sizeof(struct slab)))
            return UINT32_MAX;
        id = nslabs++;
    }
    uint64_t pa = palloc_alloc();
    if (!pa) {
        slabs[id].next = free_slabs;
        free_slabs = id + 1;
        return UINT32_MAX;
    }
    slabs[id] = (struct slab){.pa = pa, .cls = (uint16_t)cls, .slots = (uint16_t)(PAGE_SIZE / class_size[cls])};
    partial[cls] = id + 1;
    return id;
}

static uint32_t slab_take(uint32_t id)
{
    struct slab *s = &slabs[id];
    unsigned w = 0;
    while (s->used[w] == ~0ull) /* not full: a clear bit exists below slots */
        w++;
    unsigned slot = w * 64 + (unsigned)__builtin_ctzll(~s->used[w]);
    s->used[slot / 64] |= 1ull << (slot % 64);
    if (++s->nused == s->slots)
        partial[s->cls] = s->next, s->next = 0;
    return slot;
}

static void slab_put(uint32_t id, uint32_t slot)
{
    struct slab *s = &slabs[id];
    bool was_full = s->nused == s->slots;
    s->used[slot / 64] &= ~(1ull << (slot % 64));
    s->nused--;
    uint32_t *p = &partial[s->cls];
    if (s->nused == 0) { /* empty: off the partial list, its page back */
        while (*p && *p != id + 1)
            p = &slabs[*p - 1].next;
        if (*p)
            *p = s->next;
        palloc_unref(s->pa);
        s->next = free_slabs;
        free_slabs = id + 1;
    } else if (was_full) {
        s->next = *p;
        *p = id + 1;
    }
}

/* ---- blocks ---- */
static bool alloc_small(struct cblock *b, uint64_t size)
{
    unsigned cls = class_of(size);
    uint32_t sid = slab_get(cls);
    if (sid == UINT32_MAX)
        return false;
    uint64_t alias = alias_take(1, PAGE_SIZE);
    if (!alias || pt_reserve(cur_as->root, alias))
        return false; /* (the slab stays on its partial list, unused) */
    uint32_t slot = slab_take(sid);
    uint64_t off = (uint64_t)slot * class_size[cls];
    memset((char *)P2V(slabs[sid].pa) + off, 0, class_size[cls]);
    meta_set_bounds(alias, BVM_BOUNDS(off, off + size));
    pt_map(cur_as->root, alias, slabs[sid].pa, user_rw());
    *b = (struct cblock){.ptr = alias + off, .size = size, .alias = alias, .pa = slabs[sid].pa,
                         .npages = 1, .small = 1, .slab = sid, .slot = slot};
    return true;
}

/* The soft CPU's bounds of the block [ptr, ptr + size) on its first and last page. */
static void set_bounds(uint64_t ptr, uint64_t size)
{
    uint64_t end = ptr + size;
    meta_set_bounds(ptr, BVM_BOUNDS(ptr & (PAGE_SIZE - 1), PAGE_DOWN(ptr) == PAGE_DOWN(end - 1) || !size
                                                                ? (end - PAGE_DOWN(ptr)) : PAGE_SIZE));
    if (size && PAGE_DOWN(end - 1) != PAGE_DOWN(ptr))
        meta_set_bounds(end - 1, BVM_BOUNDS(0, end - PAGE_DOWN(end - 1)));
}

/* Fresh zeroed pages at the npages alias pages from alias; false (none left) when RAM is out. */
static bool map_own_pages(uint64_t alias, uint64_t npages)
{
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t pa = palloc_alloc();
        if (!pa || pt_map(cur_as->root, alias + i * PAGE_SIZE, pa, user_rw())) {
            if (pa)
                palloc_unref(pa);
            for (uint64_t j = 0; j < i; j++)
                palloc_unref(pt_unmap(cur_as->root, alias + j * PAGE_SIZE));
            return false;
        }
    }
    return true;
}

/* Pages of its own, the block's end against the guard page (rounded to 16 bytes, or to align). */
static bool alloc_large(struct cblock *b, uint64_t size, uint64_t align)
{
    uint64_t round = MAX(align, 16), span = (size + round - 1) & ~(round - 1);
    uint64_t npages = PAGE_UP(MAX(span, 1)) / PAGE_SIZE;
    if (npages + 16 > palloc_free_pages())
        return false;
    uint64_t alias = alias_take(npages, MAX(align, PAGE_SIZE));
    if (!alias)
        return false;
    uint64_t ptr = align > PAGE_SIZE ? alias : alias + npages * PAGE_SIZE - span;
    if (!map_own_pages(alias, npages))
        return false;
    set_bounds(ptr, size);
    *b = (struct cblock){.ptr = ptr, .size = size, .alias = alias, .npages = (uint32_t)npages};
    return true;
}

/* ---- a vfork child's heap is its parent's ----
 * A CLONE_VM vfork child (posix_spawn; dash runs commands so, allocating before it execs) shares
 * its parent's memory, so what it allocates and frees is the parent's heap too. It runs on a
 * copy, so before it goes it hands over the blocks it made that are still live and the parent's
 * blocks it freed (records, then those blocks' pages); the parent takes them over before vfork
 * returns: the same pointers, fresh pages, and the stacks of the child's allocations and frees
 * (their frames: the child's stack ids are its own). */
#define VF_FREED_MAX 1024 /* parent blocks a child frees that are told (more are rare: a leak then) */
static struct {
    uint64_t ptr;
    uint32_t stack;
} vf_freed[VF_FREED_MAX];
static uint32_t nvf_freed;

/* b, filled in with its pages mapped (and its owner table entries present), becomes a live block:
 * entered, counted (inlined: the malloc path). */
static inline __attribute__((always_inline)) void record_live(struct cblock *b)
{
    b->state = CB_LIVE;
    owner_set(b, (uint32_t)(b - blocks) + 1);
    block_chunks(b, 1);
    heap_totals.allocs++, heap_totals.bytes += b->size;
    heap_totals.live_blocks++, heap_totals.live_bytes += b->size;
}

struct cblock *heap_alloc(uint64_t size, uint64_t align, uint32_t fn, uint32_t stack)
{
    if (size >= (1ull << 46))
        return NULL;
    struct cblock *b = record_new();
    if (!b)
        return NULL;
    bool ok = size <= SMALL_MAX && align <= 16 ? alloc_small(b, size) : alloc_large(b, size, align);
    if (!ok) {
        record_free(b);
        return NULL;
    }
    b->fn = (uint8_t)fn, b->alloc_stack = stack;
    record_live(b);
    return b;
}

void heap_free(struct cblock *b, uint32_t stack)
{
    for (uint64_t i = 0; i < b->npages; i++) {
        uint64_t pa = pt_unmap(cur_as->root, b->alias + i * PAGE_SIZE); /* (and INVLPG) */
        if (pa && !b->small)
            palloc_unref(pa);
    }
    if (b->small)
        slab_put(b->slab, b->slot);
    if (vfork_mark && b->alias < vfork_mark) { /* the parent's block: it must know */
        if (nvf_freed < VF_FREED_MAX)
            vf_freed[nvf_freed].ptr = b->ptr, vf_freed[nvf_freed++].stack = stack;
    }
    b->state = CB_FREED, b->free_stack = stack;
    heap_totals.frees++;
    heap_totals.live_blocks--, heap_totals.live_bytes -= b->size;
    if (!ring_keep(b)) {
        owner_set(b, 0);
        block_chunks(b, -1);
    }
    record_free(b);
}

struct cblock *heap_find_ptr(uint64_t p)
{
    struct cblock *b = check_alias(p) ? find_owner(p) : NULL;
    return b && b->ptr == p ? b : NULL;
}

/* An address past a block's end, in its guard page, is also just before the next block's first
 * page: the nearer of the two describes it (memcheck's "1 bytes before a block"). */
struct cblock *heap_find_addr(uint64_t va)
{
    if (!check_alias(va))
        return NULL;
    struct cblock *b = find_owner(va);
    if (b && va < b->ptr + b->size)
        return b;
    uint64_t next_page = PAGE_DOWN(va) + PAGE_SIZE;
    struct cblock *n = check_alias(next_page) ? find_owner(next_page) : NULL;
    if (n && n->ptr > va && (!b || n->ptr - va <= va - (b->ptr + b->size)))
        return n;
    return b;
}

void heap_each_live(heap_fn *fn, void *ctx)
{
    for (uint32_t id = 0; id < nblocks; id++)
        if (blocks[id].state == CB_LIVE)
            fn(&blocks[id], ctx);
}

uint64_t heap_block_pa(const struct cblock *b, uint64_t off)
{
    uint64_t va = b->ptr + off;
    if (b->small)
        return b->pa + (va & (PAGE_SIZE - 1));
    return (pt_lookup(cur_as->root, PAGE_DOWN(va)) & PTE_ADDR) + (va & (PAGE_SIZE - 1));
}

static void unmap_all(uint64_t va, uint64_t *pte, void *ctx)
{
    uint64_t pa = *pte & PTE_ADDR;
    bool owned = *(bool *)ctx;
    *pte = 0;
    if (owned)
        palloc_unref(pa);
}

void heap_reset(void)
{
    /* Large blocks' pages are the blocks' own; small blocks' are the slabs'. */
    for (uint32_t id = 0; id < nblocks; id++) {
        struct cblock *b = &blocks[id];
        if (b->state == CB_LIVE && !b->small)
            for (uint64_t i = 0; i < b->npages; i++)
                palloc_unref(pt_unmap(cur_as->root, b->alias + i * PAGE_SIZE));
    }
    for (uint32_t id = 0; id < nslabs; id++)
        if (slabs[id].nused)
            palloc_unref(slabs[id].pa);
    bool owned = false;
    pt_range(cur_as->root, BVM_CHECK_ALIAS_BASE, BVM_CHECK_ALIAS_END, unmap_all, &owned);
    owned = true;
    pt_range(cur_as->root, BVM_CHECK_META_BASE, BVM_CHECK_META_END, unmap_all, &owned);
    meta_reset(); /* (its pages known present are gone) */
    pt_prune(cur_as->root, BVM_CHECK_ALIAS_BASE, BVM_CHECK_META_END);
    write_cr3(read_cr3());
    memset(&heap_totals, 0, sizeof(heap_totals));
    alias_next = alias_top = ALIAS_FIRST;
    alias_end = alias_limit = boot->check_alias_mib
                                  ? MIN(ALIAS_FIRST + ((uint64_t)boot->check_alias_mib << 20), BVM_CHECK_ALIAS_END)
                                  : BVM_CHECK_ALIAS_END;
    nruns = next_run = 0;
    counts_lost = false;
    nblocks = free_records = nslabs = free_slabs = 0;
    memset(partial, 0, sizeof(partial));
    freed_head = freed_count = 0;
    counts_page = 0;
}

void check_vfork_child(void)
{
    vfork_mark = alias_next;
    nvf_freed = 0;
}

#define VF_RECS (PAGE_SIZE / sizeof(struct vf_rec))

/* A live block this vfork child made (its alias is above where the child began). */
static bool made_in_child(const struct cblock *b) { return b->state == CB_LIVE && b->alias >= vfork_mark; }

/* The records of a hand-over, a page at a time. */
struct vf_out {
    struct vf_rec *page;
    uint32_t n;
    check_send_fn *send;
    void *ctx;
};

/* Sends the page of records and starts a new one. */
static void vf_send(struct vf_out *o)
{
    if (!o->n)
        return;
    if (o->n < VF_RECS)
        o->page[o->n].op = VF_END;
    o->send(o->page, o->ctx);
    memset(o->page, 0, PAGE_SIZE);
    o->n = 0;
}

static void vf_put(struct vf_out *o, const struct vf_rec *r)
{
    o->page[o->n++] = *r;
    if (o->n == VF_RECS)
        vf_send(o);
}

/* Stack id's frames, as VF_PCS records (a stack may run on into the next page). */
static void vf_put_stack(struct vf_out *o, uint32_t id)
{
    const uint64_t *pcs;
    uint32_t n = stack_pcs(id, &pcs);
    for (uint32_t i = 0; i < n; i += 3) {
        struct vf_rec r = {.op = VF_PCS, .n = (uint16_t)MIN(n - i, 3u)};
        memcpy(r.pc, &pcs[i], r.n * sizeof(pcs[0]));
        vf_put(o, &r);
    }
}

void check_vfork_hand_over(check_send_fn *send_recs, check_page_fn *send_page, void *ctx)
{
    static struct vf_rec page[VF_RECS] __attribute__((aligned(PAGE_SIZE)));
    struct vf_out o = {.page = page, .send = send_recs, .ctx = ctx};
    if (!vfork_mark)
        return;
    for (uint32_t i = 0; i < nvf_freed; i++) {
        vf_put_stack(&o, vf_freed[i].stack);
        vf_put(&o, &(struct vf_rec){.op = VF_FREE, .ptr = vf_freed[i].ptr});
    }
    for (uint32_t id = 0; id < nblocks; id++) {
        const struct cblock *b = &blocks[id];
        if (!made_in_child(b))
            continue;
        vf_put_stack(&o, b->alloc_stack);
        vf_put(&o, &(struct vf_rec){.op = VF_ADOPT, .fn = b->fn, .n = (uint16_t)b->align_log,
                                    .npages = b->npages, .ptr = b->ptr, .size = b->size, .alias = b->alias});
    }
    vf_send(&o);
    for (uint32_t id = 0; id < nblocks; id++) { /* their bytes, written or not (the kernel's zeroing) */
        const struct cblock *b = &blocks[id];
        for (uint64_t i = 0; made_in_child(b) && i < b->npages; i++) {
            uint64_t pte = pt_lookup(cur_as->root, b->alias + i * PAGE_SIZE);
            if (pte & PTE_P)
                send_page(b->alias + i * PAGE_SIZE, pte & PTE_ADDR, ctx);
        }
    }
    vfork_mark = 0;
}

/* A block the vfork child made, taken over: its pages fresh (the child's bytes follow). */
static void adopt(const struct vf_rec *r, uint32_t stack)
{
    uint64_t span = (uint64_t)r->npages * PAGE_SIZE;
    if (!r->npages || r->npages > (1u << 20) || r->alias < ALIAS_FIRST || PAGE_DOWN(r->alias) != r->alias ||
        r->alias + span + PAGE_SIZE > BVM_CHECK_ALIAS_END || r->ptr < r->alias || r->size > span ||
        r->ptr - r->alias > span - r->size || heap_find_ptr(r->ptr))
        return;
    struct cblock *b = record_new();
    if (!b)
        return;
    if (!meta_ensure((uint64_t)owner_slot(r->alias), ((uint64_t)r->npages + 1) * sizeof(uint32_t)) ||
        !map_own_pages(r->alias, r->npages)) {
        record_free(b);
        return;
    }
    *b = (struct cblock){.ptr = r->ptr, .size = r->size, .alias = r->alias, .npages = r->npages,
                         .fn = (uint8_t)MIN(r->fn, BVM_CF_COUNT - 1), .alloc_stack = stack,
                         .align_log = MIN(r->n, 64u)};
    set_bounds(b->ptr, b->size);
    alias_next = MAX(alias_next, r->alias + span + PAGE_SIZE);
    alias_top = MAX(alias_top, alias_next);
    record_live(b);
}

/* The frames of the next record's stack, gathered from VF_PCS records (across pages: the
 * parent takes the pages in the order the child sent them). */
static uint64_t vf_pcs[BVM_CHECK_MAX_FRAMES];
static uint32_t vf_npcs;

static uint32_t vf_stack_take(void)
{
    uint32_t id = vf_npcs ? stack_intern(vf_pcs, vf_npcs) : 0;
    vf_npcs = 0;
    return id;
}

void check_vfork_take(const void *page)
{
    const struct vf_rec *r = page;
    uint32_t i;
    for (i = 0; i < VF_RECS && r[i].op != VF_END; i++) {
        if (r[i].op == VF_PCS) {
            for (uint32_t k = 0; k < MIN(r[i].n, 3u) && vf_npcs < BVM_CHECK_MAX_FRAMES; k++)
                vf_pcs[vf_npcs++] = r[i].pc[k];
            continue;
        }
        uint32_t stack = vf_stack_take();
        struct cblock *b = r[i].op == VF_FREE ? heap_find_ptr(r[i].ptr) : NULL;
        if (r[i].op == VF_ADOPT)
            adopt(&r[i], stack);
        else if (b && b->state == CB_LIVE)
            heap_free(b, stack);
    }
    if (i < VF_RECS) /* the last page: no stack runs on */
        vf_npcs = 0;
}
