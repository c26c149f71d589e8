/* systest_bounds.c: byte-precise bounds (scpu_set_bounds): user accesses through pages of the
 * checked range, in the interpreter and in translated code, against the rule in softcpu.h. */
#include <errno.h>
#include <stdlib.h>

#include "systest.h"

/* The ranges of BufferVM's heap checker (include/bvm_abi.h), though the CPU takes any. */
#define ALIAS 0x600000000000ull
#define ALIAS_END 0x700000000000ull
#define TABLE 0x700000000000ull
#define A(k) (ALIAS + (uint64_t)(k) * 4096)
#define A_NOTABLE 1024 /* A(1024)'s entry is on the second table page, which is not mapped */

/* Physical pages (free in systest's layout): the paging structures of both ranges, the table's
 * first page and the data pages behind the alias pages. */
#define B_PDPT 0x80000ull
#define B_PD 0x81000ull
#define B_PT 0x82000ull
#define B_PT2 0x83000ull /* A(1024).. */
#define T_PDPT 0x84000ull
#define T_PD 0x85000ull
#define T_PT 0x86000ull
#define T_PAGE 0x87000ull
#define DATA0 0x88000ull /* behind A(0) and A(1): two objects sharing a page */
#define DATA2 0x89000ull
#define DATA3 0x8a000ull
#define DATA4 0x8b000ull /* behind A(4) (no bounds), A(5) (executable), A(6) (read-only), A(1024) */
static const uint64_t alias_phys[] = {DATA0, DATA0, DATA2, DATA3, DATA4, DATA4, DATA4};
#define NALIAS (sizeof alias_phys / sizeof alias_phys[0])

#define ERR_R 0x25u /* P | U | PK */
#define ERR_W 0x27u /* P | W | U | PK */

SNIPPET(g_b_ld8); SNIPPET(g_b_ld16); SNIPPET(g_b_ld32); SNIPPET(g_b_ld64); SNIPPET(g_b_ld128); SNIPPET(g_b_ldq64); SNIPPET(g_b_ldhpd);
SNIPPET(g_b_lda128); SNIPPET(g_b_st8); SNIPPET(g_b_st16); SNIPPET(g_b_st32); SNIPPET(g_b_st64);
SNIPPET(g_b_st128); SNIPPET(g_b_add); SNIPPET(g_b_cmpxchg); SNIPPET(g_b_push); SNIPPET(g_b_pop);
SNIPPET(g_b_movsb); SNIPPET(g_b_movsq); SNIPPET(g_b_stosq); SNIPPET(g_b_cmpsb); SNIPPET(g_b_scasb);
SNIPPET(g_b_lodsq); SNIPPET(g_b_fxsave); SNIPPET(g_b_loop);

static uint64_t phys(uint64_t va)
{
    uint64_t k = (va - ALIAS) >> 12;
    return (k == A_NOTABLE ? DATA4 : alias_phys[k]) + (va & 4095);
}

static void set_bounds(unsigned k, unsigned lo, unsigned hi)
{
    uint32_t v = SCPU_BOUNDS_VALID | lo | hi << 13;
    memcpy(ram + T_PAGE + 4 * k, &v, 4);
}

/* The alias pages (user RW) and the table (supervisor only) on top of machine()'s tables, data
 * pages filled with a pattern, and the bounds every test starts from:
 * A(0) [16, 29), A(1) [32, 60) (the same physical page), A(2) [4000, 4096), A(3) [0, 100);
 * A(4) has no entry, A(5) allows one byte only (code is fetched from it), A(6) [0, 100) is
 * read-only. */
static unsigned string_nul; /* b_string_reads: not 0, where A(0)'s string ends */

