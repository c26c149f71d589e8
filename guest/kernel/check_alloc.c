/* check_alloc.c: the malloc family and C++'s operators new and delete as the checker serves them,
 * with C library semantics (glibc's where the libraries differ) and libstdc++'s, and the bad and
 * mismatched frees it reports. */
#include "check_int.h"
#include "fd.h"
#include "fmt.h"
#include "hostcall.h"
#include "signal.h"
#include "string.h"
#include "usercopy.h"

static struct trapframe *call_tf; /* the call being served */
static uint64_t call_entry;

static uint32_t call_stack(void) { return stack_capture(call_tf, call_entry, true); }

/* The family a function allocates or releases in (memcheck's MC_AllocKind): a block must go back
 * through its own, or it is a mismatched free. Unlisted functions are the malloc family's. */
enum family { FAM_MALLOC = 0, FAM_NEW, FAM_NEW_ARRAY };
static const uint8_t family[BVM_CF_COUNT] = {
    [BVM_CF_NEW] = FAM_NEW, [BVM_CF_NEW_NOTHROW] = FAM_NEW, [BVM_CF_NEW_ALIGNED] = FAM_NEW,
    [BVM_CF_NEW_ALIGNED_NOTHROW] = FAM_NEW, [BVM_CF_DELETE] = FAM_NEW, [BVM_CF_DELETE_SIZED] = FAM_NEW,
    [BVM_CF_DELETE_ALIGNED] = FAM_NEW, [BVM_CF_DELETE_SIZED_ALIGNED] = FAM_NEW,
    [BVM_CF_NEW_ARRAY] = FAM_NEW_ARRAY, [BVM_CF_NEW_ARRAY_NOTHROW] = FAM_NEW_ARRAY,
    [BVM_CF_NEW_ARRAY_ALIGNED] = FAM_NEW_ARRAY, [BVM_CF_NEW_ARRAY_ALIGNED_NOTHROW] = FAM_NEW_ARRAY,
    [BVM_CF_DELETE_ARRAY] = FAM_NEW_ARRAY, [BVM_CF_DELETE_ARRAY_SIZED] = FAM_NEW_ARRAY,
    [BVM_CF_DELETE_ARRAY_ALIGNED] = FAM_NEW_ARRAY, [BVM_CF_DELETE_ARRAY_SIZED_ALIGNED] = FAM_NEW_ARRAY,
};

static uint64_t alloc(uint64_t size, uint64_t align, uint32_t fn)
{
    struct cblock *b = heap_alloc(size, align, fn, call_stack());
    return b ? b->ptr : 0;
}

/* Reports error kind of the call being served (fn) on live block b (bytes and blocks: the
 * kind's values, enum bvm_check_kind): its stack, then b's. */
static void report_call(uint32_t kind, const struct cblock *b, uint32_t fn, uint64_t bytes, uint64_t blocks)
{
    struct bvm_check_report *r = report_begin(kind);
    r->fn = fn, r->addr = b->ptr, r->bytes = bytes, r->blocks = blocks;
    stack_frames(call_tf, call_entry, true, &r->where, r);
    report_block(r, b);
    report_send(r);
}

/* Live block b released by fn: reported when fn is not of the family that allocated it (as
 * memcheck, the release goes on: the block is freed, or realloc'd, all the same). */
static void check_family(const struct cblock *b, uint32_t fn)
{
    if (family[b->fn] != family[fn])
        report_call(BVM_CK_MISMATCH, b, fn, 0, 0);
}

/* A sized delete of live block b, of its family, with another size than b's (memcheck 3.22's
 * "Mismatched new/delete size value"): the block is released all the same. */
static void check_size(const struct cblock *b, uint32_t fn, uint64_t size)
{
    if (size != b->size && family[b->fn] == family[fn])
        report_call(BVM_CK_SIZE_MISMATCH, b, fn, size, 0);
}

/* A delete of live block b, of its family, told another alignment than its operator new was
 * (memcheck 3.22's "Mismatched new/delete alignment alloc value: 64 dealloc value: default-aligned"):
 * align is the delete's, 0 for a form without one, as b's is for a new without one. The block
 * is released all the same. */
static void check_align(const struct cblock *b, uint32_t fn, uint64_t align)
{
    uint64_t had = b->align_log ? 1ull << (b->align_log - 1) : 0;
    if (align != had && family[b->fn] == family[fn])
        report_call(BVM_CK_ALIGN_MISMATCH, b, fn, align, had);
}

/* free(), delete, or the freeing half of realloc(), of p (sized: a sized delete's size, else
 * UINT64_MAX; align: an aligned delete's alignment, else 0); false (reported) when p is not a
 * live block. */
static bool release(uint64_t p, uint32_t fn, uint64_t sized, uint64_t align)
{
    struct cblock *b = heap_find_ptr(p);
    if (b && b->state == CB_LIVE) {
        check_family(b, fn);
        if (sized != UINT64_MAX)
            check_size(b, fn, sized);
        check_align(b, fn, align);
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
        release(p, fn, UINT64_MAX, 0);
        return 0;
    }
    if (!size) { /* glibc frees and returns NULL */
        release(p, fn, UINT64_MAX, 0);
        return 0;
    }
    check_family(old, fn);
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
        release(p, BVM_CF_FREE, UINT64_MAX, 0);
        return LINUX_EINVAL;
    }
    return 0;
}

