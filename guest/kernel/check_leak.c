/* check_leak.c: the leak search at exit, as memcheck does it. Roots are the program's writable
 * memory (data, bss, heap, stacks, its own mappings) and every thread's registers. A block a root
 * points to at its start is still reachable, one pointed to only inside possibly lost; blocks those
 * point to inherit it. (Read-only data is scanned too: RELRO keeps pointers.) Of the rest, a block no other lost block points to is definitely lost, and
 * what it points to indirectly lost. Records are grouped by allocation stack and kind. */
#include "check_int.h"
#include "mm.h"
#include "pagetable.h"
#include "string.h"
#include "task.h"

#define MARK(k) ((uint8_t)((k) + 1))
#define UNMARKED 0

static uint32_t *const work = (uint32_t *)META_WORK; /* blocks to scan, as pointers' ids */
static uint32_t nwork;
static struct cblock *work_base;

static void push(struct cblock *b)
{
    if (meta_ensure((uint64_t)&work[nwork], sizeof(uint32_t)))
        work[nwork++] = (uint32_t)(b - work_base);
}

static struct cblock *leader; /* the lost block whose reach is being marked indirect */
static void (*pin_fn)(uint64_t v); /* leak_scan_pins: every value goes there instead */

/* A pointer value v found in memory marked `from`: a root or a reachable block (REACHABLE), a
 * possibly lost block (POSSIBLE), or a lost one (INDIRECT). */
static void consider(uint64_t v, uint8_t from)
{
    if (v < BVM_CHECK_ALIAS_BASE || v >= BVM_CHECK_ALIAS_END)
        return;
    if (pin_fn) {
        pin_fn(v);
        return;
    }
    struct cblock *b = heap_find_addr(v);
    if (!b || b->state != CB_LIVE || v < b->ptr || v > b->ptr + b->size || (v == b->ptr + b->size && b->size))
        return;
    if (from == MARK(BVM_LK_INDIRECT)) {
        if (b == leader || (b->mark != UNMARKED && b->mark != MARK(BVM_LK_DEFINITE)))
            return;
        b->mark = MARK(BVM_LK_INDIRECT);
    } else {
        uint8_t want = from == MARK(BVM_LK_REACHABLE) && v == b->ptr ? MARK(BVM_LK_REACHABLE) : MARK(BVM_LK_POSSIBLE);
        if (b->mark == MARK(BVM_LK_REACHABLE) || b->mark == want)
            return;
        b->mark = want;
    }
    push(b);
}

static void scan_words(const uint8_t *p, uint64_t len, uint8_t from)
{
    for (uint64_t i = 0; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        consider(v, from);
    }
}

static void scan_block(struct cblock *b, uint8_t from)
{
    uint64_t start = b->ptr & ~7ull;
    for (uint64_t va = start; va < b->ptr + b->size;) {
        uint64_t n = MIN(PAGE_SIZE - (va & (PAGE_SIZE - 1)), b->ptr + b->size - va);
        scan_words(P2V(heap_block_pa(b, va - b->ptr)), n, from);
        va += n;
    }
}

static void drain(void)
{
    while (nwork) {
        struct cblock *b = &work_base[work[--nwork]];
        scan_block(b, b->mark);
    }
}

/* A stack's live part (memcheck's): from a thread's stack pointer in v, less the red zone leaf
 * functions may use below it, to v's end; the rest of the mapping (the dead frames of calls that
 * returned) holds stale copies of pointers that must not make a lost block reachable. */
#define RED_ZONE 128
static uint64_t live_from(const struct vma *v)
{
    for_each_thread(th)
        if (th->tf && th->tf->rsp >= v->start && th->tf->rsp < v->end)
            return MAX(v->start, (th->tf->rsp & ~7ull) - RED_ZONE);
    return v->start;
}

static void scan_live_page(uint64_t va, uint64_t *pte, void *ctx)
{
    uint64_t from = *(const uint64_t *)ctx, skip = from > va ? from - va : 0;
    if ((*pte & PTE_U) && skip < PAGE_SIZE)
        scan_words((const uint8_t *)P2V(*pte & PTE_ADDR) + skip, PAGE_SIZE - skip, MARK(BVM_LK_REACHABLE));
}

/* The program's data, not code (RELRO is read-only by now but holds pointers: static glibc's):
 * each stack from its live part only when live_only, then every thread's registers. */
static void scan_data_and_registers(bool live_only)
{
    struct vma_tree *t = &cur_as->vmas;
    for (struct vma *v = vma_next_from(t, 0); v; v = vma_next_from(t, v->end)) {
        if (!(v->prot & LINUX_PROT_READ) || (v->prot & LINUX_PROT_EXEC) || v->fw)
            continue;
        uint64_t from = live_only ? live_from(v) : v->start;
        pt_range(cur_as->root, PAGE_DOWN(from), v->end, scan_live_page, &from);
    }
    for_each_thread(th) {
        if (th->tf)
            scan_words((const uint8_t *)th->tf, sizeof(*th->tf), MARK(BVM_LK_REACHABLE));
        consider(th->fs_base, MARK(BVM_LK_REACHABLE));
    }
}

