/* check_cfi.c: DWARF CFI for the checker's stacks: the .eh_frame_hdr search, CIE and FDE parsing,
 * and the CFA program run up to a pc (check_cfi.h). Formats: the LSB's "Exception Frames" and
 * DWARF 4 section 6.4. */
#include "check_cfi.h"

#define CFI_MAX_RECORD 2048 /* bytes of a CIE or FDE looked at: a longer FDE is used up to there */
#define CFI_MAX_AUG 8       /* augmentation string, NUL excluded */
#define CFI_STATE_DEPTH 8   /* DW_CFA_remember_state nesting */

/* DW_EH_PE_*: pointer encodings (low nibble: format, next three bits: what it is relative to). */
#define PE_OMIT 0xff
#define PE_FORMAT 0x0f
#define PE_APPLY 0x70
#define PE_INDIRECT 0x80
#define PE_PCREL 0x10
#define PE_DATAREL 0x30

/* A cursor over bytes copied from the program; va is the program's address of *p. Running past
 * end, or meeting something not understood, sets bad (reads then give 0). */
struct cur {
    const uint8_t *p, *end;
    uint64_t va;
    bool bad;
};

static void skip(struct cur *c, uint64_t n)
{
    if (n > (uint64_t)(c->end - c->p)) {
        c->bad = true, c->p = c->end;
        return;
    }
    c->p += n, c->va += n;
}

static uint64_t un(struct cur *c, unsigned n)
{
    uint64_t v = 0;
    if ((uint64_t)(c->end - c->p) < n) {
        c->bad = true, c->p = c->end;
        return 0;
    }
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)c->p[i] << (8 * i);
    skip(c, n);
    return v;
}

static uint64_t uleb(struct cur *c)
{
    uint64_t v = 0;
    for (unsigned shift = 0; c->p < c->end; shift += 7) {
        uint8_t b = (uint8_t)un(c, 1);
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    c->bad = true;
    return 0;
}

static int64_t sleb(struct cur *c)
{
    uint64_t v = 0;
    for (unsigned shift = 0; c->p < c->end; shift += 7) {
        uint8_t b = (uint8_t)un(c, 1);
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (shift + 7 < 64 && (b & 0x40))
                v |= ~0ull << (shift + 7);
            return (int64_t)v;
        }
    }
    c->bad = true;
    return 0;
}

/* The bytes of a fixed-size pointer format, 0 for the LEB128 ones or an unknown format. */
static unsigned enc_size(uint8_t enc)
{
    switch (enc & PE_FORMAT) {
    case 0x00: /* absptr */
    case 0x04: /* udata8 */
    case 0x0c: /* sdata8 */
        return 8;
    case 0x03: /* udata4 */
    case 0x0b: /* sdata4 */
        return 4;
    case 0x02: /* udata2 */
    case 0x0a: /* sdata2 */
        return 2;
    default:
        return 0;
    }
}

/* An encoded value as stored (format only). */
static uint64_t enc_raw(struct cur *c, uint8_t enc)
{
    uint8_t f = enc & PE_FORMAT;
    if (f == 0x01)
        return uleb(c);
    if (f == 0x09)
        return (uint64_t)sleb(c);
    unsigned n = enc_size(enc);
    if (!n) {
        c->bad = true;
        return 0;
    }
    uint64_t v = un(c, n);
    if (f == 0x0b)
        v = (uint64_t)(int64_t)(int32_t)v;
    else if (f == 0x0a)
        v = (uint64_t)(int64_t)(int16_t)v;
    return v;
}

/* An encoded address: absolute, or relative to its own field (pcrel) or to datarel. Indirect
 * pointers and the other bases are not for the addresses read here. */
static uint64_t enc_addr(struct cur *c, uint8_t enc, uint64_t datarel)
{
    uint64_t field = c->va, v = enc_raw(c, enc);
    switch (enc & (PE_APPLY | PE_INDIRECT)) {
    case 0:
        return v;
    case PE_PCREL:
        return v + field;
    case PE_DATAREL: /* only where there is a data base: .eh_frame_hdr */
        if (datarel)
            return v + datarel;
        c->bad = true;
        return 0;
    default:
        c->bad = true;
        return 0;
    }
}

