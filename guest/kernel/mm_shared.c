/* mm_shared.c: writable MAP_SHARED file mappings: the pages are a copy, written back to the file on
 * msync, munmap and exit (one process: nobody else can observe the file in between). */
#include "mm_shared.h"

#include "bvm_linux.h"
#include "fmt.h"
#include "hostcall.h"
#include "usercopy.h"

#define NSHARED 64
#define O_RDWR 2
#define O_CLOEXEC 02000000

struct shared_map {
    uint64_t start, end; /* the mapping when it was made; pages no longer mapped are skipped */
    uint64_t pgoff;
    int host;            /* the mapping's own host fd: the program may close its fd */
    bool used;
};
static struct shared_map maps[NSHARED];

int mm_shared_add(int host_fd, uint64_t start, uint64_t end, uint64_t pgoff)
{
    static char link[32];
    for (int i = 0; i < NSHARED; i++) {
        if (maps[i].used)
            continue;
        ksnprintf(link, sizeof(link), "/proc/self/fd/%d", host_fd);
        int64_t h = hc_path(BVM_HC_OPENAT, LINUX_AT_FDCWD, link, O_RDWR | O_CLOEXEC, 0, NULL);
        if (h < 0) {
            kprintf("mmap MAP_SHARED: cannot reopen the file for write-back (errno %ld)", (long)-h);
            return (int)h;
        }
        maps[i] = (struct shared_map){start, end, pgoff, (int)h, true};
        return 0;
    }
    kprintf("mmap MAP_SHARED: more than %d writable shared file mappings", NSHARED);
    return -LINUX_ENOMEM;
}

/* The file's size: bytes past it are never written (Linux would not extend the file either). */
static int64_t file_size(int host)
{
    int64_t r = hc_fd(BVM_HC_FSTAT, host, 0, 0, hc_bounce(), sizeof(struct linux_stat));
    return r < 0 ? r : ((const struct linux_stat *)hc_bounce())->st_size;
}

/* Writes [start, end) of mapping m back, page by page, skipping pages no longer mapped. */
static int write_back(struct shared_map *m, uint64_t start, uint64_t end)
{
    int64_t size = file_size(m->host);
    if (size < 0)
        return (int)size;
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        struct vma *v = vma_find(&cur_as->vmas, va);
        int64_t off = (int64_t)(m->pgoff + (va - m->start));
        if (!v || !(v->flags & VMA_SHARED) || off >= size)
            continue;
        uint64_t len = (uint64_t)MIN((int64_t)PAGE_SIZE, size - off);
        int64_t n = user_io(BVM_HC_PWRITE, m->host, va, len, off, 0, 0);
        if (n < 0) {
            kprintf("MAP_SHARED write-back at offset %ld failed (errno %ld)", (long)off, (long)-n);
            return (int)n;
        }
    }
    return 0;
}

int mm_shared_sync(uint64_t start, uint64_t end)
{
    int err = 0;
    for (int i = 0; i < NSHARED; i++) {
        struct shared_map *m = &maps[i];
        uint64_t lo = MAX(start, m->start), hi = MIN(end, m->end);
        if (m->used && lo < hi) {
            int e = write_back(m, lo, hi);
            err = err ? err : e;
        }
    }
    return err;
}

void mm_shared_unmapped(uint64_t start, uint64_t end)
{
    mm_shared_sync(start, end);
    for (int i = 0; i < NSHARED; i++) {
        struct shared_map *m = &maps[i];
        if (m->used && start <= m->start && end >= m->end) {
            hc_fd(BVM_HC_CLOSE, m->host, 0, 0, NULL, 0);
            m->used = false;
        }
    }
}

void mm_shared_sync_all(void)
{
    mm_shared_sync(0, USER_TOP);
}
