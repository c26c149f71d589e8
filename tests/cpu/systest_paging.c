/* systest_paging.c: paging test cases: #PF error codes and CR2, U/S W NX WP, A/D bits, large pages. */
#include "systest.h"

/* ---- paging faults: error code, CR2, pushed RIP, RSP0 stack switch from ring 3 ---- */

/* User code at UCODE touching addr through %rbx; expect #PF with err and CR2. */
static void user_pf(const uint8_t *code, size_t len, uint64_t addr, uint64_t err, uint64_t rip)
{
    machine(UCODE, true);
    memcpy(ram + UCODE, code, len);
    scpu_invalidate(cpu, UCODE, len);
    R.rbx = addr;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(14);
    CHECK(S.cr2 == addr, "cr2 %#lx, want %#lx", (unsigned long)S.cr2, (unsigned long)addr);
    CHECK(frame(0) == err, "error code %#lx, want %#lx", (unsigned long)frame(0), (unsigned long)err);
    CHECK(frame(1) == rip, "pushed rip %#lx, want %#lx", (unsigned long)frame(1), (unsigned long)rip);
    CHECK(frame(2) == SEL_UCODE && frame(5) == SEL_UDATA && frame(4) == USTACK,
          "frame cs %#lx ss %#lx rsp %#lx", (unsigned long)frame(2), (unsigned long)frame(5),
          (unsigned long)frame(4));
    CHECK(R.rsp == KSTACK - 48, "handler rsp %#lx, want TSS.RSP0-48", (unsigned long)R.rsp);
    CHECK(S.cs.selector == SEL_KCODE && S.cs.dpl == 0, "handler cs %#x", S.cs.selector);
}
#define USER_PF(code, addr, err, rip) user_pf(code, (size_t)(code##_end - code), addr, err, rip)

void t_pf_not_present(void) { USER_PF(g_load_rbx, NOTP + 8, 4, UCODE); }
void t_pf_write_ro(void) { USER_PF(g_store_rbx, RO + 16, 7, UCODE); }
void t_pf_user_super(void) { USER_PF(g_load_rbx, SUPER, 5, UCODE); }
void t_pf_nx_fetch(void) { USER_PF(g_jmp_rbx, NXPAGE, 0x15, NXPAGE); }
/* A reserved bit (above MAXPHYADDR = 48) in a user PTE: P|U|RSVD. */
void t_pf_rsvd(void)
{
    machine(UCODE, true);
    *pte(RSVD) |= 4;
    LOAD(UCODE, g_load_rbx);
    R.rbx = RSVD;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(14);
    CHECK(frame(0) == (1 | 4 | 8) && S.cr2 == RSVD, "error code %#lx cr2 %#lx, want P|U|RSVD",
          (unsigned long)frame(0), (unsigned long)S.cr2);
}

void t_wp(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_store_rbx);
    R.rbx = RO;
    R.rax = 0x1122334455667788ull;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(14);
    CHECK(frame(0) == 3 && S.cr2 == RO, "WP=1 supervisor write: err %#lx cr2 %#lx",
          (unsigned long)frame(0), (unsigned long)S.cr2);
    machine(KCODE, false);
    LOAD(KCODE, g_store_rbx);
    S.cr0 &= ~(1ull << 16);
    scpu_set_sregs(cpu, &S);
    R.rbx = RO;
    R.rax = 0x1122334455667788ull;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT && R.rip == KCODE + 4, "WP=0 write faulted (rip %#lx)", (unsigned long)R.rip);
    CHECK(get64(RO) == 0x1122334455667788ull, "WP=0 write lost");
}

void t_accessed_dirty(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_ad);
    *pte(KDATA) &= ~0x60ull;
    R.rbx = KDATA;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT, "exit %u", ex.reason);
    CHECK((*pte(KDATA) & 0x60) == 0x20, "after read: pte %#lx, want A=1 D=0", (unsigned long)*pte(KDATA));
    CHECK(get64(PML4) & 0x20 && get64(PDPT) & 0x20 && get64(PD) & 0x20, "upper levels not accessed");
    CHECK(run() == SCPU_EXIT_HLT, "exit %u", ex.reason);
    CHECK((*pte(KDATA) & 0x60) == 0x60, "after write: pte %#lx, want A=1 D=1", (unsigned long)*pte(KDATA));
}

/* A store crossing into a faulting page writes nothing, and CR2 names the second page. */
void t_cross_store(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_store_rbx);
    put64(UDATA + 0xff8, 0xaaaaaaaaaaaaaaaaull);
    R.rbx = UDATA + 0xffc;
    R.rax = 0x1111111111111111ull;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(14);
    CHECK(S.cr2 == RO && frame(0) == 3, "cr2 %#lx err %#lx", (unsigned long)S.cr2, (unsigned long)frame(0));
    CHECK(get64(UDATA + 0xff8) == 0xaaaaaaaaaaaaaaaaull, "first page was written");
}

void t_large_pages(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_two_loads);
    put64(0x1001238, 0x2222);
    put64(KDATA + 0x10, 0x1111);
    R.rbx = 0x1000000 + 0x1238;          /* 2 MiB page */
    R.rcx = 0x40000000 + KDATA + 0x10;   /* 1 GiB page */
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT, "exit %u rip %#lx", ex.reason, (unsigned long)R.rip);
    CHECK(R.rax == 0x2222 && R.rdx == 0x1111, "rax %#lx rdx %#lx", (unsigned long)R.rax,
          (unsigned long)R.rdx);
}

void t_noncanonical(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_load_rbx);
    R.rbx = 0x0000800000000000ull;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(13);
    CHECK(frame(0) == 0, "#GP error %#lx", (unsigned long)frame(0));
    machine(KCODE, false);
    LOAD(KCODE, g_push_on_rax);
    set_gate(12, STUBS + 12 * 16, 0, 1, true); /* #SS on IST1: the faulting stack is unusable */
    R.rax = 0x0000800000000010ull;
    scpu_set_regs(cpu, &R);
    run();
    EXPECT_VECTOR(12);
    CHECK(frame(0) == 0 && R.rsp == IST1 - 48, "#SS err %#lx rsp %#lx", (unsigned long)frame(0),
          (unsigned long)R.rsp);
}