/* ---- CIE and FDE records ---- */

struct cie {
    uint64_t code_align;
    int64_t data_align;
    uint8_t fde_enc; /* 'R' */
    bool z;          /* FDEs have augmentation data */
    struct cur insn; /* the initial instructions */
};

/* Reads the record (CIE or FDE) at va into buf: a cursor over its content (after the length
 * word); *cut when it was longer than buf. */
static bool read_record(const struct cfi_mem *m, uint64_t va, uint8_t *buf, struct cur *c, bool *cut)
{
    uint32_t len;
    if (!m->read(m->ctx, va, &len, 4) || len == 0 || len == 0xffffffffu) /* 64-bit DWARF: not used */
        return false;
    uint32_t n = len < CFI_MAX_RECORD ? len : CFI_MAX_RECORD;
    if (va + 4 < va || !m->read(m->ctx, va + 4, buf, n))
        return false;
    *c = (struct cur){buf, buf + n, va + 4, false};
    *cut = n < len;
    return true;
}

static bool parse_augmentation(struct cur *c, const char *aug, struct cie *out)
{
    if (aug[0] != 'z')
        return aug[0] == 0; /* "eh" and the like: pre-1998 layouts, not produced today */
    out->z = true;
    uint64_t len = uleb(c);
    struct cur a = *c;
    skip(c, len);
    a.end = c->p;
    for (const char *k = aug + 1; *k && !a.bad; k++) {
        if (*k == 'R')
            out->fde_enc = (uint8_t)un(&a, 1);
        else if (*k == 'L')
            un(&a, 1); /* the LSDA's encoding: an FDE's augmentation data is skipped whole */
        else if (*k == 'P')
            enc_raw(&a, (uint8_t)un(&a, 1)); /* the personality routine: skipped */
        else if (*k != 'S' && *k != 'B' && *k != 'G')
            break; /* unknown: the rest of the data is skipped by its length */
    }
    return !a.bad && !c->bad;
}

static bool load_cie(const struct cfi_mem *m, uint64_t va, uint8_t *buf, struct cie *out)
{
    struct cur c;
    bool cut;
    char aug[CFI_MAX_AUG + 1];
    if (!read_record(m, va, buf, &c, &cut) || cut || un(&c, 4) != 0)
        return false;
    uint8_t version = (uint8_t)un(&c, 1);
    unsigned k = 0;
    for (char ch; (ch = (char)un(&c, 1)) != 0 && !c.bad; aug[k++] = ch)
        if (k == CFI_MAX_AUG)
            return false;
    aug[k] = 0;
    if (version != 1 && version != 3 && version != 4)
        return false;
    if (version == 4 && (un(&c, 1) != 8 || un(&c, 1) != 0)) /* address and segment size */
        return false;
    *out = (struct cie){.fde_enc = 0};
    out->code_align = uleb(&c);
    out->data_align = sleb(&c);
    uint64_t ra = version == 1 ? un(&c, 1) : uleb(&c);
    if (c.bad || ra != CFI_RA || !parse_augmentation(&c, aug, out))
        return false;
    out->insn = c;
    return true;
}

/* ---- the CFA program ---- */

enum how { H_SAME, H_AT, H_UNDEF, H_LOST };

struct reg {
    uint8_t how;
    int64_t off;
};

struct row {
    uint64_t cfa_reg;
    int64_t cfa_off;
    bool cfa_expr;
    struct reg rbp, ra;
};

struct run {
    const struct cie *cie;
    struct row row, init; /* now, and after the CIE's instructions (DW_CFA_restore) */
    struct row saved[CFI_STATE_DEPTH];
    unsigned depth;
    uint64_t loc, pc;
    bool past; /* loc went beyond pc: the row is complete */
};

static struct reg *reg_of(struct row *r, uint64_t n)
{
    return n == CFI_RBP ? &r->rbp : n == CFI_RA ? &r->ra : 0;
}

