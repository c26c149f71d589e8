/* difftest_stack.c: cases for the translator's stack runs (softcpu/jit_stack.c): random mixes of
 * push, pop, call, ret, stack-pointer arithmetic, mov rbp, rsp and loads and stores at [rsp + d]
 * and [rbp + d], struct-like ones at [rsi + d] (rsi stepping by 8) and short rep stos there, with
 * flag writers and readers between them (add, rol, adc, cmov, inc), looped three times (the
 * first pass fills the TLB, the later ones take the grouped accesses), and the stack pointer
 * placed anywhere: mid-page, across the boundary of the two RW pages, just above the unmapped
 * page below them, just below the read-only page above them (faults in the middle of a run). */
#include <stdbool.h>
#include <string.h>

#include "difftest.h"

struct code {
    uint8_t *p;
    unsigned len, cap;
};

static void put(struct code *c, const uint8_t *b, unsigned n)
{
    if (c->len + n <= c->cap)
        memcpy(c->p + c->len, b, n);
    c->len += n;
}

#define PUT(c, ...) put(c, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

/* a general register the sequence may write: not rsp, rsi (a base for struct-like accesses) or
 * r15 (the loop counter) */
static unsigned any_reg(struct rng *r)
{
    static const uint8_t regs[] = {0, 1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14};
    return regs[rng_below(r, sizeof regs)];
}

/* REX (W: 64-bit operand) with ModRM.reg = g and ModRM.rm = b's high bits */
static uint8_t rex(bool w, unsigned g, unsigned b) { return (uint8_t)(0x40 | (w ? 8 : 0) | (g > 7 ? 4 : 0) | (b > 7 ? 1 : 0)); }
static uint8_t rexw(unsigned g, unsigned b) { return rex(true, g, b); }

/* op reg, [base + d8] (base rsp, rbp or rsi), REX.W unless w is false; op2: a second opcode
 * byte after 0F, or 0 */
static void mem_op3(struct code *c, bool w, uint8_t op, uint8_t op2, unsigned g, unsigned base, int8_t d)
{
    PUT(c, rex(w, g, 0), op);
    if (op2)
        PUT(c, op2);
    if (base == 4)
        PUT(c, (uint8_t)(0x44 | (g & 7) << 3), 0x24, (uint8_t)d);
    else
        PUT(c, (uint8_t)(0x40 | (g & 7) << 3 | base), (uint8_t)d);
}

static void mem_op(struct code *c, uint8_t op, unsigned g, unsigned base, int8_t d) { mem_op3(c, true, op, 0, g, base, d); }

