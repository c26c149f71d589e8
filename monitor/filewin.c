/* filewin.c: the file window: host file pages mapped into guest-physical space, and its hostcalls. */
#include "filewin.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fail.h"

/* The window's host address for [gpa, gpa+len), or NULL unless the range is non-empty, page
 * aligned and inside the window (overflow-safe). */
static uint8_t *fw_host(const struct guestmem *gm, gpa_t gpa, uint64_t len)
{
    const struct gm_region *w = gm->win;
    if (!w || !len || ((gpa | len) & (GM_PAGE - 1)))
        return NULL;
    if (gpa < w->gpa || gpa - w->gpa > w->size || len > w->size - (gpa - w->gpa))
        return NULL;
    return w->host + (gpa - w->gpa);
}

/* Marks the pages of [gpa, gpa+len) backed or not and writable or not, keeping
 * gm->win_backed, and tells the soft CPU. */
static void fw_mark(struct guestmem *gm, gpa_t gpa, uint64_t len, int on, int writable)
{
    struct gm_region *w = gm->win;
    for (uint64_t pg = (gpa - w->gpa) / GM_PAGE, n = len / GM_PAGE; n; n--, pg++) {
        uint8_t bit = (uint8_t)(1u << (pg % 8)), *b = &w->backed[pg / 8], *wr = &w->writable[pg / 8];
        if (on && !(*b & bit))
            *b |= bit, gm->win_backed++;
        else if (!on && (*b & bit))
            *b &= (uint8_t)~bit, gm->win_backed--;
        *wr = on && writable ? *wr | bit : *wr & (uint8_t)~bit;
    }
    if (gm->on_remap)
        gm->on_remap(gm->on_write_ctx, gpa, len);
}

/* Which file pages the window holds, for fw_file_written: one record per FMAP. */
#define FW_MAX_RECS 4096
struct fw_rec {
    dev_t dev;
    ino_t ino;
    uint64_t off, len;
    gpa_t gpa;
};
static struct fw_rec recs[FW_MAX_RECS];
static unsigned nrecs;
static int recs_lost; /* the table overflowed: a file write announces the whole window */

static void rec_add(int fd, uint64_t off, gpa_t gpa, uint64_t len)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || nrecs == FW_MAX_RECS) {
        recs_lost = 1;
        return;
    }
    recs[nrecs++] = (struct fw_rec){st.st_dev, st.st_ino, off, len, gpa};
}

/* Forget the records inside [gpa, gpa+len) (FMAP and FUNMAP work on whole records' chunks). */
static void rec_drop(gpa_t gpa, uint64_t len)
{
    for (unsigned k = 0; k < nrecs;)
        if (recs[k].gpa >= gpa && recs[k].gpa - gpa < len)
            recs[k] = recs[--nrecs];
        else
            k++;
}

void fw_file_written(struct guestmem *gm, int fd, int64_t off, uint64_t len)
{
    struct stat st;
    if (!gm->win_backed || !len || (!nrecs && !recs_lost) || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    if (off < 0 && (off = lseek(fd, 0, SEEK_CUR) - (int64_t)len) < 0)
        return;
    if (recs_lost) {
        gm_written(gm, gm->win->gpa, gm->win->size);
        return;
    }
    for (unsigned k = 0; k < nrecs; k++) {
        const struct fw_rec *r = &recs[k];
        uint64_t from = (uint64_t)off;
        if (r->dev != st.st_dev || r->ino != st.st_ino || from >= r->off + r->len || from + len <= r->off)
            continue;
        uint64_t lo = from > r->off ? from : r->off, hi = from + len < r->off + r->len ? from + len : r->off + r->len;
        gm_written(gm, r->gpa + (lo - r->off), hi - lo);
    }
}

/* Puts the reservation back over [p, p+len). Failing would leave a hole the host could reuse
 * for its own memory under guest-physical addresses, so that ends the run. */
static void fw_reserve(void *p, uint64_t len)
{
    if (mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
        fail("filewin", "cannot restore the window reservation: %s", strerror(errno));
}

/* The offset to map fd's pages at off from. /dev/zero makes a new zero-filled object for each
 * mmap, as big as the mapping, and keeps the offset: at any offset but 0 (a mapping's second chunk)
 * every page would lie past the object's end, and a touch would be SIGBUS. Its pages are zeros at
 * any offset, so each chunk maps its own object from 0 (Linux gives one mapping one object). */
static off_t fw_host_offset(int fd, uint64_t off)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 5))
        return 0;
    return (off_t)off;
}

int fw_map(struct guestmem *gm, gpa_t gpa, uint64_t len, int fd, uint64_t off, int writable)
{
    uint8_t *at = fw_host(gm, gpa, len);
    if (!at || (off & (GM_PAGE - 1)))
        return -EINVAL;
    if (off > (uint64_t)INT64_MAX - len)
        return -EOVERFLOW;
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    void *p = mmap(NULL, len, prot, MAP_SHARED, fd, fw_host_offset(fd, off));
    if (p == MAP_FAILED)
        return -errno;
    /* mremap replaces the target in one step. It fails only when the host is out of memory (or
     * of mappings), after the target is gone: the guest may still map the old pages, so that
     * ends the run rather than leave them to the host. */
    if (mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, at) == MAP_FAILED)
        fail("filewin", "cannot move a file mapping into the window: %s", strerror(errno));
    fw_mark(gm, gpa, len, 1, writable);
    rec_drop(gpa, len);
    rec_add(fd, off, gpa, len);
    gm_written(gm, gpa, len); /* the soft CPU drops code it decoded from the pages replaced */
    return 0;
}

int fw_unmap(struct guestmem *gm, gpa_t gpa, uint64_t len)
{
    uint8_t *at = fw_host(gm, gpa, len);
    if (!at)
        return -EINVAL;
    fw_reserve(at, len);
    fw_mark(gm, gpa, len, 0, 0);
    rec_drop(gpa, len);
    gm_written(gm, gpa, len);
    return 0;
}

int fw_sync(struct guestmem *gm, gpa_t gpa, uint64_t len)
{
    uint8_t *at = fw_host(gm, gpa, len);
    if (!at || !gm_ptr(gm, gpa, len))
        return -EINVAL;
    return msync(at, len, MS_SYNC) < 0 ? -errno : 0;
}

int fw_detach(struct guestmem *gm, const void *addr)
{
    const struct gm_region *w = gm ? gm->win : NULL;
    uintptr_t a = (uintptr_t)addr, base = w ? (uintptr_t)w->host : 0;
    if (!w || a < base || a - base >= w->size)
        return -1;
    uint64_t pg = (a - base) / GM_PAGE;
    if (!(w->backed[pg / 8] & (1u << (pg % 8))))
        return -1;
    void *p = mmap(w->host + pg * GM_PAGE, GM_PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    return p == MAP_FAILED ? -1 : 0;
}

int64_t hc_fmap(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_fmap *a = &r->u.fmap;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    if (!(a->prot & BVM_FMAP_READ) || (a->prot & ~(BVM_FMAP_READ | BVM_FMAP_WRITE)))
        return -EINVAL;
    int err = fw_map(c->gm, a->gpa, a->len, a->fd, a->offset, (a->prot & BVM_FMAP_WRITE) != 0);
    return err ? err : (int64_t)a->gpa;
}

int64_t hc_funmap(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    return fw_unmap(c->gm, r->u.fmap.gpa, r->u.fmap.len);
}

int64_t hc_fmsync(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    return fw_sync(c->gm, r->u.fmap.gpa, r->u.fmap.len);
}