static void bounds_map(void)
{
    put64(PML4 + 8 * ((ALIAS >> 39) & 511), B_PDPT | 7);
    put64(B_PDPT, B_PD | 7);
    put64(B_PD, B_PT | 7);
    put64(B_PD + 8 * ((A(A_NOTABLE) >> 21) & 511), B_PT2 | 7);
    for (unsigned k = 0; k < NALIAS; k++)
        put64(B_PT + 8 * k, alias_phys[k] | 0x67); /* dirty already: a read's fill allows writes */
    put64(B_PT + 8 * 6, DATA4 | 0x65);
    put64(B_PT2, DATA4 | 0x67);
    put64(PML4 + 8 * ((TABLE >> 39) & 511), T_PDPT | 3);
    put64(T_PDPT, T_PD | 3);
    put64(T_PD, T_PT | 3);
    put64(T_PT, T_PAGE | 3); /* T_PT[1] stays 0: the table's second page is not present */
    for (uint64_t p = DATA0; p < DATA4 + 4096; p++)
        ram[p] = (uint8_t)(p * 7 + 3);
    if (string_nul) { /* A(0) holds a string: 'x's, NUL at A(0) + string_nul */
        memset(ram + phys(A(0) + 16), 'x', 13);
        ram[phys(A(0) + string_nul)] = 0;
    }
    set_bounds(0, 16, 29);
    set_bounds(1, 32, 60);
    set_bounds(2, 4000, 4096);
    set_bounds(3, 0, 100);
    set_bounds(5, 0, 1);
    set_bounds(6, 0, 100);
}

/* Translated code checks bounds inline only on a TLB hit (a miss leaves the access to the
 * interpreter), so every snippet runs after a prologue that reads through %r15 (filling the TLB
 * entry of the page the test is about) and ends its block: the snippet is a block of its own. */
static const uint8_t warm_prologue[] = {0x4d, 0x8b, 0x37, 0xeb, 0x00}; /* mov (%r15),%r14; jmp .+2 */
#define ACCESS_RIP (UCODE + sizeof warm_prologue)

/* An address the bounds of va's page allow (the page's start when it has none). */
static uint64_t warm_addr(uint64_t va)
{
    uint64_t k = (va - ALIAS) >> 12;
    uint32_t v = 0;
    if (k < 1024)
        memcpy(&v, ram + T_PAGE + 4 * k, 4);
    return (va & ~4095ull) + ((v & SCPU_BOUNDS_VALID) ? (v & 0x1fff) : 0);
}

/* Fresh user machine at UCODE running the prologue and code, the alias pages mapped; the
 * prologue warms A(0) unless the test sets %r15 otherwise. */
static void bsetup(const uint8_t *code, const uint8_t *end)
{
    machine(UCODE, true);
    memcpy(ram + UCODE, warm_prologue, sizeof warm_prologue);
    memcpy(ram + ACCESS_RIP, code, (size_t)(end - code));
    scpu_invalidate(cpu, UCODE, 4096);
    bounds_map();
    R.r15 = warm_addr(A(0));
}
#define BSETUP(n) bsetup(n, n##_end)

static uint8_t before[DATA4 + 4096 - DATA0]; /* the data pages before the run */

static void bgo(void)
{
    memcpy(before, ram + DATA0, sizeof before);
    scpu_set_regs(cpu, &R);
    run();
}

/* A #PF at the snippet's first instruction with CR2 = cr2 and error code err. */
static void expect_pf(uint64_t cr2, unsigned err)
{
    EXPECT_VECTOR(14);
    CHECK(S.cr2 == cr2 && frame(0) == err && frame(1) == ACCESS_RIP, "#PF cr2 %#lx err %#lx rip %#lx, want %#lx %#x %#lx",
          (unsigned long)S.cr2, (unsigned long)frame(0), (unsigned long)frame(1), (unsigned long)cr2, err,
          (unsigned long)ACCESS_RIP);
}

/* Run; expect the snippet to complete (err 0: the #UD of its UD2) or a #PF at its first
 * instruction (expect_pf) that left the data pages as they were. */
static void brun(const uint8_t *code, const uint8_t *end, uint64_t cr2, unsigned err)
{
    bgo();
    if (!err) {
        EXPECT_VECTOR(6);
        CHECK(frame(0) == ACCESS_RIP + (uint64_t)(end - code) - 2, "stopped at %#lx, want the UD2",
              (unsigned long)frame(0)); /* #UD pushes no error code */
        return;
    }
    expect_pf(cr2, err);
    CHECK(!memcmp(before, ram + DATA0, sizeof before), "a faulting access wrote memory");
}
#define BRUN(n, cr2, err) brun(n, n##_end, cr2, err)

