/* cpu.h: the soft CPU's internal state, decoded-instruction format and the helpers handlers use. */
#ifndef SOFTCPU_CPU_H
#define SOFTCPU_CPU_H

/*
 * Execution model (see README "Soft CPU"):
 *  - Instructions are decoded once into struct insn and kept in blocks, cached by
 *    guest-physical address. A block ends at a control transfer, at an instruction
 *    flagged OPF_ENDBLK, at a page end or after SCPU_BLOCK_MAX instructions. A translated
 *    one (a superblock, engine.c) may go on past up to SCPU_BLOCK_JCC Jccs, where the
 *    interpreter still stops (their handlers end the run whichever way they go).
 *  - Handlers take (cpu, insn). Non-branch handlers never touch cpu->rip: the engine
 *    knows the current instruction (cpu->cur). Branch and block-ending handlers store
 *    the next RIP in cpu->rip and set cpu->brk.
 *  - Faults are precise: cpu_fault() longjmps back to the engine with RIP at the start
 *    of the faulting instruction. Handlers therefore do every memory access that can
 *    fault before committing any register, flag or memory state.
 *  - Arithmetic flags are lazy (struct lazyflags) and computed only when read.
 *  - The decoder may swap a table handler for a specialised one (fastops.c): same behaviour,
 *    with size, operand kind and condition folded in. Those run the next instruction of
 *    the block themselves (below cpu->chain_end), keeping cpu->cur on the one that runs, and
 *    some skip flag updates a later instruction of the same block provably overwrites.
 */

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "softcpu.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ---- registers ---- */
enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI, R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
/* 8-bit register numbers 16..19 are AH CH DH BH (only without REX). */
#define R_AH 16
#define R_NONE 0xff
#define R_RIP 0xfe /* insn.base for RIP-relative addressing */

enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NONE = 7 };

/* RFLAGS bits */
#define F_CF (1u << 0)
#define F_PF (1u << 2)
#define F_AF (1u << 4)
#define F_ZF (1u << 6)
#define F_SF (1u << 7)
#define F_TF (1u << 8)
#define F_IF (1u << 9)
#define F_DF (1u << 10)
#define F_OF (1u << 11)
#define F_IOPL (3u << 12)
#define F_NT (1u << 14)
#define F_RF (1u << 16)
#define F_VM (1u << 17)
#define F_AC (1u << 18)
#define F_VIF (1u << 19)
#define F_VIP (1u << 20)
#define F_ID (1u << 21)
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)


/* exception vectors */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6, EXC_NM = 7,
    EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14, EXC_MF = 16,
    EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
};
/* #PF error code bits */
#define PFEC_P (1u << 0)
#define PFEC_W (1u << 1)
#define PFEC_U (1u << 2)
#define PFEC_RSVD (1u << 3)
#define PFEC_I (1u << 4)
#define PFEC_PK (1u << 5)

/* ---- segments: hidden parts cached as hardware does ---- */
struct seg {
    uint64_t base;
    uint32_t limit; /* byte granular */
    uint16_t sel;
    uint16_t attr;  /* bits: type[3:0] s[4] dpl[6:5] p[7] avl[8] l[9] db[10] g[11] unusable[12] */
};
#define SA_TYPE(a) ((a) & 0xf)
#define SA_S (1u << 4)
#define SA_DPL(a) (((a) >> 5) & 3)
#define SA_P (1u << 7)
#define SA_AVL (1u << 8)
#define SA_L (1u << 9)
#define SA_DB (1u << 10)
#define SA_G (1u << 11)
#define SA_UNUSABLE (1u << 12)

/* ---- lazy flags ---- */
/* The last flag-setting operation; flags are computed from it on demand.
 * op == LF_NONE means cpu->rflags holds the arithmetic flags already. */
enum lf_op {
    LF_NONE = 0,
    LF_ADD,   /* res = s1 + s2 */
    LF_ADC,   /* res = s1 + s2 + cf_in; cf_in in `aux` */
    LF_SUB,   /* res = s1 - s2 (also CMP, NEG with s1 = 0) */
    LF_SBB,   /* res = s1 - s2 - cf_in */
    LF_LOGIC, /* CF=OF=0, AF=0, SF ZF PF from res */
    LF_INC,   /* res = s1 + 1, CF preserved in `aux` */
    LF_DEC,   /* res = s1 - 1, CF preserved in `aux` */
    LF_SHL,   /* res = s1 << s2, count s2 masked and nonzero; AF clear, OF as for count 1 */
    LF_SHR,   /* res = s1 >> s2 (logical), same count rule */
    LF_SAR,   /* res = s1 >> s2 (arithmetic at `size`), same count rule */
    LF_HOST,  /* as translated code left them (jit.c): res = LAHF's AH in bits 8..15, OF in bit 0 */
};
struct lazyflags {
    uint64_t res, s1, s2;
    uint8_t op;   /* enum lf_op */
    uint8_t size; /* operand bytes: 1 2 4 8 */
    uint8_t aux;  /* carry in (ADC/SBB) or preserved CF (INC/DEC) */
};