static void set_reg(struct run *s, uint64_t n, uint8_t how, int64_t off)
{
    struct reg *r = reg_of(&s->row, n);
    if (r)
        r->how = how, r->off = off;
}

static void restore_reg(struct run *s, uint64_t n)
{
    struct reg *r = reg_of(&s->row, n);
    if (r)
        *r = *reg_of(&s->init, n);
}

static void advance(struct run *s, uint64_t delta)
{
    uint64_t d = delta * s->cie->code_align;
    if (s->cie->code_align && d / s->cie->code_align != delta)
        d = ~0ull;
    s->loc = d > ~0ull - s->loc ? ~0ull : s->loc + d;
    s->past = s->loc > s->pc;
}

/* v * f with wrap-around (no undefined overflow on hostile operands; fits32 rejects the result). */
static int64_t scaled(uint64_t v, int64_t f)
{
    return (int64_t)(v * (uint64_t)f);
}

/* The extended opcodes (those with no operand in their low six bits); false for unknown ones. */
static bool op_extended(struct run *s, struct cur *c, uint8_t op)
{
    int64_t da = s->cie->data_align;
    uint64_t r;
    switch (op) {
    case 0x00: return true;                                       /* nop */
    case 0x02: advance(s, un(c, 1)); return true;                 /* advance_loc1 */
    case 0x03: advance(s, un(c, 2)); return true;                 /* advance_loc2 */
    case 0x04: advance(s, un(c, 4)); return true;                 /* advance_loc4 */
    case 0x05: r = uleb(c); set_reg(s, r, H_AT, scaled(uleb(c), da)); return true; /* offset_extended */
    case 0x06: restore_reg(s, uleb(c)); return true;              /* restore_extended */
    case 0x07: set_reg(s, uleb(c), H_UNDEF, 0); return true;      /* undefined */
    case 0x08: set_reg(s, uleb(c), H_SAME, 0); return true;       /* same_value */
    case 0x09: r = uleb(c); uleb(c); set_reg(s, r, H_LOST, 0); return true; /* register: not tracked */
    case 0x0a:                                                    /* remember_state */
        if (s->depth == CFI_STATE_DEPTH)
            return false;
        s->saved[s->depth++] = s->row;
        return true;
    case 0x0b:                                                    /* restore_state */
        if (!s->depth)
            return false;
        s->row = s->saved[--s->depth];
        return true;
    case 0x0c: s->row.cfa_reg = uleb(c), s->row.cfa_off = (int64_t)uleb(c), s->row.cfa_expr = false; return true;
    case 0x0d: s->row.cfa_reg = uleb(c); return true;             /* def_cfa_register */
    case 0x0e: s->row.cfa_off = (int64_t)uleb(c); return true;    /* def_cfa_offset */
    case 0x0f: s->row.cfa_expr = true, skip(c, uleb(c)); return true; /* def_cfa_expression */
    case 0x10:                                                    /* expression */
    case 0x16: r = uleb(c), skip(c, uleb(c)), set_reg(s, r, H_LOST, 0); return true; /* val_expression */
    case 0x11: r = uleb(c); set_reg(s, r, H_AT, scaled((uint64_t)sleb(c), da)); return true; /* offset_extended_sf */
    case 0x12:                                                    /* def_cfa_sf */
        s->row.cfa_reg = uleb(c), s->row.cfa_off = scaled((uint64_t)sleb(c), da), s->row.cfa_expr = false;
        return true;
    case 0x13: s->row.cfa_off = scaled((uint64_t)sleb(c), da); return true;       /* def_cfa_offset_sf */
    case 0x14: r = uleb(c), uleb(c), set_reg(s, r, H_LOST, 0); return true; /* val_offset: a value */
    case 0x15: r = uleb(c), sleb(c), set_reg(s, r, H_LOST, 0); return true; /* val_offset_sf */
    case 0x2e: uleb(c); return true;                              /* GNU_args_size */
    case 0x2f: r = uleb(c); set_reg(s, r, H_AT, scaled(0 - uleb(c), da)); return true; /* GNU_negative_... */
    default: return false; /* set_loc among them: never emitted for x86-64 .eh_frame */
    }
}

