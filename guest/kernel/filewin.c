/* filewin.c: chunks of files in the monitor's file window, shared by the mappings that cover them. */
#include "filewin.h"

#include "bvm_linux.h"
#include "fd.h"
#include "hostcall.h"

#define FW_MAX_SLOTS (BVM_FILEWIN_SIZE / FW_CHUNK)
#define FW_FILES ((int)FW_MAX_SLOTS) /* each file holds a chunk at least: the window is the limit */
#define FW_HASH 1024

struct fw_file {
    uint64_t dev, ino;
    int host;        /* held open (fd_host_hold): the program may close its own fd */
    bool writable;   /* host is open for writing: new chunks are mapped writable */
    bool regular;    /* a regular file: shared by later mappings, pages past the end fault */
    bool used;
    uint32_t chunks; /* chunks in the window; the file is forgotten with its last */
};

/* One per window slot of FW_CHUNK bytes. */
struct fw_chunk {
    struct fw_file *file; /* NULL: the slot is free */
    uint64_t index;       /* file offset / FW_CHUNK */
    uint32_t pages;       /* VMA pages over it, every mapping counted */
    bool writable;        /* mapped writable by the monitor */
    int32_t hnext;        /* next slot in its hash chain, or -1 */
};

static struct fw_file files[FW_FILES];
static uint32_t nfiles; /* files in use */
static struct fw_chunk chunks[FW_MAX_SLOTS];
static int32_t hash_head[FW_HASH];
static uint64_t win_base;
static uint32_t nslots, slot_hint;

void fw_init(const struct bvm_bootinfo *bi)
{
    for (uint32_t i = 0; i < FW_HASH; i++)
        hash_head[i] = -1;
    for (uint32_t i = 0; i < bi->nr_ranges && i < BVM_MAX_RANGES; i++) {
        const struct bvm_mem_range *r = &bi->ranges[i];
        if (r->type == BVM_RANGE_FILEWIN && !(r->base % FW_CHUNK)) {
            win_base = r->base;
            nslots = (uint32_t)MIN(r->size / FW_CHUNK, FW_MAX_SLOTS);
        }
    }
}

bool fw_owns(uint64_t pa)
{
    return pa >= win_base && pa - win_base < (uint64_t)nslots * FW_CHUNK;
}

static uint32_t hash_of(const struct fw_file *f, uint64_t index)
{
    uint64_t k = (uint64_t)(uintptr_t)f * 0x9e3779b97f4a7c15ull ^ index * 0xc2b2ae3d27d4eb4full;
    return (uint32_t)(k >> 40) & (FW_HASH - 1);
}

static struct fw_chunk *chunk_find(const struct fw_file *f, uint64_t index)
{
    for (int32_t s = hash_head[hash_of(f, index)]; s >= 0; s = chunks[s].hnext)
        if (chunks[s].file == f && chunks[s].index == index)
            return &chunks[s];
    return NULL;
}

static uint64_t chunk_gpa(const struct fw_chunk *c)
{
    return win_base + (uint64_t)(c - chunks) * FW_CHUNK;
}

/* FMAP: the chunk's FW_CHUNK bytes of its file, through host fd `host`, into its slot (again,
 * to make it writable). A failure changes nothing. */
static int chunk_map(struct fw_chunk *c, int host, bool writable)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_FMAP);
    r->u.fmap.fd = host;
    r->u.fmap.prot = BVM_FMAP_READ | (writable ? BVM_FMAP_WRITE : 0);
    r->u.fmap.offset = c->index * FW_CHUNK;
    r->u.fmap.gpa = chunk_gpa(c);
    r->u.fmap.len = FW_CHUNK;
    int64_t ret = hc_issue();
    if (ret < 0)
        return (int)ret;
    c->writable = writable;
    return 0;
}

static struct fw_chunk *chunk_new(struct fw_file *f, uint64_t index, int host, bool writable, int *err)
{
    for (uint32_t n = 0; n < nslots; n++) {
        struct fw_chunk *c = &chunks[(slot_hint + n) % nslots];
        if (c->file)
            continue;
        *c = (struct fw_chunk){f, index, 0, false, -1};
        if ((*err = chunk_map(c, host, writable)) < 0) {
            c->file = NULL;
            return NULL;
        }
        uint32_t h = hash_of(f, index);
        c->hnext = hash_head[h];
        hash_head[h] = (int32_t)(c - chunks);
        slot_hint = (uint32_t)(c - chunks) + 1;
        f->chunks++;
        return c;
    }
    kprintf("mmap MAP_SHARED: the file window is full (%u chunks of 2 MiB)", nslots);
    *err = -LINUX_ENOMEM;
    return NULL;
}

static void file_forget(struct fw_file *f)
{
    if (f->used && !f->chunks) {
        f->used = false;
        nfiles--;
        fd_host_put(f->host);
    }
}

