/* check_stack.c: call stacks for the heap checker: the exact return address of an allocator call,
 * then each caller by the CFI of its code (check_unwind.c), by the frame-pointer chain where there
 * is none, each step checked (the stack pointer rising, returning into executable memory; a frame
 * pointer's return address just after a call instruction). Stacks are stored once each, by content,
 * and an allocator call's walk is remembered with the words it read: most calls repeat one (a loop's
 * call), and are known again by reading those words only. */
#include "check_int.h"
#include "mm.h"
#include "pagetable.h"
#include "string.h"

/* A stored stack, at a word of META_STACKS: its id is that word's index + 1. */
struct cstack {
    uint32_t hnext; /* hash chain: the next one's id, or 0 */
    uint32_t n;
    uint64_t pc[]; /* n */
};

#define STACK_BUCKETS 16384
static uint32_t stack_buckets[STACK_BUCKETS];
static uint32_t stack_words; /* words used */
static uint64_t *const stack_store = (uint64_t *)META_STACKS;
static uint32_t depth;       /* frames recorded (--num-callers), set by stack_reset */

static struct cstack *stack_at(uint32_t id) { return (struct cstack *)&stack_store[id - 1]; }

/* The last page peek translated (forgotten at each walk: mappings change between walks), and
 * whether its memory cannot change while no VMA does (private and not writable: code, .eh_frame). */
static uint64_t cached_page, cached_pa;
static bool cached_fixed;

/* ---- the words a walk read ----
 * Only 8-byte reads of memory that may change are logged (stack words); the bytes of code a walk
 * reads (is this a return address?) are fixed while the VMAs are, and a walk reading anything else
 * is not remembered. */
#define LOG_READS 32

struct reads {
    uint32_t n;
    uint64_t va[LOG_READS], val[LOG_READS];
};

/* The walk being logged: its reads, whether it used its first rbp (a walk by CFI from rsp alone
 * does not), whether all was logged (no read failed, at most LOG_READS). */
static struct {
    bool on, whole, rbp_used;
    struct reads r;
} wlog;

static void log_read(uint64_t va, const void *buf, unsigned len)
{
    if (wlog.r.n == LOG_READS || len != 8) {
        wlog.whole = false;
        return;
    }
    wlog.r.va[wlog.r.n] = va;
    memcpy(&wlog.r.val[wlog.r.n++], buf, 8);
}

/* Reads user memory that is present (no demand paging: a stack in use is), false if not. */
static bool peek_page(uint64_t va, void *out, unsigned len)
{
    if (va >= USER_TOP || va + len > USER_TOP || PAGE_DOWN(va) != PAGE_DOWN(va + len - 1))
        return false;
    if (PAGE_DOWN(va) != cached_page || !cached_page) {
        uint64_t pte = pt_lookup(cur_as->root, PAGE_DOWN(va));
        if (!(pte & PTE_P) || !(pte & PTE_U))
            return false;
        const struct vma *v = wlog.on ? vma_find(&cur_as->vmas, va) : NULL;
        cached_page = PAGE_DOWN(va), cached_pa = pte & PTE_ADDR;
        cached_fixed = v && !(v->prot & LINUX_PROT_WRITE) && !v->fw;
    }
    memcpy(out, (char *)P2V(cached_pa) + (va & (PAGE_SIZE - 1)), len);
    return true;
}

/* peek_page, logged while a walk is (but not reads of memory that cannot change unless a VMA
 * does: the memo checks vma_generation). */
static bool peek(uint64_t va, void *out, unsigned len)
{
    bool ok = peek_page(va, out, len);
    if (wlog.on) {
        if (ok && !cached_fixed)
            log_read(va, out, len);
        else
            wlog.whole = false;
    }
    return ok;
}

static uint8_t byte_at(uint64_t va)
{
    uint8_t b = 0;
    peek(va, &b, 1);
    return b;
}

/* A call's return address: executable memory right after a call (rel32, or an indirect call). */
static bool after_call(uint64_t ra)
{
    struct vma *v = vma_find(&cur_as->vmas, ra - 1);
    if (!v || !(v->prot & LINUX_PROT_EXEC) || ra < 8)
        return false;
    if (byte_at(ra - 5) == 0xe8)
        return true;
    for (unsigned back = 2; back <= 7; back++)
        if (byte_at(ra - back) == 0xff && (byte_at(ra - back + 1) & 0x38) == 0x10)
            return true;
    return false;
}

/* A frame being unwound: its pc and the registers that find its caller; rbp0: rbp is still the
 * walk's first (the trap's), not one read from the stack. */
struct frame {
    uint64_t pc, rsp, rbp;
    bool rbp0;
};

/* The walk uses f's rbp: its result depends on the first rbp if that is the one. */
static uint64_t use_rbp(const struct frame *f)
{
    if (f->rbp0)
        wlog.rbp_used = true;
    return f->rbp;
}