/* Runs instructions until the row at pc is complete or they end; false on anything malformed. */
static bool run_program(struct run *s, struct cur *c)
{
    while (c->p < c->end && !s->past && !c->bad) {
        uint8_t op = (uint8_t)un(c, 1), arg = op & 0x3f;
        if ((op & 0xc0) == 0x40)
            advance(s, arg); /* advance_loc */
        else if ((op & 0xc0) == 0x80)
            set_reg(s, arg, H_AT, scaled(uleb(c), s->cie->data_align)); /* offset */
        else if ((op & 0xc0) == 0xc0)
            restore_reg(s, arg); /* restore */
        else if (!op_extended(s, c, op))
            return false;
    }
    return !c->bad;
}

static bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

static enum cfi_result row_rule(const struct row *r, struct cfi_rule *rule)
{
    if (r->ra.how == H_UNDEF)
        return CFI_OUTER;
    if (r->cfa_expr || (r->cfa_reg != CFI_RSP && r->cfa_reg != CFI_RBP) || r->ra.how != H_AT ||
        !fits32(r->cfa_off) || !fits32(r->ra.off) || !fits32(r->rbp.off))
        return CFI_NONE;
    *rule = (struct cfi_rule){.cfa_off = (int32_t)r->cfa_off, .ra_off = (int32_t)r->ra.off,
                              .cfa_reg = (uint8_t)r->cfa_reg};
    if (r->rbp.how == H_AT)
        rule->rbp = CFI_RBP_AT, rule->rbp_off = (int32_t)r->rbp.off;
    else
        rule->rbp = r->rbp.how == H_SAME ? CFI_RBP_SAME : CFI_RBP_LOST;
    return CFI_FOUND;
}

enum cfi_result cfi_rule_at(const struct cfi_mem *m, uint64_t fde_va, uint64_t pc, struct cfi_rule *rule)
{
    static uint8_t fde_buf[CFI_MAX_RECORD], cie_buf[CFI_MAX_RECORD];
    static struct run s;
    struct cur c;
    struct cie cie;
    bool cut;
    if (!read_record(m, fde_va, fde_buf, &c, &cut))
        return CFI_NONE;
    uint64_t id = un(&c, 4);
    if (!id || !load_cie(m, fde_va + 4 - id, cie_buf, &cie))
        return CFI_NONE;
    uint64_t begin = enc_addr(&c, cie.fde_enc, 0);
    uint64_t range = enc_raw(&c, cie.fde_enc & PE_FORMAT);
    if (cie.z)
        skip(&c, uleb(&c));
    if (c.bad || pc < begin || pc - begin >= range)
        return CFI_NONE;
    s = (struct run){.cie = &cie, .loc = begin, .pc = pc};
    s.row.ra.how = H_LOST; /* until the CIE says where it is */
    if (!run_program(&s, &cie.insn))
        return CFI_NONE;
    s.init = s.row;
    if (!s.past && (!run_program(&s, &c) || (cut && !s.past)))
        return CFI_NONE; /* malformed, or pc's row lies beyond the part read */
    return row_rule(&s.row, rule);
}

/* ---- finding the FDE ---- */

/* Entry i of a table of fixed-size entries at va: the first pc it covers and its FDE. */
static bool table_entry(const struct cfi_mem *m, uint64_t va, uint8_t enc, uint64_t base, uint64_t i,
                        uint64_t *loc, uint64_t *fde)
{
    uint8_t raw[16];
    unsigned size = enc_size(enc);
    uint64_t at = va + i * 2 * size;
    if (!m->read(m->ctx, at, raw, 2 * size))
        return false;
    struct cur c = {raw, raw + 2 * size, at, false};
    *loc = enc_addr(&c, enc, base);
    *fde = enc_addr(&c, enc, base);
    return !c.bad;
}

