/* engine.c: the run loop and the cache of decoded blocks (keyed by guest-physical address + mode). */
#include <errno.h>
#include <stdlib.h>

#include "engine.h"
#include "fastops.h"
#include "jit.h"

/*
 * Blocks live in one bump arena and are never freed one by one: an invalidated block is
 * unlinked from the lookup hash (it may still be running) and its memory is reclaimed when
 * the arena fills and everything is flushed, which happens only between blocks.
 * Each code page keeps a list of the blocks decoded from it, so a store into it drops
 * exactly the blocks whose bytes it overlaps.
 */
/* Decoded blocks, until full (then everything is flushed and built again); 256 MiB: gcc's cc1
 * on a 2000-line file fills about 140 (with superblocks), and with 32 it had flushed 43 times,
 * re-interpreting every block's first runs each time (7.2 -> 3.5 s). Untouched pages cost
 * nothing. */
#define ARENA_SIZE (256u << 20)
#define CODE_LIN_SLOTS 32768u /* a power of two */
#define HASH_BITS 18      /* blocks by RIP: a large program has some 10^5 (cc1 2*10^5) */
#define PAGE_HASH_BITS 14 /* code pages */
#define NO_PAGE (~0ull)

struct block {
    struct block *hnext;
    uint64_t rip, csbase;
    uint64_t gpa;        /* first byte */
    uint64_t gpa2, lin2; /* second page (a last instruction crossing the page end), or NO_PAGE */
    uint32_t key;        /* mode | cpl << 4 */
    uint32_t nbytes;
    uint16_t n;
    uint8_t valid;
    uint8_t runs;           /* times run before translation (see count_run) */
    uint8_t falls;          /* ... of which its last instruction, a Jcc, fell through */
    struct jit_code jit;    /* translated prefix, if any */
    struct block *succ[2];  /* blocks that followed this one, valid while epoch matches */
    struct inlink *in;      /* links whose jumps may be patched to this block (jit_patch) */
    uint32_t succ_epoch[2];
    struct insn insns[];
};

struct bref {
    struct block *b;
    struct bref *next;
};

/* A link patched to jump to a block: undone when that block is invalidated (a link since
 * linked elsewhere is left alone). */
struct inlink {
    struct jit_link *l;
    struct inlink *next;
};
#define MAX_PATCHED (1u << 20)

struct cpage {
    uint64_t page;
    struct bref *blocks;
    struct cpage *next;
};

struct block_cache {
    uint8_t *arena;
    size_t used;
    struct block *hash[1u << HASH_BITS];
    struct cpage *pages[1u << PAGE_HASH_BITS];
    struct block *cur_block;
    struct jit_arena jit;
    struct jit_env jit_env;
    struct jit_link *pending_link; /* a translated block left through this unlinked exit */
    /* the links whose jumps are patched: a TLB flush makes them all stale, so undoes them. Room
     * for every link of a large program (cc1: some 3*10^5; with 16K, most of its transitions
     * went through the links' checks). Undoing them costs no more than patching them did, one
     * engine round trip each, and the array's pages are touched only as it fills. */
    struct jit_link *patched[MAX_PATCHED];
    unsigned npatched;
    struct jit_rc_entry rc[2][JIT_RC_SIZE]; /* translated RETs' targets (jit.h) */
    /* the linear pages blocks were built from, an exact set (page number + 1, 0 empty; open
     * addressing) until it is 3/4 full, then code_lin_full: an INVLPG of a page not in it cannot
     * change any block's translation, so links stay valid. (A hash bitmap had let the checker's
     * fresh alias pages, freed one by one, meet a code page's bit every few hundred frees, each
     * time unlinking every block.) */
    uint64_t code_lin[CODE_LIN_SLOTS];
    unsigned code_lin_n;
    bool code_lin_full;
};

/* lin's page's slot in code_lin: its own, or the empty one where it would go */
static inline uint64_t *code_lin_slot(struct block_cache *bc, uint64_t lin)
{
    uint64_t key = (lin >> 12) + 1;
    unsigned h = (unsigned)((key * 0x9e3779b97f4a7c15ull) >> 40);
    for (;; h++) {
        uint64_t *s = &bc->code_lin[h & (CODE_LIN_SLOTS - 1)];
        if (*s == key || *s == 0)
            return s;
    }
}