#define SCAN_WORDS 32         /* stack words looked through for a frame with neither CFI nor rbp */
#define SCAN_FN_REACH 0x10000 /* a call's target at most this far below the pc in its function */

/* The caller by a CFI rule (check_cfi.h). */
static bool cfi_step(struct frame *f, const struct cfi_rule *r)
{
    uint64_t cfa = (r->cfa_reg == CFI_RSP ? f->rsp : use_rbp(f)) + (uint64_t)(int64_t)r->cfa_off;
    uint64_t ra, rbp = r->rbp == CFI_RBP_SAME ? f->rbp : 0;
    if (cfa <= f->rsp || !peek(cfa + (uint64_t)(int64_t)r->ra_off, &ra, 8))
        return false;
    if (r->rbp == CFI_RBP_AT && !peek(cfa + (uint64_t)(int64_t)r->rbp_off, &rbp, 8))
        return false;
    *f = (struct frame){ra, cfa, rbp, r->rbp == CFI_RBP_SAME && f->rbp0};
    return true;
}

/* fp is a frame pointer on the stack at or above rsp: [fp] the caller's, [fp + 8] a return address. */
static bool fp_ok(uint64_t fp, uint64_t rsp, const struct vma *stack)
{
    uint64_t ra;
    return stack && fp >= rsp && fp + 16 <= stack->end && !(fp & 7) && peek(fp + 8, &ra, 8) && after_call(ra);
}

/* The caller by the frame pointer. */
static bool fp_step(struct frame *f, const struct vma *stack)
{
    uint64_t fp = use_rbp(f), next, ra;
    if (!fp_ok(fp, f->rsp, stack) || !peek(fp, &next, 8) || !peek(fp + 8, &ra, 8))
        return false;
    *f = (struct frame){ra, fp + 16, next, false};
    return true;
}

/* ra returns from a direct call (rel32) to the function pc is in, as far as can be told: its
 * target at or below pc, and not far. */
static bool calls_toward(uint64_t ra, uint64_t pc)
{
    int32_t rel;
    /* Most stack words are data, far from pc (a rel32 call reaches 2 GiB): out before any lookup. */
    if (ra < PAGE_SIZE || ra - pc + (1ull << 31) >= (1ull << 32))
        return false;
    if (byte_at(ra - 5) != 0xe8 || !peek(ra - 4, &rel, 4))
        return false;
    uint64_t target = ra + (uint64_t)(int64_t)rel;
    return target <= pc && pc - target < SCAN_FN_REACH && after_call(ra);
}

/* The caller of a function with neither CFI nor a frame pointer (musl's libc is built so): the
 * first word above rsp that returns from a direct call into it. rbp is kept if it still is a
 * frame pointer above that word, else taken from a word below it that is one (a saved rbp). */
static bool scan_step(struct frame *f, const struct vma *stack)
{
    for (unsigned i = 0; stack && i < SCAN_WORDS; i++) {
        uint64_t at = f->rsp + 8 * i, w;
        if (at + 8 > stack->end || !peek(at, &w, 8))
            return false;
        if (!calls_toward(w, f->pc))
            continue;
        uint64_t rbp = use_rbp(f);
        bool kept = fp_ok(rbp, at + 8, stack);
        for (uint64_t p = f->rsp; !fp_ok(rbp, at + 8, stack) && p < at; p += 8)
            if (peek(p, &rbp, 8) && fp_ok(rbp, at + 8, stack))
                break;
        *f = (struct frame){w, at + 8, rbp, kept && f->rbp0};
        return true;
    }
    return false;
}

/* The caller of f: by CFI where f's file has a row for its pc, else by frame pointer, else (while
 * no frame of this walk had CFI: *seen_cfi, set here) by scanning. Libraries without CFI matter
 * near the top of a stack (strdup, fopen calling malloc); below code with CFI they are the C
 * runtime's start, where a scan would only cost time at every call. first: f's pc is the
 * instruction (a fault's frame 0), not a return address. */
static bool step(struct frame *f, bool first, const struct vma *stack, bool *seen_cfi)
{
    struct cfi_rule r;
    struct frame next = *f;
    enum cfi_result cr = unwind_rule(first ? f->pc : f->pc - 1, &r);
    if (cr == CFI_OUTER)
        return false;
    if (cr == CFI_FOUND && cfi_step(&next, &r))
        *seen_cfi = true;
    else if (!fp_step(&next, stack) && (*seen_cfi || !scan_step(&next, stack)))
        return false;
    struct vma *v = vma_find(&cur_as->vmas, next.pc - 1);
    if (next.rsp <= f->rsp || !v || !(v->prot & LINUX_PROT_EXEC))
        return false;
    *f = next;
    return true;
}

