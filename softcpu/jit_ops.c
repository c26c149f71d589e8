/* jit_ops.c: which guest instructions the translator takes, and how each one touches flags,
 * memory and registers (the facts jit.c needs to re-encode it on the host). */
#include "jit_ops.h"

#include "engine.h"

static void set(struct jop *j, uint8_t kind, uint8_t fl, uint8_t mem, uint8_t msize, uint8_t imm,
                bool g)
{
    j->kind = kind;
    j->fl = fl;
    j->mem = mem;
    j->msize = msize;
    j->imm = imm;
    j->g = g;
}

/* Rows 00-3D: add or adc sbb and sub xor cmp in their six forms. */
static bool alu_row(unsigned op, struct jop *j)
{
    unsigned row = op >> 3, form = op & 7;
    uint8_t fl = (row == 2 || row == 3) ? FL_READ : FL_FULL; /* adc/sbb read CF */
    bool cmp = row == 7;
    if (form > 5)
        return false;
    if (form >= 4) {
        set(j, K_PLAIN, fl, 0, 0, form == 4 ? 1 : IMM_OSZ, false);
        j->imp = 1;
        j->ro = cmp;
        return true;
    }
    set(j, K_MODRM, fl, (form <= 1 && !cmp) ? M_RW : M_R, (form & 1) ? 0 : 1, 0, true);
    j->ro = cmp;
    j->src = cmp ? 0 : form <= 1 ? W_REG : W_RM; /* op r/m, r or op r, r/m */
    return true;
}

/* Group 1 (80 81 83): the ALU operation is ModRM.reg. */
static bool alu_group(unsigned op, unsigned digit, struct jop *j)
{
    uint8_t fl = (digit == 2 || digit == 3) ? FL_READ : FL_FULL; /* adc/sbb read CF */
    set(j, K_MODRM, fl, digit == 7 ? M_R : M_RW, op == 0x80 ? 1 : 0, op == 0x81 ? IMM_OSZ : 1, false);
    j->ro = digit == 7;
    return true;
}

/* Shifts and rotates: flags untouched by a zero count, all written by shl/shr/sar with a
 * nonzero one; rotates and CL counts keep some (treated as read and write). */
static bool shift_group(const struct insn *i, unsigned digit, int count, uint8_t imm, struct jop *j)
{
    uint8_t fl = (digit == 2 || digit == 3) ? FL_READ : FL_PART; /* rcl/rcr read CF */
    if (digit >= 4 && count >= 0) {
        unsigned masked = (unsigned)count & (i->osz == 8 ? 63 : 31);
        fl = masked ? FL_FULL : FL_NONE;
    }
    set(j, K_MODRM, fl, M_RW, (i->op & 1) ? 0 : 1, imm, false);
    return true;
}

/* Group 3 (F6 F7): test not neg mul imul; div/idiv stay with the interpreter (#DE). */
static bool group3(unsigned op, unsigned digit, struct jop *j)
{
    uint8_t msize = op == 0xf6 ? 1 : 0;
    switch (digit) {
    case 0: set(j, K_MODRM, FL_FULL, M_R, msize, op == 0xf6 ? 1 : IMM_OSZ, false); j->ro = true; return true;
    case 2: set(j, K_MODRM, FL_NONE, M_RW, msize, 0, false); return true;
    case 3: set(j, K_MODRM, FL_FULL, M_RW, msize, 0, false); return true;
    case 4:
    case 5: set(j, K_MODRM, FL_FULL, M_R, msize, 0, false); j->imp = 1 | 4; j->src = W_RM; return true;
    default: return false;
    }
}