static inline void code_lin_add(struct block_cache *bc, uint64_t lin)
{
    if (bc->code_lin_full)
        return;
    uint64_t *s = code_lin_slot(bc, lin);
    if (*s)
        return;
    *s = (lin >> 12) + 1;
    if (++bc->code_lin_n >= CODE_LIN_SLOTS / 4 * 3)
        bc->code_lin_full = true;
}

static inline bool code_lin_has(struct block_cache *bc, uint64_t lin)
{
    return bc->code_lin_full || *code_lin_slot(bc, lin) != 0;
}

static inline unsigned hash_rip(uint64_t rip)
{
    return (unsigned)((rip ^ (rip >> HASH_BITS) ^ (rip >> 29)) & ((1u << HASH_BITS) - 1));
}
static inline unsigned hash_page(uint64_t page)
{
    return (unsigned)(((page >> 12) ^ (page >> 24)) & ((1u << PAGE_HASH_BITS) - 1));
}

int engine_init(struct cpu *c)
{
    c->bc = calloc(1, sizeof *c->bc);
    if (!c->bc)
        return -ENOMEM;
    c->bc->arena = malloc(ARENA_SIZE);
    if (!c->bc->arena) {
        free(c->bc);
        return -ENOMEM;
    }
    jit_arena_init(&c->bc->jit); /* without it every block is interpreted */
    c->bc->jit_env.cur_block = (void **)&c->bc->cur_block;
    c->bc->jit_env.rc = c->bc->rc; /* (calloc'ed: empty, and untouched until used) */
    return 0;
}

void engine_fini(struct cpu *c)
{
    if (c->bc) {
        free(c->bc->arena);
        jit_arena_fini(&c->bc->jit);
    }
    free(c->bc);
    free(c->code_pages);
}

static void *arena_alloc(struct block_cache *bc, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (bc->used + n > ARENA_SIZE)
        return NULL;
    void *p = bc->arena + bc->used;
    bc->used += n;
    return p;
}

/* Every patched jump back to its link's checks, which the new epoch fails. */
static void links_stale(struct cpu *c)
{
    struct block_cache *bc = c->bc;
    c->link_epoch++;
    for (unsigned k = 0; k < bc->npatched; k++)
        jit_unpatch(bc->patched[k]);
    bc->npatched = 0;
}

void engine_tlb_flushed(struct cpu *c)
{
    if (c->bc)
        links_stale(c);
}

bool engine_tlb_page_flushed(struct cpu *c, uint64_t lin)
{
    if (!c->bc || !code_lin_has(c->bc, lin))
        return false;
    links_stale(c);
    return true;
}

/* b is invalid: the return cache forgets it (translated RETs enter an entry without testing
 * its block's valid flag). */
static void rc_forget(struct cpu *c, const struct block *b)
{
    struct jit_rc_entry *r = &c->bc->rc[(b->key >> 4) == 3][jit_rc_index(b->rip)];
    for (unsigned w = 0; w < 2; w++)
        if (r[w].link.block == b)
            memset(&r[w], 0, sizeof r[w]);
}

/* b is invalid: the jumps patched to it go back to their checks. */
static void unpatch_into(struct block *b)
{
    for (struct inlink *n = b->in; n; n = n->next)
        if (n->l->block == b)
            jit_unpatch(n->l);
    b->in = NULL;
}

/* l, just linked to b, jumps there straight (while both the list and the arena have room). */
static void patch_link(struct cpu *c, struct jit_link *l, struct block *b)
{
    struct block_cache *bc = c->bc;
    struct inlink *n;
    if (!l->patch || !b->jit.fast || bc->npatched == MAX_PATCHED || !(n = arena_alloc(bc, sizeof *n)))
        return;
    n->l = l;
    n->next = b->in;
    b->in = n;
    bc->patched[bc->npatched++] = l;
    jit_patch(l, l->host_flags ? b->jit.fast_host : b->jit.fast);
}

