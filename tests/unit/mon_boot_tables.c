/* mon_boot_tables.c: the boot page tables translate as designed; the GDT decodes as designed. */
#include <stdlib.h>
#include <string.h>

#include "boot_tables.h"
#include "bvm_abi.h"
#include "harness.h"

#define PT_GPA 0x4000ull
static uint8_t buf[0x7c000];

/* An independent 4-level walk over the built tables (2 MiB and 1 GiB leaves). Returns
 * the physical address, or ~0 if not present. */
static uint64_t walk(uint64_t va)
{
    uint64_t table = PT_GPA;
    for (int level = 3; level >= 0; level--) {
        uint64_t idx = (va >> (12 + 9 * level)) & 511;
        uint64_t e;
        memcpy(&e, buf + (table - PT_GPA) + idx * 8, 8);
        if (!(e & PTE_P))
            return ~0ull;
        if (level == 1 && (e & PTE_PS))
            return (e & PTE_ADDR & ~0x1fffffull) | (va & 0x1fffff);
        if (level == 0)
            return (e & PTE_ADDR) | (va & 0xfff);
        table = e & PTE_ADDR;
    }
    return ~0ull;
}

static void page_tables_one_region(void)
{
    struct gm_region r[1] = {{0, 1ull << 30, NULL, NULL, NULL}};
    long used = bt_build_page_tables(buf, sizeof buf, PT_GPA, r, 1);
    CHECK(used > 0);
    CHECK_EQ(walk(0x1234), 0x1234);                                /* identity */
    CHECK_EQ(walk(0x3fffffff), 0x3fffffff);
    CHECK_EQ(walk(1ull << 30), ~0ull);                             /* past RAM */
    CHECK_EQ(walk(BVM_PHYSMAP_BASE + 0x1000), 0x1000);            /* physmap */
    CHECK_EQ(walk(BVM_PHYSMAP_BASE + 0x3ffff000), 0x3ffff000);
    CHECK_EQ(walk(BVM_KERNEL_VBASE + 0x1000000), 0x1000000);      /* kernel map */
    CHECK_EQ(walk(0x00007f0000000000ull), ~0ull);                  /* user range empty */
}

static void page_tables_two_regions(void)
{
    struct gm_region r[2] = {{0, 0xc0000000ull, NULL, NULL, NULL}, {0x100000000ull, 1ull << 30, NULL, NULL, NULL}};
    CHECK(bt_build_page_tables(buf, sizeof buf, PT_GPA, r, 2) > 0);
    CHECK_EQ(walk(0xbfffffff), 0xbfffffff);
    CHECK_EQ(walk(0xc0000000), ~0ull); /* the hole: KVM's TSS area lives here */
    CHECK_EQ(walk(BVM_PHYSMAP_BASE + 0x100000000ull + 5), 0x100000005ull);
}

/* The largest RAM and the file window still fit the tables' area, the window in the physmap. */
static void page_tables_max_ram_and_window(void)
{
    struct gm_region r[3] = {{0, 0xc0000000ull, NULL, NULL, NULL},
                             {0x100000000ull, BVM_MAX_RAM - 0xc0000000ull, NULL, NULL, NULL},
                             {BVM_FILEWIN_GPA, BVM_FILEWIN_SIZE, NULL, NULL, NULL}};
    CHECK(bt_build_page_tables(buf, sizeof buf, PT_GPA, r, 3) > 0);
    uint64_t end = BVM_FILEWIN_GPA + BVM_FILEWIN_SIZE;
    CHECK_EQ(walk(BVM_PHYSMAP_BASE + BVM_FILEWIN_GPA + 5), BVM_FILEWIN_GPA + 5);
    CHECK_EQ(walk(BVM_PHYSMAP_BASE + end - 1), end - 1);
    CHECK_EQ(walk(BVM_PHYSMAP_BASE + end), ~0ull);
}

static void page_tables_too_small(void)
{
    struct gm_region r[1] = {{0, 1ull << 30, NULL, NULL, NULL}};
    CHECK(bt_build_page_tables(buf, 3 * 4096, PT_GPA, r, 1) < 0);
}

static void gdt_layout(void)
{
    uint64_t g[BVM_GDT_ENTRIES];
    bt_build_gdt(g, 0xffff800000003000ull, 0x67);
    CHECK_EQ(g[0], 0);
    CHECK_EQ(g[BVM_SEL_CODE32 >> 3], 0x00cf9b000000ffffull); /* 32-bit code, D=1 */
    CHECK_EQ(g[BVM_SEL_KCODE >> 3], 0x00af9b000000ffffull);  /* 64-bit code, L=1 */
    CHECK_EQ(g[BVM_SEL_KDATA >> 3], 0x00cf93000000ffffull);
    CHECK_EQ(g[BVM_SEL_UDATA >> 3], 0x00cff3000000ffffull);  /* DPL 3 */
    CHECK_EQ(g[BVM_SEL_UCODE >> 3], 0x00affb000000ffffull);
    CHECK_EQ(g[BVM_SEL_UCODE32 >> 3], 0x00cffb000000ffffull); /* 32-bit user code */
    CHECK_EQ(g[BVM_SEL_CPUNODE >> 3], 0x0040f50000000000ull);
    /* SYSRET: STAR[63:48] = 32-bit user code, +8 = data, +16 = 64-bit code (Linux's 0x23, 0x2b, 0x33) */
    CHECK_EQ(BVM_SEL_UDATA - BVM_SEL_UCODE32, 8);
    CHECK_EQ(BVM_SEL_UCODE - BVM_SEL_UCODE32, 16);
    CHECK_EQ(BVM_SEL_UCODE, 0x33);
    uint64_t lo = g[BVM_SEL_TSS >> 3], hi = g[(BVM_SEL_TSS >> 3) + 1];
    CHECK_EQ(lo & 0xffff, 0x67);
    CHECK_EQ((lo >> 40) & 0xff, 0x8b); /* present, busy 64-bit TSS */
    uint64_t base = ((lo >> 16) & 0xffffff) | ((lo >> 56) & 0xff) << 24 | (hi & 0xffffffff) << 32;
    CHECK_EQ(base, 0xffff800000003000ull);
}

int main(void)
{
    RUN(page_tables_one_region);
    RUN(page_tables_two_regions);
    RUN(page_tables_max_ram_and_window);
    RUN(page_tables_too_small);
    RUN(gdt_layout);
    return 0;
}
