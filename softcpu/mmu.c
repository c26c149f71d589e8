/* mmu.c: linear-to-physical translation (4-level paging), the TLB and the guest memory accessors. */
#include "engine.h"

#define PAGE_MASK (~4095ull)

static inline struct tlb_entry *tlb_slot(struct cpu *c, int user, uint64_t lin)
{
    return &c->tlb[user][(lin >> 12) & (TLB_SIZE - 1)];
}

/* The bit of cpu.tlb_gpa for a guest-physical page; a hash, like big_bit. */
static inline unsigned gpa_bit(uint64_t gpa)
{
    uint64_t n = gpa >> 12;
    return (unsigned)(n ^ (n >> 15) ^ (n >> 30)) & (TLB_GPA_BITS - 1);
}

static inline bool gpa_maybe(const struct cpu *c, uint64_t gpa) { return bit_test(c->tlb_gpa, gpa_bit(gpa)); }
static inline void gpa_note(struct cpu *c, uint64_t gpa) { bit_set(c->tlb_gpa, gpa_bit(gpa)); }

static inline unsigned wmemo_slot(uint64_t gpa)
{
    uint64_t n = gpa >> 12;
    return (unsigned)(n ^ (n >> 14) ^ (n >> 28)) & (TLB_WMEMO - 1);
}

/* A fill with a store tag for gpa at the page lin. Page 0 is always "many": gpa 0 means empty. */
static inline void wmemo_note(struct cpu *c, uint64_t gpa, uint64_t lin)
{
    struct tlb_wmemo *m = &c->tlb_wmemo[wmemo_slot(gpa)];
    if (m->gpa == 0 && gpa != 0) {
        m->gpa = gpa;
        m->lin = lin;
    } else if (m->gpa != gpa || m->lin != lin) {
        m->gpa = TLB_WMEMO_MANY;
    }
}

void tlb_clear(struct cpu *c)
{
    for (int u = 0; u < 2; u++)
        for (unsigned k = 0; k < TLB_SIZE; k++) {
            struct tlb_entry *e = &c->tlb[u][k];
            e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
        }
    memset(c->tlb_big, 0, sizeof c->tlb_big);
    memset(c->tlb_gpa, 0, sizeof c->tlb_gpa);
    memset(c->tlb_wmemo, 0, sizeof c->tlb_wmemo);
    c->tlb_nfilled = 0;
}

/* Clears what was filled since the last full flush: the slots noted (start-up sets CR3, EFER and
 * the regions in turn, and a small process fills a few hundred), or all 1 MiB of tags past TLB_TRACK. */
void tlb_flush_all(struct cpu *c)
{
    engine_tlb_flushed(c);
    if (c->tlb_nfilled > TLB_TRACK) {
        tlb_clear(c);
        return;
    }
    for (uint32_t i = 0; i < c->tlb_nfilled; i++) {
        struct tlb_entry *e = &c->tlb[c->tlb_filled[i] >> TLB_BITS][c->tlb_filled[i] & (TLB_SIZE - 1)];
        e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
        c->tlb_wmemo[wmemo_slot(*tlb_pa(c, e))].gpa = 0; /* every fill was noted, its gpa kept */
    }
    if (c->tlb_nfilled) {
        memset(c->tlb_big, 0, sizeof c->tlb_big);
        memset(c->tlb_gpa, 0, sizeof c->tlb_gpa);
    }
    c->tlb_nfilled = 0;
}

/* The bit of cpu.tlb_big[level] for the large page of 2^bits bytes (level 0: 2 MiB, 1: 1 GiB)
 * around lin; a hash: a bit may stand for more than one page, never too few. */
static inline unsigned big_bit(uint64_t lin, unsigned bits)
{
    uint64_t n = lin >> bits;
    return (unsigned)(n ^ (n >> 12) ^ (n >> 24)) & (TLB_BIG_BITS - 1);
}