/* ---- decoded instruction ---- */
struct cpu;
struct insn;
typedef void (*op_fn)(struct cpu *c, const struct insn *i);

/* prefix bits in insn.pfx */
#define P_LOCK (1u << 0)
#define P_REP (1u << 1)   /* F3 */
#define P_REPNE (1u << 2) /* F2 */
#define P_OSIZE (1u << 3) /* 66 */
#define P_ASIZE (1u << 4) /* 67 */
#define P_REX (1u << 5)
#define P_REXW (1u << 6)

/* Decoder conventions (decode.c): imm for IMM_B and IMM_Z forms is sign-extended to 64 bits,
 * IMM_W and IMM_V are zero-extended, moffs is asz bytes, far pointers put the offset in imm
 * and the selector in imm2. rip is the instruction's RIP (offset in CS; CS base is 0 in 64-bit
 * mode). For forms named Sw the reg field ignores REX.R, and Rd_Cd/Cd_Rd never read memory. */
struct insn {
    op_fn fn;
    uint64_t rip;     /* linear address of the first byte (RIP, CS base 0 in 64-bit mode) */
    uint64_t imm;     /* immediate, sign- or zero-extended as the form says; moffs; far offset */
    uint64_t imm2;    /* second immediate (ENTER level, far-pointer selector) */
    int32_t disp;     /* memory displacement (sign-extended) */
    uint16_t op;      /* map << 8 | opcode byte */
    uint8_t len;      /* bytes */
    uint8_t osz;      /* operand size in bytes: 1 2 4 8 (16 for some SSE forms) */
    uint8_t asz;      /* address size in bytes: 2 4 8 */
    uint8_t reg;      /* ModRM.reg with REX.R, or the register in the opcode's low bits with REX.B;
                         8-bit operands: 16..19 mean AH CH DH BH */
    uint8_t rm;       /* ModRM.rm with REX.B when mod == 3 (8-bit rule as for reg) */
    uint8_t is_mem;   /* ModRM names memory */
    uint8_t base;     /* base register, R_NONE, or R_RIP */
    uint8_t index;    /* index register or R_NONE */
    uint8_t scale;    /* 0..3 */
    uint8_t seg;      /* effective segment S_* (after overrides and defaults) */
    uint8_t pfx;      /* P_* */
    uint8_t modrm;    /* raw ModRM byte (x87 and group decoding) */
    uint8_t aux;      /* parameter from the opcode table (ALU kind, condition code, ...) */
    uint8_t flags;    /* OPF_* copied from the table entry (low 8 bits) */
};

/* ---- opcode table ---- */
/* maps */
enum { MAP_1B = 0, MAP_0F = 1, MAP_0F38 = 2, MAP_0F3A = 3 };
/* mandatory prefix selection for an entry */
enum { PFX_ANY = 0, PFX_NP = 1, PFX_66 = 2, PFX_F3 = 3, PFX_F2 = 4 };
/* ModRM.reg / .mod / .rm selection */
#define SEL_ANY 0xff
enum { MOD_ANY = 0, MOD_MEM = 1, MOD_REG = 2 };

/* Operand forms, named after the SDM's operand encoding (Appendix A):
 * E = ModRM r/m, G = ModRM reg, Z = register in opcode low bits, I = immediate,
 * J = relative branch, O = moffs, M = memory only, V/W = xmm reg/rm, P/Q = mm reg/rm,
 * C = control register, S = segment register. b/w/d/q/v/z as in the SDM. */