/* One access through %rbx at addr: completes (err 0) or faults with CR2 = addr. A load that
 * completes got the bytes at addr; a store that completes wrote %rax's (or %xmm0's). */
static void access1(const uint8_t *code, const uint8_t *end, unsigned size, bool store, uint64_t addr, unsigned err)
{
    static const uint8_t val[16] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
                                    0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8};
    struct scpu_fpu f;
    bsetup(code, end);
    R.rbx = addr;
    R.r15 = warm_addr(addr);
    memcpy(&R.rax, val, 8);
    scpu_get_fpu(cpu, &f);
    memcpy(f.fxsave + 160, val, 16); /* xmm0 */
    scpu_set_fpu(cpu, &f);
    uint8_t want[16];
    memcpy(want, store ? val : ram + phys(addr), size);
    brun(code, end, addr, err);
    if (test_now != TEST_PASS)
        return;
    if (err) {
        CHECK(R.rax == 0xa8a7a6a5a4a3a2a1ull, "rax changed by a faulting access: %#lx", (unsigned long)R.rax);
        return;
    }
    uint8_t got[16];
    if (store) {
        memcpy(got, ram + phys(addr), size);
    } else if (size == 16) {
        scpu_get_fpu(cpu, &f);
        memcpy(got, f.fxsave + 160, 16);
    } else {
        memcpy(got, &R.rax, size);
    }
    CHECK(!memcmp(got, want, size), "%u-byte %s at %#lx moved the wrong bytes", size, store ? "store" : "load",
          (unsigned long)addr);
}
#define LOAD_AT(n, size, addr, err) access1(n, n##_end, size, false, addr, err)
#define STORE_AT(n, size, addr, err) access1(n, n##_end, size, true, addr, err)

/* ---- the cases: each runs on an interpreting CPU and on a translating one ---- */

/* Every size at the edges of A(0) [16, 29); reads only, no alignment exception applies. */
static void b_loads(void)
{
    LOAD_AT(g_b_ld8, 1, A(0) + 16, 0);
    LOAD_AT(g_b_ld8, 1, A(0) + 28, 0);
    LOAD_AT(g_b_ld8, 1, A(0) + 29, ERR_R);
    LOAD_AT(g_b_ld8, 1, A(0) + 15, ERR_R);
    LOAD_AT(g_b_ld16, 2, A(0) + 27, 0);
    LOAD_AT(g_b_ld16, 2, A(0) + 28, ERR_R);
    LOAD_AT(g_b_ld16, 2, A(0) + 15, ERR_R);
    LOAD_AT(g_b_ld32, 4, A(0) + 25, 0);
    LOAD_AT(g_b_ld32, 4, A(0) + 26, ERR_R);
    LOAD_AT(g_b_ld32, 4, A(0) + 28, ERR_R); /* aligned, but 4 is no partial-read size */
    LOAD_AT(g_b_ld64, 8, A(0) + 21, 0);
    LOAD_AT(g_b_ld64, 8, A(0) + 22, ERR_R);
    LOAD_AT(g_b_ld64, 8, A(0) + 15, ERR_R);
    LOAD_AT(g_b_ld128, 16, A(1) + 44, 0); /* A(1): [32, 60) */
    LOAD_AT(g_b_ld128, 16, A(1) + 45, ERR_R);
    LOAD_AT(g_b_ld128, 16, A(1) + 31, ERR_R);
    /* the same physical bytes through the other object's alias page */
    LOAD_AT(g_b_ld8, 1, A(1) + 16, ERR_R);
    LOAD_AT(g_b_ld8, 1, A(0) + 40, ERR_R);
    /* the top of a page: hi = 4096 */
    LOAD_AT(g_b_ld64, 8, A(2) + 4088, 0);
    LOAD_AT(g_b_ld8, 1, A(2) + 3999, ERR_R);
}

