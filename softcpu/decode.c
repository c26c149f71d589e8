/* decode.c: x86 instruction decoder: prefixes, REX, ModRM/SIB, immediates, table selection. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "fastops.h"

/* Per-form properties, from the FORMS X-macro in cpu.h. */
static const struct {
    uint8_t modrm, imm, byteop;
} form_info[FORM_COUNT] = {
#define FORM_INFO(name, m, i, b) [FORM_##name] = {(m), (i), (b)},
    FORMS(FORM_INFO)
#undef FORM_INFO
};

/* Index of table entries by (map, opcode): entries idx[start[k] .. start[k+1]). */
#define NKEYS (4 * 256)
static uint16_t idx_start[NKEYS + 1];
static uint16_t *idx_list;
static pthread_once_t idx_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
    static uint16_t count[NKEYS];
    unsigned n = scpu_optable_len;
    idx_list = calloc(n ? n : 1, sizeof *idx_list);
    if (!idx_list)
        abort();
    for (unsigned e = 0; e < n; e++)
        count[(scpu_optable[e].map & 3) * 256 + scpu_optable[e].opcode]++;
    for (unsigned k = 0; k < NKEYS; k++)
        idx_start[k + 1] = idx_start[k] + count[k];
    memset(count, 0, sizeof count);
    for (unsigned e = 0; e < n; e++) {
        unsigned k = (scpu_optable[e].map & 3) * 256 + scpu_optable[e].opcode;
        idx_list[idx_start[k] + count[k]++] = (uint16_t)e;
    }
}

void decode_init(void) { pthread_once(&idx_once, build_index); }

void fetch_fill(struct cpu *c, uint64_t lin, const uint8_t *host, struct fetch *f)
{
    unsigned first = 4096 - (unsigned)(lin & 4095);
    f->gpa2 = ~0ull;
    f->st = MMU_OK;
    if (first >= 15) {
        memcpy(f->buf, host, 15);
        f->avail = 15;
        return;
    }
    memcpy(f->buf, host, first);
    f->avail = first;
    /* The instruction may continue on the next page: fetch it without faulting, since
     * a short instruction never needs those bytes. */
    uint8_t *h2;
    uint64_t gpa2;
    uint64_t lin2 = lin + first;
    if (c->mode != 8)
        lin2 = (uint32_t)lin2;
    f->st = mmu_probe(c, lin2, ACC_X, c->cpl == 3, &h2, &gpa2, &f->err);
    f->fault_lin = lin2;
    f->fault_gpa = gpa2;
    if (f->st == MMU_OK) {
        memcpy(f->buf + first, h2, 15 - first);
        f->avail = 15;
        f->gpa2 = gpa2 & ~4095ull;
    }
}

/* x87 register forms (ModRM >= C0) the SDM leaves reserved (opcode map, table A-10..A-16). */
static bool x87_reserved(unsigned op, unsigned modrm)
{
    switch (op) {
    case 0xd9: return (modrm >= 0xd1 && modrm <= 0xd7) || modrm == 0xe2 || modrm == 0xe3 ||
                      modrm == 0xe6 || modrm == 0xe7 || modrm == 0xef;
    case 0xda: return modrm >= 0xe0 && modrm != 0xe9;
    case 0xdb: return (modrm >= 0xe5 && modrm <= 0xe7) || modrm >= 0xf8;
    case 0xdd: return modrm >= 0xf0;
    case 0xde: return modrm == 0xd8 || (modrm >= 0xda && modrm <= 0xdf);
    case 0xdf: return (modrm >= 0xe1 && modrm <= 0xe7) || modrm >= 0xf8;
    default: return false;
    }
}

/* Opcodes that are undefined on the hardware we model (AMD64): these raise #UD.
 * Anything else missing from the table is an instruction we have not implemented. */