/* A throwing operator new that failed: libstdc++'s would throw std::bad_alloc, which a kernel
 * cannot do for it. The program ends as it does when nothing catches the exception (std::terminate,
 * abort(): SIGABRT, forced as abort() forces it), after a line saying why on the program's stderr,
 * where libstdc++'s "terminate called after throwing..." would go. */
static uint64_t new_failed(uint64_t size, uint64_t align)
{
    static char line[200]; /* in the kernel image: physically contiguous */
    static struct bvm_seg seg;
    int n = ksnprintf(line, sizeof(line), "buffervm check: operator new(%lu, alignment %lu) failed: std::bad_alloc "
                      "cannot be thrown from the checker: aborted\n", (unsigned long)size, (unsigned long)align);
    int h = fd_host(2);
    seg.gpa = kva_to_gpa(line), seg.len = MIN((uint64_t)n, sizeof(line) - 1);
    if (h >= 0)
        hc_io(BVM_HC_WRITE, h, &seg, 1, 0, 0);
    signal_force_fault(call_tf, LINUX_SIGABRT, LINUX_SI_TKILL, 0);
    return 0;
}

/* operator new and new[] (aligned: a form taking an align_val_t, align; the others align to
 * 16): out of memory, or an alignment that is not a power of two (libstdc++ throws then too), is
 * NULL for the nothrow forms. new(0) is a block of size 0, as memcheck's. The block keeps an
 * aligned form's alignment for the delete's check. */
static uint64_t op_new(uint64_t size, uint64_t align, uint32_t fn, bool nothrow, bool aligned)
{
    struct cblock *b = NULL;
    if (is_pow2(align) && align <= (1ull << 40))
        b = heap_alloc(size, MAX(align, 16), fn, call_stack());
    if (b && aligned)
        b->align_log = (uint32_t)__builtin_ctzll(align) + 1;
    return b ? b->ptr : nothrow ? 0 : new_failed(size, align);
}

static uint64_t usable_size(uint64_t p)
{
    struct cblock *b = p ? heap_find_ptr(p) : NULL;
    return b && b->state == CB_LIVE ? b->size : 0;
}

static uint64_t serve(uint32_t fn, uint64_t a0, uint64_t a1, uint64_t a2)
{
    uint64_t n;
    /* the two calls most programs make most, before the switch's tree of compares */
    if (fn == BVM_CF_MALLOC)
        return alloc(a0, 16, fn);
    if (fn == BVM_CF_FREE) {
        if (a0)
            release(a0, fn, UINT64_MAX, 0);
        return 0;
    }
    switch (fn) {
    case BVM_CF_CALLOC: return mul_overflows(a0, a1, &n) ? 0 : alloc(n, 16, fn);
    case BVM_CF_REALLOC: return do_realloc(a0, a1, fn);
    case BVM_CF_REALLOCARRAY: return mul_overflows(a1, a2, &n) ? 0 : do_realloc(a0, n, BVM_CF_REALLOC);
    case BVM_CF_MEMALIGN:
    case BVM_CF_ALIGNED_ALLOC: return alloc(a1, pow2_align(a0), fn);
    case BVM_CF_POSIX_MEMALIGN: return do_posix_memalign(a0, a1, a2);
    case BVM_CF_VALLOC: return alloc(a0, PAGE_SIZE, fn);
    case BVM_CF_PVALLOC: return alloc(a0 ? PAGE_UP(a0) : PAGE_SIZE, PAGE_SIZE, fn);
    case BVM_CF_MALLOC_USABLE_SIZE: return usable_size(a0);
    case BVM_CF_NEW:
    case BVM_CF_NEW_ARRAY: return op_new(a0, 16, fn, false, false);
    case BVM_CF_NEW_NOTHROW:
    case BVM_CF_NEW_ARRAY_NOTHROW: return op_new(a0, 16, fn, true, false);
    case BVM_CF_NEW_ALIGNED:
    case BVM_CF_NEW_ARRAY_ALIGNED: return op_new(a0, a1, fn, false, true);
    case BVM_CF_NEW_ALIGNED_NOTHROW:
    case BVM_CF_NEW_ARRAY_ALIGNED_NOTHROW: return op_new(a0, a1, fn, true, true);
    case BVM_CF_DELETE:
    case BVM_CF_DELETE_ARRAY:
        if (a0)
            release(a0, fn, UINT64_MAX, 0);
        return 0;
    case BVM_CF_DELETE_ALIGNED:
    case BVM_CF_DELETE_ARRAY_ALIGNED:
        if (a0)
            release(a0, fn, UINT64_MAX, a1);
        return 0;
    case BVM_CF_DELETE_SIZED:
    case BVM_CF_DELETE_ARRAY_SIZED:
        if (a0)
            release(a0, fn, a1, 0);
        return 0;
    case BVM_CF_DELETE_SIZED_ALIGNED:
    case BVM_CF_DELETE_ARRAY_SIZED_ALIGNED:
        if (a0)
            release(a0, fn, a1, a2);
        return 0;
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