void engine_flush_all(struct cpu *c)
{
    struct block_cache *bc = c->bc;
    for (unsigned h = 0; h < (1u << PAGE_HASH_BITS); h++)
        for (struct cpage *p = bc->pages[h]; p; p = p->next)
            if ((p->page >> 12) < c->code_pages_n)
                c->code_pages[p->page >> 12] = 0;
    if (bc->used) { /* (else no block and no page was ever noted: both still zero, untouched) */
        memset(bc->hash, 0, sizeof bc->hash);
        memset(bc->pages, 0, sizeof bc->pages);
    }
    if (bc->code_lin_n)
        memset(bc->code_lin, 0, sizeof bc->code_lin);
    bc->code_lin_n = 0;
    bc->code_lin_full = false;
    bc->used = 0;
    jit_arena_reset(&bc->jit);
    bc->npatched = 0; /* (their code is gone) */
    bc->pending_link = NULL;
    bc->cur_block = NULL;
    tlb_flush_all(c);
}

void engine_bounds_changed(struct cpu *c)
{
    c->bc->jit_env.bounds = c->bounds.on;
    engine_flush_all(c);
}

/* Resize the code-page map after memory regions changed. */
int engine_regions_changed(struct cpu *c)
{
    uint64_t end = 0;
    for (unsigned s = 0; s < SCPU_MAX_SLOTS; s++)
        if (c->regions[s].size && c->regions[s].gpa + c->regions[s].size > end)
            end = c->regions[s].gpa + c->regions[s].size;
    uint64_t n = (end + 4095) >> 12;
    uint8_t *m = calloc(n ? n : 1, 1);
    if (!m)
        return -ENOMEM;
    free(c->code_pages);
    c->code_pages = m;
    c->code_pages_n = n;
    engine_flush_all(c);
    return 0;
}

static struct cpage *cpage_find(struct block_cache *bc, uint64_t page)
{
    for (struct cpage *p = bc->pages[hash_page(page)]; p; p = p->next)
        if (p->page == page)
            return p;
    return NULL;
}

/* Record that b has bytes in page; the first block on a page makes stores to it slow. */
static bool page_add_block(struct cpu *c, uint64_t page, struct block *b)
{
    struct block_cache *bc = c->bc;
    struct cpage *p = cpage_find(bc, page);
    struct bref *r = arena_alloc(bc, sizeof *r);
    if (!r)
        return false;
    if (!p) {
        p = arena_alloc(bc, sizeof *p);
        if (!p)
            return false;
        p->page = page;
        p->blocks = NULL;
        p->next = bc->pages[hash_page(page)];
        bc->pages[hash_page(page)] = p;
    }
    r->b = b;
    r->next = p->blocks;
    p->blocks = r;
    if ((page >> 12) < c->code_pages_n && !c->code_pages[page >> 12]) {
        c->code_pages[page >> 12] = 1;
        mmu_code_page_added(c, page);
    }
    return true;
}

static void hash_unlink(struct block_cache *bc, struct block *b)
{
    for (struct block **pp = &bc->hash[hash_rip(b->rip)]; *pp; pp = &(*pp)->hnext)
        if (*pp == b) {
            *pp = b->hnext;
            return;
        }
}

/* Bytes of b inside page: [*lo, *hi) as guest-physical addresses. */
static bool block_bytes_in(const struct block *b, uint64_t page, uint64_t *lo, uint64_t *hi)
{
    uint64_t first = 4096 - (b->gpa & 4095);
    if (first > b->nbytes)
        first = b->nbytes;
    if ((b->gpa & ~4095ull) == page) {
        *lo = b->gpa;
        *hi = b->gpa + first;
        return true;
    }
    if (b->gpa2 == page) {
        *lo = page;
        *hi = page + (b->nbytes - first);
        return true;
    }
    return false;
}

/* Drop the blocks overlapping [gpa, gpa+len) within one page; true if the running one was. */
static bool drop_in_page(struct cpu *c, uint64_t gpa, uint64_t len)
{
    struct block_cache *bc = c->bc;
    uint64_t page = gpa & ~4095ull;
    struct cpage *p = cpage_find(bc, page);
    bool hit_cur = false;
    if (!p)
        return false;
    for (struct bref **pp = &p->blocks; *pp;) {
        struct block *b = (*pp)->b;
        uint64_t lo, hi;
        bool overlap = b->valid && block_bytes_in(b, page, &lo, &hi) && gpa < hi && lo < gpa + len;
        if (!b->valid || overlap) {
            if (overlap) {
                b->valid = 0;
                unpatch_into(b);
                rc_forget(c, b);
                hash_unlink(bc, b);
                c->stats.blocks_invalidated++;
                hit_cur |= b == bc->cur_block;
            }
            *pp = (*pp)->next;
        } else {
            pp = &(*pp)->next;
        }
    }
    if (!p->blocks && (page >> 12) < c->code_pages_n && c->code_pages[page >> 12]) {
        c->code_pages[page >> 12] = 0;
        mmu_code_page_removed(c, page);
    }
    return hit_cur;
}