#define FORMS(X)                                                                         \
    /* name        modrm  imm     byteop */                                              \
    X(NONE,        0,     IMM_NONE, 0)                                                   \
    X(Eb,          1,     IMM_NONE, 1)                                                   \
    X(Ev,          1,     IMM_NONE, 0)                                                   \
    X(Eb_Gb,       1,     IMM_NONE, 1)                                                   \
    X(Ev_Gv,       1,     IMM_NONE, 0)                                                   \
    X(Gb_Eb,       1,     IMM_NONE, 1)                                                   \
    X(Gv_Ev,       1,     IMM_NONE, 0)                                                   \
    X(Gv_Eb,       1,     IMM_NONE, 0) /* movzx/movsx byte source */                     \
    X(Gv_Ew,       1,     IMM_NONE, 0) /* movzx/movsx word source */                     \
    X(Gv_Ed,       1,     IMM_NONE, 0) /* movsxd */                                      \
    X(Gv_M,        1,     IMM_NONE, 0) /* lea */                                         \
    X(M,           1,     IMM_NONE, 0) /* memory only (cmpxchg8b, lgdt, fxsave...) */    \
    X(AL_Ib,       0,     IMM_B,    1)                                                   \
    X(rAX_Iz,      0,     IMM_Z,    0)                                                   \
    X(Eb_Ib,       1,     IMM_B,    1)                                                   \
    X(Ev_Iz,       1,     IMM_Z,    0)                                                   \
    X(Ev_Ib,       1,     IMM_B,    0) /* imm8 sign-extended to osz */                   \
    X(Gv_Ev_Ib,    1,     IMM_B,    0)                                                   \
    X(Gv_Ev_Iz,    1,     IMM_Z,    0)                                                   \
    X(Ev_Gv_Ib,    1,     IMM_B,    0) /* shld/shrd imm */                               \
    X(Ev_Gv_CL,    1,     IMM_NONE, 0)                                                   \
    X(Eb_1,        1,     IMM_NONE, 1)                                                   \
    X(Ev_1,        1,     IMM_NONE, 0)                                                   \
    X(Eb_CL,       1,     IMM_NONE, 1)                                                   \
    X(Ev_CL,       1,     IMM_NONE, 0)                                                   \
    X(Zb_Ib,       0,     IMM_B,    1) /* mov r8, imm8 */                                \
    X(Zv_Iv,       0,     IMM_V,    0) /* mov r, imm16/32/64 */                          \
    X(Zv,          0,     IMM_NONE, 0) /* push/pop/xchg/bswap reg */                     \
    X(Ib,          0,     IMM_B,    0) /* int n, push imm8 */                            \
    X(Iz,          0,     IMM_Z,    0) /* push imm */                                    \
    X(Iw,          0,     IMM_W,    0) /* ret n */                                       \
    X(Iw_Ib,       0,     IMM_W_B,  0) /* enter */                                       \
    X(Jb,          0,     IMM_B,    0)                                                   \
    X(Jz,          0,     IMM_Z,    0)                                                   \
    X(AL_Ob,       0,     IMM_MOFFS, 1)                                                  \
    X(rAX_Ov,      0,     IMM_MOFFS, 0)                                                  \
    X(Ob_AL,       0,     IMM_MOFFS, 1)                                                  \
    X(Ov_rAX,      0,     IMM_MOFFS, 0)                                                  \
    X(Ap,          0,     IMM_FARPTR, 0) /* far jmp/call ptr16:16/32 (not in 64-bit) */  \
    X(Ew_Sw,       1,     IMM_NONE, 0)                                                   \
    X(Sw_Ew,       1,     IMM_NONE, 0)                                                   \
    X(Rd_Cd,       1,     IMM_NONE, 0) /* mov r, crN (mod ignored) */                    \
    X(Cd_Rd,       1,     IMM_NONE, 0)                                                   \
    X(Vx_Wx,       1,     IMM_NONE, 0)                                                   \
    X(Wx_Vx,       1,     IMM_NONE, 0)                                                   \
    X(Vx_Wx_Ib,    1,     IMM_B,    0)                                                   \
    X(Vx_Ev,       1,     IMM_NONE, 0) /* movd/movq xmm, r/m */                          \
    X(Ev_Vx,       1,     IMM_NONE, 0)                                                   \
    X(Gd_Ux,       1,     IMM_NONE, 0) /* pmovmskb r, xmm */                             \
    X(Ux_Ib,       1,     IMM_B,    0) /* psrldq xmm, imm */                             \
    X(Pq_Qq,       1,     IMM_NONE, 0)                                                   \
    X(Qq_Pq,       1,     IMM_NONE, 0)                                                   \
    X(Pq_Qq_Ib,    1,     IMM_B,    0)                                                   \
    X(Pq_Ev,       1,     IMM_NONE, 0)                                                   \
    X(Ev_Pq,       1,     IMM_NONE, 0)                                                   \
    X(Nq_Ib,       1,     IMM_B,    0)                                                   \
    X(Vx_Pq,       1,     IMM_NONE, 0)                                                   \
    X(Pq_Wx,       1,     IMM_NONE, 0)                                                   \
    X(Gd_Nq,       1,     IMM_NONE, 0)                                                   \
    X(ST,          1,     IMM_NONE, 0) /* x87 escape: operands decoded from modrm */   \
    X(NONE_M,      1,     IMM_NONE, 0) /* ModRM selects it, no operand (lfence) */      \
    X(Gv_Wx,       1,     IMM_NONE, 0) /* cvtsd2si r32/64, xmm/m */                     \
    X(Vx_Ew_Ib,    1,     IMM_B,    0) /* pinsrw xmm, r32/m16, imm */                   \
    X(Pq_Ew_Ib,    1,     IMM_B,    0) /* pinsrw mm, r32/m16, imm */                    \
    X(Gd_Ux_Ib,    1,     IMM_B,    0) /* pextrw r32, xmm, imm */                       \
    X(Gd_Nq_Ib,    1,     IMM_B,    0) /* pextrw r32, mm, imm */                       \
    X(Vx_Qq,       1,     IMM_NONE, 0) /* cvtpi2ps xmm, mm/m64 */

enum imm_kind { IMM_NONE, IMM_B, IMM_W, IMM_Z, IMM_V, IMM_W_B, IMM_MOFFS, IMM_FARPTR };