/* Aligned reads of 8 and 16 bytes need only overlap the bounds; unaligned ones do not. */
static void b_partial_reads(void)
{
    LOAD_AT(g_b_ld64, 8, A(0) + 24, 0);        /* [24, 32) over hi = 29 */
    LOAD_AT(g_b_ld64, 8, A(0) + 8, ERR_R);     /* [8, 16): touches nothing of [16, 29) */
    LOAD_AT(g_b_ld64, 8, A(0) + 32, ERR_R);
    LOAD_AT(g_b_ld64, 8, A(0) + 23, ERR_R);    /* unaligned over hi */
    LOAD_AT(g_b_ld128, 16, A(0) + 16, 0);      /* movdqu at an aligned address: [16, 32) */
    LOAD_AT(g_b_lda128, 16, A(0) + 16, 0);
    LOAD_AT(g_b_ld128, 16, A(0) + 17, ERR_R);
    LOAD_AT(g_b_lda128, 16, A(1) + 48, 0);     /* [48, 64) over hi = 60 */
    LOAD_AT(g_b_lda128, 16, A(1) + 16, ERR_R); /* [16, 32) ends where [32, 60) starts */
}

/* SCPU_BOUNDS_VEC_WINDOW: an aligned vector read needs only its 64-byte window to overlap (glibc's
 * SSE2 strlen reads A(0)'s window [0, 64) as four 16-byte loads); general-register qwords must overlap. */
static void b_vec_window(void)
{
    CHECK(scpu_set_bounds(cpu, ALIAS, ALIAS_END, TABLE, SCPU_BOUNDS_VEC_WINDOW) == 0, "flag refused");
    LOAD_AT(g_b_lda128, 16, A(0) + 0, 0);      /* [0, 16): before lo = 16, same window */
    LOAD_AT(g_b_lda128, 16, A(0) + 48, 0);     /* [48, 64): after hi = 29, same window */
    LOAD_AT(g_b_lda128, 16, A(0) + 64, ERR_R); /* the next window */
    LOAD_AT(g_b_lda128, 16, A(1) + 16, 0);     /* [16, 32): A(1)'s object starts at 32, same window */
    LOAD_AT(g_b_ld128, 16, A(0) + 4, ERR_R);   /* unaligned */
    LOAD_AT(g_b_ld64, 8, A(0) + 8, ERR_R);     /* a general-register qword must overlap */
    LOAD_AT(g_b_ld64, 8, A(0) + 24, 0);
    LOAD_AT(g_b_ldhpd, 8, A(0) + 40, 0);       /* a vector qword: its window suffices */
    LOAD_AT(g_b_ldq64, 8, A(0) + 8, 0);
    LOAD_AT(g_b_ldq64, 8, A(0) + 64, ERR_R);   /* not the next window */
    LOAD_AT(g_b_ldq64, 8, A(0) + 44, ERR_R);   /* unaligned */
    STORE_AT(g_b_st128, 16, A(0) + 0, ERR_W);  /* writes never */
}

/* SCPU_BOUNDS_VEC_WINDOW: past a NUL in the bounds, a string function's read unit may run on
 * (A(0) = [16, 29) holds 'x's and a NUL at 27; the 'x' at 28 is in bounds too). */