static inline bool big_test(const struct cpu *c, uint64_t lin, unsigned bits)
{
    return bit_test(c->tlb_big[bits > 21], big_bit(lin, bits));
}

/* A fill from a page larger than 4 KiB: its page's bit is set until the next full flush. */
static inline void tlb_note_big(struct cpu *c, uint64_t lin, unsigned bits)
{
    bit_set(c->tlb_big[bits > 21], big_bit(lin, bits));
}

/* Entries are filled per 4 KiB even inside large pages, so INVLPG drops every slot a large page
 * filled around lin could have produced: one slot per privilege for a 4 KiB page, the 2 MiB
 * region's slots in a 2 MiB page, everything in a 1 GiB page (a full flush is always allowed);
 * which large pages were filled since the last full flush, cpu.tlb_big says. Block links survive
 * the INVLPG of a 4 KiB page no block was built from (then false: no translation is stale). */
bool tlb_flush_page(struct cpu *c, uint64_t lin)
{
    if (big_test(c, lin, 30)) {
        tlb_flush_all(c);
        return true;
    }
    unsigned bits = big_test(c, lin, 21) ? 21 : 12;
    bool stale = true;
    if (bits > 12)
        engine_tlb_flushed(c);
    else
        stale = engine_tlb_page_flushed(c, lin);
    uint64_t n = 1ull << (bits - 12), first = (lin >> 12) & ~(n - 1);
    for (int u = 0; u < 2; u++)
        for (uint64_t k = 0; k < n; k++) {
            struct tlb_entry *e = tlb_slot(c, u, (first + k) << 12);
            e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
        }
    return stale;
}

bool tlb_fill(struct cpu *c, uint64_t lin, int acc, int user, bool bounded_ok)
{
    uint8_t *h;
    uint64_t gpa, page = lin & PAGE_MASK;
    uint32_t err = 0;
    if (mmu_probe(c, lin, acc, user, &h, &gpa, &err) != MMU_OK)
        return false;
    const struct tlb_entry *e = tlb_slot(c, user, lin);
    uint64_t tag = acc == ACC_W ? e->tag_w : e->tag_r;
    return tag == page || (bounded_ok && tag == (page | TLB_BOUNDED));
}

static bool is_code_page(struct cpu *c, uint64_t gpa)
{
    uint64_t pn = gpa >> 12;
    return pn < c->code_pages_n && c->code_pages[pn];
}

/* Calls fn on every entry that may be valid and whose page lies in [first, end): those filled
 * since the last full flush while they were noted (all the others were cleared by it), else
 * every one. */
static void for_gpa_range(struct cpu *c, uint64_t first, uint64_t end, void (*fn)(struct tlb_entry *))
{
    if (c->tlb_nfilled <= TLB_TRACK) {
        for (uint32_t i = 0; i < c->tlb_nfilled; i++) {
            struct tlb_entry *e = &c->tlb[c->tlb_filled[i] >> TLB_BITS][c->tlb_filled[i] & (TLB_SIZE - 1)];
            uint64_t gpa = *tlb_pa(c, e);
            if (gpa >= first && gpa < end)
                fn(e);
        }
        return;
    }
    for (int u = 0; u < 2; u++)
        for (unsigned k = 0; k < TLB_SIZE; k++)
            if (*tlb_pa(c, &c->tlb[u][k]) >= first && *tlb_pa(c, &c->tlb[u][k]) < end)
                fn(&c->tlb[u][k]);
}

/* The same for the entries of one page that may carry a store tag: those in its memo's slots,
 * none when the memo holds another page, all that may be valid when it holds several. */
static void for_gpa_page(struct cpu *c, uint64_t gpa_page, void (*fn)(struct tlb_entry *))
{
    const struct tlb_wmemo *m = &c->tlb_wmemo[wmemo_slot(gpa_page)];
    if (m->gpa == TLB_WMEMO_MANY) {
        for_gpa_range(c, gpa_page, gpa_page + 4096, fn);
        return;
    }
    if (m->gpa != gpa_page)
        return;
    for (int u = 0; u < 2; u++) {
        struct tlb_entry *e = tlb_slot(c, u, m->lin);
        if (*tlb_pa(c, e) == gpa_page)
            fn(e);
    }
}