/* One instruction of a run; *rbp_ok: rbp points into the stack (set by mov rbp, rsp). */
static void one(struct rng *r, struct code *c, int *rbp_ok, uint64_t next_rip)
{
    unsigned g = any_reg(r), base = rng_below(r, 3) == 0 ? 6 : *rbp_ok && rng_below(r, 2) ? 5 : 4;
    int8_t d = (int8_t)(8 * (int)rng_below(r, 12) - 16 + (int)rng_below(r, 4) * (rng_below(r, 4) == 0));
    switch (rng_below(r, 22)) {
    case 0: case 1: case 2:
        if (g > 7)
            PUT(c, 0x41);
        PUT(c, (uint8_t)(0x50 + (g & 7))); /* push */
        break;
    case 3: case 4:
        if (g > 7)
            PUT(c, 0x41);
        PUT(c, (uint8_t)(0x58 + (g & 7))); /* pop */
        *rbp_ok &= g != 5;
        break;
    case 5: PUT(c, 0x6a, (uint8_t)rng_next(r)); break; /* push imm8 */
    case 6: mem_op(c, 0x89, g, base, d); break;          /* mov [base + d], r */
    case 7: mem_op(c, 0x8b, g, base, d); *rbp_ok &= g != 5; break; /* mov r, [base + d] */
    case 8: PUT(c, 0x48, 0x89, 0xe5); *rbp_ok = 1; break; /* mov rbp, rsp */
    case 9: PUT(c, 0x48, 0x83, rng_below(r, 2) ? 0xec : 0xc4, (uint8_t)(8 * rng_below(r, 6))); break; /* sub/add rsp */
    case 10: PUT(c, 0x48, 0x8d, 0x64, 0x24, (uint8_t)(int8_t)(8 * ((int)rng_below(r, 5) - 2))); break; /* lea rsp, [rsp + d] */
    case 11: mem_op(c, 0x01, g, base, d); *rbp_ok &= g != 5; break; /* add [base + d], r: flags */
    case 12: PUT(c, rexw(g, 3), 0x01, (uint8_t)(0xc0 | (g & 7) << 3 | 3)); break; /* add rbx, r: flags */
    case 13: /* movzx r64, byte [base + d]; mov dword [base + d], imm32; mov word [base + d], r16 */
        if (rng_below(r, 3) == 0) {
            mem_op3(c, true, 0x0f, 0xb6, g, base, d);
            *rbp_ok &= g != 5;
        } else if (rng_below(r, 2)) {
            PUT(c, 0x66), mem_op3(c, false, 0x89, 0, g, base, d);
        } else if (base == 4) {
            PUT(c, 0xc7, 0x44, 0x24, (uint8_t)d, 1, 2, 3, 4);
        } else {
            PUT(c, 0xc7, (uint8_t)(0x40 | base), (uint8_t)d, 1, 2, 3, 4);
        }
        break;
    case 14: PUT(c, 0xe8, 0, 0, 0, 0); break;            /* call the next instruction */
    case 15: { /* lea rdi, [rsi + d]; mov ecx, n; rep stos (b, w, d or q) */
        static const uint8_t forms[4][3] = {{0xf3, 0xaa}, {0xf3, 0xab}, {0xf3, 0x48, 0xab}, {0x66, 0xf3, 0xab}};
        unsigned f = (unsigned)rng_below(r, 4);
        PUT(c, 0x48, 0x8d, 0x7e, (uint8_t)d, 0xb9, (uint8_t)rng_below(r, 40), 0, 0, 0);
        put(c, forms[f], f >= 2 ? 3 : 2);
        break;
    }
    case 16: PUT(c, rexw(0, g), 0xc1, (uint8_t)(0xc0 | (g & 7)), (uint8_t)rng_below(r, 64)); break; /* rol r, imm: keeps flags */
    case 17: mem_op(c, 0x13, g, base, d); *rbp_ok &= g != 5; break;                 /* adc r, [base + d]: reads CF */
    case 18: mem_op3(c, true, 0x0f, 0x45, g, base, d); *rbp_ok &= g != 5; break;     /* cmovne r, [base + d] */
    case 19: mem_op(c, 0xff, 0, base, d); break;                                     /* inc qword [base + d] */
    case 20: PUT(c, 0x48, 0x83, rng_below(r, 2) ? 0xc6 : 0xee, 8); break;            /* add/sub rsi, 8 */
    default: /* push the address after the ret, ret */
        PUT(c, 0x68), put(c, (const uint8_t *)&(uint32_t){(uint32_t)(next_rip + 6)}, 4), PUT(c, 0xc3);
        break;
    }
}

/* A case: the run's instructions looped three times (r15 counts), rsp somewhere near trouble. */
void gen_stack_case(struct rng *r, struct dt_case *tc)
{
    static const uint64_t spots[] = {0x800, 0x1000, 0x1000, 0x40, 0x2000, 0x1ff8, 0x1008};
    struct code c = {tc->code, 0, sizeof tc->code - 8};
    gen_state(r, tc);
    tc->in.r[R_SP] = DT_SCRATCH + spots[rng_below(r, sizeof spots / sizeof spots[0])] +
                     8 * (rng_below(r, 24) - 12) + (rng_below(r, 8) == 0 ? rng_below(r, 8) : 0);
    tc->in.r[R_SI] = DT_SCRATCH + spots[rng_below(r, sizeof spots / sizeof spots[0])] + rng_below(r, 64) - 32;
    tc->in.r[15] = 3;
    int rbp_ok = 0;
    unsigned n = 2 + (unsigned)rng_below(r, 14);
    for (unsigned k = 0; k < n && c.len + 16 < c.cap; k++)
        one(r, &c, &rbp_ok, DT_INSN + c.len);
    PUT(&c, 0x49, 0xff, 0xcf);                           /* dec r15 */
    int32_t back = -(int32_t)(c.len + 6);
    PUT(&c, 0x0f, 0x85), put(&c, (const uint8_t *)&back, 4); /* jnz to the start */
    tc->len = c.len;
}
