/* mon_bootinfo.c: boot_prepare lays out boot info, args, GDT, bootstrap and the kernel as documented. */
#include <string.h>

#include "boot.h"
#include "bvm_abi.h"
#include "harness.h"

extern const uint8_t bvm_kernel_elf[], bvm_kernel_elf_end[];
extern const uint8_t bvm_bootstrap_bin[], bvm_bootstrap_bin_end[];

static struct guestmem gm;
static struct bvm_bootinfo bi;
static struct vcpu_boot_state st;
static int rc, status;
static char why[256];

static const char *str_at(uint64_t va) { return gm_ptr(&gm, va - BVM_PHYSMAP_BASE, 1); }
static uint64_t u64_at(uint64_t va)
{
    uint64_t v = 0;
    gm_read(&gm, va - BVM_PHYSMAP_BASE, &v, 8);
    return v;
}

static void setup(void)
{
    static char *argv[] = {"prog", "a b", "", NULL};
    static char *envp[] = {"A=1", "B=two", NULL};
    struct boot_args a = {3, argv, envp, "/bin/prog", BVM_BOOT_TRACE_SYSCALLS, bvm_kernel_elf,
                          (size_t)(bvm_kernel_elf_end - bvm_kernel_elf), bvm_bootstrap_bin,
                          (size_t)(bvm_bootstrap_bin_end - bvm_bootstrap_bin), 0, 0};
    gm_init(&gm, 256ull << 20);
    rc = boot_prepare(&gm, &a, &st, &status, why, sizeof why);
    gm_read(&gm, BVM_BOOTINFO_GPA, &bi, sizeof bi);
}

static void bootinfo_fields(void)
{
    CHECK_EQ(rc, 0);
    CHECK_EQ(bi.magic, BVM_BOOT_MAGIC);
    CHECK_EQ(bi.abi_version, BVM_ABI_VERSION);
    CHECK(bi.kernel_entry >= BVM_KERNEL_VBASE + BVM_KERNEL_GPA);
    CHECK_EQ(bi.stack_top & 15, 0);
    CHECK(bi.stack_top > BVM_PHYSMAP_BASE + BVM_ARGS_GPA && bi.stack_top < BVM_PHYSMAP_BASE + BVM_ARGS_END_GPA);
    CHECK_EQ(bi.tss, BVM_PHYSMAP_BASE + BVM_TSS_GPA);
    CHECK_EQ(bi.ram_size, 256ull << 20);
    CHECK_EQ(bi.flags, BVM_BOOT_TRACE_SYSCALLS);
}

static void bootinfo_args(void)
{
    CHECK_EQ(bi.argc, 3);
    CHECK(!strcmp(str_at(u64_at(bi.argv)), "prog"));
    CHECK(!strcmp(str_at(u64_at(bi.argv + 8)), "a b"));
    CHECK(!strcmp(str_at(u64_at(bi.argv + 16)), ""));
    CHECK_EQ(u64_at(bi.argv + 24), 0);
    CHECK(!strcmp(str_at(u64_at(bi.envp + 8)), "B=two"));
    CHECK_EQ(u64_at(bi.envp + 16), 0);
    CHECK(!strcmp(str_at(bi.exec_path), "/bin/prog"));
}

static void bootinfo_ranges(void)
{
    uint64_t usable = 0, prev_end = 0, ram_end = 0, windows = 0;
    for (uint32_t i = 0; i < bi.nr_ranges; i++) {
        CHECK(bi.ranges[i].base >= prev_end); /* sorted, disjoint */
        prev_end = bi.ranges[i].base + bi.ranges[i].size;
        if (bi.ranges[i].type == BVM_RANGE_USABLE)
            usable += bi.ranges[i].size;
        if (bi.ranges[i].type == BVM_RANGE_FILEWIN) {
            windows++;
            CHECK_EQ(bi.ranges[i].base, BVM_FILEWIN_GPA);
            CHECK_EQ(bi.ranges[i].size, BVM_FILEWIN_SIZE);
        } else {
            ram_end = prev_end;
        }
    }
    CHECK_EQ(ram_end, 256ull << 20);
    CHECK_EQ(windows, 1);
    CHECK(usable > (200ull << 20));
}

static void initial_state(void)
{
    CHECK_EQ(st.regs.rip, 0);
    CHECK_EQ(st.sregs.cs.selector, BVM_SEL_CODE32);
    CHECK(st.sregs.cs.db && !st.sregs.cs.l);
    CHECK_EQ(st.sregs.cr0 & 0x80000001u, 1); /* PE, not PG */
    CHECK_EQ(st.sregs.cr3, BVM_PT_GPA);
    CHECK_EQ(st.sregs.efer, 0x900);        /* LME NXE */
    CHECK(!memcmp(gm_ptr(&gm, 0, 8), bvm_bootstrap_bin, 8));
}

static void too_little_memory(void)
{
    static char *argv[] = {"p", NULL};
    struct guestmem small;
    struct boot_args a = {1, argv, argv + 1, "p", 0, bvm_kernel_elf, (size_t)(bvm_kernel_elf_end - bvm_kernel_elf),
                          bvm_bootstrap_bin, (size_t)(bvm_bootstrap_bin_end - bvm_bootstrap_bin), 0, 0};
    gm_init(&small, 32ull << 20);
    CHECK(boot_prepare(&small, &a, &st, &status, why, sizeof why) < 0);
    CHECK_EQ(status, 126);
    gm_destroy(&small);
}

int main(void)
{
    setup();
    RUN(bootinfo_fields);
    RUN(bootinfo_args);
    RUN(bootinfo_ranges);
    RUN(initial_state);
    RUN(too_little_memory);
    return 0;
}
