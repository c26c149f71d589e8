/* jit_emit.h: a small x86-64 machine-code emitter for the translator (jit.c). */
#ifndef SOFTCPU_JIT_EMIT_H
#define SOFTCPU_JIT_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* host register numbers */
enum { H_AX, H_CX, H_DX, H_BX, H_SP, H_BP, H_SI, H_DI, H_R8, H_R9, H_R10, H_R11, H_R12, H_R13, H_R14, H_R15 };
#define H_NONE (-1)

struct jbuf {
    uint8_t *p, *end;
    bool full; /* ran out of room: the translation is abandoned */
};

static inline void eb(struct jbuf *e, unsigned b)
{
    if (e->p < e->end)
        *e->p++ = (uint8_t)b;
    else
        e->full = true;
}

static inline void en(struct jbuf *e, uint64_t v, unsigned bytes)
{
    for (unsigned k = 0; k < bytes; k++)
        eb(e, (unsigned)(v >> (8 * k)) & 0xff);
}

/* REX with W and the high bits of the reg, index and base fields; emitted when any is set
 * or when forced (byte registers SPL..DIL). */
static inline void emit_rex(struct jbuf *e, bool w, int reg, int index, int base, bool force)
{
    unsigned rex = 0x40 | (w ? 8 : 0) | (reg > 7 ? 4 : 0) | (index > 7 ? 2 : 0) | (base > 7 ? 1 : 0);
    if (rex != 0x40 || force)
        eb(e, rex);
}

/* ModRM (and SIB, displacement) for the memory operand [base + index*2^scale + disp]; base
 * may be H_NONE (absolute disp32 with SIB), index may be H_NONE. reg is the 3-bit field. */
static inline void emit_mem(struct jbuf *e, int reg, int base, int index, int scale, int32_t disp)
{
    unsigned r = (unsigned)(reg & 7) << 3;
    if (base == H_NONE) {
        eb(e, 0x04 | r);
        eb(e, (unsigned)scale << 6 | (unsigned)((index == H_NONE ? 4 : index) & 7) << 3 | 5);
        en(e, (uint32_t)disp, 4);
        return;
    }
    unsigned mod = (disp == 0 && (base & 7) != 5) ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
    if (index == H_NONE && (base & 7) != 4) {
        eb(e, mod << 6 | r | (base & 7));
    } else {
        eb(e, mod << 6 | r | 4);
        eb(e, (unsigned)scale << 6 | (unsigned)((index == H_NONE ? 4 : index) & 7) << 3 | (base & 7));
    }
    if (mod == 1)
        eb(e, (uint8_t)disp);
    else if (mod == 2)
        en(e, (uint32_t)disp, 4);
}

/* op reg, [base + disp] with REX.W (mov load 8B, mov store 89, lea 8D, add 03, cmp 3B ...) */
static inline void emit_rm64(struct jbuf *e, unsigned opcode, int reg, int base, int index, int scale,
                             int32_t disp)
{
    emit_rex(e, true, reg, index, base, false);
    eb(e, opcode);
    emit_mem(e, reg, base, index, scale, disp);
}

static inline void emit_load(struct jbuf *e, int reg, int32_t off) { emit_rm64(e, 0x8b, reg, H_BP, H_NONE, 0, off); }
static inline void emit_store(struct jbuf *e, int reg, int32_t off) { emit_rm64(e, 0x89, reg, H_BP, H_NONE, 0, off); }

/* op r/m64, reg between registers (mov 89, add 01 ...) */
static inline void emit_rr(struct jbuf *e, unsigned opcode, int reg, int rm)
{
    emit_rex(e, true, reg, 0, rm, false);
    eb(e, opcode);
    eb(e, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

/* op reg32, [rbp + off] */
static inline void emit_rm32(struct jbuf *e, unsigned opcode, int reg, int32_t off)
{
    emit_rex(e, false, reg, 0, H_BP, false);
    eb(e, opcode);
    emit_mem(e, reg, H_BP, H_NONE, 0, off);
}

/* mov reg, imm64 (shortest form that gives the same 64-bit value) */
static inline void emit_movi(struct jbuf *e, int reg, uint64_t v)
{
    if (v <= 0xffffffffull) { /* mov r32, imm32 zero-extends */
        emit_rex(e, false, 0, 0, reg, false);
        eb(e, 0xb8 + (reg & 7));
        en(e, v, 4);
    } else if ((int64_t)v == (int32_t)v) { /* mov r/m64, imm32 sign-extends */
        emit_rex(e, true, 0, 0, reg, false);
        eb(e, 0xc7);
        eb(e, 0xc0 | (reg & 7));
        en(e, v, 4);
    } else {
        emit_rex(e, true, 0, 0, reg, false);
        eb(e, 0xb8 + (reg & 7));
        en(e, v, 8);
    }
}

/* A rel32 jump or jcc whose target is patched later; returns the rel32 field's address. */
static inline uint8_t *emit_jmp32(struct jbuf *e)
{
    eb(e, 0xe9);
    uint8_t *at = e->p;
    en(e, 0, 4);
    return at;
}
static inline uint8_t *emit_jcc32(struct jbuf *e, unsigned cc)
{
    eb(e, 0x0f);
    eb(e, 0x80 | (cc & 15));
    uint8_t *at = e->p;
    en(e, 0, 4);
    return at;
}
static inline void patch32(struct jbuf *e, uint8_t *at, const uint8_t *target)
{
    if (e->full || !at)
        return;
    int32_t rel = (int32_t)(target - (at + 4));
    memcpy(at, &rel, 4);
}

#endif