static bool drop_range(struct cpu *c, uint64_t gpa, uint64_t len)
{
    bool hit = false;
    uint64_t end = gpa + len;
    if (end < gpa)
        end = ~0ull;
    while (gpa < end) {
        uint64_t n = 4096 - (gpa & 4095);
        if (n > end - gpa)
            n = end - gpa;
        if ((gpa >> 12) < c->code_pages_n && c->code_pages[gpa >> 12])
            hit |= drop_in_page(c, gpa, n);
        gpa += n;
        if (gpa == 0)
            break;
    }
    return hit;
}

void engine_code_written(struct cpu *c, uint64_t gpa, uint64_t len)
{
    if (drop_range(c, gpa, len) && c->cur) {
        /* The running block changed under us: finish this instruction, then decode anew. */
        if (!(c->cur->flags & OPF_BRANCH))
            c->rip = insn_next(c->cur);
        c->brk = 1;
    }
}

void engine_invalidate(struct cpu *c, uint64_t gpa, uint64_t len) { drop_range(c, gpa, len); }

static inline uint64_t cs_base(struct cpu *c) { return c->mode == 8 ? 0 : c->seg[S_CS].base; }

static inline uint64_t fetch_lin(struct cpu *c, uint64_t rip)
{
    return c->mode == 8 ? rip : (uint32_t)(c->seg[S_CS].base + rip);
}

uint64_t engine_cur_lin(struct cpu *c) { return fetch_lin(c, c->cur ? c->cur->rip : c->rip); }

unsigned engine_fetch_bytes(struct cpu *c, uint64_t lin, uint8_t *buf, unsigned max)
{
    unsigned n = 0;
    while (n < max) {
        uint8_t *h;
        uint64_t gpa;
        uint32_t err;
        if (mmu_probe(c, lin + n, ACC_X, c->cpl == 3, &h, &gpa, &err) != MMU_OK)
            break;
        unsigned k = 4096 - (unsigned)((lin + n) & 4095);
        if (k > max - n)
            k = max - n;
        memcpy(buf + n, h, k);
        n += k;
    }
    return n;
}

/* Executable host pointer and gpa for lin, faulting (as the fetch would) on failure. */
static uint8_t *fetch_xlate(struct cpu *c, uint64_t lin, uint64_t *gpa)
{
    int u = c->cpl == 3;
    struct tlb_entry *e = &c->tlb[u][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_x == (lin & ~4095ull))) {
        *gpa = *tlb_pa(c, e) | (lin & 4095);
        return (uint8_t *)(uintptr_t)(lin + e->addend);
    }
    uint8_t *h;
    uint32_t err = 0;
    int st = mmu_probe(c, lin, ACC_X, u, &h, gpa, &err);
    if (st != MMU_OK)
        mmu_raise(c, st, lin, *gpa, err, ACC_X, 1);
    return h;
}

/* The second page of a crossing block must still map to the same physical page. */
static bool second_page_ok(struct cpu *c, const struct block *b)
{
    uint8_t *h;
    uint64_t gpa;
    uint32_t err;
    if (b->gpa2 == NO_PAGE)
        return true;
    const struct tlb_entry *e = &c->tlb[c->cpl == 3][(b->lin2 >> 12) & (TLB_SIZE - 1)];
    if (e->tag_x == b->lin2)
        return *tlb_pa(c, e) == b->gpa2;
    return mmu_probe(c, b->lin2, ACC_X, c->cpl == 3, &h, &gpa, &err) == MMU_OK &&
           (gpa & ~4095ull) == b->gpa2;
}

