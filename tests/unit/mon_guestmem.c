/* mon_guestmem.c: the checked translator accepts exactly the ranges inside RAM, overflow-safe. */
#include "bvm_abi.h"
#include "guestmem.h"
#include "harness.h"

static void translator_bounds(void)
{
    struct guestmem gm;
    CHECK_EQ(gm_init(&gm, 64ull << 20), 0);
    uint64_t end = 64ull << 20;
    CHECK(gm_ptr(&gm, 0, end) != NULL);
    CHECK(gm_ptr(&gm, end, 0) != NULL);
    CHECK(gm_ptr(&gm, end - 1, 1) != NULL);
    CHECK(gm_ptr(&gm, end - 1, 2) == NULL);
    CHECK(gm_ptr(&gm, end, 1) == NULL);
    CHECK(gm_ptr(&gm, 0x1000, ~0ull) == NULL);        /* gpa + len wraps */
    CHECK(gm_ptr(&gm, ~0ull - 10, 20) == NULL);
    CHECK(gm_ptr(&gm, ~0ull, 1) == NULL);
    gm_destroy(&gm);
}

static void two_regions(void)
{
    struct guestmem gm;
    CHECK_EQ(gm_init(&gm, 4ull << 30), 0);
    CHECK_EQ(gm.nr_ram, 2);
    CHECK(gm_ptr(&gm, GM_LOW_LIMIT - 8, 8) != NULL);
    CHECK(gm_ptr(&gm, GM_LOW_LIMIT - 8, 16) == NULL); /* never spans the hole */
    CHECK(gm_ptr(&gm, GM_LOW_LIMIT, 1) == NULL);
    CHECK(gm_ptr(&gm, GM_HIGH_BASE, 4096) != NULL);
    CHECK(gm_ptr(&gm, GM_HIGH_BASE + (1ull << 30), 1) == NULL);
    gm_destroy(&gm);
}

/* The file window is a region of its own after RAM, refused until file pages are mapped there. */
static void file_window(void)
{
    struct guestmem gm;
    CHECK_EQ(gm_init(&gm, 64ull << 20), 0);
    CHECK_EQ(gm.nr, gm.nr_ram + 1);
    CHECK(gm.win == &gm.r[gm.nr_ram]);
    CHECK_EQ(gm.win->gpa, BVM_FILEWIN_GPA);
    CHECK_EQ(gm.win->size, BVM_FILEWIN_SIZE);
    CHECK(gm_ptr(&gm, BVM_FILEWIN_GPA, 1) == NULL);
    CHECK(gm_ptr(&gm, BVM_FILEWIN_GPA, 0) != NULL); /* an empty range touches nothing */
    CHECK(gm_ptr(&gm, BVM_FILEWIN_GPA + BVM_FILEWIN_SIZE - 1, 1) == NULL);
    gm_destroy(&gm);
}

int main(void)
{
    RUN(translator_bounds);
    RUN(two_regions);
    RUN(file_window);
    return 0;
}