static bool arch_undefined(unsigned map, unsigned op, int has_modrm, unsigned modrm, unsigned mode)
{
    unsigned reg = (modrm >> 3) & 7;
    if (map == MAP_1B) {
        static const uint8_t no64[] = {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37,
                                       0x3f, 0x60, 0x61, 0x62, 0x82, 0x9a, 0xc4, 0xc5, 0xce, 0xd4,
                                       0xd5, 0xd6, 0xea};
        if (mode == 8)
            for (unsigned k = 0; k < sizeof no64; k++)
                if (no64[k] == op)
                    return true;
        if (!has_modrm)
            return false;
        if (op >= 0xd8 && op <= 0xdf) /* reserved memory forms: D9 /1, DB /4, DB /6, DD /5 */
            return modrm >= 0xc0 ? x87_reserved(op, modrm)
                                 : (op == 0xd9 && reg == 1) || (op == 0xdb && (reg == 4 || reg == 6)) ||
                                       (op == 0xdd && reg == 5);
        return (op == 0xfe && reg >= 2) || (op == 0xff && reg == 7) || (op == 0x8f && reg != 0) ||
               ((op == 0xc6 || op == 0xc7) && reg != 0);
    }
    if (map == MAP_0F) {
        switch (op) {
        case 0x04: case 0x0a: case 0x0b: case 0x0c: case 0x0f: case 0x24: case 0x25: case 0x26:
        case 0x27: case 0x36: case 0x39: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
        case 0x7a: case 0x7b: case 0xa6: case 0xa7: case 0xb9: case 0xff:
            return true;
        case 0x00: return has_modrm && reg >= 6;
        /* shift-by-immediate groups 12-14: register forms /2 /4 /6 (and 0F 73 /3 /7) only */
        case 0x71:
        case 0x72: return has_modrm && ((modrm >> 6) != 3 || !(reg == 2 || reg == 4 || reg == 6));
        case 0x73: return has_modrm && ((modrm >> 6) != 3 || !(reg == 2 || reg == 3 || reg == 6 || reg == 7));
        case 0xba: return has_modrm && reg < 4;
        case 0xb2: case 0xb4: case 0xb5: return has_modrm && (modrm >> 6) == 3; /* LSS/LFS/LGS need memory */
        default: return false;
        }
    }
    return false;
}

/* ModRM groups need ModRM to tell undefined from unimplemented. */
static bool op_has_group_modrm(unsigned map, unsigned op)
{
    if (map == MAP_1B)
        return op == 0xfe || op == 0xff || op == 0x8f || op == 0xc6 || op == 0xc7 ||
               (op >= 0xd8 && op <= 0xdf);
    return map == MAP_0F && (op == 0x00 || op == 0xba || (op >= 0x71 && op <= 0x73));
}

struct dstate {
    const struct fetch *f;
    unsigned pos;
    int bad; /* 1: fetch fault, 2: longer than 15 bytes */
};

static unsigned next_byte(struct dstate *d)
{
    if (d->pos >= d->f->avail) {
        if (!d->bad)
            d->bad = d->pos >= 15 ? 2 : 1;
        return 0;
    }
    return d->f->buf[d->pos++];
}

static uint64_t next_le(struct dstate *d, unsigned n)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < n; k++)
        v |= (uint64_t)next_byte(d) << (8 * k);
    return v;
}

/* Best match among the entries for (map, opcode): mandatory prefix, ModRM reg/mod/rm. */
static int select_entry(unsigned key, unsigned mp, int has_modrm, unsigned modrm)
{
    unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    int best = -1, best_score = -1;
    for (unsigned k = idx_start[key]; k < idx_start[key + 1]; k++) {
        const struct opdesc *e = &scpu_optable[idx_list[k]];
        int score = 0;
        if (e->pfx != PFX_ANY) {
            if (e->pfx != mp)
                continue;
            score += 8;
        }
        if (e->regsel != SEL_ANY) {
            if (!has_modrm || e->regsel != reg)
                continue;
            score += 4;
        }
        if (e->modsel != MOD_ANY) {
            if (!has_modrm || (e->modsel == MOD_REG) != (mod == 3))
                continue;
            score += 1;
        }
        if (e->rmsel != SEL_ANY) {
            if (!has_modrm || mod != 3 || e->rmsel != rm)
                continue;
            score += 2;
        }
        if (score > best_score) {
            best = idx_list[k];
            best_score = score;
        }
    }
    return best;
}