enum form {
#define FORM_ENUM(name, m, imm, b) FORM_##name,
    FORMS(FORM_ENUM)
#undef FORM_ENUM
    FORM_COUNT
};

/* table entry flags (OPF_*: low 8 bits are copied into insn.flags) */
#define OPF_BRANCH (1u << 0)  /* control transfer: ends the block, sets cpu->rip */
#define OPF_ENDBLK (1u << 1)  /* ends the block after it (mode/state change, I/O exit) */
#define OPF_LOCK (1u << 2)    /* LOCK prefix allowed (with a memory destination) */
#define OPF_REP (1u << 3)     /* REP/REPNE prefix meaningful */
#define OPF_VEC (1u << 4)     /* MMX/SSE family (opcodes_sse.def): its memory reads are vector loads */
#define OPF_D64 (1u << 8)     /* default operand size 64 in long mode (push, pop, ...) */
#define OPF_F64 (1u << 9)     /* near branches: 64-bit in long mode, 16-bit under 66 (AMD) */
#define OPF_NO64 (1u << 10)   /* invalid in 64-bit mode (#UD) */
#define OPF_ONLY64 (1u << 11) /* valid only in 64-bit mode */
#define OPF_PRIV (1u << 12)   /* CPL 0 only (#GP(0) otherwise), checked by the engine */
#define OPF_SYS (1u << 13)    /* system instruction: not differentially testable in user mode */
#define OPF_W_IGNORED (1u << 14) /* REX.W has no effect on size (e.g. 16-bit only forms) */
#define OPF_OSZ16_32 (1u << 15)  /* operand size 16/32 only (no 64 even with REX.W) */

/* One entry of the opcode table. The differential tester walks the same table. */
struct opdesc {
    uint8_t map;      /* MAP_* */
    uint8_t opcode;   /* opcode byte within the map */
    uint8_t pfx;      /* PFX_*: mandatory prefix for 0F-map SSE forms, PFX_ANY otherwise */
    uint8_t regsel;   /* ModRM.reg for group opcodes, SEL_ANY otherwise */
    uint8_t modsel;   /* MOD_ANY / MOD_MEM / MOD_REG */
    uint8_t rmsel;    /* ModRM.rm for mod==3 encodings (x87 D9 E8...), SEL_ANY otherwise */
    uint8_t form;     /* enum form */
    uint8_t aux;      /* handler parameter */
    uint16_t flags;   /* OPF_* */
    uint32_t undef;   /* RFLAGS bits architecturally undefined after it (tester mask) */
    const char *mnem;
    op_fn fn;
};

/* The table is the concatenation of per-family lists, each an X-macro in its own file
 * (opcodes_int.def, opcodes_sys.def, opcodes_sse.def, opcodes_x87.def) with entries
 *   OP(map, opcode, pfx, regsel, modsel, rmsel, form, aux, flags, undef, "mnem", fn)
 * so that adding an instruction never edits the decoder. */
/* aux of SSE/MMX entries (opcodes_sse.def): the entry's mandatory prefix and the size and
 * alignment rule of its memory operand (the tester may use them too). */
#define SX_NP (0u << 6)
#define SX_66 (1u << 6)
#define SX_F3 (2u << 6)
#define SX_F2 (3u << 6)
#define SX_PFX(aux) (((aux) >> 6) & 3)
#define SX_M128 1u /* 16 bytes, #GP(0) unless 16-aligned */
#define SX_U128 2u /* 16 bytes, any alignment */
#define SX_M64 3u
#define SX_M32 4u
#define SX_M16 5u
#define SX_SIZE(aux) ((aux) & 7u)
#define SX_EFL 0x08u /* writes ZF PF CF, clears OF SF AF (comiss...) */
#define SX_MMX 0x10u /* MMX form */
/* aux of x87 entries (opcodes_x87.def) */
#define XA_SIZE(aux) ((aux) & 0x0fu) /* memory operand bytes: 0 2 4 8 10 */
#define XA_STORE 0x10u /* the memory operand is written, not read */
#define XA_CTRL 0x20u  /* control instruction: FIP/FDP/FOP kept */
#define XA_EFL 0x40u   /* FCOMI family: writes ZF PF CF, clears OF SF AF */
#define XA_NOWAIT 0x80u /* never reports a pending x87 exception (#MF) */
extern const struct opdesc scpu_optable[];
extern const unsigned scpu_optable_len;

/* The operand size (2, 4 or 8) of a non-byte entry in 64-bit mode under REX.W and an
 * operand-size (66) prefix that is not the entry's mandatory one. The decoder sizes instructions
 * by it, and the differential tester's case generator their immediates. */
static inline unsigned opdesc_osz64(const struct opdesc *e, bool rexw, bool osize)
{
    if (rexw && !(e->flags & (OPF_W_IGNORED | OPF_OSZ16_32)))
        return 8;
    if (e->flags & OPF_F64) /* AMD, the CPUID's vendor: 66 makes a near branch 16-bit (Intel ignores it) */
        return osize ? 2 : 8;
    if (osize)
        return 2;
    return (e->flags & OPF_D64) ? 8 : 4;
}