/* Frames into pcs: pc, then (at an allocator's entry) the return address at rsp, or (at a fault)
 * by the steps above; a fault's frame without CFI takes the word at rsp if it looks like a return
 * address (a leaf function without a frame). */
static uint32_t walk(const struct trapframe *tf, uint64_t pc, bool at_entry, uint64_t *pcs, uint32_t max)
{
    struct frame f = {pc, tf->rsp, tf->rbp, true};
    struct cfi_rule r;
    uint64_t ra = 0;
    uint32_t n = 0;
    bool seen_cfi = false;
    cached_page = 0;
    pcs[n++] = pc;
    const struct vma *stack = vma_find(&cur_as->vmas, tf->rsp);
    bool leaf = !at_entry && unwind_rule(pc, &r) == CFI_NONE && peek(tf->rsp, &ra, 8) && after_call(ra);
    if (at_entry || leaf) {
        if (!peek(tf->rsp, &ra, 8))
            return n;
        f = (struct frame){ra, tf->rsp + 8, tf->rbp, true}, pcs[n++] = ra;
    } else if (step(&f, true, stack, &seen_cfi)) {
        pcs[n++] = f.pc;
    } else {
        return n;
    }
    while (n < max && step(&f, false, stack, &seen_cfi))
        pcs[n++] = f.pc;
    return n;
}

static uint32_t hash_pcs(const uint64_t *pcs, uint32_t n)
{
    uint64_t h = n;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ pcs[i]) * 0x100000001b3ull;
    return (uint32_t)(h ^ h >> 29) % STACK_BUCKETS;
}

/* ---- remembered walks ----
 * A walk's result is a function of its start (pc, rsp, and its first rbp if it used that), of the
 * words it read, and of the mappings (each pc's rule and VMA): a walk from the same start that
 * would read the same words while no VMA changed (vma_generation) ends in the same stack. */
#define MEMO_SLOTS 1024 /* a power of two */

struct memo {
    uint64_t pc, rsp, rbp, gen;
    uint64_t page; /* the page all the words read lie in (the usual case), or 0 */
    const struct addrspace *as;
    uint32_t id; /* 0: empty */
    bool rbp_used;
    struct reads r;
};

static struct memo memos[MEMO_SLOTS];

static struct memo *memo_slot(uint64_t pc, uint64_t rsp)
{
    uint64_t h = (pc ^ (rsp * 0x9e3779b97f4a7c15ull)) * 0x9e3779b97f4a7c15ull;
    return &memos[(h >> 40) & (MEMO_SLOTS - 1)];
}

/* The page all of r's words lie in, or 0; then the words after the last up to a multiple of
 * four are copies of the first (for reads_hold_in). */
static uint64_t reads_page(struct reads *r)
{
    for (uint32_t i = 1; i < r->n; i++)
        if (PAGE_DOWN(r->va[i]) != PAGE_DOWN(r->va[0]))
            return 0;
    for (uint32_t i = r->n; r->n && i % 4; i++)
        r->va[i] = r->va[0], r->val[i] = r->val[0];
    return r->n ? PAGE_DOWN(r->va[0]) : 0;
}

/* The kernel's view of a present user page, or NULL. */
static const char *user_page(uint64_t page)
{
    uint64_t pte = pt_lookup(cur_as->root, page);
    return (pte & PTE_P) && (pte & PTE_U) ? (const char *)P2V(pte & PTE_ADDR) : NULL;
}

/* r's words, all in page, read the same again: one translation, then a loop whose only branch
 * is its own, four words a turn (each branch ends a block of the soft CPU's translated code);
 * reads_page padded the log to a multiple of four with copies of its first word. */
static bool reads_hold_in(const struct reads *r, uint64_t page)
{
    const char *base = user_page(page);
    uint64_t diff = 0;
    if (!base)
        return false;
#define WORD(k) (*(const uint64_t *)(base + (r->va[k] & (PAGE_SIZE - 1))) ^ r->val[k])
    for (uint32_t i = 0; i < r->n; i += 4)
        diff |= WORD(i) | WORD(i + 1) | WORD(i + 2) | WORD(i + 3);
#undef WORD
    return diff == 0;
}

/* m is a walk from tf's start at pc, and its words read the same again. */
static bool memo_holds(const struct memo *m, const struct trapframe *tf, uint64_t pc)
{
    /* or'ed, one branch (see reads_hold_in) */
    uint64_t differ = (m->pc ^ pc) | (m->rsp ^ tf->rsp) | ((uintptr_t)m->as ^ (uintptr_t)cur_as) |
                      (m->gen ^ vma_generation) | ((m->rbp ^ tf->rbp) & -(uint64_t)m->rbp_used);
    if (differ || !m->id)
        return false;
    if (m->page)
        return reads_hold_in(&m->r, m->page);
    uint64_t page = 0;
    const char *base = NULL;
    for (uint32_t i = 0; i < m->r.n; i++) { /* peek_page's work, inline: no read crosses a page */
        uint64_t va = m->r.va[i];
        if ((va ^ page) >= PAGE_SIZE) {
            page = PAGE_DOWN(va), base = user_page(page);
            if (!base)
                return false;
        }
        if (*(const uint64_t *)(base + (va & (PAGE_SIZE - 1))) != m->r.val[i])
            return false;
    }
    return true;
}

