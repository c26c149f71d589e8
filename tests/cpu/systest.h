/* systest.h: what the soft-CPU system tests share: guest layout, machine setup, vector checks. */
#ifndef SYSTEST_H
#define SYSTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "softcpu.h"

/* ---- guest-physical layout (identity-mapped with 4 KiB pages below 16 MiB) ---- */
#define RAM_SIZE (32ull << 20)
#define BOOTINFO 0x1000ull
#define GDT 0x2000ull
#define TSS 0x3000ull
#define PML4 0x4000ull
#define PDPT 0x5000ull
#define PD 0x6000ull
#define PT 0x7000ull     /* 8 page tables: 0x7000..0xefff cover 16 MiB */
#define IDT 0x10000ull
#define STUBS 0x11000ull /* 16 bytes per vector: HLT; JMP back */
#define KCODE 0x20000ull
#define UCODE 0x30000ull /* user */
#define KDATA 0x40000ull
#define UDATA 0x41000ull /* user RW */
#define RO 0x42000ull    /* user read-only */
#define NXPAGE 0x43000ull /* user, no-execute */
#define SUPER 0x44000ull /* supervisor only */
#define NOTP 0x45000ull  /* not present */
#define RSVD 0x46000ull  /* reserved bit set in the PTE */
#define KSTACK 0x51000ull /* top of TSS.RSP0 stack */
#define IST1 0x53000ull  /* top of IST1 stack */
#define USTACK 0x55000ull /* top of user stack */

#define SEL_KCODE 0x10
#define SEL_KDATA 0x18
#define SEL_UDATA 0x23
#define SEL_UCODE 0x2b
#define SEL_TSS 0x30

#define SNIPPET(n) extern const uint8_t n[], n##_end[]
SNIPPET(g_dr_store); SNIPPET(g_dr_load); SNIPPET(g_user_tf_syscall);
SNIPPET(g_hlt); SNIPPET(g_io); SNIPPET(g_load_rbx); SNIPPET(g_store_rbx); SNIPPET(g_jmp_rbx);
SNIPPET(g_ad); SNIPPET(g_two_loads); SNIPPET(g_invlpg_loads); SNIPPET(g_invlpg_call); SNIPPET(g_ud2); SNIPPET(g_int3); SNIPPET(g_int80);
SNIPPET(g_wrmsr); SNIPPET(g_rdmsr); SNIPPET(g_mov_cr4); SNIPPET(g_mov_from_cr3); SNIPPET(g_cli);
SNIPPET(g_out80); SNIPPET(g_push_on_rax); SNIPPET(g_user_syscall); SNIPPET(g_kentry_sysret);
SNIPPET(g_iret_user); SNIPPET(g_user_popf); SNIPPET(g_smc); SNIPPET(g_user_ac16); extern const uint8_t g_user_ac16_fault[]; SNIPPET(g_tf_chain); extern const uint8_t g_tf_chain_trap[]; SNIPPET(g_home_fault_a); SNIPPET(g_home_fault_b); SNIPPET(g_global_sp); SNIPPET(g_flag_links); SNIPPET(g_superblock); extern const uint8_t g_superblock_d[]; SNIPPET(g_superblock_loop); SNIPPET(g_redo_sub); SNIPPET(g_redo_add); SNIPPET(g_redo_cmp); SNIPPET(g_redo_xor); SNIPPET(g_redo_run); SNIPPET(g_flag_spin); SNIPPET(g_flag_loop); SNIPPET(g_rc_smc); SNIPPET(g_smc_chain); SNIPPET(g_smc_chain_mov); SNIPPET(g_mov_al_1); SNIPPET(g_spin);
SNIPPET(g_vmmcall); SNIPPET(g_outs); SNIPPET(g_hlt1); SNIPPET(g_real); SNIPPET(g_real_isr); SNIPPET(g_prot32); SNIPPET(g_tf); SNIPPET(g_sysmix); SNIPPET(g_user_ac); SNIPPET(g_lock_nop); SNIPPET(g_too_long); SNIPPET(g_loop); SNIPPET(g_swaploop);
SNIPPET(g_user_chain); SNIPPET(g_kentry_count);

extern uint8_t *ram;
extern struct scpu *cpu;
extern struct scpu_exit ex;
extern struct scpu_regs R;
extern struct scpu_sregs S;
extern const char *bootstrap_path;
extern char vector_why[256]; /* why at_vector said no */

void put64(uint64_t gpa, uint64_t v);
uint64_t get64(uint64_t gpa);
uint64_t *pte(uint64_t va);
void set_gate(int v, uint64_t target, unsigned dpl, unsigned ist, bool present);
void build_tables(void);
struct scpu_segment seg(uint16_t sel, uint8_t type, uint8_t dpl, bool l, bool db);
void machine(uint64_t rip, bool user);
unsigned run(void);
bool at_vector(int v);
uint64_t frame(int k);
bool have_opcode(unsigned map, unsigned op, unsigned reg);
/* run(), and how many of the instructions it ran were translated (*jit) */
unsigned run_jit(uint64_t *jit);
/* more than min of them were, when this host translates at all */
#define CHECK_JIT(jit, min) \
    CHECK(!scpu_translates(cpu) || (jit) > (min), "%lu instructions translated", (unsigned long)(jit))
#define LOAD(gpa, n) (memcpy(ram + (gpa), n, (size_t)(n##_end - n)), scpu_invalidate(cpu, gpa, 4096))

/* The checks are the harness's (CHECK, SKIP); this one wants the HLT in vector v's stub. */
#define EXPECT_VECTOR(v) CHECK(at_vector(v), "%s", vector_why)

struct systest {
    const char *name;
    void (*fn)(void);
};
/* systest_paging.c */
void t_pf_not_present(void);
void t_pf_write_ro(void);
void t_pf_user_super(void);
void t_pf_nx_fetch(void);
void t_pf_rsvd(void);
void t_wp(void);
void t_accessed_dirty(void);
void t_cross_store(void);
void t_large_pages(void);
void t_invlpg_large(void);
void t_invlpg_code(void);
void t_noncanonical(void);
void t_page_bitmaps(void);

extern const struct systest systest_cases[];
extern const unsigned systest_ncases;
/* systest_jit.c */
extern const struct systest jit_cases[];
extern const unsigned jit_ncases;
/* systest_bounds.c */
extern const struct systest bounds_cases[];
extern const unsigned bounds_ncases;

#endif