/* ---- TLB ----
 * 16384 entries per privilege (64 MiB of 4 KiB pages, 1.3 MiB of entries): the heap checker's
 * kernel touches its metadata regions and a fresh alias page at every call, and with 4096 the
 * regions evicted each other (2.3 -> 1.25 misses per malloc/free). Full flushes, which clear it
 * all, are rare (CR3 and mode changes), so the size costs little there. */
#define TLB_BITS 14
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_TRACK 1024
/* A tag is the page-aligned linear address; the low bits carry TLB_SLOW when every
 * access through this entry must take the slow path (code page for stores,
 * pages watched by a hook), TLB_BOUNDED when the data accesses through a CPL-3 entry must lie
 * within the page's byte bounds (cpu.tlb_bounds; scpu_set_bounds). An invalid entry holds
 * TLB_INVALID. Fast paths compare tags exactly, so either bit sends them to the slow path.
 * (Zero is no invalid tag: an access that wraps past the top of the address space compares the
 * last byte's page, page 0, with the tag of the first byte's slot.) */
#define TLB_SLOW 1ull
#define TLB_INVALID 2ull
#define TLB_BOUNDED 4ull
#define TLB_FLAGS (TLB_SLOW | TLB_BOUNDED)
struct tlb_entry {
    uint64_t tag_r;   /* readable at this privilege */
    uint64_t tag_w;   /* writable (and dirty already set) */
    uint64_t tag_x;   /* executable */
    uintptr_t addend; /* host address = linear + addend */
};                    /* (its guest-physical page: tlb_pa) */
enum acc { ACC_R = 0, ACC_W = 1, ACC_X = 2 };
#define TLB_BIG_BITS 4096u
/* Bit k of a bitmap of 64-bit words (the hashed filters of mmu.c and engine.c). */
static inline bool bit_test(const uint64_t *bits, unsigned k) { return bits[k / 64] >> (k % 64) & 1; }
static inline void bit_set(uint64_t *bits, unsigned k) { bits[k / 64] |= 1ull << (k % 64); }
/* Bits of the guest-physical page filter (mmu.c): one bit per hashed gpa page. */
#define TLB_GPA_BITS 32768u
/* One bucket per hashed gpa page filled with a store tag since the last full flush: empty (gpa
 * 0), the one page and linear address filled (every such entry is in that linear address's two
 * slots), or TLB_WMEMO_MANY (more than one: scan). */
#define TLB_WMEMO 16384u
#define TLB_WMEMO_MANY 1ull
struct tlb_wmemo {
    uint64_t gpa, lin;
};
/* The bytes [lo, hi) of a page that CPL-3 data accesses may touch (an entry tagged TLB_BOUNDED). */
struct tlb_bounds {
    uint16_t lo, hi;
};
/* scpu_set_bounds: user pages in [base, end) take their bounds from the table at `table`. */
struct bounds_cfg {
    uint64_t base, end, table;
    bool on, vec_window; /* SCPU_BOUNDS_VEC_WINDOW */
};

/* ---- memory regions ---- */
#define SCPU_MAX_SLOTS 8
struct region {
    uint64_t gpa, size;
    uint8_t *host;
    const uint8_t *readable, *writable; /* page bitmaps, NULL: all (scpu_set_region_pages) */
};

/* ---- x87 / SSE state ---- */
struct fpu {
    long double st[8];   /* physical registers R0..R7 (host 80-bit extended) */
    uint16_t fcw, fsw;   /* fsw TOP field kept in `top` while running */
    uint8_t ftw;         /* abridged tag: bit i set = R[i] valid */
    uint8_t top;
    uint16_t fop;
    uint64_t fip, fdp;
    uint16_t fcs, fds;   /* selectors of the last x87 instruction and operand (FNSTENV) */
    uint32_t mxcsr;
    uint8_t xmm[16][16] __attribute__((aligned(16)));
};

/* ---- the CPU ---- */
#define SCPU_BLOCK_MAX 64
#define SCPU_BLOCK_JCC 2 /* a superblock goes on past this many Jccs (engine.c superblock) */
struct block;

struct cpu {
    uint64_t r[16];
    uint64_t rip;            /* valid between blocks; set by branch handlers */
    uint64_t rflags;         /* all flags; arithmetic bits valid only when lf.op == LF_NONE */
    struct lazyflags lf;
    const struct insn *cur;  /* instruction being executed */
    const struct insn *chain_end; /* fast handlers may run the next instruction below this */
    uint32_t brk;            /* a handler asks the engine to stop after this instruction */
    uint32_t cpl;            /* current privilege level (CS.DPL in protected mode) */
    uint32_t mode;           /* code size: 2, 4 or 8 (from CS.L/CS.D, CR0.PE, EFER.LMA) */