uint32_t stack_intern(const uint64_t *pcs, uint32_t n)
{
    uint32_t h = hash_pcs(pcs, n), words = 1 + n;
    for (uint32_t id = stack_buckets[h]; id; id = stack_at(id)->hnext)
        if (stack_at(id)->n == n && !memcmp(stack_at(id)->pc, pcs, n * sizeof(pcs[0])))
            return id;
    if (stack_words > UINT32_MAX - 2 * words || !meta_ensure((uint64_t)&stack_store[stack_words], words * 8))
        return 0;
    uint32_t id = stack_words + 1;
    struct cstack *s = stack_at(id);
    s->n = n;
    memcpy(s->pc, pcs, n * sizeof(pcs[0]));
    s->hnext = stack_buckets[h];
    stack_buckets[h] = id;
    stack_words += words;
    return id;
}

uint32_t stack_capture(const struct trapframe *tf, uint64_t pc, bool at_entry)
{
    static uint64_t pcs[BVM_CHECK_MAX_FRAMES]; /* (one capture at a time) */
    struct memo *m = at_entry ? memo_slot(pc, tf->rsp) : NULL;
    if (m && memo_holds(m, tf, pc))
        return m->id;
    wlog.on = m != NULL, wlog.whole = true, wlog.rbp_used = false, wlog.r.n = 0;
    uint32_t id = stack_intern(pcs, walk(tf, pc, at_entry, pcs, depth));
    wlog.on = false;
    if (m) {
        *m = (struct memo){.pc = pc, .rsp = tf->rsp, .rbp = tf->rbp, .gen = vma_generation, .as = cur_as,
                           .id = wlog.whole ? id : 0, .rbp_used = wlog.rbp_used, .r = wlog.r};
        m->page = reads_page(&m->r);
    }
    return id;
}

/* Where pc is in a file: its index in rep's file table (added), or -1. */
static int32_t file_of(uint64_t pc, uint64_t *off, struct bvm_check_report *rep)
{
    struct vma *v = vma_find(&cur_as->vmas, pc);
    if (!v || !v->file)
        return -1;
    *off = v->pgoff + (pc - v->start);
    for (uint32_t i = 0; i < rep->nfiles; i++)
        if (!strcmp(rep->files[i], v->file->path))
            return (int32_t)i;
    if (rep->nfiles == BVM_CHECK_MAX_FILES)
        return -1;
    char *dst = rep->files[rep->nfiles];
    for (unsigned k = 0; k < BVM_CHECK_PATH - 1 && v->file->path[k]; k++)
        dst[k] = v->file->path[k]; /* the report was zeroed: the NUL is there */
    return (int32_t)rep->nfiles++;
}

static void fill(const uint64_t *pcs, uint32_t n, struct bvm_check_stack *out, struct bvm_check_report *rep)
{
    out->n = MIN(n, BVM_CHECK_MAX_FRAMES);
    for (uint32_t i = 0; i < out->n; i++) {
        struct bvm_check_frame *f = &out->f[i];
        f->pc = pcs[i], f->file_off = 0;
        f->file = file_of(pcs[i], &f->file_off, rep);
    }
}

uint32_t stack_pcs(uint32_t id, const uint64_t **pcs)
{
    if (!id || id > stack_words)
        return 0;
    *pcs = stack_at(id)->pc;
    return stack_at(id)->n;
}

void stack_report(uint32_t id, struct bvm_check_stack *out, struct bvm_check_report *rep)
{
    if (id && id <= stack_words)
        fill(stack_at(id)->pc, stack_at(id)->n, out, rep);
}

void stack_frames(const struct trapframe *tf, uint64_t pc, bool at_entry, struct bvm_check_stack *out,
                  struct bvm_check_report *rep)
{
    static uint64_t pcs[BVM_CHECK_MAX_FRAMES];
    fill(pcs, walk(tf, pc, at_entry, pcs, depth), out, rep);
}

void stack_reset(void)
{
    memset(memos, 0, sizeof(memos));
    memset(stack_buckets, 0, sizeof(stack_buckets));
    stack_words = 0;
    depth = boot->check_frames ? MIN(boot->check_frames, BVM_CHECK_MAX_FRAMES) : 12;
}
