/* alu.c: ADD OR ADC SBB AND SUB XOR CMP TEST INC DEC NEG NOT in every operand form. */
#include "intops.h"

/* ALU kinds in the order of the opcode rows and of ModRM.reg in group 1 (80/81/83). */
enum { K_ADD, K_OR, K_ADC, K_SBB, K_AND, K_SUB, K_XOR, K_CMP };

/* Result only: no state is committed, so a later faulting store leaves the CPU untouched. */
INL uint64_t alu_res(int k, unsigned sz, uint64_t a, uint64_t b, unsigned cf)
{
    uint64_t r;
    switch (k) {
    case K_ADD: r = a + b; break;
    case K_OR: r = a | b; break;
    case K_ADC: r = a + b + cf; break;
    case K_SBB: r = a - b - cf; break;
    case K_AND: r = a & b; break;
    case K_XOR: r = a ^ b; break;
    default: r = a - b; break; /* SUB, CMP */
    }
    return r & size_mask(sz);
}

INL void alu_flags(struct cpu *c, int k, unsigned sz, uint64_t r, uint64_t a, uint64_t b,
                             unsigned cf)
{
    switch (k) {
    case K_ADD: lf_set(c, LF_ADD, sz, r, a, b); break;
    case K_ADC: lf_set(c, LF_ADC, sz, r, a, b); c->lf.aux = (uint8_t)cf; break;
    case K_SBB: lf_set(c, LF_SBB, sz, r, a, b); c->lf.aux = (uint8_t)cf; break;
    case K_SUB: case K_CMP: lf_set(c, LF_SUB, sz, r, a, b); break;
    default: lf_set(c, LF_LOGIC, sz, r, a, b); break;
    }
}

static inline unsigned alu_cf_in(struct cpu *c, int k)
{
    return (k == K_ADC || k == K_SBB) ? cf_fast(c) : 0;
}

/* Memory destination, out of line so the register path stays a leaf without saves. */
static __attribute__((noinline)) void alu_E_mem(struct cpu *c, const struct insn *i, int k, unsigned sz,
                                                uint64_t b)
{
    struct eref ea = {0, 0};
    unsigned cf = alu_cf_in(c, k);
    uint64_t a = k == K_CMP ? e_read(c, i, sz) : e_load(c, i, sz, &ea); /* CMP only reads */
    uint64_t r = alu_res(k, sz, a, b, cf);
    if (k != K_CMP)
        e_store(c, i, sz, &ea, r);
    alu_flags(c, k, sz, r, a, b, cf);
}

/* dest = E, source b already masked. */
INL void alu_E(struct cpu *c, const struct insn *i, int k, unsigned sz, uint64_t b)
{
    if (unlikely(i->is_mem)) {
        alu_E_mem(c, i, k, sz, b);
        return;
    }
    unsigned cf = alu_cf_in(c, k);
    uint64_t a = reg_read(c, i->rm, sz), r = alu_res(k, sz, a, b, cf);
    if (k != K_CMP)
        reg_write(c, i->rm, r, sz);
    alu_flags(c, k, sz, r, a, b, cf);
}

/* dest = G or rAX (register), source b. */
INL void alu_R(struct cpu *c, unsigned reg, int k, unsigned sz, uint64_t b)
{
    unsigned cf = alu_cf_in(c, k);
    uint64_t a = reg_read(c, reg, sz);
    uint64_t r = alu_res(k, sz, a, b, cf);
    if (k != K_CMP)
        reg_write(c, reg, r, sz);
    alu_flags(c, k, sz, r, a, b, cf);
}

