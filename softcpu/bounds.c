/* bounds.c: byte-precise bounds of checked pages (scpu_set_bounds): the table lookup when a CPL-3
 * access fills the TLB for such a page, and the check of each data access through its entry. */
#include <errno.h>

#include "engine.h"

/*
 * An entry with bounds keeps them in cpu->tlb_bounds and carries TLB_BOUNDED in its data tags, so
 * that every fast path (the handlers' inline hits, mem_read*, the translated code's lookup) misses
 * on it and the access reaches mmu.c's slow path, which calls bounds_check. Translated code checks
 * the common case inline instead (jit.c, j_tlb) and leaves everything else to the interpreter.
 * Pages outside [base, end) never get the bit: their paths are the same as without bounds.
 */

int scpu_set_bounds(struct scpu *cpu, uint64_t base, uint64_t end, uint64_t table, unsigned flags)
{
    struct cpu *c = (struct cpu *)cpu;
    /* both tests needed: the table must neither wrap nor leave the canonical lower half */
    if ((base | end) & 4095 || end < base || (table & 3) || table >= (1ull << 47) ||
        ((end - base) >> 12) * 4 > (1ull << 47) - table || (flags & ~SCPU_BOUNDS_VEC_WINDOW))
        return -EINVAL;
    c->bounds = (struct bounds_cfg){base, end, table, end != base, (flags & SCPU_BOUNDS_VEC_WINDOW) != 0};
    engine_bounds_changed(c); /* translations and TLB entries made without them go */
    return 0;
}

/* The table's entry for page, read as a supervisor read through the page tables (a miss in the
 * supervisor TLB walks them and fills it); 0 when the table page is not mapped. */
static uint32_t bounds_entry(struct cpu *c, uint64_t page)
{
    uint64_t va = c->bounds.table + ((page - c->bounds.base) >> 12) * 4, gpa;
    const struct tlb_entry *t = &c->tlb[0][(va >> 12) & (TLB_SIZE - 1)];
    uint8_t *h;
    uint32_t err, v;
    if ((t->tag_r & ~TLB_FLAGS) == (va & ~4095ull))
        h = (uint8_t *)(uintptr_t)(va + t->addend);
    else if (mmu_probe(c, va, ACC_R, 0, &h, &gpa, &err) != MMU_OK)
        return 0;
    memcpy(&v, h, 4);
    return v;
}

void bounds_fill(struct cpu *c, struct tlb_entry *e, uint64_t page)
{
    uint32_t v = bounds_entry(c, page);
    if (!(v & SCPU_BOUNDS_VALID))
        return;
    unsigned lo = v & 0x1fff, hi = (v >> 13) & 0x1fff;
    if (hi > 4096)
        hi = 4096;
    if (lo > hi) /* a malformed entry allows nothing */
        lo = hi;
    c->tlb_bounds[(page >> 12) & (TLB_SIZE - 1)] = (struct tlb_bounds){(uint16_t)lo, (uint16_t)hi};
    e->tag_r |= TLB_BOUNDED;
    if (e->tag_w != TLB_INVALID)
        e->tag_w |= TLB_BOUNDED;
}

uint64_t bounds_room(struct cpu *c, uint64_t lin)
{
    struct tlb_bounds b = c->tlb_bounds[(lin >> 12) & (TLB_SIZE - 1)];
    uint64_t off = lin & 4095;
    return off >= b.lo && off < b.hi ? b.hi - off : 0;
}

/* Vectorised string functions read whole aligned words past a string's end (memcheck's
 * --partial-loads-ok): such a read is allowed when it overlaps the bounds at all, or (vector
 * sizes, SCPU_BOUNDS_VEC_WINDOW) when the aligned 64 bytes around it do. */
static bool partial_read_ok(struct cpu *c, struct tlb_bounds b, uint64_t off, uint64_t start, uint64_t size)
{
    if (!(size == 8 || size == 16 || size == 32 || size == 64) || (start & (size - 1)))
        return false;
    uint64_t from = off, to = off + size;
    if (size >= 16 && c->bounds.vec_window)
        from = off & ~63ull, to = from + 64;
    return from < b.hi && to > b.lo;
}

void bounds_check(struct cpu *c, uint64_t lin, uint64_t len, int acc, uint64_t start, uint64_t size)
{
    struct tlb_bounds b = c->tlb_bounds[(lin >> 12) & (TLB_SIZE - 1)];
    uint64_t off = lin & 4095;
    if (off >= b.lo && off + len <= b.hi)
        return;
    /* an aligned read of these sizes never crosses a page: [lin, lin+len) is all of it */
    if (acc == ACC_R && partial_read_ok(c, b, off, start, size))
        return;
    c->cr2 = start;
    cpu_fault(c, EXC_PF, PFEC_P | PFEC_U | PFEC_PK | (acc == ACC_W ? PFEC_W : 0));
}
