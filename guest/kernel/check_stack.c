/* check_stack.c: call stacks for the heap checker: the exact return address of an allocator call,
 * then the frame-pointer chain, each step checked (inside the stack, rising, returning just after a
 * call instruction in executable memory). Stacks are stored once each, by content. */
#include "check_int.h"
#include "mm.h"
#include "pagetable.h"
#include "string.h"

struct cstack {
    uint32_t hnext; /* hash chain, id + 1 */
    uint32_t n;
    uint64_t pc[STACK_DEPTH];
};

#define STACK_BUCKETS 16384
static uint32_t stack_buckets[STACK_BUCKETS];
static uint32_t nstacks;
static struct cstack *const stacks = (struct cstack *)META_STACKS;

/* The last page peek translated (forgotten at each walk: mappings change between walks). */
static uint64_t cached_page, cached_pa;

/* Reads user memory that is present (no demand paging: a stack in use is), false if not. */
static bool peek(uint64_t va, void *out, unsigned len)
{
    if (va >= USER_TOP || va + len > USER_TOP || PAGE_DOWN(va) != PAGE_DOWN(va + len - 1))
        return false;
    if (PAGE_DOWN(va) != cached_page || !cached_page) {
        uint64_t pte = pt_lookup(cur_as->root, PAGE_DOWN(va));
        if (!(pte & PTE_P) || !(pte & PTE_U))
            return false;
        cached_page = PAGE_DOWN(va), cached_pa = pte & PTE_ADDR;
    }
    memcpy(out, (char *)P2V(cached_pa) + (va & (PAGE_SIZE - 1)), len);
    return true;
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

/* Frames into pcs: pc, then (at an allocator's entry) the return address at rsp, or (at a fault)
 * that word if it looks like one (a leaf function without a frame), then the frame pointers. */
static uint32_t walk(const struct trapframe *tf, uint64_t pc, bool at_entry, uint64_t *pcs, uint32_t max)
{
    uint32_t n = 0;
    uint64_t ra = 0, fp = tf->rbp;
    cached_page = 0;
    pcs[n++] = pc;
    if (peek(tf->rsp, &ra, 8) && (at_entry || after_call(ra)))
        pcs[n++] = ra;
    struct vma *stack = vma_find(&cur_as->vmas, tf->rsp);
    while (n < max && stack && fp >= tf->rsp && fp + 16 <= stack->end && !(fp & 7)) {
        uint64_t next = 0;
        if (!peek(fp, &next, 8) || !peek(fp + 8, &ra, 8) || !after_call(ra))
            break;
        if (ra != pcs[n - 1])
            pcs[n++] = ra;
        if (next <= fp)
            break;
        fp = next;
    }
    return n;
}

static uint32_t hash_pcs(const uint64_t *pcs, uint32_t n)
{
    uint64_t h = n;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ pcs[i]) * 0x100000001b3ull;
    return (uint32_t)(h ^ h >> 29) % STACK_BUCKETS;
}

uint32_t stack_capture(const struct trapframe *tf, uint64_t pc, bool at_entry)
{
    uint64_t pcs[STACK_DEPTH];
    uint32_t n = walk(tf, pc, at_entry, pcs, STACK_DEPTH), h = hash_pcs(pcs, n);
    for (uint32_t id = stack_buckets[h]; id; id = stacks[id - 1].hnext)
        if (stacks[id - 1].n == n && !memcmp(stacks[id - 1].pc, pcs, n * sizeof(pcs[0])))
            return id;
    if (!meta_ensure((uint64_t)&stacks[nstacks], sizeof(struct cstack)))
        return 0;
    struct cstack *s = &stacks[nstacks++];
    s->n = n;
    memcpy(s->pc, pcs, n * sizeof(pcs[0]));
    s->hnext = stack_buckets[h];
    stack_buckets[h] = nstacks;
    return nstacks;
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

void stack_report(uint32_t id, struct bvm_check_stack *out, struct bvm_check_report *rep)
{
    if (id && id <= nstacks)
        fill(stacks[id - 1].pc, stacks[id - 1].n, out, rep);
}

void stack_frames(const struct trapframe *tf, uint64_t pc, bool at_entry, struct bvm_check_stack *out,
                  struct bvm_check_report *rep)
{
    uint64_t pcs[BVM_CHECK_MAX_FRAMES];
    fill(pcs, walk(tf, pc, at_entry, pcs, BVM_CHECK_MAX_FRAMES), out, rep);
}

void stack_reset(void)
{
    memset(stack_buckets, 0, sizeof(stack_buckets));
    nstacks = 0;
}
