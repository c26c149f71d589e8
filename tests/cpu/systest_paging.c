/* systest_paging.c: paging test cases: #PF error codes and CR2, U/S W NX WP, A/D bits, large pages. */
#include "systest.h"

#include <sys/mman.h>

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

/* INVLPG of one address in a 2 MiB page drops the whole page's translation: a second address in
 * it, read before, reads the new mapping after (the soft TLB holds large pages per 4 KiB). */
void t_invlpg_large(void)
{
    machine(KCODE, false);
    LOAD(KCODE, g_invlpg_loads);
    put64(0x1001238, 0x1111), put64(0x1005238, 0x2222);
    put64(0x1401238, 0x3333), put64(0x1405238, 0x4444);
    R.rbx = 0x1000000 + 0x1238, R.rcx = 0x1000000 + 0x5238;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT && R.rax == 0x1111 && R.rdx == 0x2222, "before: rax %#lx rdx %#lx",
          (unsigned long)R.rax, (unsigned long)R.rdx);
    put64(PD + 8 * 8, 0x1400000 | 0x80 | 7); /* the 2 MiB page moves to PA 20 MiB */
    CHECK(run() == SCPU_EXIT_HLT && R.rax == 0x3333 && R.rdx == 0x4444, "after: rax %#lx rdx %#lx",
          (unsigned long)R.rax, (unsigned long)R.rdx);
}

/* Code reached through a 4 KiB page, remapped to other code and INVLPG'd: the call (a linked
 * block by then) runs the new code. */
void t_invlpg_code(void)
{
    static const uint8_t one[] = {0xb8, 1, 0, 0, 0, 0xc3}, two[] = {0xb8, 2, 0, 0, 0, 0xc3};
    machine(KCODE, false);
    LOAD(KCODE, g_invlpg_call);
    memcpy(ram + KDATA, one, sizeof one);
    memcpy(ram + 0x4c000, two, sizeof two);
    scpu_invalidate(cpu, KDATA, 4096);
    scpu_invalidate(cpu, 0x4c000, 4096);
    R.rbx = KDATA;
    scpu_set_regs(cpu, &R);
    CHECK(run() == SCPU_EXIT_HLT && R.rax == 1, "before: exit %u rax %#lx", ex.reason, (unsigned long)R.rax);
    *pte(KDATA) = 0x4c000 | 3;
    CHECK(run() == SCPU_EXIT_HLT && R.rax == 2, "after: exit %u rax %#lx", ex.reason, (unsigned long)R.rax);
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


/* ---- a slot with page bitmaps (the monitor's file window): the CPU never touches a page the
 * bitmaps refuse, even through a guest PTE that allows the access ---- */

#define WIN_GPA 0x3000000ull

static uint64_t win_run(const uint8_t *code, size_t len, uint64_t lin, uint64_t rax)
{
    machine(KCODE, false);
    memcpy(ram + KCODE, code, len);
    scpu_invalidate(cpu, KCODE, len);
    *pte(0x47000) = WIN_GPA | 3;          /* present, writable: only the host refuses */
    *pte(0x48000) = (WIN_GPA + 4096) | 3;
    R.rbx = lin;
    R.rax = rax;
    scpu_set_regs(cpu, &R);
    return run();
}
#define WIN_RUN(code, lin, rax) win_run(code, (size_t)(code##_end - code), lin, rax)

static void win_expect_mmio(uint64_t gpa, int is_write)
{
    CHECK(ex.reason == SCPU_EXIT_MMIO && ex.u.mmio.gpa == gpa && ex.u.mmio.is_write == is_write,
          "exit %u gpa %#lx write %u, want MMIO at %#lx write %d", ex.reason, (unsigned long)ex.u.mmio.gpa,
          ex.u.mmio.is_write, (unsigned long)gpa, is_write);
    CHECK(R.rip == KCODE, "rip %#lx: the access must not complete", (unsigned long)R.rip);
}

void t_page_bitmaps(void)
{
    /* page 0: host read-only, page 1: host inaccessible; a missing check is a crash here */
    uint8_t *host = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static uint8_t readable[1], writable[1];
    CHECK(host != MAP_FAILED, "mmap");
    memset(host, 0x5a, 4096);
    mprotect(host, 4096, PROT_READ);
    mprotect(host + 4096, 4096, PROT_NONE);
    readable[0] = 1, writable[0] = 0;
    CHECK(!scpu_set_memory_region(cpu, 1, WIN_GPA, 8192, host) &&
              !scpu_set_region_pages(cpu, 1, readable, writable), "second slot refused");
    CHECK(WIN_RUN(g_load_rbx, 0x47010, 0) == SCPU_EXIT_HLT && R.rax == 0x5a5a5a5a5a5a5a5aull,
          "load from the read-only page: exit %u rax %#lx", ex.reason, (unsigned long)R.rax);
    WIN_RUN(g_store_rbx, 0x47010, 1);
    win_expect_mmio(WIN_GPA + 0x10, 1);
    WIN_RUN(g_load_rbx, 0x48010, 0);
    win_expect_mmio(WIN_GPA + 0x1010, 0);
    /* made writable: stores go through; made inaccessible again: the TLB forgot the page */
    mprotect(host, 4096, PROT_READ | PROT_WRITE);
    writable[0] = 1;
    scpu_pages_changed(cpu, WIN_GPA, 4096);
    CHECK(WIN_RUN(g_store_rbx, 0x47010, 7) == SCPU_EXIT_HLT && host[0x10] == 7, "store to the writable page");
    mprotect(host, 4096, PROT_NONE);
    readable[0] = writable[0] = 0;
    scpu_pages_changed(cpu, WIN_GPA, 4096);
    LOAD(KCODE, g_load_rbx);
    R.rip = KCODE; /* same machine: the TLB entry from the store is still there unless dropped */
    R.rbx = 0x47010;
    scpu_set_regs(cpu, &R);
    run();
    win_expect_mmio(WIN_GPA + 0x10, 0);
    scpu_set_memory_region(cpu, 1, 0, 0, NULL);
    munmap(host, 8192);
}
