/* guestmem.c: guest RAM regions and the one checked guest-physical translator. */
#include "guestmem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bvm_abi.h"

static int gm_add(struct guestmem *gm, gpa_t gpa, uint64_t size, int prot)
{
    void *p = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    gm->r[gm->nr] = (struct gm_region){gpa, size, p, NULL, NULL};
    gm->nr++;
    return 0;
}

/* The file window: reserved, inaccessible until filewin.c maps file pages over it. */
static int gm_add_window(struct guestmem *gm)
{
    uint8_t *bits = calloc(BVM_FILEWIN_SIZE / GM_PAGE / 8, 2);
    if (!bits)
        return -ENOMEM;
    int err = gm_add(gm, BVM_FILEWIN_GPA, BVM_FILEWIN_SIZE, PROT_NONE);
    if (err) {
        free(bits);
        return err;
    }
    gm->win = &gm->r[gm->nr - 1];
    gm->win->backed = bits;
    gm->win->writable = bits + BVM_FILEWIN_SIZE / GM_PAGE / 8;
    return 0;
}

int gm_init(struct guestmem *gm, uint64_t ram_size)
{
    memset(gm, 0, sizeof *gm);
    if (ram_size == 0 || (ram_size & 0xfff))
        return -EINVAL;
    gm->ram_size = ram_size;
    uint64_t low = ram_size < GM_LOW_LIMIT ? ram_size : GM_LOW_LIMIT;
    int err = gm_add(gm, 0, low, PROT_READ | PROT_WRITE);
    if (!err && ram_size > low)
        err = gm_add(gm, GM_HIGH_BASE, ram_size - low, PROT_READ | PROT_WRITE);
    gm->nr_ram = gm->nr;
    if (!err)
        err = gm_add_window(gm);
    if (err)
        gm_destroy(gm);
    return err;
}

void gm_destroy(struct guestmem *gm)
{
    for (int i = 0; i < gm->nr; i++) {
        munmap(gm->r[i].host, gm->r[i].size);
        free(gm->r[i].backed); /* writable shares its allocation */
    }
    gm->nr = gm->nr_ram = 0;
    gm->win = NULL;
}

/* Every page of [off, off+len) in r has its bit set in bits (len may be 0); NULL bits: RAM. */
static int gm_all_pages(const uint8_t *bits, uint64_t off, uint64_t len)
{
    if (!bits)
        return 1;
    for (uint64_t pg = off / GM_PAGE; len && pg <= (off + len - 1) / GM_PAGE; pg++)
        if (!(bits[pg / 8] & (1u << (pg % 8))))
            return 0;
    return 1;
}

static uint8_t *gm_lookup(const struct guestmem *gm, gpa_t gpa, uint64_t len, int write)
{
    for (int i = 0; i < gm->nr; i++) {
        const struct gm_region *r = &gm->r[i];
        /* Both tests needed: gpa inside, and len fits in what remains (no gpa+len overflow). */
        if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
            return gm_all_pages(write ? r->writable : r->backed, gpa - r->gpa, len) ? r->host + (gpa - r->gpa)
                                                                                    : NULL;
    }
    return NULL;
}

const void *gm_ptr(const struct guestmem *gm, gpa_t gpa, uint64_t len) { return gm_lookup(gm, gpa, len, 0); }
void *gm_ptr_w(const struct guestmem *gm, gpa_t gpa, uint64_t len) { return gm_lookup(gm, gpa, len, 1); }

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
    void *p = gm_ptr_w(gm, gpa, len);
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