/* b, its n instructions in place (from c->rip, at lin and gpa), goes into the cache. */
static void block_enter(struct cpu *c, struct block *b, unsigned n, uint32_t nbytes, uint64_t lin, uint64_t gpa)
{
    struct block_cache *bc = c->bc;
    bc->used -= (SCPU_BLOCK_MAX - n) * sizeof(struct insn); /* give back the unused tail */
    bc->used = (bc->used + 15) & ~(size_t)15;
    b->rip = c->rip;
    b->csbase = cs_base(c);
    b->gpa = gpa;
    b->key = c->mode | c->cpl << 4;
    b->n = (uint16_t)n;
    b->nbytes = nbytes;
    b->valid = 1;
    b->succ[0] = b->succ[1] = NULL;
    b->in = NULL;
    b->runs = b->falls = 0;
    memset(&b->jit, 0, sizeof b->jit);
    unsigned h = hash_rip(b->rip);
    b->hnext = bc->hash[h];
    bc->hash[h] = b;
    page_add_block(c, gpa & ~4095ull, b);
    code_lin_add(bc, lin);
    if (b->gpa2 != NO_PAGE) {
        page_add_block(c, b->gpa2, b);
        code_lin_add(bc, b->lin2);
    }
    c->stats.blocks_built++;
}

/* room for a block of SCPU_BLOCK_MAX instructions in both arenas */
static bool block_room(const struct block_cache *bc)
{
    size_t cap = sizeof(struct block) + SCPU_BLOCK_MAX * sizeof(struct insn) + 4 * 64;
    return bc->used + cap <= ARENA_SIZE && jit_arena_has_room(&bc->jit);
}

/* Decode instructions from lin until a block end; links the block into the cache. */
static struct block *block_build(struct cpu *c, uint64_t lin, uint64_t gpa, const uint8_t *host)
{
    struct block_cache *bc = c->bc;
    if (!block_room(bc))
        engine_flush_all(c);
    size_t mark = bc->used;
    struct block *b = arena_alloc(bc, sizeof(struct block) + SCPU_BLOCK_MAX * sizeof(struct insn));
    uint64_t rip = c->rip, lin0 = lin;
    struct fetch f;
    unsigned n = 0;
    b->gpa2 = b->lin2 = NO_PAGE;
    while (n < SCPU_BLOCK_MAX) {
        fetch_fill(c, lin, host + (lin - lin0), &f);
        if (decode_insn(c, rip, &f, &b->insns[n]) != DEC_OK) {
            if (n == 0) {
                bc->used = mark; /* nothing was built */
                mmu_raise(c, f.st, f.fault_lin, f.fault_gpa, f.err, ACC_X, 1);
            }
            break; /* the fault belongs to the next block's first instruction */
        }
        const struct insn *i = &b->insns[n++];
        bool crosses = (lin & 4095) + i->len > 4096;
        rip += i->len;
        lin += i->len;
        if (crosses) {
            b->gpa2 = f.gpa2;
            b->lin2 = lin & ~4095ull;
        }
        if (crosses || (lin & 4095) == 0 || (i->flags & (OPF_BRANCH | OPF_ENDBLK)))
            break;
    }
    fast_block(b->insns, n);
    block_enter(c, b, n, (uint32_t)(rip - c->rip), lin0, gpa);
    c->stats.insns_decoded += n;
    return b;
}

static struct block *block_get(struct cpu *c)
{
    uint64_t lin = fetch_lin(c, c->rip), gpa;
    const uint8_t *host = fetch_xlate(c, lin, &gpa);
    uint32_t key = c->mode | c->cpl << 4;
    uint64_t csb = cs_base(c);
    for (struct block *b = c->bc->hash[hash_rip(c->rip)]; b; b = b->hnext)
        if (b->rip == c->rip && b->gpa == gpa && b->key == key && b->csbase == csb &&
            second_page_ok(c, b))
            return b;
    return block_build(c, lin, gpa, host);
}

/* Fast handlers (fastops.c) run their successors themselves, so after a call c->cur is the
 * last instruction that ran, not necessarily i. */
/* Runs b's translation, which may go on through linked blocks (cpu->bc->cur_block is the last
 * one); returns how many of that block's instructions completed. It is over (cpu->rip set)
 * when that is all of them or a handler asked to stop (cpu->brk); otherwise the interpreter
 * goes on from there (a memory access the inline TLB lookup did not cover). */
static unsigned run_jit(struct cpu *c, struct block *b)
{
    unsigned v = b->jit.fn(c);
    struct block *last = c->bc->cur_block;
    unsigned k = JIT_RET_K(v);
    c->cur = NULL;
    c->chain_end = NULL;
    c->stats.insns_jit += k;
    if (k == last->n || c->brk)
        c->stats.insns_executed += k;
    if (JIT_RET_LINK(v))
        c->bc->pending_link = &last->jit.link[JIT_RET_LINK(v) - 1];
    return k;
}