bool cfi_hdr_search(const struct cfi_mem *m, uint64_t hdr_va, uint64_t hdr_len, uint64_t pc, uint64_t *fde_va)
{
    uint8_t h[4 + 8 + 8];
    uint32_t head = hdr_len < sizeof h ? (uint32_t)hdr_len : sizeof h;
    if (hdr_len < 4 || hdr_len > UINT32_MAX || !m->read(m->ctx, hdr_va, h, head))
        return false;
    struct cur c = {h + 4, h + (hdr_len < sizeof h ? hdr_len : sizeof h), hdr_va + 4, false};
    uint8_t table_enc = h[3];
    unsigned size = enc_size(table_enc);
    if (h[0] != 1 || h[1] == PE_OMIT || h[2] == PE_OMIT || (h[2] & PE_APPLY) || table_enc == PE_OMIT || !size)
        return false;
    enc_addr(&c, h[1], hdr_va); /* where .eh_frame is: not needed, the table says where each FDE is */
    uint64_t count = enc_raw(&c, h[2]);
    uint64_t table = c.va, room = hdr_va + hdr_len - table;
    if (c.bad || count > room / (2 * size))
        return false;
    uint64_t lo = 0, hi = count, loc, fde; /* the answer is in [lo, hi): the last entry with loc <= pc */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (!table_entry(m, table, table_enc, hdr_va, mid, &loc, &fde))
            return false;
        if (loc <= pc)
            lo = mid;
        else
            hi = mid;
    }
    if (!count || !table_entry(m, table, table_enc, hdr_va, lo, &loc, &fde) || loc > pc)
        return false;
    *fde_va = fde;
    return true;
}

bool cfi_table_search(const struct cfi_entry *t, uint32_t n, uint64_t base, uint64_t pc, uint64_t *fde_va)
{
    uint32_t lo = 0, hi = n;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (base + (uint64_t)(int64_t)t[mid].loc <= pc)
            lo = mid;
        else
            hi = mid;
    }
    if (!n || base + (uint64_t)(int64_t)t[lo].loc > pc)
        return false;
    *fde_va = base + (uint64_t)(int64_t)t[lo].fde;
    return true;
}

/* Shell sort by loc (Ciura's gaps): no recursion, and no quadratic worst case for a hostile order. */
static void sort_entries(struct cfi_entry *t, uint32_t n)
{
    static const uint32_t gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
    for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++)
        for (uint32_t i = gaps[g]; i < n; i++) {
            struct cfi_entry e = t[i];
            uint32_t j = i;
            for (; j >= gaps[g] && t[j - gaps[g]].loc > e.loc; j -= gaps[g])
                t[j] = t[j - gaps[g]];
            t[j] = e;
        }
}

uint32_t cfi_scan(const struct cfi_mem *m, uint64_t eh_va, uint64_t eh_len, struct cfi_entry *out, uint32_t max)
{
    static uint8_t cie_buf[CFI_MAX_RECORD];
    uint64_t cie_va = 0;
    struct cie cie;
    uint32_t n = 0;
    bool cie_ok = false;
    /* Each record takes at least 8 bytes: the loop ends within eh_len / 8 rounds. */
    for (uint64_t off = 0; eh_len - off >= 8 && n < max && off < eh_len;) {
        uint8_t head[8 + 8];
        uint64_t avail = eh_len - off < sizeof head ? eh_len - off : sizeof head;
        if (!m->read(m->ctx, eh_va + off, head, (uint32_t)avail))
            break;
        struct cur c = {head, head + avail, eh_va + off, false};
        uint64_t len = un(&c, 4), id = un(&c, 4);
        if (len < 4 || len == 0xffffffffu || len > eh_len - off - 4)
            break; /* the terminator, 64-bit DWARF or garbage */
        if (id) {
            uint64_t at = eh_va + off + 4 - id;
            if (at != cie_va)
                cie_va = at, cie_ok = load_cie(m, at, cie_buf, &cie);
            uint64_t loc = cie_ok ? enc_addr(&c, cie.fde_enc, 0) : 0;
            if (cie_ok && !c.bad && fits32((int64_t)(loc - eh_va)) && fits32((int64_t)off))
                out[n++] = (struct cfi_entry){(int32_t)(int64_t)(loc - eh_va), (int32_t)off};
        }
        off += 4 + len;
    }
    sort_entries(out, n);
    return n;
}