static void scan_roots(void)
{
    scan_data_and_registers(true);
    drain();
}

static void unmark(struct cblock *b, void *ctx) { b->mark = UNMARKED; }

/* A block nothing reachable points to leads lost memory: definitely lost, and what it reaches
 * indirectly lost (a leader found earlier included: it hangs off this one). */
static void lost_leader(struct cblock *b, void *ctx)
{
    if (b->mark != UNMARKED)
        return;
    leader = b;
    b->mark = MARK(BVM_LK_DEFINITE);
    scan_block(b, MARK(BVM_LK_INDIRECT));
    drain();
    leader = NULL;
}

/* ---- records: (kind, allocation stack) -> bytes, blocks ---- */
struct leak_rec {
    uint32_t stack, kind;
    uint64_t bytes, blocks;
};
#define MAX_RECS 4096
#define REC_SLOTS 8192 /* open addressing over recs, by (stack, kind): index + 1, 0 free */
static struct leak_rec recs[MAX_RECS];
static uint16_t rec_slot[REC_SLOTS];
static uint32_t nrecs;
static uint64_t kind_bytes[BVM_LK_COUNT], kind_blocks[BVM_LK_COUNT];

/* The record of (stack, kind), made if there is room; NULL when there is none. */
static struct leak_rec *rec_of(uint32_t stack, uint32_t kind)
{
    uint32_t h = (uint32_t)(((uint64_t)stack * 4 + kind) * 0x9e3779b97f4a7c15ull >> 51) % REC_SLOTS;
    for (;; h = (h + 1) % REC_SLOTS) {
        if (!rec_slot[h])
            break;
        struct leak_rec *r = &recs[rec_slot[h] - 1];
        if (r->stack == stack && r->kind == kind)
            return r;
    }
    if (nrecs == MAX_RECS)
        return NULL;
    recs[nrecs] = (struct leak_rec){.stack = stack, .kind = kind};
    rec_slot[h] = (uint16_t)++nrecs;
    return &recs[nrecs - 1];
}

/* Pass 0 counts every block and records the lost ones; pass 1 records the still reachable ones,
 * so that they can never take the room of a lost one. */
static void tally(struct cblock *b, void *ctx)
{
    bool reachable_pass = ctx != NULL;
    uint32_t kind = b->mark ? b->mark - 1u : BVM_LK_DEFINITE;
    if (!reachable_pass)
        kind_bytes[kind] += b->size, kind_blocks[kind]++;
    if ((kind == BVM_LK_REACHABLE) != reachable_pass)
        return;
    struct leak_rec *r = rec_of(b->alloc_stack, kind);
    if (r)
        r->bytes += b->size, r->blocks++;
}

static void send_records(void)
{
    for (uint32_t i = 0; i < nrecs; i++) {
        struct bvm_check_report *r = report_begin(BVM_CK_LEAK);
        r->leak_kind = recs[i].kind, r->bytes = recs[i].bytes, r->blocks = recs[i].blocks;
        stack_report(recs[i].stack, &r->alloc, r);
        report_send(r);
    }
}

static void send_summary(void)
{
    struct bvm_check_report *r = report_begin(BVM_CK_SUMMARY);
    memcpy(r->leak_bytes, kind_bytes, sizeof(kind_bytes));
    memcpy(r->leak_blocks, kind_blocks, sizeof(kind_blocks));
    r->allocs = heap_totals.allocs, r->frees = heap_totals.frees, r->bytes_allocated = heap_totals.bytes;
    r->block_size = heap_totals.live_bytes, r->blocks = heap_totals.live_blocks;
    report_send(r);
}

void leak_search(void)
{
    work_base = (struct cblock *)META_BLOCKS;
    nwork = nrecs = 0;
    memset(kind_bytes, 0, sizeof(kind_bytes));
    memset(kind_blocks, 0, sizeof(kind_blocks));
    heap_each_live(unmark, NULL);
    scan_roots();
    heap_each_live(lost_leader, NULL);
    memset(rec_slot, 0, sizeof(rec_slot));
    heap_each_live(tally, NULL);
    heap_each_live(tally, (void *)1);
    send_records();
    send_summary();
}

static void scan_any_block(struct cblock *b, void *ctx)
{
    scan_block(b, 0);
    (void)ctx;
}

void leak_scan_pins(void (*pin)(uint64_t v))
{
    pin_fn = pin;
    scan_data_and_registers(false); /* (dead stack frames too: a stale pointer may wait there) */
    heap_each_live(scan_any_block, NULL);
    pin_fn = NULL;
}

void check_exit(void)
{
    if (!check_on())
        return;
    if (!heap_any_hooks() && !check_forked_quiet())
        report_noheap("no allocator found in the program or its libraries (a stripped static binary, or "
                      "an allocator of its own: --alloc-fn=malloc=SYMBOL|0xADDRESS names one)");
    leak_search();
}
