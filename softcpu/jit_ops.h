/* jit_ops.h: the translator's view of one guest instruction (jit_ops.c classifies it). */
#ifndef SOFTCPU_JIT_OPS_H
#define SOFTCPU_JIT_OPS_H

#include "cpu.h"

enum jkind {
    K_MODRM, /* re-encoded with its ModRM operands mapped to host registers or [rsi] */
    K_PLAIN, /* no ModRM: implicit registers and an immediate (add rax, imm; cqo) */
    K_LEA,   /* the address itself */
    K_MOVI,  /* mov r, imm */
    K_BSWAP,
    K_NOP,
    K_SWAPGS, /* at CPL 0: the two GS bases exchanged in struct cpu */
    K_PUSH,  /* push r */
    K_PUSHI, /* push imm */
    K_POP,   /* pop r */
    K_PUSHM, /* push m64 */
    K_REPSTOS, /* rep stos: short, forward, within a page the TLB holds (else the interpreter's) */
    K_SSE,   /* xmm <- xmm/m (arithmetic, moves, compares, comis): host xmm0, xmm1/[rsi] */
    K_SSE_ST, /* xmm/m <- xmm (stores, movss/movsd to register) */
    K_SSE_TOGPR, /* r/m <- xmm (cvt*2si, movd r/m, xmm) */
    K_SSE_FROMGPR, /* xmm <- r/m (cvtsi2*, movd xmm, r/m) */
    K_HELPER, /* anything else: a call to the interpreter's handler (may end the block) */
    K_JCC,   /* the rest end the block */
    K_JMP,
    K_CALL,  /* call rel32 */
    K_RET,
    K_JMPI,  /* jmp r/m64 */
    K_CALLI, /* call r/m64 */
};

/* effect on the arithmetic flags */
enum jflags {
    FL_NONE, /* neither read nor written */
    FL_FULL, /* all six written, none read */
    FL_PART, /* some written, the rest kept: needs the incoming ones unless those die */
    FL_READ, /* read (jcc, cmov, setcc; adc, sbb, rcl, rcr also write them) */
};

/* access to a memory E operand */
enum { M_R = 1, M_W = 2, M_RW = 3 };

#define IMM_OSZ 0xff /* imm16 with a 16-bit operand size, imm32 otherwise */

struct jop {
    uint8_t kind;  /* enum jkind */
    uint8_t fl;    /* enum jflags */
    uint8_t mem;   /* M_*: how a memory E operand is accessed */
    uint8_t msize; /* memory operand bytes; 0: the operand size */
    uint8_t imm;   /* immediate bytes, or IMM_OSZ */
    uint8_t imp;   /* implicit registers: bit g for guest register g (rax 1, rcx 2, rdx 4) */
    uint8_t cc;    /* condition of K_JCC */
    bool g;        /* ModRM.reg names a register (else it is an opcode extension) */
    bool ro;       /* registers are only read (cmp, test, bt) */
    uint8_t wo;    /* W_REG, W_RM: that register operand is written whole, never read, when the
                    * operand size is 4 or 8 (mov, movzx, movsx, imul r, r/m, imm) */
    uint8_t src;   /* W_REG, W_RM: that register operand is only read, the other one (or an
                    * implicit register) written: add r/m, r; imul r, r/m; cmov; mul r/m */
};

enum { W_REG = 1, W_RM = 2 };

/* false: the interpreter keeps this instruction; sse: SSE instructions may be translated; cpl:
 * the privilege the block runs at */
bool jit_classify(const struct insn *i, struct jop *j, bool sse, unsigned cpl);
/* could change MXCSR, CR0 or CR4 (ldmxcsr, fxrstor, mov to CR, clts, lmsw) */
bool jit_sse_unsafe(const struct insn *i);

#endif