static void store_slow(struct tlb_entry *e) { e->tag_w |= TLB_SLOW; }
static void store_invalid(struct tlb_entry *e) { e->tag_w = TLB_INVALID; }
static void all_invalid(struct tlb_entry *e) { e->tag_r = e->tag_w = e->tag_x = TLB_INVALID; }

void mmu_code_page_added(struct cpu *c, uint64_t gpa_page)
{
    for_gpa_page(c, gpa_page, store_slow);
}

void mmu_code_page_removed(struct cpu *c, uint64_t gpa_page)
{
    for_gpa_page(c, gpa_page, store_invalid);
}

/* Whether some entry may hold a page of [first, end): asked page by page when that is cheaper
 * than a scan. */
static bool gpa_range_maybe(const struct cpu *c, uint64_t first, uint64_t end)
{
    if ((end - first) >> 12 > TLB_GPA_BITS)
        return true;
    for (uint64_t g = first; g < end; g += 4096)
        if (gpa_maybe(c, g))
            return true;
    return false;
}

void mmu_forget_range(struct cpu *c, uint64_t gpa, uint64_t len)
{
    uint64_t first = gpa & PAGE_MASK, end = gpa + len;
    if (!len)
        return;
    if (end < gpa)
        end = 0ull - 4096; /* the last page's gpa: no entry holds a wrapping range's top page */
    if (!gpa_range_maybe(c, first, end))
        return; /* no entry to drop: no translation through the TLB changes */
    engine_tlb_flushed(c);
    for_gpa_range(c, first, end, all_invalid);
}

static bool page_bit(const uint8_t *bits, uint64_t off)
{
    uint64_t pg = off >> 12;
    return !bits || (bits[pg / 8] >> (pg % 8) & 1);
}

/* Host address of gpa for reading (acc ACC_R/ACC_X) or writing (ACC_W), NULL if gpa is not
 * memory for that access. *avail: bytes usable from there (to the page end on a slot with
 * page bitmaps). *writable: whether stores may go there too. */
uint8_t *mmu_gpa_host(struct cpu *c, uint64_t gpa, int acc, uint64_t *avail, bool *writable)
{
    for (unsigned s = 0; s < SCPU_MAX_SLOTS; s++) {
        struct region *r = &c->regions[s];
        if (r->size && gpa >= r->gpa && gpa - r->gpa < r->size) {
            uint64_t off = gpa - r->gpa;
            bool w = page_bit(r->writable, off);
            if (!page_bit(r->readable, off) || (acc == ACC_W && !w))
                return NULL;
            if (avail)
                *avail = r->readable ? 4096 - (off & 4095) : r->size - off;
            if (writable)
                *writable = w;
            return r->host + off;
        }
    }
    return NULL;
}

void mmu_cpuid_changed(struct cpu *c)
{
    uint32_t o[4];
    cpu_cpuid(c, 0x80000008, 0, o);
    unsigned m = (o[0] & 0xff) ? (o[0] & 0xff) : 48;
    c->phys_rsvd = m >= 52 ? 0 : (((1ull << 52) - 1) & ~((1ull << m) - 1));
    tlb_flush_all(c);
}

/* Reserved bits of a paging entry: the physical-address bits above MAXPHYADDR (from CPUID
 * 0x80000008, taken when the table changes: every page walk asks), NX without EFER.NXE. */
static uint64_t rsvd_mask(struct cpu *c)
{
    uint64_t r = c->phys_rsvd;
    if (!(c->efer & EFER_NXE))
        r |= PTE_NX;
    return r;
}

struct walk {
    uint64_t gpa;   /* physical address of lin's 4 KiB page */
    bool w, u, nx;  /* effective permissions of the whole path */
    unsigned span_bits; /* log2 of the mapping page's size */
};

