/* fault.c: demand paging: zero-filled anonymous pages, shared file pages, stack growth, and the
 * protection check. */
#include "bvm_linux.h"
#include "check.h"
#include "cpu.h"
#include "mm.h"
#include "mm_shared.h"
#include "pagetable.h"
#include "palloc.h"
#include "syscall.h"

/* Whether a VMA's protection allows an access; on x86 any right implies read. */
static bool prot_allows(uint32_t prot, uint32_t access)
{
    if ((access & ACC_WRITE) && !(prot & LINUX_PROT_WRITE))
        return false;
    if ((access & ACC_EXEC) && !(prot & LINUX_PROT_EXEC) && nx_enabled())
        return false;
    return prot != LINUX_PROT_NONE;
}

/* Grows the stack VMA down to cover addr when addr is within STACK_MAX of the stack top and
 * does not run into the mapping below (one guard page is kept free, like Linux's stack_guard_gap). */
static struct vma *stack_grow(struct addrspace *as, uint64_t addr)
{
    struct vma *s = vma_next_from(&as->vmas, addr);
    uint64_t limit = MIN(STACK_MAX, rlimit_cur(LINUX_RLIMIT_STACK)); /* RLIMIT_STACK, at most STACK_MAX */
    if (!s || !(s->flags & VMA_STACK) || addr < as->stack_top - limit)
        return NULL;
    uint64_t new_start = PAGE_DOWN(addr);
    struct vma *below = vma_prev_before(&as->vmas, s->start);
    if (below && below->end + PAGE_SIZE > new_start)
        return NULL;
    /* Lowering the start keeps the AVL order: nothing lies between below and s. */
    s->start = new_start;
    vma_changed();
    return s;
}

static int map_zero_page(struct addrspace *as, uint64_t va, uint32_t prot)
{
    uint64_t pa = palloc_alloc();
    if (!pa)
        return -LINUX_ENOMEM;
    int err = pt_map(as->root, va, pa, pt_prot_flags(prot));
    if (err) {
        palloc_unref(pa);
        return err;
    }
    palloc_set_rmap(pa, as, va);
    return 0;
}

static int fault_in(struct addrspace *as, struct vma *v, uint64_t addr, uint32_t access, uint64_t *pa)
{
    uint64_t va = PAGE_DOWN(addr);
    if (access && !prot_allows(v->prot, access))
        return FAULT_ACCERR;
    uint64_t pte = pt_lookup(as->root, va);
    if (!(pte & PTE_P)) {
        int err = v->fw                           ? mm_shared_fault(as, v, va)
                  : v->flags & VMA_PRIVATE_FILE ? mm_private_file_fault(as, v, va)
                                                : map_zero_page(as, va, v->prot);
        if (err)
            return err;
        pte = pt_lookup(as->root, va);
    }
    if ((access & ACC_WRITE) && !(pte & PTE_D))
        pt_mark_written(as->root, va); /* a kernel copy into the page writes it as the user would */
    if (pa)
        *pa = pte & PTE_ADDR;
    return 0;
}

/* A fault on a present page whose VMA allows the access. Either its PTE lags the VMA (every
 * PTE carries exactly its VMA's rights): repair it; or the TLB held a stale entry: drop it.
 * A fault must change something: one that finds nothing to change right after another at
 * the same page would repeat forever, so it ends as SIGSEGV. */
static int fault_present(struct addrspace *as, const struct vma *v, uint64_t va, uint64_t pte, uint64_t last)
{
    uint64_t want = pt_prot_flags(v->prot);
    if ((pte & (PTE_U | PTE_W | PTE_NX)) != want) {
        pt_protect(as->root, va, want);
        return 0;
    }
    invlpg(va);
    if (last == va + 1)
        return FAULT_ACCERR;
    as->spurious_va = va + 1;
    return 0;
}

int fault_handle(struct addrspace *as, uint64_t addr, uint32_t access)
{
    uint64_t last = as->spurious_va;
    as->spurious_va = 0;
    if (addr >= USER_TOP)
        return -LINUX_EFAULT;
    struct vma *v = vma_find(&as->vmas, addr);
    if (!v)
        v = stack_grow(as, addr);
    if (!v)
        return -LINUX_EFAULT;
    uint64_t pte = pt_lookup(as->root, PAGE_DOWN(addr));
    if ((pte & PTE_P) && prot_allows(v->prot, access))
        return fault_present(as, v, PAGE_DOWN(addr), pte, last);
    return fault_in(as, v, addr, access, NULL);
}

int uvm_page(struct addrspace *as, uint64_t va, uint32_t access, uint64_t *pa)
{
    if (va >= USER_TOP)
        return -LINUX_EFAULT;
    if (check_alias(va) && check_on())
        return check_user_page(va, access, pa); /* a heap block: no VMA, its pages or nothing */
    struct vma *v = vma_find(&as->vmas, va);
    if (!v && access)
        v = stack_grow(as, va);
    if (!v)
        return -LINUX_EFAULT;
    int err = fault_in(as, v, va, access, pa);
    return err ? -LINUX_EFAULT : 0;
}
