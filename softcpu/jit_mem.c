/* jit_mem.c: memory operands in translated code: the linear address (j_ea), the soft TLB's
 * inline lookup (j_lookup, j_tlb) and what a lookup does out of line, before its side exit: the
 * byte bounds of a checked heap page, the fill of an entry that missed (see jit.c for the frame
 * these run in). */
#include "jit_int.h"

#include <stddef.h>

/* rsi = the operand's linear address (64-bit addressing; FS/GS add their base) */
int j_addr_reg(struct jctx *x, unsigned g, int scratch)
{
    if (x->home[g] >= 0)
        return x->home[g];
    emit_load(&x->e, scratch, OFF_R(g));
    return scratch;
}

void j_ea_to(struct jctx *x, const struct insn *i, int h, int hx)
{
    struct jbuf *e = &x->e;
    int b = H_NONE, ix = H_NONE;
    if (i->base == R_RIP) {
        emit_movi(e, h, i->rip + i->len + (uint64_t)(int64_t)i->disp);
    } else {
        if (i->base != R_NONE)
            b = j_addr_reg(x, i->base, h);
        if (i->index != R_NONE)
            ix = j_addr_reg(x, i->index, hx);
        if (b == H_NONE && ix == H_NONE)
            emit_movi(e, h, (uint64_t)(int64_t)i->disp);
        else if (ix != H_NONE || i->disp != 0)
            emit_rm64(e, 0x8d, h, b, ix, i->scale, i->disp);
        else if (b != h)
            emit_rr(e, 0x89, b, h);
    }
    if (i->seg == S_FS || i->seg == S_GS) {
        emit_load(e, hx, OFF(seg[i->seg].base));
        emit_rm64(e, 0x8d, h, h, hx, 0, 0);
    }
}

void j_ea(struct jctx *x, const struct insn *i) { j_ea_to(x, i, H_SI, H_DI); }

unsigned j_park_for(struct jctx *x, unsigned k)
{
    unsigned redo = x->fhost && !x->fparked ? j_redo_at(x, k) : 0;
    if (!redo)
        j_park(x);
    return redo;
}

struct side_exit *j_new_exit(struct jctx *x, unsigned k)
{
    if (x->nexits == MAX_EXITS) {
        x->e.full = true;
        return &x->exits[0];
    }
    unsigned redo = j_park_for(x, k);
    struct side_exit *s = &x->exits[x->nexits++];
    memset(s->at, 0, sizeof s->at);
    s->redo = redo;
    s->k = k;
    s->mem = x->mem;
    s->fhost = x->fhost;
    s->flags_saved = x->fparked;
    s->bnd_at = s->bnd_back = NULL;
    s->retry = s->miss_at = NULL;
    return s;
}

/* the host address from the entry at rdi (4 * its index): rsi += addend, or rdi = addend (ix) */
static void emit_addend(struct jbuf *e, int32_t add, bool ix)
{
    if (ix)
        emit_rm64(e, 0x8b, H_DI, H_BP, H_DI, 3, add); /* mov rdi, [rbp + rdi*8 + addend] */
    else
        emit_rm64(e, 0x03, H_SI, H_BP, H_DI, 3, add); /* add rsi, [rbp + rdi*8 + addend] */
}

void j_lookup(struct jctx *x, unsigned size, bool write, bool ix, uint8_t **miss)
{
    struct jbuf *e = &x->e;
    unsigned u = x->cpl == 3;
    int32_t base = OFF(tlb) + (int32_t)(u * sizeof(((struct cpu *)0)->tlb[0]));
    int32_t tag = base + (int32_t)(write ? offsetof(struct tlb_entry, tag_w) : offsetof(struct tlb_entry, tag_r));
    int32_t add = base + (int32_t)offsetof(struct tlb_entry, addend);
    emit_rr(e, 0x89, H_SI, H_DI);                            /* mov rdi, rsi */
    eb(e, 0x48), eb(e, 0xc1), eb(e, 0xef), eb(e, 10);        /* shr rdi, 10 */
    eb(e, 0x81), eb(e, 0xe7), en(e, (TLB_SIZE - 1) << 2, 4); /* and edi: 4 * TLB index */
    /* the page of the last byte against the tag of the first's entry: an access that crosses
     * the page misses (the fill then refuses it) */
    emit_rm64(e, 0x8d, H_CX, H_SI, H_NONE, 0, (int32_t)size - 1); /* lea rcx, [rsi + size - 1] */
    eb(e, 0x48), eb(e, 0x81), eb(e, 0xe1), en(e, 0xfffff000u, 4); /* and rcx, -4096 */
    emit_rm64(e, 0x3b, H_CX, H_BP, H_DI, 3, tag);       /* cmp rcx, [rbp + rdi*8 + tag] */
    *miss = emit_jcc32(e, 0x5);                         /* jne */
    emit_addend(e, add, ix);
}

/* rsi + rdi = host address of `size` bytes at linear rsi (j_lookup's ix), or a side exit to
 * the interpreter when the access crosses the page or the TLB cannot give an entry with this
 * access (a tag that misses is filled out of line and looked up again: emit_tlb_fill; an entry
 * marked slow stays a miss). An entry with byte bounds (CPL 3, bounds on) is checked out of line
 * (emit_bounds_check) and the access goes on when they hold it whole. Clobbers rdi, rcx and
 * RFLAGS. */