static void b_string_reads(void)
{
    CHECK(scpu_set_bounds(cpu, ALIAS, ALIAS_END, TABLE, SCPU_BOUNDS_VEC_WINDOW) == 0, "flag refused");
    string_nul = 27;
    LOAD_AT(g_b_ld128, 16, A(0) + 17, 0);     /* [17, 33): unaligned, the NUL inside */
    LOAD_AT(g_b_ld128, 16, A(0) + 29, 0);     /* just past the bounds, the NUL within 64 before */
    LOAD_AT(g_b_ldhpd, 8, A(0) + 33, 0);      /* strcmp's upper half */
    LOAD_AT(g_b_ld128, 16, A(0) + 93, ERR_R); /* more than 64 bytes on */
    LOAD_AT(g_b_ld8, 1, A(0) + 29, 0);        /* a byte in the NUL's aligned word [24, 32) */
    LOAD_AT(g_b_ld16, 2, A(0) + 30, 0);
    LOAD_AT(g_b_ld8, 1, A(0) + 32, ERR_R);    /* the next word */
    LOAD_AT(g_b_ld16, 2, A(0) + 31, ERR_R);   /* crossing into it */
    STORE_AT(g_b_st8, 1, A(0) + 29, ERR_W);   /* writes never */
    string_nul = 12;                          /* a NUL before the bounds does not count */
    LOAD_AT(g_b_ld128, 16, A(0) + 17, ERR_R);
    LOAD_AT(g_b_ld8, 1, A(0) + 29, ERR_R);
    string_nul = 0;                           /* no NUL: no string */
    LOAD_AT(g_b_ld128, 16, A(0) + 17, ERR_R);
    LOAD_AT(g_b_ld8, 1, A(0) + 29, ERR_R);
    CHECK(scpu_set_bounds(cpu, ALIAS, ALIAS_END, TABLE, 0) == 0, "flag not cleared");
    string_nul = 27;                          /* without the flag, strict */
    LOAD_AT(g_b_ld128, 16, A(0) + 17, ERR_R);
    LOAD_AT(g_b_ld8, 1, A(0) + 29, ERR_R);
    string_nul = 0;
}

/* Writes must lie wholly inside, aligned or not. */
static void b_stores(void)
{
    STORE_AT(g_b_st8, 1, A(0) + 28, 0);
    STORE_AT(g_b_st8, 1, A(0) + 29, ERR_W);
    STORE_AT(g_b_st8, 1, A(0) + 15, ERR_W);
    STORE_AT(g_b_st16, 2, A(0) + 27, 0);
    STORE_AT(g_b_st16, 2, A(0) + 28, ERR_W);
    STORE_AT(g_b_st32, 4, A(0) + 25, 0);
    STORE_AT(g_b_st32, 4, A(0) + 26, ERR_W);
    STORE_AT(g_b_st64, 8, A(0) + 21, 0);
    STORE_AT(g_b_st64, 8, A(0) + 24, ERR_W); /* aligned: a write gets no partial exception */
    STORE_AT(g_b_st64, 8, A(0) + 14, ERR_W);
    STORE_AT(g_b_st128, 16, A(1) + 44, 0);
    STORE_AT(g_b_st128, 16, A(1) + 48, ERR_W);
    STORE_AT(g_b_st64, 8, A(2) + 4088, 0);
    /* in bounds but read-only: the page's own protection fault, without PK */
    STORE_AT(g_b_st64, 8, A(6) + 8, 7);
    LOAD_AT(g_b_ld64, 8, A(6) + 8, 0);
}

/* An access crossing from A(2) [4000, 4096) into A(3) is checked against both pages. */
static void b_crossing(void)
{
    LOAD_AT(g_b_ld64, 8, A(2) + 4092, 0);
    STORE_AT(g_b_st64, 8, A(2) + 4092, 0);
    STORE_AT(g_b_st128, 16, A(2) + 4090, 0);
    bsetup(g_b_st64, g_b_st64_end);
    set_bounds(3, 8, 100); /* the second page's part is now outside: CR2 = the access's start */
    R.rbx = A(2) + 4092;
    BRUN(g_b_st64, A(2) + 4092, ERR_W);
    bsetup(g_b_ld64, g_b_ld64_end);
    set_bounds(3, 8, 100);
    R.rbx = A(2) + 4092;
    BRUN(g_b_ld64, A(2) + 4092, ERR_R);
    bsetup(g_b_ld64, g_b_ld64_end);
    set_bounds(2, 4000, 4094); /* now the first page's part */
    R.rbx = A(2) + 4092;
    BRUN(g_b_ld64, A(2) + 4092, ERR_R);
}

