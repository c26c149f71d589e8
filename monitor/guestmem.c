/* guestmem.c: guest RAM regions and the one checked guest-physical translator. */
#include "guestmem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

static int gm_add(struct guestmem *gm, gpa_t gpa, uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    gm->r[gm->nr].gpa = gpa;
    gm->r[gm->nr].size = size;
    gm->r[gm->nr].host = p;
    gm->nr++;
    return 0;
}

int gm_init(struct guestmem *gm, uint64_t ram_size)
{
    memset(gm, 0, sizeof *gm);
    if (ram_size == 0 || (ram_size & 0xfff))
        return -EINVAL;
    gm->ram_size = ram_size;
    uint64_t low = ram_size < GM_LOW_LIMIT ? ram_size : GM_LOW_LIMIT;
    int err = gm_add(gm, 0, low);
    if (!err && ram_size > low)
        err = gm_add(gm, GM_HIGH_BASE, ram_size - low);
    if (err)
        gm_destroy(gm);
    return err;
}

void gm_destroy(struct guestmem *gm)
{
    for (int i = 0; i < gm->nr; i++)
        munmap(gm->r[i].host, gm->r[i].size);
    gm->nr = 0;
}

void *gm_ptr(const struct guestmem *gm, gpa_t gpa, uint64_t len)
{
    for (int i = 0; i < gm->nr; i++) {
        const struct gm_region *r = &gm->r[i];
        /* Both tests needed: gpa inside, and len fits in what remains (no gpa+len overflow). */
        if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
            return r->host + (gpa - r->gpa);
    }
    return NULL;
}

int gm_read(const struct guestmem *gm, gpa_t gpa, void *dst, uint64_t len)
{
    const void *p = gm_ptr(gm, gpa, len);
    if (!p)
        return -EFAULT;
    memcpy(dst, p, len);
    return 0;
}

int gm_write(struct guestmem *gm, gpa_t gpa, const void *src, uint64_t len)
{
    void *p = gm_ptr(gm, gpa, len);
    if (!p)
        return -EFAULT;
    memcpy(p, src, len);
    gm_written(gm, gpa, len);
    return 0;
}

void gm_written(struct guestmem *gm, gpa_t gpa, uint64_t len)
{
    if (gm->on_write && len)
        gm->on_write(gm->on_write_ctx, gpa, len);
}