static bool map1b(const struct insn *i, struct jop *j)
{
    unsigned op = i->op & 0xff, digit = (i->modrm >> 3) & 7;
    if (op <= 0x3d)
        return alu_row(op, j);
    if (op >= 0x70 && op <= 0x7f) {
        set(j, K_JCC, FL_READ, 0, 0, 0, false);
        j->cc = op & 15;
        return i->osz == 8; /* a 16-bit one (66) truncates its target: the handler's */
    }
    switch (op) {
    case 0x63: set(j, K_MODRM, FL_NONE, M_R, 4, 0, true); j->wo = W_REG; return i->osz != 2;
    case 0x69: set(j, K_MODRM, FL_FULL, M_R, 0, IMM_OSZ, true); j->wo = W_REG; j->src = W_RM; return true;
    case 0x6b: set(j, K_MODRM, FL_FULL, M_R, 0, 1, true); j->wo = W_REG; j->src = W_RM; return true;
    case 0x80: case 0x81: case 0x83: return alu_group(op, digit, j);
    case 0x84: case 0x85: set(j, K_MODRM, FL_FULL, M_R, op & 1 ? 0 : 1, 0, true); j->ro = true; return true;
    case 0x86: case 0x87: set(j, K_MODRM, FL_NONE, M_RW, op & 1 ? 0 : 1, 0, true); return true;
    case 0x88: case 0x89: set(j, K_MODRM, FL_NONE, M_W, op & 1 ? 0 : 1, 0, true); j->wo = op & 1 ? W_RM : 0; return true;
    case 0x8a: case 0x8b: set(j, K_MODRM, FL_NONE, M_R, op & 1 ? 0 : 1, 0, true); j->wo = op & 1 ? W_REG : 0; return true;
    case 0x8d: set(j, K_LEA, FL_NONE, 0, 0, 0, true); return i->is_mem && i->osz != 2;
    case 0x90: set(j, K_NOP, FL_NONE, 0, 0, 0, false); return i->reg == 0;
    case 0x98: set(j, K_PLAIN, FL_NONE, 0, 0, 0, false); j->imp = 1; return true;
    case 0x99: set(j, K_PLAIN, FL_NONE, 0, 0, 0, false); j->imp = 1 | 4; return true;
    case 0xa8: case 0xa9: set(j, K_PLAIN, FL_FULL, 0, 0, op == 0xa8 ? 1 : IMM_OSZ, false); j->imp = 1; j->ro = true; return true;
    case 0xc0: case 0xc1: return shift_group(i, digit, (int)(i->imm & 0xff), 1, j);
    case 0xd0: case 0xd1: return shift_group(i, digit, 1, 0, j);
    case 0xd2: case 0xd3: shift_group(i, digit, -1, 0, j); j->imp = 2; return true;
    case 0xc6: case 0xc7: set(j, K_MODRM, FL_NONE, M_W, op & 1 ? 0 : 1, op & 1 ? IMM_OSZ : 1, false); return digit == 0;
    case 0xf6: case 0xf7: return group3(op, digit, j);
    case 0xfe: case 0xff:
        if (op == 0xff && (digit == 2 || digit == 4)) {
            set(j, digit == 2 ? K_CALLI : K_JMPI, FL_NONE, M_R, 8, 0, false);
            return i->osz == 8;
        }
        if (op == 0xff && digit == 6) {
            set(j, K_PUSHM, FL_NONE, M_R, 8, 0, false);
            return i->osz == 8 && i->is_mem;
        }
        set(j, K_MODRM, FL_PART, M_RW, op & 1 ? 0 : 1, 0, false);
        return digit <= 1;
    case 0xeb: case 0xe9: set(j, K_JMP, FL_NONE, 0, 0, 0, false); return i->osz == 8;
    case 0xe8: set(j, K_CALL, FL_NONE, 0, 0, 0, false); return i->osz == 8;
    case 0xc3: set(j, K_RET, FL_NONE, 0, 0, 0, false); return i->osz == 8;
    case 0x68: case 0x6a: set(j, K_PUSHI, FL_NONE, 0, 0, 0, false); return i->osz == 8;
    default:
        if (op >= 0x50 && op <= 0x5f) {
            set(j, op < 0x58 ? K_PUSH : K_POP, FL_NONE, 0, 0, 0, false);
            return i->osz == 8;
        }
        if (op >= 0xb8 && op <= 0xbf) {
            set(j, K_MOVI, FL_NONE, 0, 0, 0, false);
            return i->osz != 2;
        }
        return false;
    }
}

/* 0F BA: bt bts btr btc with an immediate bit number (within the operand). */
static bool bt_imm(unsigned digit, struct jop *j)
{
    set(j, K_MODRM, FL_PART, digit == 4 ? M_R : M_RW, 0, 1, false);
    j->ro = digit == 4;
    return digit >= 4;
}

static bool map0f(const struct insn *i, struct jop *j)
{
    unsigned op = i->op & 0xff, digit = (i->modrm >> 3) & 7;
    if (op >= 0x40 && op <= 0x4f) {
        set(j, K_MODRM, FL_READ, M_R, 0, 0, true);
        j->src = W_RM;
        return true;
    }
    if (op >= 0x80 && op <= 0x8f) {
        set(j, K_JCC, FL_READ, 0, 0, 0, false);
        j->cc = op & 15;
        return i->osz == 8;
    }
    if (op >= 0x90 && op <= 0x9f) {
        set(j, K_MODRM, FL_READ, M_W, 1, 0, false);
        return true;
    }
    if (op >= 0xc8 && op <= 0xcf) {
        set(j, K_BSWAP, FL_NONE, 0, 0, 0, false);
        return i->osz != 2;
    }
    switch (op) {
    case 0x1f: set(j, K_NOP, FL_NONE, 0, 0, 0, false); return true;
    case 0xa3: set(j, K_MODRM, FL_PART, M_R, 0, 0, true); j->ro = true; return !i->is_mem; /* bit offset may leave the operand */
    case 0xab: case 0xb3: case 0xbb: set(j, K_MODRM, FL_PART, M_RW, 0, 0, true); j->src = W_REG; return !i->is_mem;
    case 0xba: return bt_imm(digit, j);
    case 0xa4: case 0xac: set(j, K_MODRM, FL_PART, M_RW, 0, 1, true); j->src = W_REG; return true;
    case 0xa5: case 0xad: set(j, K_MODRM, FL_PART, M_RW, 0, 0, true); j->imp = 2; j->src = W_REG; return true;
    case 0xaf: set(j, K_MODRM, FL_FULL, M_R, 0, 0, true); j->src = W_RM; return true;
    case 0xb0: case 0xb1: set(j, K_MODRM, FL_FULL, M_RW, op & 1 ? 0 : 1, 0, true); j->imp = 1; j->src = W_REG; return true;
    case 0xb6: case 0xbe: set(j, K_MODRM, FL_NONE, M_R, 1, 0, true); j->wo = W_REG; return true;
    case 0xb7: case 0xbf: set(j, K_MODRM, FL_NONE, M_R, 2, 0, true); j->wo = W_REG; return true;
    case 0xbc: case 0xbd: set(j, K_MODRM, FL_PART, M_R, 0, 0, true); j->src = W_RM; return true;
    case 0xc0: case 0xc1: set(j, K_MODRM, FL_FULL, M_RW, op & 1 ? 0 : 1, 0, true); return true;
    default: return false;
    }
}

