/* jit.c: translates a decoded block's integer instructions into host code (see jit.h).
 *
 * Guest registers live in struct cpu (host rbp points at it) and are loaded into host rax..rbx
 * around each instruction: guest rax..rbx keep their own numbers, so implicit operands (rdx:rax,
 * cl) and the high-byte registers work unchanged, and other guest registers borrow a free one.
 * A memory operand's linear address is computed into rsi, looked up in the soft TLB (rdi, rcx,
 * r8 as scratch) and replaced by [rsi] = the host address. Guest flags are the host's RFLAGS
 * from the first flag-writing instruction on; a lookup preserves them with lahf/seto in r9.
 * Every exit leaves struct cpu exact: registers are stored after each instruction, flags on the
 * way out, counters (instructions, memory accesses) per exit point.
 */
#include "jit.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "engine.h"
#include "fastops.h"
#include "jit_emit.h"
#include "jit_ops.h"

#define ARENA_BYTES (32u << 20)
#define BLOCK_ROOM (64u << 10) /* more than any block's translation */
#define MAX_EXITS (2 * SCPU_BLOCK_MAX + 4)

#define OFF_R(g) ((int32_t)(offsetof(struct cpu, r) + 8 * (unsigned)(g)))
#define OFF(f) ((int32_t)offsetof(struct cpu, f))
_Static_assert(sizeof(struct tlb_entry) == 40, "the lookup scales the TLB index by 5*8");

/* A side exit to be emitted after the block's straight-line code. */
struct side_exit {
    uint8_t *at[3];   /* rel32 fields jumping here */
    unsigned k;       /* instruction to resume at */
    unsigned mem;     /* memory accesses completed before it */
    bool flags_saved; /* r9 holds the guest flags (lahf/seto) */
    bool fhost;       /* guest flags are in RFLAGS (after restoring) */
};

struct jctx {
    struct jbuf e;
    const struct insn *ins;
    unsigned n, cpl;
    bool fhost;      /* guest flags are in the host RFLAGS now (else in struct cpu) */
    bool top_fhost;  /* ... at the block's first instruction */
    unsigned mem;    /* memory accesses so far on the straight path */
    uint8_t *top;    /* first instruction (target of a self loop) */
    int8_t home[16]; /* guest register -> host r10..r15 holding it for the whole block, or -1 */
    uint8_t *epi_flags_at[MAX_EXITS + 8], *epi_plain_at[MAX_EXITS + 8];
    unsigned n_epi_flags, n_epi_plain;
    struct side_exit exits[MAX_EXITS];
    unsigned nexits;
    struct jit_code *code;     /* links of this block */
    const struct jit_env *env;
    unsigned nlinks;
};

/* ---- arena ---- */

bool jit_arena_init(struct jit_arena *a)
{
    const char *env = getenv("BVM_SOFT_JIT");
    a->mem = NULL;
    a->used = a->size = 0;
    if (env && env[0] == '0')
        return false;
    void *m = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return false;
    a->mem = m;
    a->size = ARENA_BYTES;
    return true;
}

void jit_arena_fini(struct jit_arena *a)
{
    if (a->mem)
        munmap(a->mem, a->size);
    a->mem = NULL;
}

void jit_arena_reset(struct jit_arena *a) { a->used = 0; }

bool jit_arena_has_room(const struct jit_arena *a) { return !a->mem || a->used + BLOCK_ROOM <= a->size; }

/* ---- small emitters ---- */

