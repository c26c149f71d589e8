/* guestmem.h: guest-physical RAM as regions, reached only through a checked translator. */
#ifndef BVM_GUESTMEM_H
#define BVM_GUESTMEM_H

#include <stddef.h>
#include <stdint.h>

/* A guest-physical address is an integer, never a host pointer: it cannot be
 * dereferenced by accident. */
typedef uint64_t gpa_t;

#define GM_PAGE 4096ull
#define GM_MAX_REGIONS 3
/* RAM above this goes to a second region from 4 GiB, leaving a hole below 4 GiB for
 * the KVM TSS area (Intel hosts need KVM_SET_TSS_ADDR outside every slot). */
#define GM_LOW_LIMIT 0xc0000000ull
#define GM_HIGH_BASE 0x100000000ull

struct gm_region {
    gpa_t gpa;
    uint64_t size;
    uint8_t *host; /* reserved with MAP_NORESERVE: only touched pages cost memory */
    /* NULL for RAM (every page usable). The file window: one bit a page, set while a file
     * page is mapped there (filewin.c); the translator refuses the others. */
    uint8_t *backed;
    /* NULL for RAM. The file window: set while the page mapped there is writable (a
     * read-only file mapping is read-only in the host too: storing there would crash). */
    uint8_t *writable;
};

/* The regions are RAM first (one or two), then the file window (BVM_FILEWIN_GPA, filewin.h),
 * reserved PROT_NONE: every backend registers all of them as memory slots. */
struct guestmem {
    struct gm_region r[GM_MAX_REGIONS];
    int nr;
    int nr_ram;               /* r[0 .. nr_ram) are RAM */
    struct gm_region *win;    /* the file window, r[nr_ram] */
    uint64_t win_backed;      /* pages of the window mapped now */
    uint64_t ram_size; /* total bytes of RAM */
    /* Called after the monitor writes guest RAM (the soft CPU drops decoded code there). */
    void (*on_write)(void *ctx, gpa_t gpa, uint64_t len);
    /* Called after window pages were mapped or unmapped (the soft CPU forgets its host
     * addresses for them). */
    void (*on_remap)(void *ctx, gpa_t gpa, uint64_t len);
    void *on_write_ctx;
};

/* Reserve ram_size bytes (page multiple) as one or two regions, then the file window. 0 or -errno. */
int gm_init(struct guestmem *gm, uint64_t ram_size);
void gm_destroy(struct guestmem *gm);

/* Host pointer for reading [gpa, gpa+len) if that range lies wholly inside one region (and, in
 * the file window, only on mapped pages), else NULL. Overflow-safe for any gpa/len. len 0 is
 * valid inside a region (or at its end). */
const void *gm_ptr(const struct guestmem *gm, gpa_t gpa, uint64_t len);
/* The same for writing: in the file window only on pages mapped writable. */
void *gm_ptr_w(const struct guestmem *gm, gpa_t gpa, uint64_t len);

/* Checked copies. Return 0, or -EFAULT if the range is not RAM. gm_write announces the
 * write through on_write. */
int gm_read(const struct guestmem *gm, gpa_t gpa, void *dst, uint64_t len);
int gm_write(struct guestmem *gm, gpa_t gpa, const void *src, uint64_t len);
/* Announce that the monitor wrote [gpa, gpa+len) through a pointer from gm_ptr. */
void gm_written(struct guestmem *gm, gpa_t gpa, uint64_t len);

#endif