static unsigned op_size(const struct cpu *c, const struct opdesc *e, unsigned pfx, bool osize)
{
    if (form_info[e->form].byteop)
        return 1;
    if (c->mode == 8)
        return opdesc_osz64(e, pfx & P_REXW, osize);
    return ((c->mode == 2) != osize) ? 2 : 4;
}

static uint8_t reg8(unsigned r, unsigned rex, bool byte)
{
    return (uint8_t)((byte && !rex && r >= 4 && r < 8) ? R_AH + (r - 4) : r);
}

static void modrm_mem16(struct insn *i, struct dstate *d, unsigned mod, unsigned rm)
{
    static const uint8_t base16[8] = {R_BX, R_BX, R_BP, R_BP, R_SI, R_DI, R_BP, R_BX};
    static const uint8_t index16[8] = {R_SI, R_DI, R_SI, R_DI, R_NONE, R_NONE, R_NONE, R_NONE};
    i->base = base16[rm];
    i->index = index16[rm];
    if (mod == 0 && rm == 6) {
        i->base = R_NONE;
        i->disp = (int16_t)next_le(d, 2);
    } else if (mod == 1) {
        i->disp = (int8_t)next_byte(d);
    } else if (mod == 2) {
        i->disp = (int16_t)next_le(d, 2);
    }
    if (i->base == R_BP)
        i->seg = S_SS;
}

static void modrm_mem32(struct cpu *c, struct insn *i, struct dstate *d, unsigned mod, unsigned rm,
                        unsigned rex)
{
    if (rm == 4) {
        unsigned sib = next_byte(d);
        unsigned idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
        i->scale = (uint8_t)(sib >> 6);
        i->index = (uint8_t)(idx == 4 ? R_NONE : idx);
        if ((sib & 7) == 5 && mod == 0) {
            i->base = R_NONE;
            i->disp = (int32_t)next_le(d, 4);
        } else {
            i->base = (uint8_t)((sib & 7) | ((rex & 1) << 3));
        }
    } else if (rm == 5 && mod == 0) {
        i->base = c->mode == 8 ? R_RIP : R_NONE;
        i->disp = (int32_t)next_le(d, 4);
    } else {
        i->base = (uint8_t)(rm | ((rex & 1) << 3));
    }
    if (mod == 1)
        i->disp = (int8_t)next_byte(d);
    else if (mod == 2)
        i->disp = (int32_t)next_le(d, 4);
    if (i->base == R_SP || i->base == R_BP)
        i->seg = S_SS;
}

static void decode_imm(struct insn *i, struct dstate *d, unsigned kind)
{
    switch (kind) {
    case IMM_B: i->imm = (uint64_t)(int8_t)next_byte(d); break;
    case IMM_W: i->imm = next_le(d, 2); break;
    case IMM_Z:
        i->imm = i->osz == 2 ? (uint64_t)(int16_t)next_le(d, 2) : (uint64_t)(int32_t)next_le(d, 4);
        break;
    case IMM_V: i->imm = next_le(d, i->osz); break;
    case IMM_W_B:
        i->imm = next_le(d, 2);
        i->imm2 = next_byte(d);
        break;
    case IMM_MOFFS: i->imm = next_le(d, i->asz); break;
    case IMM_FARPTR:
        i->imm = next_le(d, i->osz == 2 ? 2 : 4);
        i->imm2 = next_le(d, 2);
        break;
    default: break;
    }
}