/* The cached block at rip of b's mode and privilege, if any. */
static struct block *block_at(struct cpu *c, uint64_t rip, const struct block *like)
{
    for (struct block *b = c->bc->hash[hash_rip(rip)]; b; b = b->hnext)
        if (b->rip == rip && b->valid && b->key == like->key && b->csbase == like->csbase)
            return b;
    return NULL;
}

/* A 64-bit Jcc (one a translation can go on past: superblock) */
static bool is_jcc64(const struct insn *i)
{
    unsigned op = i->op & 0xff;
    bool jcc = (i->op >> 8) == MAP_1B ? op >= 0x70 && op <= 0x7f : (i->op >> 8) == MAP_0F && op >= 0x80 && op <= 0x8f;
    return jcc && i->osz == 8;
}

/* The block a translation of p goes on into (superblock): the one that follows p's last
 * instruction, a Jcc that at least half p's runs fell through (any, with no runs to judge by:
 * BVM_SOFT_JIT_HOT=1), when it is cached and next to p in the same page. A Jcc taken as often
 * leaves the superblock as it left the block; one that mostly falls through saves a block's
 * exit and entry. */
static const struct block *fall_block(struct cpu *c, const struct block *p)
{
    const struct insn *last = &p->insns[p->n - 1];
    if (!is_jcc64(last) || p->gpa2 != NO_PAGE)
        return NULL;
    if (c->bc->jit.hot_runs > 1 && (p->runs < 2 || 2 * p->falls < p->runs))
        return NULL;
    const struct block *f = block_at(c, insn_next(last), p);
    if (!f || f->gpa != p->gpa + p->nbytes || (f->gpa & ~4095ull) != (p->gpa & ~4095ull))
        return NULL;
    return f;
}

/* b's Jccs before its last instruction */
static unsigned jccs_within(const struct block *b)
{
    unsigned k = 0;
    for (unsigned q = 0; q + 1 < b->n; q++)
        k += is_jcc64(&b->insns[q]);
    return k;
}

/* b, about to be translated, gives its place to a superblock when its last Jcc mostly fell
 * through: a copy of b's instructions and those of the blocks that followed it, with up to
 * SCPU_BLOCK_JCC Jccs before the last instruction (each leaves through a link of its own; a
 * block that followed may be a superblock already), decoded already (decoding them anew had
 * cost cc1 4%). b is not translated, so no link or return cache entry names it yet. */
static struct block *superblock(struct cpu *c, struct block *b)
{
    struct block_cache *bc = c->bc;
    const struct block *part[SCPU_BLOCK_JCC + 1], *f;
    unsigned np = 1, n = b->n, jccs = jccs_within(b); /* the Jccs within, but the last part's last */
    uint32_t nbytes = b->nbytes;
    part[0] = b;
    while (np <= SCPU_BLOCK_JCC && (f = fall_block(c, part[np - 1])) && n + f->n <= SCPU_BLOCK_MAX &&
           jccs + 1 + jccs_within(f) <= SCPU_BLOCK_JCC) {
        part[np++] = f;
        n += f->n;
        nbytes += f->nbytes;
        jccs += 1 + jccs_within(f); /* (the Jcc that fell through to f is within now) */
    }
    if (np == 1 || !block_room(bc))
        return b;
    struct block *s = arena_alloc(bc, sizeof(struct block) + SCPU_BLOCK_MAX * sizeof(struct insn));
    for (unsigned k = 0, at = 0; k < np; at += part[k++]->n)
        memcpy(&s->insns[at], part[k]->insns, part[k]->n * sizeof(struct insn));
    s->gpa2 = part[np - 1]->gpa2;
    s->lin2 = part[np - 1]->lin2;
    b->valid = 0; /* (the page lists drop it as they meet it) */
    hash_unlink(bc, b);
    block_enter(c, s, n, nbytes, fetch_lin(c, c->rip), b->gpa);
    s->runs = bc->jit.hot_runs;
    return s;
}

/* A block is translated when it runs for the hot_runs-th time (JIT_HOT_RUNS unless
 * BVM_SOFT_JIT_HOT says otherwise): most blocks of a program's start (the dynamic loader's
 * relocation, one-off initialisation) run a few times, and interpreting them costs less
 * than translating them (bench/forkbench spawn: 20% less time). 64-bit mode only. Returns the
 * block to run: b, or the superblock that replaced it. */