#define ALU_FAMILY(name, k)                                                                   \
    OP_HANDLER(op_##name##_Eb_Gb) { alu_E(c, i, k, 1, op_read_G(c, i, 1)); }                   \
    OP_HANDLER(op_##name##_Ev_Gv) { alu_E(c, i, k, i->osz, op_read_G(c, i, i->osz)); }         \
    OP_HANDLER(op_##name##_Gb_Eb) { alu_R(c, i->reg, k, 1, e_read(c, i, 1)); }              \
    OP_HANDLER(op_##name##_Gv_Ev) { alu_R(c, i->reg, k, i->osz, e_read(c, i, i->osz)); }    \
    OP_HANDLER(op_##name##_AL_Ib) { alu_R(c, R_AX, k, 1, i->imm & 0xff); }                     \
    OP_HANDLER(op_##name##_rAX_Iz) { alu_R(c, R_AX, k, i->osz, imm_z(i, i->osz)); }            \
    OP_HANDLER(op_##name##_Eb_Ib) { alu_E(c, i, k, 1, i->imm & 0xff); }                        \
    OP_HANDLER(op_##name##_Ev_Iz) { alu_E(c, i, k, i->osz, imm_z(i, i->osz)); }                \
    OP_HANDLER(op_##name##_Ev_Ib) { alu_E(c, i, k, i->osz, imm_s8(i) & size_mask(i->osz)); }

ALU_FAMILY(add, K_ADD)
ALU_FAMILY(or, K_OR)
ALU_FAMILY(adc, K_ADC)
ALU_FAMILY(sbb, K_SBB)
ALU_FAMILY(and, K_AND)
ALU_FAMILY(sub, K_SUB)
ALU_FAMILY(xor, K_XOR)
ALU_FAMILY(cmp, K_CMP)

/* XOR r, r (the zeroing idiom) falls out of the generic path; no special case needed. */

/* TEST: AND without a store. */
static inline void test_E(struct cpu *c, const struct insn *i, unsigned sz, uint64_t b)
{
    uint64_t r = e_read(c, i, sz) & b;
    lf_set(c, LF_LOGIC, sz, r, r, b);
}
OP_HANDLER(op_test_Eb_Gb) { test_E(c, i, 1, op_read_G(c, i, 1)); }
OP_HANDLER(op_test_Ev_Gv) { test_E(c, i, i->osz, op_read_G(c, i, i->osz)); }
OP_HANDLER(op_test_Eb_Ib) { test_E(c, i, 1, i->imm & 0xff); }
OP_HANDLER(op_test_Ev_Iz) { test_E(c, i, i->osz, imm_z(i, i->osz)); }
OP_HANDLER(op_test_AL_Ib)
{
    uint64_t r = reg_read(c, R_AX, 1) & i->imm & 0xff;
    lf_set(c, LF_LOGIC, 1, r, r, 0);
}
OP_HANDLER(op_test_rAX_Iz)
{
    uint64_t r = reg_read(c, R_AX, i->osz) & imm_z(i, i->osz);
    lf_set(c, LF_LOGIC, i->osz, r, r, 0);
}

/* INC/DEC keep CF: it is captured before the lazy state is replaced. */
INL void incdec_E(struct cpu *c, const struct insn *i, unsigned sz, int dec)
{
    struct eref ea = {0, 0};
    uint64_t a = likely(!i->is_mem) ? reg_read(c, i->rm, sz) : e_load(c, i, sz, &ea);
    uint64_t r = (dec ? a - 1 : a + 1) & size_mask(sz);
    uint8_t cf = (uint8_t)cf_fast(c);
    e_store(c, i, sz, &ea, r);
    lf_set(c, dec ? LF_DEC : LF_INC, sz, r, a, 1);
    c->lf.aux = cf;
}
OP_HANDLER(op_inc_Eb) { incdec_E(c, i, 1, 0); }
OP_HANDLER(op_inc_Ev) { incdec_E(c, i, i->osz, 0); }
OP_HANDLER(op_dec_Eb) { incdec_E(c, i, 1, 1); }
OP_HANDLER(op_dec_Ev) { incdec_E(c, i, i->osz, 1); }

/* 40-4F in 16/32-bit modes (REX prefixes in 64-bit mode). */
static inline void incdec_Z(struct cpu *c, const struct insn *i, int dec)
{
    unsigned sz = i->osz;
    uint64_t a = reg_read(c, i->reg, sz);
    uint64_t r = (dec ? a - 1 : a + 1) & size_mask(sz);
    uint8_t cf = (uint8_t)cf_fast(c);
    reg_write(c, i->reg, r, sz);
    lf_set(c, dec ? LF_DEC : LF_INC, sz, r, a, 1);
    c->lf.aux = cf;
}
OP_HANDLER(op_inc_Zv) { incdec_Z(c, i, 0); }
OP_HANDLER(op_dec_Zv) { incdec_Z(c, i, 1); }

static inline void neg_E(struct cpu *c, const struct insn *i, unsigned sz)
{
    struct eref ea = {0, 0};
    uint64_t a = e_load(c, i, sz, &ea);
    uint64_t r = (0 - a) & size_mask(sz);
    e_store(c, i, sz, &ea, r);
    lf_set(c, LF_SUB, sz, r, 0, a);
}
OP_HANDLER(op_neg_Eb) { neg_E(c, i, 1); }
OP_HANDLER(op_neg_Ev) { neg_E(c, i, i->osz); }

static inline void not_E(struct cpu *c, const struct insn *i, unsigned sz)
{
    struct eref ea = {0, 0};
    uint64_t a = e_load(c, i, sz, &ea);
    e_store(c, i, sz, &ea, ~a & size_mask(sz));
}
OP_HANDLER(op_not_Eb) { not_E(c, i, 1); }
OP_HANDLER(op_not_Ev) { not_E(c, i, i->osz); }