/* Operands of the selected entry: registers, memory operand, immediate. */
static void decode_operands(struct cpu *c, struct insn *i, struct dstate *d, const struct opdesc *e,
                            unsigned rex, int has_modrm)
{
    unsigned form = e->form;
    bool byte = form_info[form].byteop != 0;
    bool byte_rm = byte || form == FORM_Gv_Eb;
    if (!has_modrm) {
        i->reg = reg8((i->op & 7) | ((rex & 1) << 3), rex, byte);
    } else {
        unsigned mod = i->modrm >> 6, reg = (i->modrm >> 3) & 7, rm = i->modrm & 7;
        /* segment-register fields ignore REX.R (hardware decodes only 3 bits) */
        bool sreg = form == FORM_Ew_Sw || form == FORM_Sw_Ew;
        i->reg = reg8(reg | (sreg ? 0 : (rex & 4) << 1), rex, byte);
        i->rm = reg8(rm | ((rex & 1) << 3), rex, byte_rm);
        /* MOV to/from control registers ignores mod: always a register, no SIB/disp. */
        if (mod != 3 && form != FORM_Rd_Cd && form != FORM_Cd_Rd) {
            i->is_mem = 1;
            i->index = R_NONE;
            if (i->asz == 2)
                modrm_mem16(i, d, mod, rm);
            else
                modrm_mem32(c, i, d, mod, rm, rex);
        }
    }
    decode_imm(i, d, form_info[form].imm);
}

/* Legacy prefixes and REX (REX counts only directly before the opcode). */
static void decode_prefixes(struct cpu *c, struct insn *i, struct dstate *d, unsigned *rex,
                            unsigned *last_rep, int *sego)
{
    for (;;) {
        unsigned b = next_byte(d);
        if (d->bad)
            return;
        unsigned p = 0;
        switch (b) {
        case 0xf0: p = P_LOCK; break;
        case 0xf2: p = P_REPNE; *last_rep = b; break;
        case 0xf3: p = P_REP; *last_rep = b; break;
        case 0x66: p = P_OSIZE; break;
        case 0x67: p = P_ASIZE; break;
        case 0x26: *sego = S_ES; break;
        case 0x2e: *sego = S_CS; break;
        case 0x36: *sego = S_SS; break;
        case 0x3e: *sego = S_DS; break;
        case 0x64: *sego = S_FS; break;
        case 0x65: *sego = S_GS; break;
        default:
            if (c->mode == 8 && (b & 0xf0) == 0x40) {
                *rex = b;
                continue;
            }
            d->pos--;
            return;
        }
        i->pfx |= (uint8_t)p;
        *rex = 0;
    }
}

static void plant(struct insn *i, op_fn fn)
{
    i->fn = fn;
    i->flags = OPF_ENDBLK;
}

/* Opcode bytes after the prefixes: one byte, 0F xx, 0F 38 xx or 0F 3A xx. */
static unsigned decode_opcode(struct dstate *d, unsigned *map)
{
    unsigned op = next_byte(d);
    if (op != 0x0f)
        return op;
    *map = MAP_0F;
    op = next_byte(d);
    if (op == 0x38 || op == 0x3a) {
        *map = op == 0x38 ? MAP_0F38 : MAP_0F3A;
        op = next_byte(d);
    }
    return op;
}

/* MOV to or from a control register (CR0, 2, 3, 4, 8 exist) or debug register (DR0-7) that
 * does not exist: #UD, which comes before the privilege check. */
static bool no_such_register(const struct opdesc *e, const struct insn *i)
{
    if (e->form != FORM_Rd_Cd && e->form != FORM_Cd_Rd)
        return false;
    if (e->aux == 1)
        return i->reg > 7;
    return !(i->reg == 0 || i->reg == 2 || i->reg == 3 || i->reg == 4 || i->reg == 8);
}