/* Permission of the whole path (SDM Vol.3 4.6): U/S, R/W with CR0.WP, NX, SMEP. */
static bool access_allowed(struct cpu *c, const struct walk *wk, int acc, int user)
{
    if (user && !wk->u)
        return false;
    if (acc == ACC_W && !wk->w && (user || (c->cr0 & CR0_WP)))
        return false;
    if (acc == ACC_X && wk->nx && (c->efer & EFER_NXE))
        return false;
    return !(acc == ACC_X && !user && wk->u && (c->cr4 & CR4_SMEP));
}

/* A on every entry used, D on the leaf for a write. */
static void set_accessed(uint64_t **ent, int n, int acc)
{
    for (int k = 0; k < n; k++) {
        uint64_t v;
        memcpy(&v, ent[k], 8);
        v |= PTE_A | ((k == n - 1 && acc == ACC_W) ? PTE_D : 0);
        memcpy(ent[k], &v, 8);
    }
}

/* Walk the 4-level tables; on success sets A (and D for writes) as the hardware does.
 * Returns MMU_OK, MMU_PF with *err, or MMU_NOMEM for a table outside RAM. */
static int walk4(struct cpu *c, uint64_t lin, int acc, int user, struct walk *wk, uint32_t *err)
{
    uint64_t *ent[4];
    uint64_t table = c->cr3 & PTE_ADDR, rsvd = rsvd_mask(c), pte = 0;
    uint32_t ec = (acc == ACC_W ? PFEC_W : 0) | (user ? PFEC_U : 0) |
                  ((acc == ACC_X && (c->efer & EFER_NXE || c->cr4 & CR4_SMEP)) ? PFEC_I : 0);
    int lvl, n = 0;
    wk->w = wk->u = true;
    wk->nx = false;
    for (lvl = 3; lvl >= 0; lvl--) {
        uint64_t pa = table + ((lin >> (12 + 9 * lvl)) & 511) * 8;
        uint8_t *h = mmu_gpa_host(c, pa, ACC_W, NULL, NULL); /* A/D bits are stored there */
        if (!h) {
            wk->gpa = pa;
            return MMU_NOMEM;
        }
        ent[n++] = (uint64_t *)h;
        memcpy(&pte, h, 8);
        if (!(pte & PTE_P))
            goto pf;
        uint64_t r = rsvd;
        if (lvl == 3)
            r |= PTE_PS;
        else if ((pte & PTE_PS) && lvl == 2)
            r |= 0x3fffe000ull; /* 1 GiB page: address bits 29:13 */
        else if ((pte & PTE_PS) && lvl == 1)
            r |= 0x1fe000ull; /* 2 MiB page: address bits 20:13 */
        if (pte & r) {
            ec |= PFEC_RSVD | PFEC_P;
            goto pf;
        }
        wk->w &= (pte & PTE_W) != 0;
        wk->u &= (pte & PTE_U) != 0;
        wk->nx |= (pte & PTE_NX) != 0;
        if (lvl == 0 || (pte & PTE_PS))
            break;
        table = pte & PTE_ADDR;
    }
    ec |= PFEC_P;
    if (!access_allowed(c, wk, acc, user))
        goto pf;
    wk->span_bits = 12 + 9 * (unsigned)lvl;
    uint64_t span = 1ull << wk->span_bits;
    wk->gpa = ((pte & PTE_ADDR & ~(span - 1)) | (lin & (span - 1))) & PAGE_MASK;
    set_accessed(ent, n, acc);
    /* writes through the TLB are allowed only once D is set */
    if (!(pte & PTE_D) && acc != ACC_W)
        wk->w = false;
    return MMU_OK;
pf:
    *err = ec;
    return MMU_PF;
}

