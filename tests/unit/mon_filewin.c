/* mon_filewin.c: the file window: FMAP/FUNMAP/FMSYNC validate their ranges and fds, mapped pages
 * are the file's own (both ways), unmapped ones are refused by the translator, and a page whose
 * file was truncated is detached instead of faulting again. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "filewin.h"
#include "harness.h"

#define REQ 0x10000ull
#define W BVM_FILEWIN_GPA
#define PG GM_PAGE

static struct guestmem gm;
static struct hc_ctx hc;
static int file = -1;

static int64_t fmap_call(uint32_t nr, int fd, uint32_t prot, uint64_t off, uint64_t gpa, uint64_t len)
{
    struct bvm_hostcall r = {.nr = nr};
    r.u.fmap = (struct bvm_hc_fmap){fd, prot, off, gpa, len};
    r.ret = 12345;
    gm_write(&gm, REQ, &r, sizeof r);
    if (hc_serve(&hc, REQ) < 0)
        return 99999;
    gm_read(&gm, REQ, &r, sizeof r);
    return r.ret;
}

static void bad_requests(void)
{
    const uint32_t RW = BVM_FMAP_READ | BVM_FMAP_WRITE;
    CHECK_EQ(fmap_call(BVM_HC_FMAP, 77, RW, 0, W, PG), -EBADF); /* not the guest's fd */
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, 0, 0, W, PG), -EINVAL);
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, BVM_FMAP_WRITE, 0, W, PG), -EINVAL);
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW | 4, 0, W, PG), -EINVAL);
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW, 100, W, PG), -EINVAL);       /* offset alignment */
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW, 0, W + 1, PG), -EINVAL);     /* gpa alignment */
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW, 0, W, 0), -EINVAL);          /* empty */
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW, 0, W - PG, 2 * PG), -EINVAL); /* starts below */
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW, 0, W + BVM_FILEWIN_SIZE - PG, 2 * PG), -EINVAL);
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW, 0, W + PG, ~0ull - PG + 1), -EINVAL); /* gpa + len wraps */
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW, 0, 0x20000, PG), -EINVAL);  /* RAM is not the window */
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW, 0x7ffffffffffff000ull, W, 2 * PG), -EOVERFLOW);
    CHECK_EQ(fmap_call(BVM_HC_FUNMAP, 0, 0, 0, W + 7, PG), -EINVAL);
    CHECK_EQ(fmap_call(BVM_HC_FMSYNC, 0, 0, 0, W, PG), -EINVAL); /* nothing mapped there */
    CHECK(gm_ptr(&gm, W, 1) == NULL);
    CHECK_EQ(gm.win_backed, 0);
}

static void pipe_refused(void)
{
    int p[2];
    CHECK_EQ(pipe(p), 0);
    hc_fd_grant(&hc, p[0]);
    CHECK_EQ(fmap_call(BVM_HC_FMAP, p[0], BVM_FMAP_READ, 0, W, PG), -ENODEV);
    CHECK(gm_ptr(&gm, W, 1) == NULL);
    close(p[0]), close(p[1]);
}

static void coherent(void)
{
    const uint32_t RW = BVM_FMAP_READ | BVM_FMAP_WRITE;
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, RW, PG, W + 4 * PG, 2 * PG), (int64_t)(W + 4 * PG));
    CHECK_EQ(gm.win_backed, 2);
    CHECK(gm_ptr(&gm, W + 3 * PG, 8) == NULL); /* the pages around stay refused */
    CHECK(gm_ptr(&gm, W + 5 * PG + 8, PG) == NULL);
    char *p = gm_ptr_w(&gm, W + 4 * PG, 2 * PG);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK(!memcmp(p, "second", 6)); /* file offset PG */
    memcpy(p + PG, "through-the-window", 18);
    char buf[18] = "";
    CHECK_EQ(pread(file, buf, 18, 2 * PG), 18);
    CHECK(!memcmp(buf, "through-the-window", 18));
    CHECK_EQ(pwrite(file, "pwritten", 8, PG + 100), 8);
    CHECK(!memcmp(p + 100, "pwritten", 8));
    CHECK_EQ(fmap_call(BVM_HC_FMSYNC, 0, 0, 0, W + 4 * PG, 2 * PG), 0);
    CHECK_EQ(fmap_call(BVM_HC_FUNMAP, 0, 0, 0, W + 4 * PG, 2 * PG), 0);
    CHECK(gm_ptr(&gm, W + 4 * PG, 1) == NULL);
    CHECK_EQ(gm.win_backed, 0);
}

