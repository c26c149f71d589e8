/* vfork_mm.c: a CLONE_VM|CLONE_VFORK child's memory is its parent's.
 * The child (posix_spawn, vfork) is a host process of its own on a copy of its parent's memory,
 * yet what it does there before it runs a program or ends its parent must see: posix_spawn's
 * error report, a variable set between vfork and exec, and the heap a shell's child allocates
 * in before it execs (dash; musl's malloc maps and unmaps as it goes). So the child logs its
 * mapping calls, finds the private pages it wrote by their dirty bits, and hands both to the
 * monitor; the parent, before vfork returns, repeats the calls (its memory is what the child's
 * was at the start, so each lands where it did) and copies the pages in. Anonymous mappings,
 * brk, munmap, mprotect, madvise and mremap are repeated; a file or shared mapping the child
 * made stays its own. */
#include "vfork_mm.h"

#include "bvm_linux.h"
#include "check.h"
#include "hostcall.h"
#include "mm.h"
#include "string.h"
#include "syscall.h"
#include "task.h"

/* Pages go to the monitor in batches. A record's va says what the page is: a user page's
 * address, an address in the heap checker's record range, or CALLS_TAG, which no user page has. */
static struct bvm_vfork_page vfork_list[BVM_VFORK_PAGES_MAX];
static int vfork_n;
#define CALLS_TAG USER_TOP

/* A logged mapping call; a page of them ends at the first nr 0 (read, never logged). */
struct vfork_call {
    uint32_t nr, pad;
    uint64_t a[6];
    int64_t ret;
};
#define CALLS_PER_PAGE (PAGE_SIZE / sizeof(struct vfork_call))
static struct vfork_call calls[CALLS_PER_PAGE] __attribute__((aligned(PAGE_SIZE)));
static unsigned ncalls;

static void vfork_flush(void)
{
    if (!vfork_n)
        return;
    /* a failure (the host out of space) loses the parent these, as a crash would */
    process_call(BVM_PROC_VFORK_PAGES, 0, vfork_n, vfork_list);
    vfork_n = 0;
}

static void vfork_note(uint64_t va, uint64_t pa, void *ctx)
{
    (void)ctx;
    vfork_list[vfork_n++] = (struct bvm_vfork_page){va, pa};
    if (vfork_n == BVM_VFORK_PAGES_MAX)
        vfork_flush();
}

/* A page of the kernel's sent at once (the monitor copies it): it is reused right after. */
static void vfork_note_now(uint64_t tag, void *page)
{
    vfork_note(tag, kva_to_gpa(page), NULL);
    vfork_flush();
}

/* A heap checker's record page, sent before it is reused. */
static void vfork_note_records(void *page, void *ctx)
{
    (void)ctx;
    vfork_note_now(BVM_CHECK_META_BASE, page);
}

static void calls_flush(void)
{
    if (!ncalls)
        return;
    vfork_note_now(CALLS_TAG, calls);
    memset(calls, 0, sizeof calls);
    ncalls = 0;
}

void vfork_mm_begin(void)
{
    mm_dirty_clear(cur_as);
    memset(calls, 0, sizeof calls);
    ncalls = 0;
    if (check_on())
        check_vfork_child();
}

static bool call_repeated(uint64_t nr, const uint64_t a[6], int64_t ret)
{
    switch (nr) {
    case 9: /* mmap: anonymous private only */
        return ret >= 0 && (a[3] & LINUX_MAP_ANONYMOUS) && (a[3] & LINUX_MAP_TYPE) == LINUX_MAP_PRIVATE;
    case 10: case 11: case 28: /* mprotect, munmap, madvise */
        return ret == 0;
    case 12: /* brk: the break it left */
        return true;
    case 25: /* mremap */
        return ret >= 0;
    default:
        return false;
    }
}

void vfork_mm_note_call(uint64_t nr, const uint64_t args[6], int64_t ret)
{
    if (!call_repeated(nr, args, ret))
        return;
    struct vfork_call *c = &calls[ncalls++];
    c->nr = (uint32_t)nr;
    memcpy(c->a, args, sizeof c->a);
    c->ret = ret;
    if (ncalls == CALLS_PER_PAGE)
        calls_flush();
}

void vfork_mm_hand_over(void)
{
    calls_flush();
    if (check_on())
        check_vfork_hand_over(vfork_note_records, vfork_note, NULL);
    mm_dirty_each(cur_as, vfork_note, NULL);
    vfork_flush();
}

/* The parent repeats a call where the child's landed: a mapping at the address it got. */
static void repeat_call(const struct vfork_call *c)
{
    const uint64_t *a = c->a;
    uint64_t at = (uint64_t)c->ret;
    switch (c->nr) {
    case 9:
        sys_mmap(at, a[1], a[2], (a[3] & ~(uint64_t)LINUX_MAP_FIXED_NOREPLACE) | LINUX_MAP_FIXED, (uint64_t)-1, 0);
        break;
    case 10: sys_mprotect(a[0], a[1], a[2], 0, 0, 0); break;
    case 11: sys_munmap(a[0], a[1], 0, 0, 0, 0); break;
    case 12: sys_brk(at, 0, 0, 0, 0, 0); break;
    case 28: sys_madvise(a[0], a[1], a[2], 0, 0, 0); break;
    case 25:
        if (at == a[0])
            sys_mremap(a[0], a[1], a[2], 0, 0, 0);
        else
            sys_mremap(a[0], a[1], a[2], LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED, at, 0);
        break;
    }
}

static void repeat_calls(const void *page)
{
    const struct vfork_call *c = page;
    for (unsigned i = 0; i < CALLS_PER_PAGE && c[i].nr; i++)
        repeat_call(&c[i]);
}

void vfork_mm_take_back(void)
{
    static uint8_t page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    for (int i = 0;; i++) {
        int64_t va = process_call(BVM_PROC_VFORK_FETCH, 0, i, page);
        uint64_t pa;
        if (va < 0)
            return;
        if ((uint64_t)va == CALLS_TAG) {
            repeat_calls(page);
            continue;
        }
        if ((uint64_t)va >= BVM_CHECK_META_BASE && (uint64_t)va < BVM_CHECK_META_END) {
            check_vfork_take(page);
            continue;
        }
        /* Written in the child, so writable there; the parent's page is found whatever its
         * protection. A heap checker's block page only where the block is the parent's too. */
        bool found = check_alias((uint64_t)va) ? check_block_page((uint64_t)va, &pa)
                                               : uvm_page(cur_as, (uint64_t)va, 0, &pa) == 0;
        if (found)
            memcpy(P2V(pa), page, PAGE_SIZE);
    }
}