int mmu_probe(struct cpu *c, uint64_t lin, int acc, int user, uint8_t **host, uint64_t *gpa,
              uint32_t *err)
{
    struct walk wk = {0, true, true, false, 12};
    uint64_t page = lin & PAGE_MASK;
    if (c->mode == 8 || (c->efer & EFER_LMA)) {
        if (!cpu_canonical(lin))
            return MMU_GP;
    }
    c->stats.tlb_misses++;
    if (c->cr0 & CR0_PG) {
        int st = walk4(c, lin, acc, user, &wk, err);
        if (st != MMU_OK) {
            *gpa = wk.gpa;
            return st;
        }
    } else {
        wk.gpa = page & 0xffffffffull;
    }
    uint64_t avail;
    bool host_w;
    uint8_t *h = mmu_gpa_host(c, wk.gpa, acc, &avail, &host_w);
    *gpa = wk.gpa | (lin & 4095);
    if (!h || avail < 4096)
        return MMU_NOMEM;
    struct tlb_entry *e = tlb_slot(c, user, lin);
    if (c->tlb_nfilled < TLB_TRACK)
        c->tlb_filled[c->tlb_nfilled] = ((uint32_t)user << TLB_BITS) | (uint32_t)(e - c->tlb[user]);
    c->tlb_nfilled += c->tlb_nfilled <= TLB_TRACK; /* TLB_TRACK + 1: more than were noted */
    if (wk.span_bits > 12)
        tlb_note_big(c, lin, wk.span_bits);
    e->addend = (uintptr_t)h - (uintptr_t)page;
    *tlb_pa(c, e) = wk.gpa;
    gpa_note(c, wk.gpa);
    uint64_t slow = (user && c->cpl == 3 && (c->cr0 & CR0_AM) && (c->rflags & F_AC)) ? TLB_SLOW : 0;
    e->tag_r = page | slow;
    bool w_ok = host_w && ((c->cr0 & CR0_PG) ? (wk.w || (!user && !(c->cr0 & CR0_WP) && acc == ACC_W)) : true);
    e->tag_w = w_ok ? (page | slow | (is_code_page(c, wk.gpa) ? TLB_SLOW : 0)) : TLB_INVALID;
    if (w_ok)
        wmemo_note(c, wk.gpa, page);
    e->tag_x = (wk.nx && (c->efer & EFER_NXE)) ? TLB_INVALID : page;
    if (user && c->bounds.on && page >= c->bounds.base && page < c->bounds.end)
        bounds_fill(c, e, page); /* fetches fill the data tags too: done for every access */
    if (unlikely(c->dr_data))
        dr_mark(c, e, page);
    *host = h + (lin & 4095);
    return MMU_OK;
}

_Noreturn void mmu_raise(struct cpu *c, int st, uint64_t lin, uint64_t gpa, uint32_t err, int acc,
                         unsigned len)
{
    if (st == MMU_PF) {
        c->cr2 = lin;
        cpu_fault(c, EXC_PF, err);
    }
    if (st == MMU_GP)
        cpu_fault(c, EXC_GP, 0);
    c->exit->reason = SCPU_EXIT_MMIO;
    c->exit->u.mmio.gpa = gpa;
    c->exit->u.mmio.is_write = acc == ACC_W;
    c->exit->u.mmio.len = (uint8_t)len;
    cpu_exit_now(c);
}

/* Host pointer for len bytes at lin within one page; faults as the access would. */
static uint8_t *xlate(struct cpu *c, uint64_t lin, int acc, int user, unsigned len)
{
    if (unlikely(c->dr_data) && acc != ACC_X)
        dr_match(c, lin, len, acc);
    uint8_t *h;
    uint64_t gpa;
    uint32_t err = 0;
    struct tlb_entry *e = tlb_slot(c, user, lin);
    uint64_t tag = acc == ACC_R ? e->tag_r : acc == ACC_W ? e->tag_w : e->tag_x;
    if ((tag & ~TLB_FLAGS) == (lin & PAGE_MASK))
        return (uint8_t *)(uintptr_t)(lin + e->addend);
    int st = mmu_probe(c, lin, acc, user, &h, &gpa, &err);
    if (st != MMU_OK)
        mmu_raise(c, st, lin, gpa, err, acc, len);
    return h;
}

