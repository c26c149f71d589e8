/* debug.c: the debug registers (MOV to and from DR0-DR7) and data breakpoints. Instruction
 * breakpoints (R/W 00) and I/O breakpoints are not implemented: the kernel sets neither. */
#include "cpu.h"

#define DR6_FIXED 0xffff0ff0ull /* reads as one */
#define DR6_BITS 0xe00full      /* B0-B3, BD, BS, BT */
#define DR7_FIXED 0x400ull

/* Breakpoint n's kind (R/W bits: 1 write, 3 read or write) when it is an enabled data breakpoint,
 * else 0; and its length in bytes (LEN: 1, 2, 8, 4). */
static unsigned data_kind(const struct cpu *c, int n)
{
    unsigned rw = (unsigned)(c->dr7 >> (16 + 4 * n)) & 3;
    bool on = (c->dr7 >> (2 * n)) & 3;
    return on && (rw == 1 || rw == 3) ? rw : 0;
}

static uint64_t bp_len(const struct cpu *c, int n)
{
    static const uint64_t len[4] = {1, 2, 8, 4};
    return len[(c->dr7 >> (18 + 4 * n)) & 3];
}

/* The bytes breakpoint n watches: its address aligned down to its length, as the CPU compares. */
static uint64_t bp_start(const struct cpu *c, int n) { return c->dr[n] & ~(bp_len(c, n) - 1); }

void dr_match(struct cpu *c, uint64_t lin, uint64_t len, int acc)
{
    for (int n = 0; n < 4; n++) {
        unsigned k = data_kind(c, n);
        if (!k || (acc == ACC_R && k != 3))
            continue;
        uint64_t s = bp_start(c, n);
        if (lin < s + bp_len(c, n) && s < lin + len)
            c->dr_hit |= 1u << n;
    }
}

void dr_mark(struct cpu *c, struct tlb_entry *e, uint64_t page)
{
    for (int n = 0; n < 4; n++) {
        unsigned k = data_kind(c, n);
        uint64_t s = bp_start(c, n);
        if (!k || s + bp_len(c, n) <= page || s >= page + 4096)
            continue;
        if (e->tag_w != TLB_INVALID)
            e->tag_w |= TLB_SLOW;
        if (k == 3 && e->tag_r != TLB_INVALID)
            e->tag_r |= TLB_SLOW;
    }
}

static void dr_changed(struct cpu *c)
{
    c->dr_data = 0;
    for (int n = 0; n < 4; n++)
        c->dr_data |= data_kind(c, n) != 0;
    tlb_flush_all(c); /* entries are filled again, the watched pages' slow */
}

/* MOV r, DRn (0F 21) and MOV DRn, r (0F 23), at CPL 0 (decided at decode). DR4 and DR5 are DR6
 * and DR7 unless CR4.DE (then #UD). */
void op_mov_dr(struct cpu *c, const struct insn *i)
{
    unsigned n = i->reg;
    if (n == 4 || n == 5) {
        if (c->cr4 & (1ull << 3)) /* CR4.DE */
            cpu_ud(c);
        n += 2;
    }
    if (n > 7)
        cpu_ud(c);
    unsigned size = c->mode == 8 ? 8 : 4;
    if ((i->op & 0xff) == 0x21) {
        reg_write(c, i->rm, n < 4 ? c->dr[n] : n == 6 ? c->dr6 | DR6_FIXED : c->dr7 | DR7_FIXED, size);
        return;
    }
    uint64_t v = reg_read(c, i->rm, size);
    if (n >= 6 && (v >> 32))
        cpu_gp0(c);
    if (n < 4)
        c->dr[n] = v;
    else if (n == 6)
        c->dr6 = v & DR6_BITS;
    else
        c->dr7 = v & ~DR7_FIXED;
    dr_changed(c);
    cpu_end_block(c, insn_next(i));
}