/* Read-modify-write, locked or not, faults as a write; the stack through an alias page too. */
static void b_rmw_stack(void)
{
    STORE_AT(g_b_add, 8, A(0) + 24, ERR_W);
    STORE_AT(g_b_cmpxchg, 8, A(0) + 22, ERR_W);
    BSETUP(g_b_add);
    R.rbx = A(0) + 21;
    R.rax = 5;
    uint64_t old = get64(phys(A(0) + 21));
    BRUN(g_b_add, 0, 0);
    CHECK(get64(phys(A(0) + 21)) == old + 5, "add to memory lost");
    BSETUP(g_b_push);
    R.rsp = A(0) + 32; /* the slot [24, 32) */
    BRUN(g_b_push, A(0) + 24, ERR_W);
    CHECK(frame(4) == A(0) + 32, "rsp %#lx after the faulting push", (unsigned long)frame(4));
    BSETUP(g_b_push);
    R.rsp = A(0) + 29;
    BRUN(g_b_push, 0, 0);
    BSETUP(g_b_pop);
    R.rsp = A(0) + 24; /* an aligned qword over hi: allowed */
    BRUN(g_b_pop, 0, 0);
    BSETUP(g_b_pop);
    R.rsp = A(0) + 22;
    BRUN(g_b_pop, A(0) + 22, ERR_R);
    CHECK(frame(4) == A(0) + 22, "rsp %#lx after the faulting pop", (unsigned long)frame(4));
    /* FXSAVE's 512 bytes into a 500-byte object: the probe of its last byte faults first */
    BSETUP(g_b_fxsave);
    set_bounds(3, 0, 500);
    R.rbx = A(3);
    BRUN(g_b_fxsave, A(3) + 511, ERR_W);
    BSETUP(g_b_fxsave);
    set_bounds(3, 0, 512);
    R.rbx = A(3);
    BRUN(g_b_fxsave, 0, 0);
}

/* State after a string instruction faulted at an element: RCX/RSI/RDI count the elements done. */
static void expect_string(uint64_t rcx, uint64_t rsi, uint64_t rdi)
{
    CHECK(R.rcx == rcx && R.rsi == rsi && R.rdi == rdi, "rcx %#lx rsi %#lx rdi %#lx, want %#lx %#lx %#lx",
          (unsigned long)R.rcx, (unsigned long)R.rsi, (unsigned long)R.rdi, (unsigned long)rcx,
          (unsigned long)rsi, (unsigned long)rdi);
}

/* A REP string instruction: each element is an access of its own (the run is left to the
 * element-by-element path where bounds cut it), a fault names its element. */