static uint64_t lin_add(struct cpu *c, uint64_t lin, uint64_t n)
{
    return (c->efer & EFER_LMA) ? lin + n : (uint32_t)(lin + n);
}

/* After xlate: whether lin's entry carries byte bounds for acc (only CPL-3 entries do). */
static inline bool bounded(struct cpu *c, uint64_t lin, int acc, int user)
{
    const struct tlb_entry *e = tlb_slot(c, user, lin);
    return user && ((acc == ACC_W ? e->tag_w : e->tag_r) & TLB_BOUNDED);
}

/* The part [lin, lin+len) of the data access [start, start+size) lies in lin's page, which xlate
 * has just translated: a page with byte bounds must allow it, else #PF (bounds.c). */
static inline void bounds_ok(struct cpu *c, uint64_t lin, unsigned len, int acc, int user, uint64_t start,
                             unsigned size)
{
    if (unlikely(bounded(c, lin, acc, user)))
        bounds_check(c, lin, len, acc, start, size);
}

/* Alignment check (#AC): CPL 3 with CR0.AM and RFLAGS.AC. While it is active, user TLB
 * entries are filled with TLB_SLOW so every CPL-3 data access reaches read_slow/write_slow,
 * and the fast paths (ours and the handlers' inline ones) need no test at all. */
static inline bool ac_active(struct cpu *c)
{
    return c->cpl == 3 && (c->cr0 & CR0_AM) && (c->rflags & F_AC);
}

/* SDM's alignment requirements: 2, 4, 8 and 16 bytes by their size (the 16: MOVDQU, MOVUPS and
 * the other SSE accesses that may be unaligned, #AC at CPL 3 as on hardware; those that must be
 * aligned raise #GP first), an x87 extended real (10) by 8. */
static inline void ac_check(struct cpu *c, uint64_t lin, unsigned size, int user)
{
    unsigned align = size == 10 ? 8 : size;
    if (user && (align == 2 || align == 4 || align == 8 || align == 16) && (lin & (align - 1)) && ac_active(c))
        cpu_fault(c, EXC_AC, 0);
}

void tlb_ac_changed(struct cpu *c)
{
    for (unsigned k = 0; k < TLB_SIZE; k++) {
        struct tlb_entry *e = &c->tlb[1][k];
        e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
    }
}

/* The common case of the slow path on a page with byte bounds: an entry that is only bounded
 * (no TLB_SLOW: no #AC, no code) and an access within one page and within the bounds. */
static inline uint8_t *bounded_hit(struct cpu *c, uint64_t lin, unsigned size, int acc, int user)
{
    const struct tlb_entry *e = tlb_slot(c, user, lin);
    uint64_t want = ((lin + size - 1) & PAGE_MASK) | TLB_BOUNDED; /* the next page: another slot */
    if (!user || (acc == ACC_W ? e->tag_w : e->tag_r) != want)
        return NULL;
    struct tlb_bounds b = c->tlb_bounds[(lin >> 12) & (TLB_SIZE - 1)];
    if ((lin & 4095) < b.lo || (lin & 4095) + size > b.hi)
        return NULL;
    return (uint8_t *)(uintptr_t)(lin + e->addend);
}

static void read_slow(struct cpu *c, uint64_t lin, void *dst, unsigned size, int user)
{
    uint8_t *hit = bounded_hit(c, lin, size, ACC_R, user);
    if (hit) {
        memcpy(dst, hit, size);
        return;
    }
    ac_check(c, lin, size, user);
    unsigned first = 4096 - (unsigned)(lin & 4095);
    if (size <= first) {
        uint8_t *h = xlate(c, lin, ACC_R, user, size);
        bounds_ok(c, lin, size, ACC_R, user, lin, size);
        memcpy(dst, h, size);
        return;
    }
    uint64_t lin2 = lin_add(c, lin, first);
    uint8_t *h1 = xlate(c, lin, ACC_R, user, first);
    bounds_ok(c, lin, first, ACC_R, user, lin, size);
    uint8_t *h2 = xlate(c, lin2, ACC_R, user, size - first);
    bounds_ok(c, lin2, size - first, ACC_R, user, lin, size);
    memcpy(dst, h1, first);
    memcpy((uint8_t *)dst + first, h2, size - first);
}

