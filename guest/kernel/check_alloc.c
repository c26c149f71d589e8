/* check_alloc.c: the malloc family as the checker serves it, with C library semantics (glibc's
 * where the libraries differ), and the bad frees it reports. */
#include "check_int.h"
#include "string.h"
#include "usercopy.h"

static const struct trapframe *call_tf; /* the call being served */
static uint64_t call_entry;

static uint32_t call_stack(void) { return stack_capture(call_tf, call_entry, true); }

static uint64_t alloc(uint64_t size, uint64_t align, uint32_t fn)
{
    struct cblock *b = heap_alloc(size, align, fn, call_stack());
    return b ? b->ptr : 0;
}

/* free(), or the freeing half of realloc(), of p; false (reported) when p is not a live block. */
static bool release(uint64_t p, uint32_t fn)
{
    struct cblock *b = heap_find_ptr(p);
    if (b && b->state == CB_LIVE) {
        heap_free(b, call_stack());
        return true;
    }
    struct bvm_check_report *r = report_begin(BVM_CK_FREE);
    r->fn = fn, r->addr = p;
    stack_frames(call_tf, call_entry, true, &r->where, r);
    if ((b = b ? b : heap_find_addr(p)))
        report_block(r, b);
    report_send(r);
    return false;
}

static void copy_block(const struct cblock *to, const struct cblock *from, uint64_t n)
{
    for (uint64_t done = 0; done < n;) {
        uint64_t a = to->ptr + done, b = from->ptr + done;
        uint64_t step = MIN(n - done, MIN(PAGE_SIZE - (a & (PAGE_SIZE - 1)), PAGE_SIZE - (b & (PAGE_SIZE - 1))));
        memcpy(P2V(heap_block_pa(to, done)), P2V(heap_block_pa(from, done)), step);
        done += step;
    }
}

/* realloc always moves, so that the old pointer's later use is caught. */
static uint64_t do_realloc(uint64_t p, uint64_t size, uint32_t fn)
{
    if (!p)
        return alloc(size, 16, BVM_CF_MALLOC);
    struct cblock *old = heap_find_ptr(p);
    if (!old || old->state != CB_LIVE) {
        release(p, fn);
        return 0;
    }
    if (!size) { /* glibc frees and returns NULL */
        release(p, fn);
        return 0;
    }
    struct cblock *b = heap_alloc(size, 16, BVM_CF_MALLOC, call_stack());
    if (!b)
        return 0;
    copy_block(b, old, MIN(size, old->size));
    heap_free(old, b->alloc_stack);
    return b->ptr;
}

static bool mul_overflows(uint64_t a, uint64_t b, uint64_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

/* memalign's alignment: glibc rounds up to a power of two, at least 16. */
static uint64_t pow2_align(uint64_t a)
{
    uint64_t p = 16;
    while (p < a && p < (1ull << 40))
        p <<= 1;
    return p;
}

static bool is_pow2(uint64_t a) { return a && !(a & (a - 1)); }

static uint64_t do_posix_memalign(uint64_t out, uint64_t align, uint64_t size)
{
    if (!is_pow2(align) || align % 8)
        return LINUX_EINVAL;
    uint64_t p = alloc(size, MAX(align, 16), BVM_CF_POSIX_MEMALIGN);
    if (!p)
        return LINUX_ENOMEM;
    if (copy_to_user(out, &p, sizeof(p))) {
        release(p, BVM_CF_FREE);
        return LINUX_EINVAL;
    }
    return 0;
}

static uint64_t usable_size(uint64_t p)
{
    struct cblock *b = p ? heap_find_ptr(p) : NULL;
    return b && b->state == CB_LIVE ? b->size : 0;
}

static uint64_t serve(uint32_t fn, uint64_t a0, uint64_t a1, uint64_t a2)
{
    uint64_t n;
    switch (fn) {
    case BVM_CF_MALLOC: return alloc(a0, 16, fn);
    case BVM_CF_FREE: if (a0) release(a0, fn); return 0;
    case BVM_CF_CALLOC: return mul_overflows(a0, a1, &n) ? 0 : alloc(n, 16, fn);
    case BVM_CF_REALLOC: return do_realloc(a0, a1, fn);
    case BVM_CF_REALLOCARRAY: return mul_overflows(a1, a2, &n) ? 0 : do_realloc(a0, n, BVM_CF_REALLOC);
    case BVM_CF_MEMALIGN:
    case BVM_CF_ALIGNED_ALLOC: return alloc(a1, pow2_align(a0), fn);
    case BVM_CF_POSIX_MEMALIGN: return do_posix_memalign(a0, a1, a2);
    case BVM_CF_VALLOC: return alloc(a0, PAGE_SIZE, fn);
    case BVM_CF_PVALLOC: return alloc(a0 ? PAGE_UP(a0) : PAGE_SIZE, PAGE_SIZE, fn);
    case BVM_CF_MALLOC_USABLE_SIZE: return usable_size(a0);
    }
    return 0;
}

bool check_trap(struct trapframe *tf)
{
    uint32_t fn = check_on() ? check_entry_fn(tf->rip - 2) : BVM_CF_NONE;
    if (fn == BVM_CF_NONE)
        return false;
    call_tf = tf, call_entry = tf->rip - 2;
    tf->rax = serve(fn, tf->rdi, tf->rsi, tf->rdx);
    return true;
}