static void b_strings(void)
{
    /* a whole object copied: the page runs stay whole */
    BSETUP(g_b_movsb);
    R.rsi = A(0) + 16, R.rdi = A(1) + 32, R.rcx = 13;
    BRUN(g_b_movsb, 0, 0);
    CHECK(!memcmp(ram + phys(A(1) + 32), ram + phys(A(0) + 16), 13), "copy lost");
    /* the destination A(0) [16, 29) ends after 13 of 20 bytes */
    BSETUP(g_b_movsb);
    R.rsi = A(1) + 32, R.rdi = A(0) + 16, R.rcx = 20;
    bgo();
    expect_pf(A(0) + 29, ERR_W);
    expect_string(7, A(1) + 45, A(0) + 29);
    CHECK(!memcmp(ram + phys(A(0) + 16), before + (phys(A(1) + 32) - DATA0), 13) &&
              ram[phys(A(0) + 29)] == before[phys(A(0) + 29) - DATA0],
          "movsb dst: not exactly the 13 bytes in bounds copied");
    /* the source runs off */
    BSETUP(g_b_movsb);
    R.rsi = A(0) + 16, R.rdi = A(1) + 32, R.rcx = 20;
    bgo();
    expect_pf(A(0) + 29, ERR_R);
    expect_string(7, A(0) + 29, A(1) + 45);
    /* downwards (DF = 1) from A(0) + 20: 5 bytes, then 15 is below lo */
    BSETUP(g_b_movsb);
    R.rsi = A(1) + 50, R.rdi = A(0) + 20, R.rcx = 10, R.rflags |= 0x400;
    bgo();
    expect_pf(A(0) + 15, ERR_W);
    expect_string(5, A(1) + 45, A(0) + 15);
    /* stosq into A(1) [32, 60): 32 40 48, then [56, 64) crosses hi */
    BSETUP(g_b_stosq);
    R.rdi = A(1) + 32, R.rcx = 10, R.rax = 0x5555555555555555ull, R.r15 = warm_addr(A(1));
    bgo();
    expect_pf(A(1) + 56, ERR_W);
    expect_string(7, 0, A(1) + 56);
    CHECK(get64(phys(A(1) + 48)) == 0x5555555555555555ull && get64(phys(A(1) + 56)) != 0x5555555555555555ull,
          "stosq: stored up to the wrong element");
    /* movsq: the source's second element [24, 32) is an aligned partial read, the third faults */
    BSETUP(g_b_movsq);
    R.rsi = A(0) + 16, R.rdi = A(1) + 32, R.rcx = 3;
    bgo();
    expect_pf(A(0) + 32, ERR_R);
    expect_string(1, A(0) + 32, A(1) + 48);
    /* lodsq likewise */
    BSETUP(g_b_lodsq);
    R.rsi = A(0) + 16, R.rcx = 5;
    bgo();
    expect_pf(A(0) + 32, ERR_R);
    expect_string(3, A(0) + 32, 0);
    /* repe cmpsb over equal bytes: the source A(0) runs off after 13 (the destination is read first) */
    BSETUP(g_b_cmpsb);
    memmove(ram + phys(A(1) + 32), ram + phys(A(0) + 16), 20);
    R.rsi = A(0) + 16, R.rdi = A(1) + 32, R.rcx = 20;
    bgo();
    expect_pf(A(0) + 29, ERR_R);
    expect_string(7, A(0) + 29, A(1) + 45);
    /* repne scasb looking for a byte the object lacks (strlen without a terminator) */
    BSETUP(g_b_scasb);
    memset(ram + phys(A(0) + 16), 'x', 13);
    R.rdi = A(0) + 16, R.rcx = 100, R.rax = 0;
    bgo();
    expect_pf(A(0) + 29, ERR_R);
    expect_string(87, 0, A(0) + 29);
}

/* No entry, an unmapped table page, supervisor accesses, fetches, bounds off: unrestricted. */
static void b_unrestricted(void)
{
    LOAD_AT(g_b_ld64, 8, A(4) + 4088, 0);
    STORE_AT(g_b_st64, 8, A(4) + 3, 0);
    LOAD_AT(g_b_ld8, 1, A(A_NOTABLE) + 100, 0);
    STORE_AT(g_b_st128, 16, A(A_NOTABLE) + 4000, 0);
    /* code in A(5), whose bounds allow one byte: fetching it is not a data access */
    BSETUP(g_jmp_rbx);
    static const uint8_t ud2[] = {0x0f, 0x0b};
    memcpy(ram + phys(A(5) + 0x100), ud2, 2);
    scpu_invalidate(cpu, phys(A(5)), 4096);
    R.rbx = A(5) + 0x100;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(6);
    CHECK(frame(0) == A(5) + 0x100, "fetch from a bounded page: stopped at %#lx", (unsigned long)frame(0));
    /* the kernel reads outside an object */
    machine(KCODE, false);
    LOAD(KCODE, g_load_rbx);
    bounds_map();
    R.rbx = A(0) + 100;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT && R.rax == get64(phys(A(0) + 100)), "supervisor read: exit %u rip %#lx",
          ex.reason, (unsigned long)R.rip);
    /* bounds off */
    CHECK(scpu_set_bounds(cpu, 0, 0, 0, 0) == 0, "turning bounds off");
    LOAD_AT(g_b_ld64, 8, A(0) + 100, 0);
    CHECK(scpu_set_bounds(cpu, ALIAS, ALIAS_END, TABLE, 0) == 0, "turning bounds on");
    CHECK(scpu_set_bounds(cpu, ALIAS + 1, ALIAS_END, TABLE, 0) == -EINVAL &&
              scpu_set_bounds(cpu, ALIAS, ALIAS_END, (1ull << 47) - 16, 0) == -EINVAL &&
              scpu_set_bounds(cpu, ALIAS, ALIAS_END, TABLE, 2) == -EINVAL, "bad arguments accepted");
}