    struct seg seg[6];
    struct seg ldtr, tr;
    struct scpu_dtable gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer;
    /* Debug registers (debug.c): DR0-DR3, DR6, DR7. While a data breakpoint is enabled (dr_data),
     * every instruction runs alone and the pages it watches take the slow path, where matching
     * accesses gather their B bits in dr_hit, trapped (#DB) after the instruction. */
    uint64_t dr[4], dr6, dr7;
    uint32_t dr_data, dr_hit;
    uint64_t star, lstar, cstar, fmask, kernel_gs_base, pat, tsc_aux, apic_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc_origin;     /* host TSC at creation: guest TSC = host TSC - origin (+ writes) */
    uint32_t interrupt_shadow; /* after STI / MOV SS */
    struct fpu fpu;

    struct tlb_entry tlb[2][TLB_SIZE]; /* [0] supervisor, [1] user (CPL 3) */
    /* the guest-physical page of each entry of tlb, kept apart so that an entry is 32 bytes
     * (translated code scales the index by 4 * 8, with no multiply by 5) */
    uint64_t tlb_page_pa[2 * TLB_SIZE];
    struct tlb_bounds tlb_bounds[TLB_SIZE]; /* of tlb[1] entries tagged TLB_BOUNDED */
    struct bounds_cfg bounds;
    /* the 2 MiB ([0]) and 1 GiB ([1]) pages filled since the last full flush, hashed (mmu.c) */
    uint64_t tlb_big[2][TLB_BIG_BITS / 64];
    /* the slots filled since the last full flush ((user << TLB_BITS) | slot), the first
     * TLB_TRACK of them: a full flush clears those alone unless there were more */
    uint32_t tlb_nfilled;
    uint32_t tlb_filled[TLB_TRACK];
    /* the guest-physical pages filled since the last full flush, hashed: a clear bit proves no
     * entry holds the page, so a remapped range rarely needs a scan of the whole TLB */
    uint64_t tlb_gpa[TLB_GPA_BITS / 64];
    /* where the store tags of a guest-physical page may be (mmu.c), so a page that becomes code,
     * or stops being code, finds its writable entries without a scan */
    struct tlb_wmemo tlb_wmemo[TLB_WMEMO];

    struct region regions[SCPU_MAX_SLOTS];
    struct scpu_cpuid_entry *cpuid;
    uint64_t phys_rsvd; /* paging entries' reserved address bits (MAXPHYADDR): mmu_cpuid_changed */
    size_t ncpuid;

    struct block_cache *bc;  /* owned by the engine */
    uint8_t *code_pages;     /* per guest-physical page: 1 if blocks were decoded from it */
    uint64_t code_pages_n;

    jmp_buf fault_jmp;       /* cpu_fault() lands here */
    /* what ends a chain of linked blocks (translated code reads both at once, as one word):
     * a stop asked from outside (scpu_request_stop), and a handler that produced an exit */
    struct {
        volatile int stop_requested;
        int exiting;
    } __attribute__((aligned(8)));
    uint32_t link_epoch;     /* bumped by every TLB flush: successor links older than it are stale */
    int exception_depth;     /* for #DF / triple fault classification */
    int pending_vector;      /* exception being delivered, -1 if none */
    int irq_vector;          /* an external interrupt waiting for RFLAGS.IF (scpu_interrupt), or -1 */

    struct scpu_exit *exit;  /* where an exiting handler writes (exiting: above) */
    int io_in_pending;       /* an IN exit waits for its data */
    uint8_t io_in_reg_size;

    struct scpu_stats stats;

    /* The exception being raised: cpu_fault() records it, the engine delivers it. */
    int fault_vector;
    uint32_t fault_error;
    uint8_t fault_has_error;
    uint8_t fault_soft;      /* SOFT_INT: INT n / INT3 / INTO, gate DPL checked; SOFT_INT1: INT1
                                (ICEBP), no DPL check; both return to fault_next_rip */
    uint64_t fault_next_rip;
};

/* ---- engine services for handlers (engine.c, mmu.c, exception.c) ---- */

/* Raise a fault: RIP rewinds to the current instruction; never returns. */
_Noreturn void cpu_fault(struct cpu *c, int vector, uint32_t error_code);
#define cpu_ud(c) cpu_fault((c), EXC_UD, 0)
#define cpu_gp0(c) cpu_fault((c), EXC_GP, 0)
/* Deliver a software interrupt/trap (INT n, INT3, INTO) with RIP = next instruction. */
_Noreturn void cpu_soft_interrupt(struct cpu *c, int vector, uint64_t next_rip);
/* INT1 (ICEBP): a #DB trap with RIP = next instruction, delivered without the gate DPL check. */
_Noreturn void cpu_int1(struct cpu *c, uint64_t next_rip);
enum { SOFT_INT = 1, SOFT_INT1 = 2 };
/* An instruction we cannot execute: internal-error exit naming it. */
_Noreturn void cpu_unimplemented(struct cpu *c, const char *why);