static void chunk_drop(struct fw_chunk *c)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_FUNMAP);
    r->u.fmap.gpa = chunk_gpa(c);
    r->u.fmap.len = FW_CHUNK;
    int64_t ret = hc_issue();
    kassert(ret == 0);
    for (int32_t *p = &hash_head[hash_of(c->file, c->index)]; *p >= 0; p = &chunks[*p].hnext)
        if (&chunks[*p] == c) {
            *p = c->hnext;
            break;
        }
    struct fw_file *f = c->file;
    c->file = NULL;
    f->chunks--;
    file_forget(f);
}

static struct fw_file *file_find(uint64_t dev, uint64_t ino)
{
    for (int i = 0; i < FW_FILES; i++)
        if (files[i].used && files[i].regular && files[i].dev == dev && files[i].ino == ino)
            return &files[i];
    return NULL;
}

const struct fw_file *fw_find(int host)
{
    if (!nfiles || hc_fstat(host, hc_bounce()) < 0)
        return NULL;
    const struct linux_stat *st = hc_bounce();
    return file_find(st->st_dev, st->st_ino);
}

int fw_open(int fd, bool writable, struct fw_file **out)
{
    int h = fd_host(fd);
    if (h < 0)
        return h;
    int64_t r = hc_fstat(h, hc_bounce());
    if (r < 0)
        return (int)r;
    const struct linux_stat *st = hc_bounce();
    bool regular = (st->st_mode & LINUX_S_IFMT) == LINUX_S_IFREG;
    if (!nslots)
        return -LINUX_ENODEV;
    struct fw_file *f = regular ? file_find(st->st_dev, st->st_ino) : NULL;
    for (int i = 0; !f && i < FW_FILES; i++) {
        if (files[i].used)
            continue;
        f = &files[i];
        *f = (struct fw_file){st->st_dev, st->st_ino, h, writable, regular, true, 0};
        fd_host_hold(h);
        nfiles++;
    }
    if (!f) {
        kprintf("mmap MAP_SHARED: more than %d files mapped", FW_FILES);
        return -LINUX_ENOMEM;
    }
    *out = f;
    return 0;
}

/* Adds pages to chunk index of f, mapping it first (through host when may_write), or mapping
 * it again writable (a failure leaves it as it was). */
static int chunk_take(struct fw_file *f, uint64_t index, uint32_t pages, bool may_write, int host)
{
    int err = 0;
    struct fw_chunk *c = chunk_find(f, index);
    if (!c && !(c = chunk_new(f, index, may_write ? host : f->host, may_write || f->writable, &err)))
        return err;
    if (may_write && !c->writable && (err = chunk_map(c, host, true)) < 0)
        return err;
    c->pages += pages;
    return 0;
}

int fw_acquire(struct fw_file *f, uint64_t off, uint64_t len, bool may_write, int host)
{
    kassert(host >= 0 || !may_write || f->writable); /* a VMA that may write has a writable file */
    if (host < 0)
        host = f->host;
    for (uint64_t o = off; o < off + len;) {
        uint64_t end = MIN(off + len, (o / FW_CHUNK + 1) * FW_CHUNK);
        int err = chunk_take(f, o / FW_CHUNK, (uint32_t)((end - o) / PAGE_SIZE), may_write, host);
        if (err) {
            fw_release(f, off, o - off);
            file_forget(f);
            return err;
        }
        o = end;
    }
    if (may_write && !f->writable) { /* the file's fd from now on: chunks to come map writable */
        fd_host_hold(host);
        fd_host_put(f->host);
        f->host = host;
        f->writable = true;
    }
    return 0;
}

void fw_release(struct fw_file *f, uint64_t off, uint64_t len)
{
    for (uint64_t o = off; o < off + len;) {
        uint64_t end = MIN(off + len, (o / FW_CHUNK + 1) * FW_CHUNK);
        uint32_t pages = (uint32_t)((end - o) / PAGE_SIZE);
        struct fw_chunk *c = chunk_find(f, o / FW_CHUNK);
        kassert(c && c->pages >= pages);
        c->pages -= pages;
        if (!c->pages)
            chunk_drop(c);
        o = end;
    }
}

uint64_t fw_page(const struct fw_file *f, uint64_t off)
{
    const struct fw_chunk *c = chunk_find(f, off / FW_CHUNK);
    kassert(c);
    return chunk_gpa(c) + off % FW_CHUNK;
}

int64_t fw_size(const struct fw_file *f)
{
    if (!f->regular)
        return -1;
    int64_t r = hc_fstat(f->host, hc_bounce());
    return r < 0 ? 0 : ((const struct linux_stat *)hc_bounce())->st_size;
}

int fw_sync(const struct fw_file *f, uint64_t off, uint64_t len)
{
    for (uint64_t o = off; o < off + len;) {
        uint64_t end = MIN(off + len, (o / FW_CHUNK + 1) * FW_CHUNK);
        struct bvm_hostcall *r = hc_req(BVM_HC_FMSYNC);
        r->u.fmap.gpa = fw_page(f, o);
        r->u.fmap.len = end - o;
        int64_t ret = hc_issue();
        if (ret < 0)
            return (int)ret;
        o = end;
    }
    return 0;
}