static struct block *count_run(struct cpu *c, struct block *b)
{
    unsigned hot = c->bc->jit.hot_runs;
    if (b->jit.fn || b->runs >= hot || ++b->runs < hot)
        return b;
    if ((b->key & 15) != 8 || !c->bc->jit.mem || !jit_arena_has_room(&c->bc->jit))
        return b;
    b = superblock(c, b);
    jit_translate(&c->bc->jit, b->insns, b->n, b->key >> 4, b, &b->jit, &c->bc->jit_env);
    return b;
}

static void run_block(struct cpu *c, struct block *b)
{
    c->brk = 0;
    b = count_run(c, b);
    c->bc->cur_block = b;
    const struct insn *i = b->insns, *end = i + b->n;
    if (b->jit.fn) {
        unsigned k = run_jit(c, b);
        b = c->bc->cur_block;
        if (k == b->n || c->brk)
            return;
        i = b->insns + k;
        end = b->insns + b->n;
    }
    c->chain_end = end;
    do {
        c->cur = i;
        i->fn(c, i);
        i = c->cur;
        if (unlikely(c->brk)) {
            i++;
            goto out;
        }
    } while (++i < end);
    c->rip = insn_next(end - 1);
out:
    if (i == end && c->rip == insn_next(end - 1) && b->runs < c->bc->jit.hot_runs)
        b->falls++; /* (for fall_block) */
    c->stats.insns_executed += (uint64_t)(i - b->insns);
    c->cur = NULL;
    c->chain_end = NULL;
}

/* After a longjmp out of a block: count the instructions that completed before it. */
static void account_partial(struct cpu *c)
{
    struct block *b = c->bc->cur_block;
    if (c->cur && b && c->cur >= b->insns && c->cur < b->insns + b->n)
        c->stats.insns_executed += (uint64_t)(c->cur - b->insns);
}

void op_syscall(struct cpu *c, const struct insn *i); /* (far.c) */

/* One instruction alone, for RFLAGS.TF (a single-step #DB trap after it, pushed RIP = the next
 * instruction) or armed data breakpoints (a #DB trap after an instruction that touched a watched
 * byte); DR6 says which. */
static void run_single_step(struct cpu *c, struct block *b)
{
    const struct insn *i = b->insns;
    bool tf = (c->rflags & F_TF) != 0;
    c->bc->cur_block = b;
    c->brk = 0;
    c->cur = i;
    c->chain_end = i + 1; /* one instruction, then the trap */
    c->dr_hit = 0;
    fast_live(i->fn)(c, i);
    c->chain_end = NULL;
    if (!c->brk)
        c->rip = insn_next(i);
    c->cur = NULL;
    c->stats.insns_executed++;
    if (c->exiting)
        return; /* an exit is reported first; the trap of that instruction is lost */
    if (tf && fast_live(i->fn) == op_syscall && !(c->rflags & F_TF))
        tf = false; /* SYSCALL whose FMASK cleared TF: no trap at the kernel's entry, as on hardware */
    uint32_t hits = c->dr_hit;
    c->dr_hit = 0;
    if (!tf && !hits)
        return;
    c->dr6 |= hits | (tf ? 1u << 14 : 0); /* B0-B3, BS */
    c->fault_vector = EXC_DB;
    c->fault_error = 0;
    c->fault_has_error = 0;
    c->fault_soft = 0;
    exc_deliver_pending(c);
}

/* Kept out of scpu_run so that `c` stays in a register despite setjmp there. */
/* The block that followed p last time, if nothing since could have changed the translation
 * of its address (no TLB flush), it is still valid and the mode and privilege are the same. */
static inline struct block *succ_lookup(struct cpu *c, const struct block *p)
{
    uint32_t key = c->mode | c->cpl << 4;
    for (int k = 0; k < 2; k++) {
        struct block *b = p->succ[k];
        if (b && p->succ_epoch[k] == c->link_epoch && b->rip == c->rip && b->valid && b->key == key &&
            b->csbase == cs_base(c))
            return b;
    }
    return NULL;
}

static void succ_store(struct cpu *c, struct block *p, struct block *b)
{
    int k = (p->succ[0] && p->succ_epoch[0] == c->link_epoch) ? 1 : 0;
    p->succ[k] = b;
    p->succ_epoch[k] = c->link_epoch;
}

