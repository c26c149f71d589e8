/* mm.c: user address-space range operations shared by exec and the mm syscalls. */
#include "mm.h"

#include "bvm_linux.h"
#include "check.h"
#include "cpu.h"
#include "fd.h"
#include "filewin.h"
#include "hostcall.h"
#include "pagetable.h"
#include "palloc.h"
#include "syscall.h"
#include "task.h"

static struct addrspace the_as;
struct addrspace *cur_as = &the_as;

void mm_init(struct addrspace *as, uint64_t root)
{
    as->root = root;
    as->vmas = (struct vma_tree){0};
    as->brk_start = as->brk = 0;
    as->stack_top = STACK_TOP;
    as->mmap_base = MMAP_BASE;
    as->mmap_hint = MMAP_BASE;
    as->arg_start = as->arg_end = 0;
}

void mm_exec_reset(struct addrspace *as)
{
    check_exec_reset(as);
    int err = mm_unmap(as, 0, USER_TOP);
    kassert(err == 0 && as->vmas.count == 0);
    mm_init(as, as->root);
}

/*
 * Searching down from mmap_base walks every mapping on the way, so a program making thousands of
 * mappings would take quadratic time. Like Linux's old free_area_cache, the search starts where
 * the previous one ended; unmapping raises that point again so freed holes are found, and a miss
 * falls back to a full search. (A small hole left above the hint may be skipped, as it was there.)
 */
uint64_t mm_find_gap(struct addrspace *as, uint64_t len)
{
    uint64_t gap = 0;
    if (as->mmap_hint < as->mmap_base)
        gap = vma_find_gap(&as->vmas, len, USER_MIN, as->mmap_hint);
    if (!gap)
        gap = vma_find_gap(&as->vmas, len, USER_MIN, as->mmap_base);
    if (gap)
        as->mmap_hint = gap;
    return gap;
}

static void unmap_one(uint64_t va, uint64_t *pte, void *ctx)
{
    uint64_t pa = *pte & PTE_ADDR;
    *pte = 0;
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
    if (!fw_owns(pa)) /* a file-window page belongs to its chunk, released with the VMA */
        palloc_unref(pa);
}

void mm_unmap_pages(struct addrspace *as, uint64_t start, uint64_t end)
{
    pt_range(as->root, start, end, unmap_one, NULL);
}