/* Memory by linear address (segment base already added). Sizes 1, 2, 4, 8, 10, 16;
 * accesses may cross pages; faults are precise (a crossing store that faults writes nothing). */
uint8_t mem_read8(struct cpu *c, uint64_t lin);
uint16_t mem_read16(struct cpu *c, uint64_t lin);
uint32_t mem_read32(struct cpu *c, uint64_t lin);
uint64_t mem_read64(struct cpu *c, uint64_t lin);
void mem_write8(struct cpu *c, uint64_t lin, uint8_t v);
void mem_write16(struct cpu *c, uint64_t lin, uint16_t v);
void mem_write32(struct cpu *c, uint64_t lin, uint32_t v);
void mem_write64(struct cpu *c, uint64_t lin, uint64_t v);
void mem_read(struct cpu *c, uint64_t lin, void *dst, unsigned size);
void mem_write(struct cpu *c, uint64_t lin, const void *src, unsigned size);
/* Sized by osz (1/2/4/8). */
uint64_t mem_readn(struct cpu *c, uint64_t lin, unsigned size);
void mem_writen(struct cpu *c, uint64_t lin, uint64_t v, unsigned size);
/* Host pointer to up to *n bytes from lin within one page. Faults as an access of kind acc
 * at lin would. Returns bytes available in *n (>= 1); on a page with byte bounds
 * (scpu_set_bounds) a lin outside them faults (CR2 = lin) and *n stops at their end. */
uint8_t *mem_span(struct cpu *c, uint64_t lin, uint64_t want, int acc, uint64_t *n);
/* mem_span for the runs of REP MOVS/STOS: NULL, without a fault, when lin's page has byte
 * bounds that do not hold all min(want, rest of the page) bytes, so that the caller goes
 * element by element (each element then checked exactly). Other faults as mem_span. */
uint8_t *mem_run(struct cpu *c, uint64_t lin, uint64_t want, int acc, uint64_t *n);
/* Faults as a data access of kind acc to [lin, lin+len) would (any length, page by page, byte
 * bounds checked for the access as a whole), touching nothing: probes before multi-part stores. */
void mem_check(struct cpu *c, uint64_t lin, uint64_t len, int acc);
/* #AC as a data access of size (2, 4 or 8) at lin would raise it (mem_span checks none). */
void mem_align_check(struct cpu *c, uint64_t lin, unsigned size);
/* Supervisor-implicit accesses (descriptor tables, TSS, IDT): ignore CPL. */
uint64_t mem_read_sys(struct cpu *c, uint64_t lin, unsigned size);
void mem_write_sys(struct cpu *c, uint64_t lin, uint64_t v, unsigned size);
/* A store hit a page holding decoded code: drop those blocks; stop after this instruction
 * if the running block was among them. Called by the slow store path. */
void engine_code_written(struct cpu *c, uint64_t gpa, uint64_t len);
void tlb_flush_all(struct cpu *c);
/* debug.c: data breakpoints. The access [lin, lin+len) (ACC_R or ACC_W) against DR0-DR3; the TLB
 * entry of page just filled marked slow when a breakpoint watches it. */
void dr_match(struct cpu *c, uint64_t lin, uint64_t len, int acc);
void dr_mark(struct cpu *c, struct tlb_entry *e, uint64_t page);
/* Every entry invalid (a new cpu; a full flush after more fills than were noted). */
void tlb_clear(struct cpu *c);
bool tlb_flush_page(struct cpu *c, uint64_t lin); /* true: blocks' translations may be stale */
/* The entry for a data access (ACC_R or ACC_W) at lin made as the access would make it (the
 * page walk sets the accessed and dirty bits, as the access then does): true when a lookup now
 * finds it with that access allowed and no slow mark (with bounded_ok, a TLB_BOUNDED one too:
 * its bounds are the caller's to check); false when the access must take the slow path (a
 * fault, MMIO, a page whose accesses all go that way). */
bool tlb_fill(struct cpu *c, uint64_t lin, int acc, int user, bool bounded_ok);
/* The CPUID table changed: MAXPHYADDR (the paging entries' reserved bits) again, TLB flushed. */
void mmu_cpuid_changed(struct cpu *c);

/* Effective address of a memory operand (ModRM/SIB/disp/RIP-relative), truncated to the
 * address size, plus the segment base (FS/GS in 64-bit mode, every segment otherwise);
 * checks canonical form (#GP or #SS) and 32-bit segment limits for `size` bytes. */
uint64_t insn_ea(struct cpu *c, const struct insn *i, unsigned size);
/* Offset only (LEA). */
uint64_t insn_offset(struct cpu *c, const struct insn *i);
/* The ModRM/SIB/disp/RIP-relative sum before truncation to the address size; inline for the
 * fast paths (64-bit addressing needs no truncation). */