struct side_exit *j_tlb(struct jctx *x, unsigned k, unsigned size, bool write)
{
    struct side_exit *s = j_new_exit(x, k);
    uint8_t *miss;
    s->retry = x->e.p;
    s->write = write;
    s->size = (uint8_t)size;
    j_lookup(x, size, write, true, &miss);
    if (x->cpl == 3 && x->env->bounds) /* the tag missed: bounds, or the side exit */
        s->bnd_at = miss;
    else /* fill the entry, or the side exit */
        s->miss_at = miss;
    s->bnd_back = x->e.p;
    return s;
}

/* j_tlb's tag missed (rsi = lin, rcx = its page, rdi = 4 * TLB index): when the tag is the
 * page with TLB_BOUNDED alone and [lin, lin+size) lies within the entry's bounds, rdi = the
 * page's addend and back, as the lookup leaves it; out of them, to the side exit (the
 * interpreter checks exactly: partial aligned reads, faults); another tag, to the fill
 * (miss_at). Clobbers rdi, rcx and RFLAGS, as the lookup does. */
static void emit_bounds_check(struct jctx *x, struct side_exit *s)
{
    struct jbuf *e = &x->e;
    int32_t base = OFF(tlb) + (int32_t)sizeof(((struct cpu *)0)->tlb[0]); /* CPL 3 */
    int32_t tag = base + (int32_t)(s->write ? offsetof(struct tlb_entry, tag_w) : offsetof(struct tlb_entry, tag_r));
    int32_t add = base + (int32_t)offsetof(struct tlb_entry, addend);
    int32_t lo = OFF(tlb_bounds), hi = lo + (int32_t)offsetof(struct tlb_bounds, hi);
    unsigned size = s->size;
    _Static_assert(sizeof(struct tlb_bounds) == 4, "rdi, 4 * the TLB index, indexes the bounds");
    patch32(e, s->bnd_at, e->p);
    eb(e, 0x48), eb(e, 0x83), eb(e, 0xc9), eb(e, (unsigned)TLB_BOUNDED); /* or rcx, TLB_BOUNDED */
    emit_rm64(e, 0x3b, H_CX, H_BP, H_DI, 3, tag);                    /* cmp rcx, [tag] */
    s->miss_at = emit_jcc32(e, 0x5);                                 /* jne: not (only) bounded */
    eb(e, 0x89), eb(e, 0xf1);                                        /* mov ecx, esi */
    eb(e, 0x81), eb(e, 0xe1), en(e, 0xfff, 4);                       /* and ecx, 0xfff */
    eb(e, 0x66), eb(e, 0x3b), emit_mem(e, H_CX, H_BP, H_DI, 0, lo);  /* cmp cx, [lo] */
    s->at[3] = emit_jcc32(e, 0x2);                                   /* jb: starts below lo */
    eb(e, 0x83), eb(e, 0xc1), eb(e, size);                           /* add ecx, size */
    eb(e, 0x66), eb(e, 0x3b), emit_mem(e, H_CX, H_BP, H_DI, 0, hi);  /* cmp cx, [hi] */
    s->at[4] = emit_jcc32(e, 0x7);                                   /* ja: ends past hi */
    emit_addend(e, add, true);
    patch32(e, emit_jmp32(e), s->bnd_back);
}

/* After a lookup's tag missed (how: bit 0 a store, bit 1 CPL 3, bit 2 bounded entries checked
 * inline, bits 8 on the access's size): 1 when tlb_fill made an entry the lookup now hits, 0
 * when the interpreter must take the access (it crosses a page, or faults). */
static uint64_t jit_tlb_fill(struct cpu *c, uint64_t lin, uint64_t how)
{
    if ((lin & 4095) + (how >> 8) > 4096)
        return 0;
    return tlb_fill(c, lin, how & 1 ? ACC_W : ACC_R, (how >> 1) & 1, (how & 4) != 0);
}

/* Side exit s's lookup missed: jit_tlb_fill, the host registers a lookup may find live saved
 * around it (the address, the saved flags, home registers r10, r11 and r8, rax, rdx), then the
 * lookup again; on to the side exit that follows when the entry could not be made. */
static void emit_tlb_fill(struct jctx *x, const struct side_exit *s)
{
    static const int saved[8] = {H_AX, H_CX, H_DX, H_SI, H_R8, H_R9, H_R10, H_R11}; /* 16-aligned */
    struct jbuf *e = &x->e;
    unsigned how = (s->write ? 1 : 0) | (x->cpl == 3 ? 2 : 0) | (x->cpl == 3 && x->env->bounds ? 4 : 0) |
                   (unsigned)s->size << 8;
    patch32(e, s->miss_at, e->p);
    for (unsigned k = 0; k < 8; k++)
        emit_rex(e, false, 0, 0, saved[k], false), eb(e, 0x50 + (saved[k] & 7)); /* push */
    emit_movi(e, H_DX, how);
    emit_rr(e, 0x89, H_BP, H_DI);                           /* mov rdi, rbp (rsi: the address) */
    emit_movi(e, H_AX, (uintptr_t)jit_tlb_fill);
    eb(e, 0xff), eb(e, 0xd0);                               /* call rax */
    eb(e, 0x85), eb(e, 0xc0);                               /* test eax, eax */
    for (int k = 7; k >= 0; k--)
        emit_rex(e, false, 0, 0, saved[k], false), eb(e, 0x58 + (saved[k] & 7)); /* pop */
    patch32(e, emit_jcc32(e, 0x5), s->retry);               /* jnz: look up again */
}

void j_tlb_out_of_line(struct jctx *x, struct side_exit *s)
{
    if (s->bnd_at)
        emit_bounds_check(x, s);
    if (s->miss_at)
        emit_tlb_fill(x, s);
}