static void protect_one(uint64_t va, uint64_t *pte, void *ctx)
{
    uint64_t flags = *(uint64_t *)ctx;
    *pte = (*pte & (PTE_ADDR | PTE_A | PTE_D)) | flags | PTE_P; /* written stays written (mm_dirty_each) */
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void mm_protect_pages(struct addrspace *as, uint64_t start, uint64_t end, uint32_t prot)
{
    uint64_t flags = pt_prot_flags(prot);
    pt_range(as->root, start, end, protect_one, &flags);
}

static void dirty_clear_one(uint64_t va, uint64_t *pte, void *ctx)
{
    (void)va, (void)ctx;
    *pte &= ~PTE_D;
}

/* The private mappings: shared file pages are the host's, the same in every process. */
static struct vma *next_private(struct addrspace *as, uint64_t from)
{
    struct vma *v = vma_next_from(&as->vmas, from);
    while (v && v->fw)
        v = vma_next_from(&as->vmas, v->end);
    return v;
}

void mm_dirty_clear(struct addrspace *as)
{
    for (struct vma *v = next_private(as, 0); v; v = next_private(as, v->end))
        pt_range(as->root, v->start, v->end, dirty_clear_one, NULL);
    if (check_on()) /* the heap checker's blocks, which no VMA covers */
        pt_range(as->root, BVM_CHECK_ALIAS_BASE, BVM_CHECK_ALIAS_END, dirty_clear_one, NULL);
    write_cr3(read_cr3()); /* no TLB entry may still say "dirty" */
}

struct dirty_walk {
    mm_page_fn *fn;
    void *ctx;
};

static void dirty_one(uint64_t va, uint64_t *pte, void *ctx)
{
    struct dirty_walk *w = ctx;
    if (*pte & PTE_D)
        w->fn(va, *pte & PTE_ADDR, w->ctx);
}

void mm_dirty_each(struct addrspace *as, mm_page_fn *fn, void *ctx)
{
    struct dirty_walk w = {fn, ctx};
    for (struct vma *v = next_private(as, 0); v; v = next_private(as, v->end))
        pt_range(as->root, v->start, v->end, dirty_one, &w);
    if (check_on())
        pt_range(as->root, BVM_CHECK_ALIAS_BASE, BVM_CHECK_ALIAS_END, dirty_one, &w);
}

int mm_split_at(struct addrspace *as, uint64_t start, uint64_t end)
{
    struct vma *v = vma_find(&as->vmas, start);
    if (v && v->start < start && !vma_split(&as->vmas, v, start))
        return -LINUX_ENOMEM;
    v = end ? vma_find(&as->vmas, end - 1) : NULL;
    if (v && v->end > end && !vma_split(&as->vmas, v, end))
        return -LINUX_ENOMEM;
    return 0;
}

int mm_unmap(struct addrspace *as, uint64_t start, uint64_t end)
{
    int err = mm_split_at(as, start, end);
    if (err)
        return err;
    mm_unmap_pages(as, start, end);
    pt_prune(as->root, start, end); /* like Linux's free_pgtables: munmap only, not madvise */
    struct vma *v;
    while ((v = vma_next_from(&as->vmas, start)) && v->start < end) {
        if (v->fw)
            fw_release(v->fw, v->pgoff, v->end - v->start);
        vma_remove(&as->vmas, v);
    }
    if (end > as->mmap_hint)
        as->mmap_hint = MIN(end, as->mmap_base);
    return 0;
}

int mm_map_private_file(struct addrspace *as, uint64_t start, uint64_t end, uint32_t prot, uint32_t flags,
                        const struct vma_file *file, int host, uint64_t pgoff)
{
    struct vma *v = vma_insert(&as->vmas, start, end, prot, flags | VMA_ANON | VMA_PRIVATE_FILE);
    if (!v)
        return -LINUX_ENOMEM;
    v->file = file;
    v->pgoff = pgoff;
    vma_file_ref(v->file_host = host, 1);
    check_file_mapped(file, host);
    vma_merge(&as->vmas, v);
    return 0;
}

void vma_file_ref(int host, int delta)
{
    if (delta > 0)
        fd_host_hold(host);
    else
        fd_host_put(host);
}

#define READ_AHEAD_PAGES 16

int mm_private_file_fault(struct addrspace *as, struct vma *v, uint64_t va)
{
    static struct bvm_seg segs[READ_AHEAD_PAGES]; /* the fresh pages, a page each */
    uint32_t n = 0;
    for (uint64_t p = va; n < READ_AHEAD_PAGES && p < v->end && (n == 0 || !(pt_lookup(as->root, p) & PTE_P));
         p += PAGE_SIZE) {
        uint64_t pa = palloc_alloc();
        if (!pa)
            break;
        segs[n++] = (struct bvm_seg){pa, PAGE_SIZE};
    }
    if (!n)
        return -LINUX_ENOMEM;
    int64_t got = hc_io(BVM_HC_PREAD, v->file_host, segs, n, (int64_t)(v->pgoff + (va - v->start)), 0);
    uint32_t filled = got > 0 ? (uint32_t)((got + PAGE_SIZE - 1) / PAGE_SIZE) : 0;
    int err = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t p = va + i * PAGE_SIZE;
        if (i < filled && !err && !(err = pt_map(as->root, p, segs[i].gpa, pt_prot_flags(v->prot)))) {
            palloc_set_rmap(segs[i].gpa, as, p);
            if (v->prot & LINUX_PROT_EXEC)
                check_patch_page(v->file, v->pgoff + (p - v->start), p, segs[i].gpa);
        } else
            palloc_unref(segs[i].gpa);
    }
    return err ? err : filled ? 0 : FAULT_SIGBUS;
}

int mm_map_anon(struct addrspace *as, uint64_t start, uint64_t end, uint32_t prot, uint32_t flags)
{
    struct vma *v = vma_insert(&as->vmas, start, end, prot, flags | VMA_ANON);
    if (!v)
        return -LINUX_ENOMEM;
    vma_merge(&as->vmas, v);
    return 0;
}

bool mm_commit_ok(uint64_t bytes)
{
    static int64_t limit; /* in pages; 0 until the host was asked */
    if (!limit) {
        limit = process_prctl(BVM_PROC_COMMIT_LIMIT, 0);
        if (limit <= 0)
            limit = INT64_MAX;
    }
    return bytes / PAGE_SIZE <= (uint64_t)limit;
}

bool mm_may_expand(struct addrspace *as, uint64_t len, bool data)
{
    uint64_t as_max = rlimit_cur(LINUX_RLIMIT_AS), data_max = data ? rlimit_cur(LINUX_RLIMIT_DATA) : UINT64_MAX;
    if (as_max == LINUX_RLIM_INFINITY && data_max == LINUX_RLIM_INFINITY)
        return true;
    uint64_t total = 0, data_total = 0;
    for (struct vma *v = vma_next_from(&as->vmas, 0); v; v = vma_next_from(&as->vmas, v->end)) {
        total += v->end - v->start;
        if ((v->prot & LINUX_PROT_WRITE) && !(v->flags & (VMA_SHARED | VMA_STACK)))
            data_total += v->end - v->start;
    }
    return len <= as_max && total <= as_max - len && (!data || (len <= data_max && data_total <= data_max - len));
}