/* SSE handlers whose instruction the host runs the same way (jit_sse.c) */
void sse_host_Vx_Wx(struct cpu *c, const struct insn *i);
void sse_cmp_Vx_Wx_Ib(struct cpu *c, const struct insn *i);
void sse_mov_Vx_Wx(struct cpu *c, const struct insn *i);
void sse_movs_Vx_Wx(struct cpu *c, const struct insn *i);
void sse_movq_Vx_Wx(struct cpu *c, const struct insn *i);
void sse_mov_Wx_Vx(struct cpu *c, const struct insn *i);
void sse_movs_Wx_Vx(struct cpu *c, const struct insn *i);
void sse_cvt_Gv_Wx(struct cpu *c, const struct insn *i);
void sse_cvt_Vx_Ev(struct cpu *c, const struct insn *i);
void sse_movd_Vx_Ev(struct cpu *c, const struct insn *i);
void sse_movd_Ev_Vx(struct cpu *c, const struct insn *i);

static bool sse_kind(const struct insn *i, struct jop *j)
{
    op_fn f = i->fn;
    if (f == sse_host_Vx_Wx || f == sse_cmp_Vx_Wx_Ib || f == sse_mov_Vx_Wx || f == sse_movs_Vx_Wx ||
        f == sse_movq_Vx_Wx)
        j->kind = K_SSE;
    else if (f == sse_mov_Wx_Vx || f == sse_movs_Wx_Vx)
        j->kind = K_SSE_ST;
    else if (f == sse_cvt_Gv_Wx || f == sse_movd_Ev_Vx)
        j->kind = K_SSE_TOGPR;
    else if (f == sse_cvt_Vx_Ev || f == sse_movd_Vx_Ev)
        j->kind = K_SSE_FROMGPR;
    else
        return false;
    j->fl = (f == sse_host_Vx_Wx && (i->aux & SX_EFL)) ? FL_FULL : FL_NONE;
    return !(i->pfx & (P_ASIZE | P_LOCK));
}

bool jit_sse_unsafe(const struct insn *i)
{
    unsigned op = i->op;
    return op == (MAP_0F << 8 | 0xae) || op == (MAP_0F << 8 | 0x22) || op == (MAP_0F << 8 | 0x06) ||
           op == (MAP_0F << 8 | 0x01);
}

void op_swapgs(struct cpu *c, const struct insn *i);
void op_stos_Yb_AL(struct cpu *c, const struct insn *i);
void op_stos_Yv_rAX(struct cpu *c, const struct insn *i);

bool jit_classify(const struct insn *i, struct jop *j, bool sse, unsigned cpl)
{
    memset(j, 0, sizeof *j);
    if (i->fn == op_swapgs && cpl == 0) { /* (64-bit mode: the translator's only one) */
        j->kind = K_SWAPGS;
        return true;
    }
    if ((i->fn == op_stos_Yb_AL || i->fn == op_stos_Yv_rAX) && (i->pfx & (P_REP | P_REPNE | P_ASIZE)) == P_REP) {
        j->kind = K_REPSTOS;
        return true;
    }
    if (i->fn == op_raise_ud || i->fn == op_raise_gp0 || i->fn == op_unimplemented)
        return false;
    if (sse && sse_kind(i, j))
        return true;
    memset(j, 0, sizeof *j);
    if (i->pfx & (P_REP | P_REPNE | P_ASIZE))
        return false;
    if ((i->pfx & P_LOCK) && !i->is_mem)
        return false;
    switch (i->op >> 8) {
    case MAP_1B: return map1b(i, j);
    case MAP_0F: return map0f(i, j);
    default: return false;
    }
}