/* Many rounds of accesses within bounds, at their edges (a qword ending at hi, 16 bytes from lo):
 * a translating CPU runs nearly all of them as host code (the inline bounds check). */
static void b_loop(void)
{
    struct scpu_stats a, b;
    BSETUP(g_b_loop);
    R.rbx = A(0) + 21, R.rdx = A(1) + 32, R.rcx = 20000;
    uint64_t old = get64(phys(A(0) + 21));
    scpu_get_stats(cpu, &a);
    BRUN(g_b_loop, 0, 0);
    scpu_get_stats(cpu, &b);
    uint64_t v = old;
    for (int k = 0; k < 20000; k++) { /* the byte store lands on the qword's top byte */
        v++;
        v = (v & ~(0xffull << 56)) | (v & 0xff) << 56;
    }
    CHECK(get64(phys(A(0) + 21)) == v, "loop result %#lx, want %#lx", (unsigned long)get64(phys(A(0) + 21)),
          (unsigned long)v);
    uint64_t exe = b.insns_executed - a.insns_executed, jit = b.insns_jit - a.insns_jit;
    CHECK(exe >= 140000, "executed %lu", (unsigned long)exe);
    CHECK(!scpu_translates(cpu) || jit * 100 >= exe * 99, "translated %lu of %lu executed",
          (unsigned long)jit, (unsigned long)exe);
}

/* ---- one CPU per way of running: the interpreter alone, or translating every block on its first run ---- */

static struct scpu *bounds_cpu(bool jit)
{
    static const struct scpu_cpuid_entry id[] = {{0x80000008, 0, 0, 0x3030, 0, 0, 0}};
    const char *var = jit ? "BVM_SOFT_JIT_HOT" : "BVM_SOFT_JIT";
    setenv(var, jit ? "1" : "0", 1);
    struct scpu *c = scpu_create();
    unsetenv(var);
    if (!c || scpu_set_memory_region(c, 0, 0, RAM_SIZE, ram) || scpu_set_cpuid(c, id, 1) ||
        scpu_set_bounds(c, ALIAS, ALIAS_END, TABLE, 0)) {
        fprintf(stderr, "systest: bounds CPU setup failed\n");
        exit(2);
    }
    return c;
}

static void with_cpu(bool jit, void (*fn)(void))
{
    struct scpu *saved = cpu;
    cpu = bounds_cpu(jit);
    bool skip = jit && !scpu_translates(cpu);
    if (!skip)
        fn();
    scpu_destroy(cpu);
    cpu = saved;
    if (skip)
        SKIP("this host gets no translation (BVM_SOFT_JIT=0 or no LAHF in 64-bit mode)");
}

#define BOTH(fn)                                                                                             \
    static void fn##_interp(void) { with_cpu(false, fn); }                                                  \
    static void fn##_jit(void) { with_cpu(true, fn); }
BOTH(b_loads) BOTH(b_partial_reads) BOTH(b_stores) BOTH(b_crossing) BOTH(b_rmw_stack) BOTH(b_strings)
BOTH(b_unrestricted) BOTH(b_loop) BOTH(b_vec_window) BOTH(b_string_reads)
#define CASES(name, fn) {"sys_bounds_" name "_interp", fn##_interp}, {"sys_bounds_" name "_jit", fn##_jit}

const struct systest bounds_cases[] = {
    CASES("loads", b_loads),
    CASES("partial_aligned_reads", b_partial_reads),
    CASES("vector_read_window", b_vec_window),
    CASES("string_reads", b_string_reads),
    CASES("stores", b_stores),
    CASES("page_crossing", b_crossing),
    CASES("rmw_stack_fxsave", b_rmw_stack),
    CASES("rep_strings", b_strings),
    CASES("unrestricted", b_unrestricted),
    CASES("loop_in_bounds", b_loop),
};
const unsigned bounds_ncases = sizeof bounds_cases / sizeof bounds_cases[0];