/* Both pages are translated before either is written, so a faulting crossing store
 * writes nothing. Stores into pages holding decoded code drop those blocks. */
static void write_slow(struct cpu *c, uint64_t lin, const void *src, unsigned size, int user)
{
    uint8_t *hit = bounded_hit(c, lin, size, ACC_W, user);
    if (hit) {
        memcpy(hit, src, size);
        return;
    }
    ac_check(c, lin, size, user);
    unsigned first = 4096 - (unsigned)(lin & 4095);
    if (first > size)
        first = size;
    uint64_t lin2 = lin_add(c, lin, first);
    uint8_t *h1 = xlate(c, lin, ACC_W, user, first);
    bounds_ok(c, lin, first, ACC_W, user, lin, size);
    uint64_t g1 = *tlb_pa(c, tlb_slot(c, user, lin)) | (lin & 4095);
    uint8_t *h2 = NULL;
    uint64_t g2 = 0;
    if (size > first) {
        h2 = xlate(c, lin2, ACC_W, user, size - first);
        bounds_ok(c, lin2, size - first, ACC_W, user, lin, size);
        g2 = *tlb_pa(c, tlb_slot(c, user, lin2));
    }
    memcpy(h1, src, first);
    if (h2)
        memcpy(h2, (const uint8_t *)src + first, size - first);
    if (is_code_page(c, g1))
        engine_code_written(c, g1, first);
    if (h2 && is_code_page(c, g2))
        engine_code_written(c, g2, size - first);
}

void mem_write_priv(struct cpu *c, uint64_t lin, const void *src, unsigned size, int user)
{
    c->stats.mem_accesses++;
    write_slow(c, lin, src, size, user);
}

static inline int cur_user(struct cpu *c) { return c->cpl == 3; }

void mem_read(struct cpu *c, uint64_t lin, void *dst, unsigned size)
{
    int u = cur_user(c);
    struct tlb_entry *e = tlb_slot(c, u, lin);
    c->stats.mem_accesses++;
    if (likely(e->tag_r == (lin & PAGE_MASK) && (lin & 4095) + size <= 4096))
        memcpy(dst, (void *)(uintptr_t)(lin + e->addend), size);
    else
        read_slow(c, lin, dst, size, u);
}

void mem_write(struct cpu *c, uint64_t lin, const void *src, unsigned size)
{
    int u = cur_user(c);
    struct tlb_entry *e = tlb_slot(c, u, lin);
    c->stats.mem_accesses++;
    if (likely(e->tag_w == (lin & PAGE_MASK) && (lin & 4095) + size <= 4096))
        memcpy((void *)(uintptr_t)(lin + e->addend), src, size);
    else
        write_slow(c, lin, src, size, u);
}

/* Fixed-size accessors: the TLB hit is one compare. Comparing the tag with the page of the
 * access's last byte also rejects page-crossing accesses, since the next page never has
 * the same TLB index. */
#define MEM_RW(bits)                                                                    \
    uint##bits##_t mem_read##bits(struct cpu *c, uint64_t lin)                          \
    {                                                                                   \
        uint##bits##_t v;                                                               \
        int u = cur_user(c);                                                            \
        struct tlb_entry *e = tlb_slot(c, u, lin);                                      \
        c->stats.mem_accesses++;                                                        \
        if (likely(e->tag_r == ((lin + sizeof v - 1) & PAGE_MASK)))                     \
            memcpy(&v, (void *)(uintptr_t)(lin + e->addend), sizeof v);                 \
        else                                                                            \
            read_slow(c, lin, &v, sizeof v, u);                                         \
        return v;                                                                       \
    }                                                                                   \
    void mem_write##bits(struct cpu *c, uint64_t lin, uint##bits##_t v)                 \
    {                                                                                   \
        int u = cur_user(c);                                                            \
        struct tlb_entry *e = tlb_slot(c, u, lin);                                      \
        c->stats.mem_accesses++;                                                        \
        if (likely(e->tag_w == ((lin + sizeof v - 1) & PAGE_MASK)))                     \
            memcpy((void *)(uintptr_t)(lin + e->addend), &v, sizeof v);                 \
        else                                                                            \
            write_slow(c, lin, &v, sizeof v, u);                                        \
    }