/* Next block: the successor link of the previous one, else the cache (decoding if needed). */
static struct block *next_block(struct cpu *c, struct block *prev)
{
    struct block *b = prev ? succ_lookup(c, prev) : NULL;
    if (b)
        return b;
    uint32_t epoch = c->link_epoch;
    b = block_get(c);
    if (prev && c->link_epoch == epoch) /* a flush may have recycled prev's memory */
        succ_store(c, prev, b);
    return b;
}

/* A translated 64-bit block into the return cache of its privilege (jit.h). */
static void rc_enter(struct cpu *c, struct block *b)
{
    if (!b->jit.fn || (b->key & 15) != 8)
        return;
    struct jit_rc_entry *r = &c->bc->rc[(b->key >> 4) == 3][jit_rc_index(b->rip)];
    if (r[1].link.rip == b->rip)
        r++; /* its way */
    else if (r[0].link.rip != b->rip)
        r[1] = r[0]; /* the first way's goes to the second */
    r->link = (struct jit_link){.entry = b->jit.entry, .valid = &b->valid, .block = b, .epoch = c->link_epoch,
                                .rip = b->rip};
}

/* The translated block that left through an unlinked exit to b's address now jumps to b. */
static void link_pending(struct cpu *c, struct block *b)
{
    struct jit_link *l = c->bc->pending_link;
    c->bc->pending_link = NULL;
    if (!l || !b->jit.fn || l->rip != b->rip)
        return;
    l->valid = &b->valid;
    l->block = b;
    l->epoch = c->link_epoch;
    l->entry = b->jit.entry;
    patch_link(c, l, b);
}

__attribute__((noinline)) static void run_loop(struct cpu *c)
{
    struct block *prev = NULL;
    c->bc->pending_link = NULL;
    for (;;) {
        if (unlikely(c->stop_requested)) {
            c->stop_requested = 0;
            c->exit->reason = SCPU_EXIT_INTR;
            return;
        }
        if (unlikely(c->irq_vector >= 0) && (c->rflags & F_IF)) {
            if (c->interrupt_shadow) {
                c->interrupt_shadow = 0; /* STI / MOV SS: one more instruction first */
            } else {
                int v = c->irq_vector;
                c->irq_vector = -1;
                exc_deliver_external(c, v);
                prev = NULL;
            }
        }
        c->cur = NULL;
        c->stats.dispatches++;
        struct block *b = next_block(c, prev);
        link_pending(c, b);
        rc_enter(c, b);
        if (unlikely((c->rflags & F_TF) | c->dr_data))
            run_single_step(c, b);
        else
            run_block(c, b);
        prev = c->bc->cur_block;
        if (unlikely(c->exiting)) {
            c->exiting = 0;
            return;
        }
    }
}

/* An IN exit completes here: the caller has put the value in exit->u.io.data. */
static void complete_io_in(struct cpu *c, const struct scpu_exit *x)
{
    uint64_t v = 0;
    memcpy(&v, x->u.io.data, c->io_in_reg_size);
    reg_write(c, R_AX, v, c->io_in_reg_size);
    c->io_in_pending = 0;
}

int scpu_run(struct scpu *cpu, struct scpu_exit *exit)
{
    struct cpu *c = (struct cpu *)cpu;
    if (!c || !exit)
        return -EINVAL;
    if (c->io_in_pending)
        complete_io_in(c, exit);
    memset(exit, 0, sizeof *exit);
    c->exit = exit;
    c->exiting = 0;
    switch (setjmp(c->fault_jmp)) {
    case 0:
        break;
    case JMP_EXIT:
        account_partial(c);
        c->cur = NULL;
        c->chain_end = NULL;
        c->exiting = 0;
        return 0;
    default: /* JMP_FAULT: rewind to the faulting instruction and deliver */
        account_partial(c);
        if (c->cur)
            c->rip = c->cur->rip;
        c->cur = NULL;
        c->chain_end = NULL;
        exc_deliver_pending(c);
        break;
    }
    run_loop(c);
    return 0;
}

int scpu_translates(struct scpu *cpu) { return ((struct cpu *)cpu)->bc->jit.mem != NULL; }

void scpu_request_stop(struct scpu *cpu) { ((struct cpu *)cpu)->stop_requested = 1; }

void scpu_interrupt(struct scpu *cpu, uint8_t vector) { ((struct cpu *)cpu)->irq_vector = vector; }