/* Handler and flags from the entry, unless the encoding must raise #UD or #GP instead. */
static void finish(struct cpu *c, struct insn *i, const struct opdesc *e)
{
    i->fn = e->fn;
    i->aux = e->aux;
    i->flags = (uint8_t)e->flags;
    if ((c->mode == 8 && (e->flags & OPF_NO64)) || (c->mode != 8 && (e->flags & OPF_ONLY64)) ||
        ((i->pfx & P_LOCK) && !((e->flags & OPF_LOCK) && i->is_mem)) || no_such_register(e, i))
        plant(i, op_raise_ud);
    else if ((e->flags & OPF_PRIV) && c->cpl != 0)
        plant(i, op_raise_gp0); /* CPL is part of the block key, so this is decided once */
    else
        fast_select(c, i);
}

int decode_insn(struct cpu *c, uint64_t rip, const struct fetch *f, struct insn *i)
{
    struct dstate d = {f, 0, 0};
    unsigned rex = 0, last_rep = 0, map = MAP_1B;
    int sego = S_NONE;
    memset(i, 0, sizeof *i);
    i->rip = rip;
    i->base = i->index = R_NONE;
    i->seg = S_DS;
    decode_prefixes(c, i, &d, &rex, &last_rep, &sego);
    unsigned op = decode_opcode(&d, &map);
    if (rex) {
        i->pfx |= P_REX;
        if (rex & 8)
            i->pfx |= P_REXW;
    }
    i->op = (uint16_t)(map << 8 | op);
    i->asz = (uint8_t)(c->mode == 8 ? ((i->pfx & P_ASIZE) ? 4 : 8)
                                    : ((c->mode == 2) != !!(i->pfx & P_ASIZE) ? 2 : 4));
    unsigned key = map * 256 + op;
    int has_modrm = 0;
    for (unsigned k = idx_start[key]; k < idx_start[key + 1]; k++)
        has_modrm |= form_info[scpu_optable[idx_list[k]].form].modrm;
    if (idx_start[key] == idx_start[key + 1] && op_has_group_modrm(map, op))
        has_modrm = 1;
    if (has_modrm)
        i->modrm = (uint8_t)next_byte(&d);
    if (d.bad)
        goto bad;
    bool osize = (i->pfx & P_OSIZE) != 0;
    unsigned mp = last_rep == 0xf3 ? PFX_F3 : last_rep == 0xf2 ? PFX_F2 : osize ? PFX_66 : PFX_NP;
    int e_idx = select_entry(key, mp, has_modrm, i->modrm);
    if (e_idx < 0) {
        i->len = (uint8_t)d.pos;
        plant(i, arch_undefined(map, op, has_modrm, i->modrm, c->mode) ? op_raise_ud : op_unimplemented);
        return DEC_OK;
    }
    const struct opdesc *e = &scpu_optable[e_idx];
    if (e->pfx == PFX_66)
        osize = false; /* a mandatory 66 selects the instruction, not the operand size */
    i->osz = (uint8_t)op_size(c, e, i->pfx, osize);
    decode_operands(c, i, &d, e, rex, has_modrm);
    /* 64-bit mode ignores ES, CS, SS and DS overrides: an address stays its default segment's
     * (a non-canonical one is #SS only when that is SS) */
    if (sego != S_NONE && (c->mode != 8 || sego == S_FS || sego == S_GS))
        i->seg = (uint8_t)sego;
    if (d.bad)
        goto bad;
    i->len = (uint8_t)d.pos;
    finish(c, i, e);
    return DEC_OK;
bad:
    if (d.bad == 1)
        return DEC_FETCH_FAULT;
    i->len = 15;
    plant(i, op_raise_gp0); /* longer than 15 bytes */
    return DEC_OK;
}

void op_raise_ud(struct cpu *c, const struct insn *i) { cpu_ud(c); }
void op_raise_gp0(struct cpu *c, const struct insn *i) { cpu_gp0(c); }

/* The optable holds every instruction of the extensions the CPUID offers: whatever else a
 * program executes raises #UD, as on a processor without those extensions (counted apart from
 * the architecturally undefined encodings, which op_raise_ud answers). */
void op_unimplemented(struct cpu *c, const struct insn *i)
{
    (void)i;
    c->stats.ud_unimplemented++;
    cpu_ud(c);
}