static inline uint64_t ea_sum(const struct cpu *c, const struct insn *i)
{
    uint64_t a = (uint64_t)(int64_t)i->disp;
    if (i->base == R_RIP)
        a += i->rip + i->len;
    else if (i->base != R_NONE)
        a += c->r[i->base];
    if (i->index != R_NONE)
        a += c->r[i->index] << i->scale;
    return a;
}
/* Linear address of segment:offset for string instructions and the stack. */
uint64_t seg_linear(struct cpu *c, int seg, uint64_t off, unsigned size);

/* General registers by number with size (1/2/4/8). 8-bit numbers 16..19 = AH..BH.
 * Writes of size 4 zero the upper half (64-bit mode rule); 1 and 2 merge. */
static inline uint64_t reg_read(struct cpu *c, unsigned r, unsigned size)
{
    switch (size) {
    case 1: return r >= R_AH ? (uint8_t)(c->r[r - R_AH] >> 8) : (uint8_t)c->r[r];
    case 2: return (uint16_t)c->r[r];
    case 4: return (uint32_t)c->r[r];
    default: return c->r[r];
    }
}
static inline void reg_write(struct cpu *c, unsigned r, uint64_t v, unsigned size)
{
    switch (size) {
    case 1:
        if (r >= R_AH)
            c->r[r - R_AH] = (c->r[r - R_AH] & ~0xff00ull) | ((v & 0xff) << 8);
        else
            c->r[r] = (c->r[r] & ~0xffull) | (v & 0xff);
        break;
    case 2: c->r[r] = (c->r[r] & ~0xffffull) | (v & 0xffff); break;
    case 4: c->r[r] = (uint32_t)v; break;
    default: c->r[r] = v; break;
    }
}

/* E operand (register or memory) at size; G operand. */
uint64_t op_read_E(struct cpu *c, const struct insn *i, unsigned size);
void op_write_E(struct cpu *c, const struct insn *i, uint64_t v, unsigned size);
static inline uint64_t op_read_G(struct cpu *c, const struct insn *i, unsigned size)
{
    return reg_read(c, i->reg, size);
}
static inline void op_write_G(struct cpu *c, const struct insn *i, uint64_t v, unsigned size)
{
    reg_write(c, i->reg, v, size);
}

/* Stack (SS, stack-address size from mode/SS.B). push writes before moving RSP. */
void cpu_push(struct cpu *c, uint64_t v, unsigned size);
uint64_t cpu_pop(struct cpu *c, unsigned size);           /* reads, then moves RSP */
uint64_t cpu_peek(struct cpu *c, unsigned off, unsigned size); /* read at RSP+off, no move */

/* Next instruction's RIP, and branch helpers that set cpu->rip and end the block. */
static inline uint64_t insn_next(const struct insn *i) { return i->rip + i->len; }
void cpu_jump(struct cpu *c, uint64_t target); /* checks canonical/limit (#GP), sets rip, brk */
static inline void cpu_end_block(struct cpu *c, uint64_t next) { c->rip = next; c->brk = 1; }
/* The guest-physical page of TLB entry e of c. */
static inline uint64_t *tlb_pa(struct cpu *c, const struct tlb_entry *e) { return &c->tlb_page_pa[e - c->tlb[0]]; }

/* ---- flags (flags.c) ---- */
uint64_t flags_get(struct cpu *c);              /* full RFLAGS, arithmetic bits computed */
void flags_set(struct cpu *c, uint64_t rflags); /* all bits (caller masks what it may change) */
bool flags_cf(struct cpu *c);
bool flags_zf(struct cpu *c);
bool cond_eval(struct cpu *c, unsigned cc);     /* Jcc/SETcc/CMOVcc condition 0..15 */
static inline void lf_set(struct cpu *c, int op, unsigned size, uint64_t res, uint64_t s1, uint64_t s2)
{
    c->lf.op = (uint8_t)op;
    c->lf.size = (uint8_t)size;
    c->lf.res = res;
    c->lf.s1 = s1;
    c->lf.s2 = s2;
}
/* Set exactly the bits in mask to the values in v (materializes lazy flags first). */
void flags_update(struct cpu *c, uint32_t mask, uint32_t v);
uint32_t flags_parity(uint8_t v); /* F_PF if even number of set bits */

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}
static inline uint64_t size_sign(unsigned size) { return 1ull << (size * 8 - 1); }
/* Whether v is a canonical 48-bit address (bits 63..47 all equal). */
static inline bool cpu_canonical(uint64_t v) { return ((v + (1ull << 47)) >> 48) == 0; }
static inline int64_t sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - size * 8;
    return (int64_t)(v << sh) >> sh;
}

/* ---- CPUID lookup (sys) ---- */
void cpu_cpuid(struct cpu *c, uint32_t leaf, uint32_t sub, uint32_t out[4]);
bool cpu_has_feature(struct cpu *c, uint32_t leaf, int reg /*0..3 eax..edx*/, int bit);

/* ---- mode changes (exception.c / sys) ---- */
void cpu_update_mode(struct cpu *c); /* recompute mode and cpl after CR0/EFER/CS changes */
int seg_load(struct cpu *c, int s, uint16_t sel); /* protected-mode descriptor load; faults */

#endif