MEM_RW(8)
MEM_RW(16)
MEM_RW(32)
MEM_RW(64)

uint64_t mem_readn(struct cpu *c, uint64_t lin, unsigned size)
{
    switch (size) {
    case 1: return mem_read8(c, lin);
    case 2: return mem_read16(c, lin);
    case 4: return mem_read32(c, lin);
    default: return mem_read64(c, lin);
    }
}

void mem_writen(struct cpu *c, uint64_t lin, uint64_t v, unsigned size)
{
    switch (size) {
    case 1: mem_write8(c, lin, (uint8_t)v); break;
    case 2: mem_write16(c, lin, (uint16_t)v); break;
    case 4: mem_write32(c, lin, (uint32_t)v); break;
    default: mem_write64(c, lin, v); break;
    }
}

void mem_align_check(struct cpu *c, uint64_t lin, unsigned size)
{
    ac_check(c, lin, size, cur_user(c));
}

/* mem_span and mem_run; strict: a lin outside a page's byte bounds faults (else NULL). */
static uint8_t *span(struct cpu *c, uint64_t lin, uint64_t want, int acc, uint64_t *n, bool strict)
{
    int u = cur_user(c);
    uint64_t room = 4096 - (lin & 4095);
    *n = want < room ? want : room;
    if (*n == 0)
        *n = 1;
    c->stats.mem_accesses++;
    uint8_t *h = xlate(c, lin, acc, u, (unsigned)*n);
    if (unlikely(bounded(c, lin, acc, u))) {
        uint64_t in = bounds_room(c, lin);
        if (!strict && in < *n)
            return NULL;
        if (in == 0)
            bounds_check(c, lin, 1, acc, lin, 1);
        if (in < *n)
            *n = in;
    }
    if (acc == ACC_W) {
        uint64_t g = *tlb_pa(c, tlb_slot(c, u, lin)) | (lin & 4095);
        if (is_code_page(c, g))
            engine_code_written(c, g, *n);
    }
    return h;
}

uint8_t *mem_span(struct cpu *c, uint64_t lin, uint64_t want, int acc, uint64_t *n)
{
    return span(c, lin, want, acc, n, true);
}

uint8_t *mem_run(struct cpu *c, uint64_t lin, uint64_t want, int acc, uint64_t *n)
{
    return span(c, lin, want, acc, n, false);
}

void mem_check(struct cpu *c, uint64_t lin, uint64_t len, int acc)
{
    int u = cur_user(c);
    uint64_t at = lin, left = len;
    while (left) {
        unsigned piece = 4096 - (unsigned)(at & 4095);
        if (piece > left)
            piece = (unsigned)left;
        xlate(c, at, acc, u, piece);
        if (unlikely(bounded(c, at, acc, u)))
            bounds_check(c, at, piece, acc, lin, len);
        at = lin_add(c, at, piece);
        left -= piece;
    }
}

uint64_t mem_read_sys(struct cpu *c, uint64_t lin, unsigned size)
{
    uint64_t v = 0;
    c->stats.mem_accesses++;
    read_slow(c, lin, &v, size, 0);
    return v;
}

void mem_write_sys(struct cpu *c, uint64_t lin, uint64_t v, unsigned size)
{
    c->stats.mem_accesses++;
    write_slow(c, lin, &v, size, 0);
}
