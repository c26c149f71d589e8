/* check_fault.c: a bad access to the heap: a touch of an unmapped alias (a freed block, a guard
 * page) or, on the soft CPU, of bytes outside the block (#PF with the PK bit). It is reported, then
 * the instruction is single-stepped (RFLAGS.TF) with the access let through: a scratch page mapped
 * there, or the page's bounds lifted; the #DB after it puts things back. A rep string instruction
 * keeps them until its RIP moves on. */
#include "check_int.h"
#include "cpu.h"
#include "mm.h"
#include "pagetable.h"
#include "palloc.h"
#include "string.h"
#include "task.h"

#define PF_P 1u
#define PF_PK (1u << 5)
#define RFLAGS_TF (1ull << 8)
#define STEP_PAGES 4

static struct {
    bool active, user_tf;
    uint64_t rip;
    uint32_t n;
    uint64_t page[STEP_PAGES];
    uint32_t bounds[STEP_PAGES]; /* a lifted bounds entry, or 0: the scratch page is mapped */
} step;
static uint64_t scratch_pa;

static void report_access(struct trapframe *tf, uint64_t addr, bool write)
{
    struct bvm_check_report *r = report_begin(write ? BVM_CK_WRITE : BVM_CK_READ);
    r->addr = addr;
    for (uint32_t i = 0; i < sizeof(r->insn); i++) {
        uint64_t pte = pt_lookup(cur_as->root, PAGE_DOWN(tf->rip + i));
        if (!(pte & PTE_P))
            break;
        r->insn[i] = ((uint8_t *)P2V(pte & PTE_ADDR))[(tf->rip + i) & (PAGE_SIZE - 1)];
        r->insn_len = i + 1;
    }
    stack_frames(tf, tf->rip, false, &r->where, r);
    struct cblock *b = heap_find_addr(addr);
    if (b)
        report_block(r, b);
    report_send(r);
}

static uint32_t *bounds_slot(uint64_t va)
{
    return (uint32_t *)(META_BOUNDS + ((va - BVM_CHECK_ALIAS_BASE) >> PAGE_SHIFT) * 4);
}

/* Lets the access at page through for one instruction. */
static bool let_through(uint64_t page, bool oob)
{
    if (step.n == STEP_PAGES)
        return false;
    if (oob) {
        step.bounds[step.n] = *bounds_slot(page);
        *bounds_slot(page) = 0;
    } else {
        if (!scratch_pa && !(scratch_pa = palloc_alloc()))
            return false;
        if (pt_map(cur_as->root, page, scratch_pa, pt_prot_flags(LINUX_PROT_READ | LINUX_PROT_WRITE)))
            return false;
        step.bounds[step.n] = 0;
    }
    invlpg(page);
    step.page[step.n++] = page;
    return true;
}

bool check_fault(struct trapframe *tf, uint64_t cr2)
{
    if (!check_on() || !check_alias(cr2) || (tf->error & X86_PF_INSN))
        return false;
    bool oob = (tf->error & (PF_P | PF_PK)) == (PF_P | PF_PK);
    if ((tf->error & PF_P) && !oob)
        return false;
    if (step.active && step.rip != tf->rip)
        return false; /* (cannot happen: the step ends at the next instruction) */
    report_access(tf, cr2, (tf->error & X86_PF_WRITE) != 0);
    if (!let_through(PAGE_DOWN(cr2), oob))
        return false;
    if (!step.active)
        step.user_tf = (tf->rflags & RFLAGS_TF) != 0;
    step.active = true, step.rip = tf->rip;
    tf->rflags |= RFLAGS_TF;
    return true;
}

bool check_debug(struct trapframe *tf)
{
    if (!check_on() || !step.active)
        return false;
    if (tf->rip == step.rip)
        return true; /* a rep instruction still going */
    for (uint32_t i = 0; i < step.n; i++) {
        if (step.bounds[i])
            *bounds_slot(step.page[i]) = step.bounds[i];
        else
            pt_unmap(cur_as->root, step.page[i]);
        invlpg(step.page[i]);
    }
    if (scratch_pa)
        memset(P2V(scratch_pa), 0, PAGE_SIZE);
    step.n = 0, step.active = false;
    if (!step.user_tf)
        tf->rflags &= ~RFLAGS_TF;
    return !step.user_tf;
}

bool check_block_page(uint64_t va, uint64_t *pa)
{
    uint64_t pte = pt_lookup(cur_as->root, PAGE_DOWN(va));
    if (!(pte & PTE_P) || !(pte & PTE_U))
        return false;
    if (pa)
        *pa = pte & PTE_ADDR;
    return true;
}

int check_user_page(uint64_t va, uint32_t access, uint64_t *pa)
{
    if (check_block_page(va, pa))
        return 0;
    if (cur->tf && trap_from_user(cur->tf)) {
        /* A system call's buffer in a freed block: reported at the syscall instruction. */
        struct trapframe t = *cur->tf;
        t.rip -= 2;
        report_access(&t, va, (access & ACC_WRITE) != 0);
    }
    return -LINUX_EFAULT;
}
