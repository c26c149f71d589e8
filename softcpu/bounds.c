/* bounds.c: byte-precise bounds of checked pages (scpu_set_bounds): the table lookup when a CPL-3
 * access fills the TLB for such a page, and the check of each data access through its entry. */
#include <errno.h>
#include <string.h>

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

/* Vectorised string functions read whole aligned words past a string's end. An aligned read of
 * 8, 16, 32 or 64 bytes is allowed when it overlaps the bounds at all (memcheck's
 * --partial-loads-ok: musl's word-at-a-time loops); with SCPU_BOUNDS_VEC_WINDOW, one by a vector
 * instruction also when the aligned 64 bytes around it do (glibc's SSE2 strlen, strcmp... read a
 * 64-byte window as 16-byte loads or as 8-byte MOVLPD/MOVHPD halves, some past a short string). */
static bool partial_read_ok(struct cpu *c, struct tlb_bounds b, uint64_t off, uint64_t start, uint64_t size)
{
    if (!(size == 8 || size == 16 || size == 32 || size == 64) || (start & (size - 1)))
        return false;
    uint64_t from = off, to = off + size;
    if (c->bounds.vec_window && c->cur && (c->cur->flags & OPF_VEC))
        from = off & ~63ull, to = from + 64;
    return from < b.hi && to > b.lo;
}

/* Whether the block's bytes in the page's [from, to) hold a zero byte. */
static bool nul_within(struct cpu *c, struct tlb_bounds b, uint64_t lin, uint64_t off, uint64_t from, uint64_t to)
{
    from = from > b.lo ? from : b.lo, to = to < b.hi ? to : b.hi;
    if (from >= to)
        return false;
    const struct tlb_entry *e = &c->tlb[1][(lin >> 12) & (TLB_SIZE - 1)];
    return memchr((const void *)(uintptr_t)(lin - off + from + e->addend), 0, to - from) != NULL;
}

/* String functions read past a string's NUL, never further than the unit they read it in: glibc's
 * SSE2 strlen, strchr, strcmp (when they cannot cross the page) load 8 to 64 bytes unaligned from
 * the string or just past a 16-byte part of it; its generic strspn/strcspn read the aligned group
 * of 4 bytes holding the NUL. With SCPU_BOUNDS_VEC_WINDOW, a read past the bounds is allowed when
 * the block's bytes before it in that unit hold a zero byte: for a vector read of 8 to 64 bytes
 * the 64 bytes before it, for a read of up to 8 bytes its aligned 8-byte word. (An over-read by a
 * program's own code right after a NUL is missed so.) */
static bool string_read_ok(struct cpu *c, struct tlb_bounds b, uint64_t lin, uint64_t off, uint64_t start,
                           uint64_t size)
{
    if (!c->bounds.vec_window || start != lin || off + size > 4096)
        return false;
    if (c->cur && (c->cur->flags & OPF_VEC) && size >= 8 && size <= 64)
        return nul_within(c, b, lin, off, off > 64 ? off - 64 : 0, off + size);
    if (size <= 8 && (off & ~7ull) == ((off + size - 1) & ~7ull))
        return nul_within(c, b, lin, off, off & ~7ull, off);
    return false;
}

void bounds_check(struct cpu *c, uint64_t lin, uint64_t len, int acc, uint64_t start, uint64_t size)
{
    struct tlb_bounds b = c->tlb_bounds[(lin >> 12) & (TLB_SIZE - 1)];
    uint64_t off = lin & 4095;
    if (off >= b.lo && off + len <= b.hi)
        return;
    /* an aligned read of these sizes never crosses a page: [lin, lin+len) is all of it */
    if (acc == ACC_R && (partial_read_ok(c, b, off, start, size) || string_read_ok(c, b, lin, off, start, size)))
        return;
    c->cr2 = start;
    cpu_fault(c, EXC_PF, PFEC_P | PFEC_U | PFEC_PK | (acc == ACC_W ? PFEC_W : 0));
}