/* op r/m64, reg between registers (mov 89, add 01 ...) */
static void emit_rr(struct jbuf *e, unsigned opcode, int reg, int rm)
{
    emit_rex(e, true, reg, 0, rm, false);
    eb(e, opcode);
    eb(e, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

/* op reg32, [rbp + off] */
static void emit_rm32(struct jbuf *e, unsigned opcode, int reg, int32_t off)
{
    emit_rex(e, false, reg, 0, H_BP, false);
    eb(e, opcode);
    emit_mem(e, reg, H_BP, H_NONE, 0, off);
}

/* counter += v without touching flags (mov, lea, mov through rdx) */
static void emit_count(struct jbuf *e, int32_t off, unsigned v)
{
    if (!v)
        return;
    emit_load(e, H_DX, off);
    emit_rm64(e, 0x8d, H_DX, H_DX, H_NONE, 0, (int32_t)v);
    emit_store(e, H_DX, off);
}

/* host h = guest register g (from its home register or from struct cpu) */
static void get_reg(struct jctx *x, int h, unsigned g)
{
    if (x->home[g] >= 0)
        emit_rr(&x->e, 0x89, x->home[g], h);
    else
        emit_load(&x->e, h, OFF_R(g));
}

static void put_reg(struct jctx *x, int h, unsigned g)
{
    if (x->home[g] >= 0)
        emit_rr(&x->e, 0x89, h, x->home[g]);
    else
        emit_store(&x->e, h, OFF_R(g));
}

static void flags_save(struct jbuf *e) /* lahf; seto al; mov r9d, eax */
{
    eb(e, 0x9f);
    eb(e, 0x0f), eb(e, 0x90), eb(e, 0xc0);
    eb(e, 0x41), eb(e, 0x89), eb(e, 0xc1);
}

static void flags_restore(struct jbuf *e) /* mov eax, r9d; add al, 0x7f; sahf */
{
    eb(e, 0x44), eb(e, 0x89), eb(e, 0xc8);
    eb(e, 0x04), eb(e, 0x7f);
    eb(e, 0x9e);
}

/* RFLAGS' arithmetic bits into cpu->rflags, lazy flags cleared (RFLAGS unchanged) */
static void emit_flags_to_state(struct jbuf *e)
{
    eb(e, 0x9c);                                         /* pushfq */
    eb(e, 0x59);                                         /* pop rcx */
    emit_load(e, H_DX, OFF(rflags));
    eb(e, 0x48), eb(e, 0x81), eb(e, 0xe2), en(e, ~(uint32_t)F_ARITH, 4); /* and rdx, ~arith */
    eb(e, 0x81), eb(e, 0xe1), en(e, F_ARITH, 4);          /* and ecx, arith */
    emit_rr(e, 0x09, H_CX, H_DX);                        /* or rdx, rcx */
    emit_store(e, H_DX, OFF(rflags));
    eb(e, 0xc6), emit_mem(e, 0, H_BP, H_NONE, 0, OFF(lf.op)), eb(e, LF_NONE); /* mov byte [lf.op], 0 */
}

static void writeback_homes(struct jctx *x)
{
    for (unsigned g = 0; g < 16; g++)
        if (x->home[g] >= 0)
            emit_store(&x->e, x->home[g], OFF_R(g));
}

static void reload_homes(struct jctx *x)
{
    for (unsigned g = 0; g < 16; g++)
        if (x->home[g] >= 0)
            emit_load(&x->e, x->home[g], OFF_R(g));
}

/* fn(cpu, arg) through the C ABI (the prologue keeps rsp 16-aligned); clobbers the
 * caller-saved registers, r10 and r11 among them: homes must be written back first. */
static void emit_ccall(struct jctx *x, const void *fn, const void *arg)
{
    emit_rr(&x->e, 0x89, H_BP, H_DI);    /* mov rdi, rbp */
    emit_movi(&x->e, H_SI, (uintptr_t)arg);
    emit_movi(&x->e, H_AX, (uintptr_t)fn);
    eb(&x->e, 0xff), eb(&x->e, 0xd0);    /* call rax */
}

static uint64_t jit_flags_arith(struct cpu *c, const void *unused)
{
    return (flags_get(c) & F_ARITH) | 2;
}

/* The guest flags from struct cpu into RFLAGS (after a handler left them lazy). */
static void emit_flags_from_state(struct jctx *x)
{
    writeback_homes(x);
    emit_ccall(x, (const void *)jit_flags_arith, NULL);
    reload_homes(x);
    eb(&x->e, 0x50); /* push rax */
    eb(&x->e, 0x9d); /* popfq */
    x->fhost = true;
}

/* Make the flags' place what the code at `want_host` expects. */
static void sync_flags(struct jctx *x, bool want_host)
{
    if (want_host && !x->fhost)
        emit_flags_from_state(x);
    else if (!want_host && x->fhost) {
        emit_flags_to_state(&x->e);
        x->fhost = false;
    }
}

/* jump to the shared epilogue that stores the flags (fhost) or leaves them alone */
static void emit_to_epilogue(struct jctx *x, bool fhost)
{
    uint8_t *at = emit_jmp32(&x->e);
    if (fhost && x->n_epi_flags < sizeof x->epi_flags_at / sizeof *x->epi_flags_at)
        x->epi_flags_at[x->n_epi_flags++] = at;
    else if (!fhost && x->n_epi_plain < sizeof x->epi_plain_at / sizeof *x->epi_plain_at)
        x->epi_plain_at[x->n_epi_plain++] = at;
    else
        x->e.full = true;
}

/* Leave with the block finished: next RIP, counters, return n. */
static void emit_exit_rip(struct jctx *x, uint64_t rip)
{
    struct jbuf *e = &x->e;
    emit_count(e, OFF(stats.mem_accesses), x->mem);
    emit_movi(e, H_DX, rip);
    emit_store(e, H_DX, OFF(rip));
    emit_movi(e, H_AX, x->n);
    emit_to_epilogue(x, x->fhost);
}

/* Leave through constant exit `link` to rip: into the linked block when the link is current,
 * else back to the engine, which links it once it has found the successor. */
static void emit_exit_linked(struct jctx *x, uint64_t rip, unsigned link)
{
    struct jbuf *e = &x->e;
    uint8_t *unl[5];
    x->code->link[link].rip = rip;
    if (x->fhost)
        emit_flags_to_state(e);
    writeback_homes(x);
    emit_movi(e, H_DX, rip);
    emit_store(e, H_DX, OFF(rip));
    emit_count(e, OFF(stats.mem_accesses), x->mem);
    emit_movi(e, H_CX, (uintptr_t)&x->code->link[link]);
    emit_rm64(e, 0x8b, H_R8, H_CX, H_NONE, 0, offsetof(struct jit_link, entry)); /* mov r8, entry */
    emit_rr(e, 0x85, H_R8, H_R8);                                               /* test r8, r8 */
    unl[0] = emit_jcc32(e, 0x4);                                                /* jz */
    emit_rm64(e, 0x8b, H_AX, H_CX, H_NONE, 0, offsetof(struct jit_link, valid));
    eb(e, 0x80), emit_mem(e, 7, H_AX, H_NONE, 0, 0), eb(e, 0);                  /* cmp byte [rax], 0 */
    unl[1] = emit_jcc32(e, 0x4);                                                /* je: invalidated */
    eb(e, 0x8b), emit_mem(e, H_AX, H_CX, H_NONE, 0, offsetof(struct jit_link, epoch)); /* mov eax, epoch */
    emit_movi(e, H_DX, (uintptr_t)x->env->epoch);
    eb(e, 0x3b), emit_mem(e, H_AX, H_DX, H_NONE, 0, 0);                         /* cmp eax, [rdx] */
    unl[2] = emit_jcc32(e, 0x5);
    emit_rm32(e, 0x8b, H_AX, OFF(stop_requested));
    emit_rm32(e, 0x0b, H_AX, OFF(exiting));                                     /* or eax, [exiting] */
    unl[3] = emit_jcc32(e, 0x5);
    emit_rm32(e, 0x8b, H_AX, OFF(rflags));
    eb(e, 0xa9), en(e, F_TF, 4);                                                /* test eax, TF */
    unl[4] = emit_jcc32(e, 0x5);
    emit_count(e, OFF(stats.insns_executed), x->n);
    emit_count(e, OFF(stats.insns_jit), x->n);
    emit_rm64(e, 0x8b, H_AX, H_CX, H_NONE, 0, offsetof(struct jit_link, block));
    emit_movi(e, H_DX, (uintptr_t)x->env->cur_block);
    emit_rm64(e, 0x89, H_AX, H_DX, H_NONE, 0, 0);                               /* mov [rdx], rax */
    eb(e, 0x41), eb(e, 0xff), eb(e, 0xe0);                                      /* jmp r8 */
    for (unsigned k = 0; k < 5; k++)
        patch32(e, unl[k], e->p);
    emit_movi(e, H_AX, x->n | (link + 1) << 16);
    emit_to_epilogue(x, false);
}

/* A constant exit: linked while links remain, else plain. */
static void emit_exit_to(struct jctx *x, uint64_t rip)
{
    if (x->nlinks < JIT_LINKS)
        emit_exit_linked(x, rip, x->nlinks++);
    else
        emit_exit_rip(x, rip);
}

/* ---- register mapping ---- */

struct regmap {
    int8_t host[16]; /* guest register -> host register, -1 unmapped */
    uint8_t busy;    /* host registers taken (bits 0..3) */
};

static unsigned fold(unsigned g) { return g >= R_AH ? g - R_AH : g; }

static void map_reserve(struct regmap *m, unsigned g)
{
    g = fold(g);
    if (g < 4) {
        m->host[g] = (int8_t)g;
        m->busy |= (uint8_t)(1u << g);
    }
}

static void map_borrow(struct regmap *m, unsigned g)
{
    g = fold(g);
    if (m->host[g] >= 0)
        return;
    for (int h = 0; h < 4; h++)
        if (!(m->busy & (1u << h))) {
            m->host[g] = (int8_t)h;
            m->busy |= (uint8_t)(1u << h);
            return;
        }
}

/* the 3-bit field naming guest register g (AH..BH keep their high-byte encoding) */
static unsigned reg_field(const struct regmap *m, unsigned g)
{
    return (unsigned)m->host[fold(g)] + (g >= R_AH ? 4 : 0);
}

static void build_map(const struct insn *i, const struct jop *j, struct regmap *m)
{
    memset(m->host, -1, sizeof m->host);
    m->busy = 0;
    for (unsigned g = 0; g < 3; g++)
        if (j->imp & (1u << g))
            map_reserve(m, g);
    if (j->g)
        map_reserve(m, i->reg);
    if (j->kind == K_MODRM && !i->is_mem)
        map_reserve(m, i->rm);
    if (j->g)
        map_borrow(m, i->reg);
    if (j->kind == K_MODRM && !i->is_mem)
        map_borrow(m, i->rm);
}

static void load_regs(struct jctx *x, const struct regmap *m)
{
    for (unsigned g = 0; g < 16; g++)
        if (m->host[g] >= 0)
            get_reg(x, m->host[g], g);
}

static void store_regs(struct jctx *x, const struct regmap *m)
{
    for (unsigned g = 0; g < 16; g++)
        if (m->host[g] >= 0)
            put_reg(x, m->host[g], g);
}

/* ---- memory operands ---- */

/* rsi = the operand's linear address (64-bit addressing; FS/GS add their base) */
static int addr_reg(struct jctx *x, unsigned g, int scratch)
{
    if (x->home[g] >= 0)
        return x->home[g];
    emit_load(&x->e, scratch, OFF_R(g));
    return scratch;
}

static void emit_ea(struct jctx *x, const struct insn *i)
{
    struct jbuf *e = &x->e;
    int b = H_NONE, ix = H_NONE;
    if (i->base == R_RIP) {
        emit_movi(e, H_SI, i->rip + i->len + (uint64_t)(int64_t)i->disp);
    } else {
        if (i->base != R_NONE)
            b = addr_reg(x, i->base, H_SI);
        if (i->index != R_NONE)
            ix = addr_reg(x, i->index, H_DI);
        if (b == H_NONE && ix == H_NONE)
            emit_movi(e, H_SI, (uint64_t)(int64_t)i->disp);
        else if (ix != H_NONE || i->disp != 0)
            emit_rm64(e, 0x8d, H_SI, b, ix, i->scale, i->disp);
        else if (b != H_SI)
            emit_rr(e, 0x89, b, H_SI);
    }
    if (i->seg == S_FS || i->seg == S_GS) {
        emit_load(e, H_DI, OFF(seg[i->seg].base));
        emit_rm64(e, 0x8d, H_SI, H_SI, H_DI, 0, 0);
    }
}

static struct side_exit *new_exit(struct jctx *x, unsigned k)
{
    if (x->nexits == MAX_EXITS) {
        x->e.full = true;
        return &x->exits[0];
    }
    struct side_exit *s = &x->exits[x->nexits++];
    s->at[0] = s->at[1] = s->at[2] = NULL;
    s->k = k;
    s->mem = x->mem;
    s->fhost = x->fhost;
    s->flags_saved = x->fhost;
    return s;
}

/* rsi = host address of `size` bytes at linear rsi, or a side exit to the interpreter when
 * the TLB has no entry with this access, the entry is marked slow or the access crosses the
 * page. Clobbers rdi, rcx and RFLAGS. */
static struct side_exit *emit_tlb(struct jctx *x, unsigned k, unsigned size, bool write)
{
    struct jbuf *e = &x->e;
    unsigned u = x->cpl == 3;
    int32_t base = OFF(tlb) + (int32_t)(u * sizeof(((struct cpu *)0)->tlb[0]));
    int32_t tag = base + (int32_t)(write ? offsetof(struct tlb_entry, tag_w) : offsetof(struct tlb_entry, tag_r));
    int32_t add = base + (int32_t)offsetof(struct tlb_entry, addend);
    struct side_exit *s = new_exit(x, k);
    emit_rr(e, 0x89, H_SI, H_DI);                       /* mov rdi, rsi */
    eb(e, 0x48), eb(e, 0xc1), eb(e, 0xef), eb(e, 12);   /* shr rdi, 12 */
    eb(e, 0x81), eb(e, 0xe7), en(e, TLB_SIZE - 1, 4);   /* and edi, TLB_SIZE - 1 */
    emit_rm64(e, 0x8d, H_DI, H_DI, H_DI, 2, 0);         /* lea rdi, [rdi + rdi*4] */
    if (size > 1) {
        eb(e, 0x89), eb(e, 0xf1);                       /* mov ecx, esi */
        eb(e, 0x81), eb(e, 0xe1), en(e, 0xfff, 4);      /* and ecx, 0xfff */
        eb(e, 0x81), eb(e, 0xf9), en(e, 4096 - size, 4); /* cmp ecx, 4096 - size */
        s->at[0] = emit_jcc32(e, 0x7);                  /* ja: crosses the page */
    }
    emit_rr(e, 0x89, H_SI, H_CX);                       /* mov rcx, rsi */
    eb(e, 0x48), eb(e, 0x81), eb(e, 0xe1), en(e, 0xfffff000u, 4); /* and rcx, -4096 */
    emit_rm64(e, 0x3b, H_CX, H_BP, H_DI, 3, tag);       /* cmp rcx, [rbp + rdi*8 + tag] */
    s->at[1] = emit_jcc32(e, 0x5);                      /* jne */
    emit_rm64(e, 0x03, H_SI, H_BP, H_DI, 3, add);       /* add rsi, [rbp + rdi*8 + addend] */
    return s;
}

/* ---- instructions ---- */

static unsigned imm_bytes(const struct insn *i, const struct jop *j)
{
    return j->imm == IMM_OSZ ? (i->osz == 2 ? 2 : 4) : j->imm;
}

/* prefixes, REX and opcode of i as the host must see them */
static void emit_head(struct jbuf *e, const struct insn *i, unsigned opcode)
{
    if (i->osz == 2)
        eb(e, 0x66);
    if (i->pfx & P_LOCK)
        eb(e, 0xf0);
    emit_rex(e, i->osz == 8, 0, 0, 0, (i->pfx & P_REX) != 0);
    if ((i->op >> 8) == MAP_0F)
        eb(e, 0x0f);
    eb(e, opcode);
}

/* memory operand address translated into rsi, flags kept around the lookup */
static void emit_mem_operand(struct jctx *x, unsigned k, const struct insn *i, const struct jop *j)
{
    unsigned size = j->msize ? j->msize : i->osz;
    emit_ea(x, i);
    if (x->fhost)
        flags_save(&x->e);
    emit_tlb(x, k, size, j->mem & M_W);
    if (x->fhost)
        flags_restore(&x->e);
    x->mem++;
}

static void emit_modrm_insn(struct jctx *x, unsigned k, const struct insn *i, const struct jop *j)
{
    struct jbuf *e = &x->e;
    struct regmap m;
    build_map(i, j, &m);
    if (i->is_mem)
        emit_mem_operand(x, k, i, j);
    load_regs(x, &m);
    emit_head(e, i, i->op & 0xff);
    unsigned reg = j->g ? reg_field(&m, i->reg) : (i->modrm >> 3) & 7;
    eb(e, i->is_mem ? (reg << 3 | H_SI) : (0xc0 | reg << 3 | reg_field(&m, i->rm)));
    en(e, i->imm, imm_bytes(i, j));
    if (!j->ro)
        store_regs(x, &m);
}

static void emit_plain_insn(struct jctx *x, const struct insn *i, const struct jop *j)
{
    struct regmap m;
    build_map(i, j, &m);
    load_regs(x, &m);
    emit_head(&x->e, i, i->op & 0xff);
    en(&x->e, i->imm, imm_bytes(i, j));
    if (!j->ro)
        store_regs(x, &m);
}

static void emit_lea(struct jctx *x, const struct insn *i)
{
    struct insn a = *i;
    a.seg = S_DS; /* LEA computes the offset: no segment base */
    emit_ea(x, &a);
    if (i->osz == 4)
        eb(&x->e, 0x89), eb(&x->e, 0xf6); /* mov esi, esi: zero-extend */
    put_reg(x, H_SI, i->reg);
}

static void emit_movi_insn(struct jctx *x, const struct insn *i)
{
    uint64_t v = i->osz == 4 ? (uint32_t)i->imm : i->imm;
    emit_movi(&x->e, H_AX, v);
    put_reg(x, H_AX, i->reg);
}

static void emit_bswap(struct jctx *x, const struct insn *i)
{
    get_reg(x, H_AX, i->reg);
    emit_rex(&x->e, i->osz == 8, 0, 0, 0, false);
    eb(&x->e, 0x0f), eb(&x->e, 0xc8);
    put_reg(x, H_AX, i->reg);
}

/* guest register g += delta, flags untouched */
static void emit_reg_add(struct jctx *x, unsigned g, int32_t delta)
{
    if (x->home[g] >= 0) {
        emit_rm64(&x->e, 0x8d, x->home[g], x->home[g], H_NONE, 0, delta);
        return;
    }
    emit_load(&x->e, H_CX, OFF_R(g));
    emit_rm64(&x->e, 0x8d, H_CX, H_CX, H_NONE, 0, delta);
    emit_store(&x->e, H_CX, OFF_R(g));
}

/* rsi = host address of the 8 stack bytes at rsp + delta (SS base is 0 in 64-bit mode) */
static struct side_exit *emit_stack_ref(struct jctx *x, unsigned k, int32_t delta, bool write)
{
    int b = addr_reg(x, R_SP, H_SI);
    emit_rm64(&x->e, 0x8d, H_SI, b, H_NONE, 0, delta);
    if (x->fhost)
        flags_save(&x->e);
    struct side_exit *s = emit_tlb(x, k, 8, write);
    x->mem++;
    return s;
}

static void stack_ref_done(struct jctx *x)
{
    if (x->fhost)
        flags_restore(&x->e);
}

/* push: the slot's host address in rsi first (the lookup clobbers rax), then the value */
static void emit_push_slot(struct jctx *x, unsigned k)
{
    emit_stack_ref(x, k, -8, true);
    stack_ref_done(x);
}

static void emit_push_rax(struct jctx *x)
{
    emit_rm64(&x->e, 0x89, H_AX, H_SI, H_NONE, 0, 0); /* mov [rsi], rax */
    emit_reg_add(x, R_SP, -8);
}

static void emit_push(struct jctx *x, unsigned k, const struct insn *i)
{
    emit_push_slot(x, k);
    get_reg(x, H_AX, i->reg);
    emit_push_rax(x);
}

static void emit_push_imm(struct jctx *x, unsigned k, uint64_t v)
{
    emit_push_slot(x, k);
    emit_movi(&x->e, H_AX, v);
    emit_push_rax(x);
}

static void emit_pop(struct jctx *x, unsigned k, const struct insn *i)
{
    emit_stack_ref(x, k, 0, false);
    stack_ref_done(x);
    emit_rm64(&x->e, 0x8b, H_AX, H_SI, H_NONE, 0, 0); /* mov rax, [rsi] */
    emit_reg_add(x, R_SP, 8);
    put_reg(x, H_AX, i->reg);
}

/* Leave with the block finished at the RIP held in rdx. */
static void emit_exit_rdx(struct jctx *x)
{
    emit_store(&x->e, H_DX, OFF(rip));
    emit_count(&x->e, OFF(stats.mem_accesses), x->mem);
    emit_movi(&x->e, H_AX, x->n);
    emit_to_epilogue(x, x->fhost);
}

/* ret: the return address must be canonical, else the interpreter raises #GP at the ret */
static void emit_ret(struct jctx *x, unsigned k)
{
    struct jbuf *e = &x->e;
    struct side_exit *s = emit_stack_ref(x, k, 0, false);
    emit_rm64(e, 0x8b, H_DX, H_SI, H_NONE, 0, 0);      /* mov rdx, [rsi] */
    emit_rr(e, 0x89, H_DX, H_CX);                      /* mov rcx, rdx */
    eb(e, 0x48), eb(e, 0xc1), eb(e, 0xf9), eb(e, 47);  /* sar rcx, 47 */
    emit_rm64(e, 0x8d, H_CX, H_CX, H_NONE, 0, 1);      /* lea rcx, [rcx + 1] */
    eb(e, 0x48), eb(e, 0x83), eb(e, 0xf9), eb(e, 1);   /* cmp rcx, 1 */
    s->at[2] = emit_jcc32(e, 0x7);                     /* ja: not canonical */
    stack_ref_done(x);
    emit_reg_add(x, R_SP, 8);
    emit_exit_rdx(x);
}

/* Back to the block's start: count the pass, leave if a stop was requested. */
static void emit_loop(struct jctx *x, uint64_t rip)
{
    struct jbuf *e = &x->e;
    emit_rm32(e, 0x8b, H_CX, OFF(stop_requested)); /* mov ecx, [stop_requested] */
    eb(e, 0xe3);                 /* jrcxz over the exit */
    uint8_t *rel8 = e->p;
    eb(e, 0);
    uint8_t *exit_start = e->p;
    emit_exit_rip(x, rip);
    if (!e->full)
        *rel8 = (uint8_t)(e->p - exit_start);
    emit_count(e, OFF(stats.insns_executed), x->n);
    emit_count(e, OFF(stats.insns_jit), x->n);
    emit_count(e, OFF(stats.mem_accesses), x->mem);
    sync_flags(x, x->top_fhost);
    patch32(e, emit_jmp32(e), x->top);
}

static void emit_branch_to(struct jctx *x, uint64_t target, uint64_t block_rip, bool loop_ok)
{
    bool fhost = x->fhost;
    if (target == block_rip && loop_ok)
        emit_loop(x, target);
    else
        emit_exit_to(x, target);
    x->fhost = fhost; /* the other path starts from the same state */
}

/* Leave after instruction k when its handler asked the block to stop (cpu->brk); the last
 * instruction of the block leaves anyway, with the next RIP unless the handler set one. */
static void emit_after_helper(struct jctx *x, unsigned k, const struct insn *i)
{
    struct jbuf *e = &x->e;
    bool last = k + 1 == x->n;
    emit_rm32(e, 0x8b, H_CX, OFF(brk)); /* mov ecx, [brk] */
    eb(e, 0xe3);                        /* jrcxz: go on */
    uint8_t *rel8 = e->p;
    eb(e, 0);
    uint8_t *from = e->p;
    emit_movi(e, H_AX, k + 1);
    emit_to_epilogue(x, false);
    if (!e->full)
        *rel8 = (uint8_t)(e->p - from);
    if (last)
        emit_exit_rip(x, insn_next(i));
}

/* The interpreter runs instruction k: registers and flags go back to struct cpu first,
 * cpu->cur names it (a fault rewinds there) and it may not chain to the next one. */
static void emit_helper(struct jctx *x, unsigned k, const struct insn *i)
{
    struct jbuf *e = &x->e;
    writeback_homes(x);
    if (x->fhost)
        emit_flags_to_state(e);
    x->fhost = false;
    emit_count(e, OFF(stats.mem_accesses), x->mem);
    x->mem = 0;
    emit_movi(e, H_AX, (uintptr_t)i);
    emit_store(e, H_AX, OFF(cur));
    emit_movi(e, H_AX, (uintptr_t)(i + 1));
    emit_store(e, H_AX, OFF(chain_end));
    emit_ccall(x, (const void *)fast_live(i->fn), i);
    reload_homes(x);
    emit_after_helper(x, k, i);
}

static void emit_jcc(struct jctx *x, const struct insn *i, const struct jop *j, bool loop_ok)
{
    uint64_t next = insn_next(i), target = next + i->imm;
    uint8_t *taken = emit_jcc32(&x->e, j->cc);
    emit_branch_to(x, next, x->ins[0].rip, loop_ok);
    patch32(&x->e, taken, x->e.p);
    emit_branch_to(x, target, x->ins[0].rip, loop_ok);
}

static void emit_insn(struct jctx *x, unsigned k, const struct jop *j, bool loop_ok)
{
    const struct insn *i = &x->ins[k];
    if ((j->fl == FL_READ || j->fl == FL_PART) && !x->fhost)
        emit_flags_from_state(x);
    switch (j->kind) {
    case K_HELPER: emit_helper(x, k, i); break;
    case K_MODRM: emit_modrm_insn(x, k, i, j); break;
    case K_PLAIN: emit_plain_insn(x, i, j); break;
    case K_LEA: emit_lea(x, i); break;
    case K_MOVI: emit_movi_insn(x, i); break;
    case K_BSWAP: emit_bswap(x, i); break;
    case K_NOP: break;
    case K_JCC: emit_jcc(x, i, j, loop_ok); break;
    case K_JMP: emit_branch_to(x, insn_next(i) + i->imm, x->ins[0].rip, loop_ok); break;
    case K_PUSH: emit_push(x, k, i); break;
    case K_PUSHI: emit_push_imm(x, k, i->imm); break;
    case K_POP: emit_pop(x, k, i); break;
    case K_CALL:
        emit_push_imm(x, k, insn_next(i));
        emit_exit_to(x, insn_next(i) + i->imm);
        break;
    case K_RET: emit_ret(x, k); break;
    }
    if (j->fl != FL_NONE)
        x->fhost = true;
}

/* ---- block ---- */

static void emit_side_exits(struct jctx *x)
{
    for (unsigned s = 0; s < x->nexits; s++) {
        struct side_exit *se = &x->exits[s];
        patch32(&x->e, se->at[0], x->e.p);
        patch32(&x->e, se->at[1], x->e.p);
        patch32(&x->e, se->at[2], x->e.p);
        if (se->flags_saved)
            flags_restore(&x->e);
        emit_count(&x->e, OFF(stats.mem_accesses), se->mem);
        emit_movi(&x->e, H_AX, se->k);
        emit_to_epilogue(x, se->fhost);
    }
}

/* Epilogues: with flags (RFLAGS arithmetic bits into cpu->rflags, lazy state cleared) and
 * without; both restore rbx/rbp and return eax. */
static void emit_epilogues(struct jctx *x)
{
    struct jbuf *e = &x->e;
    for (unsigned k = 0; k < x->n_epi_flags; k++)
        patch32(e, x->epi_flags_at[k], e->p);
    emit_flags_to_state(e);
    for (unsigned k = 0; k < x->n_epi_plain; k++)
        patch32(e, x->epi_plain_at[k], e->p);
    writeback_homes(x);
    emit_rm64(e, 0x8d, H_SP, H_SP, H_NONE, 0, 8); /* lea rsp, [rsp + 8] */
    for (int h = H_R15; h >= H_R12; h--)
        eb(e, 0x41), eb(e, 0x58 + (h & 7)); /* pop r15..r12 */
    eb(e, 0x5d); /* pop rbp */
    eb(e, 0x5b); /* pop rbx */
    eb(e, 0xc3);
}

/* The C entry (callee-saved registers, a 16-aligned frame, rbp = cpu), then the chain entry
 * linked blocks jump to within that frame: incoming flags if the block reads them, homes. */
static void emit_prologue(struct jctx *x, bool flags_in)
{
    struct jbuf *e = &x->e;
    eb(e, 0x53);             /* push rbx */
    eb(e, 0x55);             /* push rbp */
    for (int h = H_R12; h <= H_R15; h++)
        eb(e, 0x41), eb(e, 0x50 + (h & 7)); /* push r12..r15 */
    emit_rm64(e, 0x8d, H_SP, H_SP, H_NONE, 0, -8); /* lea rsp, [rsp - 8]: 16-aligned for calls */
    emit_rr(e, 0x89, H_DI, H_BP); /* mov rbp, rdi */
    x->code->entry = e->p;
    if (flags_in) {
        emit_ccall(x, (const void *)jit_flags_arith, NULL);
        eb(e, 0x50); /* push rax */
        eb(e, 0x9d); /* popfq */
    }
    reload_homes(x);
    x->top = e->p;
}

/* Classify every instruction (K_HELPER for what the translator leaves to the interpreter);
 * returns whether the block starts by reading the incoming flags. */
static bool plan(struct jctx *x, struct jop *ops)
{
    bool decided = false, flags_in = false;
    for (unsigned k = 0; k < x->n; k++) {
        if (!jit_classify(&x->ins[k], &ops[k])) {
            memset(&ops[k], 0, sizeof ops[k]);
            ops[k].kind = K_HELPER;
            decided = true; /* a handler takes the flags from struct cpu */
        }
        if (!decided && ops[k].fl != FL_NONE) {
            decided = true;
            flags_in = ops[k].fl == FL_PART || ops[k].fl == FL_READ;
        }
    }
    return flags_in;
}

static void use(unsigned *cnt, unsigned g, unsigned w)
{
    if (g != R_NONE && g != R_RIP)
        cnt[fold(g)] += w;
}

/* Give the most used guest registers of insns[0..k) a home in r10..r15 for the block. */
static void choose_homes(struct jctx *x, const struct jop *ops, unsigned k)
{
    unsigned cnt[16] = {0};
    for (unsigned q = 0; q < k; q++) {
        const struct insn *i = &x->ins[q];
        const struct jop *j = &ops[q];
        if (j->kind >= K_PUSH && j->kind != K_JCC && j->kind != K_JMP && j->kind != K_HELPER)
            use(cnt, R_SP, 2);
        if (j->kind == K_PUSH || j->kind == K_POP)
            use(cnt, i->reg, 2);
        if (j->kind >= K_PUSH || j->kind == K_NOP || j->kind == K_HELPER)
            continue;
        if (j->g || j->kind == K_LEA || j->kind == K_MOVI || j->kind == K_BSWAP)
            use(cnt, i->reg, 2);
        if (j->kind == K_MODRM && !i->is_mem)
            use(cnt, i->rm, 2);
        if (i->is_mem)
            use(cnt, i->base, 2), use(cnt, i->index, 2);
        for (unsigned g = 0; g < 3; g++)
            if (j->imp & (1u << g))
                use(cnt, g, 2);
    }
    memset(x->home, -1, sizeof x->home);
    for (int h = H_R10; h <= H_R15; h++) {
        unsigned best = 16;
        for (unsigned g = 0; g < 16; g++)
            if (x->home[g] < 0 && cnt[g] >= 4 && (best == 16 || cnt[g] > cnt[best]))
                best = g;
        if (best == 16)
            return;
        x->home[best] = (int8_t)h;
    }
}

void jit_translate(struct jit_arena *a, const struct insn *insns, unsigned n, unsigned cpl,
                   struct jit_code *out, const struct jit_env *env)
{
    static struct jctx x; /* large: keep it off the stack (one engine thread per CPU) */
    struct jop ops[SCPU_BLOCK_MAX];
    memset(out, 0, sizeof *out);
    if (!a->mem || n == 0 || n > SCPU_BLOCK_MAX)
        return;
    memset(&x, 0, sizeof x);
    x.ins = insns;
    x.n = n;
    x.cpl = cpl;
    x.code = out;
    x.env = env;
    bool flags_in = plan(&x, ops);
    choose_homes(&x, ops, n);
    x.e.p = a->mem + a->used;
    x.e.end = a->mem + a->size;
    uint8_t *start = x.e.p;
    emit_prologue(&x, flags_in);
    x.fhost = x.top_fhost = flags_in;
    for (unsigned q = 0; q < n; q++)
        emit_insn(&x, q, &ops[q], true);
    if (ops[n - 1].kind < K_HELPER)
        emit_exit_to(&x, insn_next(&insns[n - 1]));
    emit_side_exits(&x);
    emit_epilogues(&x);
    if (x.e.full) {
        memset(out, 0, sizeof *out);
        return;
    }
    a->used = (size_t)(x.e.p - a->mem + 15) & ~(size_t)15;
    out->fn = (jit_fn)(void *)start;
}