/* A read-only file page is read-only in the host: the monitor must never store there (a hostcall
 * whose output lands on it gets -EFAULT, as gm_write does), while reads still work. */
static void read_only_refuses_writes(void)
{
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, BVM_FMAP_READ, PG, W + 8 * PG, PG), (int64_t)(W + 8 * PG));
    const char *p = gm_ptr(&gm, W + 8 * PG, PG);
    CHECK(p != NULL && !memcmp(p, "second", 6));
    CHECK(gm_ptr_w(&gm, W + 8 * PG, 1) == NULL);
    CHECK(gm_ptr_w(&gm, W + 8 * PG - 8, 16) == NULL); /* straddling from an unmapped page */
    CHECK_EQ(gm_write(&gm, W + 8 * PG + 16, "x", 1), -EFAULT);
    struct bvm_hostcall r = {.nr = BVM_HC_CLOCK_GETTIME};
    r.u.clock.clock = CLOCK_MONOTONIC;
    r.u.clock.ts_gpa = W + 8 * PG + 64;
    gm_write(&gm, REQ, &r, sizeof r);
    CHECK_EQ(hc_serve(&hc, REQ), 0);
    gm_read(&gm, REQ, &r, sizeof r);
    CHECK_EQ(r.ret, -EFAULT);
    char buf[8] = "";
    CHECK_EQ(gm_read(&gm, W + 8 * PG, buf, 6), 0);
    /* mapped writable over the same place: now writable; unmapped: neither */
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, BVM_FMAP_READ | BVM_FMAP_WRITE, PG, W + 8 * PG, PG), (int64_t)(W + 8 * PG));
    CHECK(gm_ptr_w(&gm, W + 8 * PG, PG) != NULL);
    CHECK_EQ(fmap_call(BVM_HC_FUNMAP, 0, 0, 0, W + 8 * PG, PG), 0);
    CHECK(gm_ptr(&gm, W + 8 * PG, 1) == NULL && gm_ptr_w(&gm, W + 8 * PG, 1) == NULL);
}

static void truncated_page_detached(void)
{
    CHECK_EQ(fmap_call(BVM_HC_FMAP, file, BVM_FMAP_READ, 0, W, 3 * PG), (int64_t)W);
    const char *p = gm_ptr(&gm, W, 3 * PG);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_EQ(ftruncate(file, PG), 0);
    CHECK_EQ(fw_detach(&gm, p + 2 * PG + 5), 0); /* what the SIGBUS handler does */
    CHECK_EQ(p[2 * PG + 5], 0);                  /* now a zero page, no SIGBUS */
    CHECK_EQ(fw_detach(&gm, p - 1), -1);         /* below the window */
    CHECK_EQ(fmap_call(BVM_HC_FUNMAP, 0, 0, 0, W, 3 * PG), 0);
    CHECK_EQ(fw_detach(&gm, p), -1); /* not backed any more */
}

int main(void)
{
    char path[] = "/tmp/bvm-filewin-XXXXXX";
    file = mkstemp(path);
    unlink(path);
    char data[3 * PG];
    memset(data, '.', sizeof data);
    memcpy(data + PG, "second", 6);
    if (file < 0 || write(file, data, sizeof data) != (ssize_t)sizeof data)
        return 1;
    if (gm_init(&gm, 64ull << 20) < 0)
        return 1;
    hc_init(&hc, &gm, -1);
    hc_fd_grant(&hc, file);
    RUN(bad_requests);
    RUN(pipe_refused);
    RUN(coherent);
    RUN(read_only_refuses_writes);
    RUN(truncated_page_detached);
    return 0;
}
