/* mm_shared.c: MAP_SHARED file mappings: PTEs onto the host file's pages in the file window, so
 * the mapping, read()/write() and every other mapping of the file see the same bytes. */
#include "mm_shared.h"

#include "bvm_linux.h"
#include "fd.h"
#include "filewin.h"
#include "hostcall.h"
#include "pagetable.h"
#include "procfs.h"

#define FAULT_AROUND (16 * PAGE_SIZE) /* Linux's fault_around_bytes */

/* The VMA [start, end) over f's file offsets from pgoff, its window chunks taken first (through
 * host fd `host`, or the file's own when -1). */
static int shared_vma(struct fw_file *f, int host, const struct vma_file *name, uint64_t start, uint64_t end,
                      uint32_t prot, uint32_t flags, uint64_t pgoff)
{
    int err = fw_acquire(f, pgoff, end - start, (flags & VMA_MAYWRITE) != 0, host);
    if (err)
        return err;
    struct vma *v = vma_insert(&cur_as->vmas, start, end, prot, flags);
    if (!v) {
        fw_release(f, pgoff, end - start);
        return -LINUX_ENOMEM;
    }
    v->file = name;
    v->fw = f;
    v->pgoff = pgoff;
    vma_merge(&cur_as->vmas, v);
    return 0;
}

static int map_fd(uint64_t at, uint64_t len, uint32_t prot, int fd, uint64_t off, bool may_write,
                  const struct vma_file *name)
{
    struct fw_file *f = NULL;
    int err = fw_open(fd, may_write, &f);
    if (err)
        return err;
    uint32_t flags = VMA_SHARED | (may_write ? VMA_MAYWRITE : 0);
    return shared_vma(f, fd_host(fd), name, at, at + len, prot, flags, off);
}

int mm_shared_map(uint64_t at, uint64_t len, uint32_t prot, int fd, uint64_t off)
{
    /* Linux's VM_MAYWRITE: only a fd open for writing lets mprotect add PROT_WRITE later. */
    bool may_write = fd_accmode(fd) == LINUX_O_RDWR;
    const struct vma_file *name = procfs_file_of(fd_host(fd));
    int err = map_fd(at, len, prot, fd, off, may_write, name);
    /* The inherited host fds 0, 1 and 2 count as O_RDWR without the kernel knowing: the host
     * refuses a writable mapping of one open for reading only, which a read-only mapping does
     * not need. */
    if (err == -LINUX_EACCES && may_write && !(prot & LINUX_PROT_WRITE) && fd_host(fd) <= 2)
        err = map_fd(at, len, prot, fd, off, false, name);
    return err;
}

int mm_shared_anon(uint64_t at, uint64_t len, uint32_t prot)
{
    static const struct vma_file dev_zero = {"/dev/zero (deleted)", 1, 0}; /* Linux's name, on shmem (00:01) */
    /* A memfd of the mapping's size, mapped as a shared file and then closed (the mapping holds it):
     * its pages are the host's shared memory, so a forked child (another host process) shares them. */
    int64_t h = hc_newfd(BVM_NEWFD_MEMFD, "dev/zero", 0, 0);
    if (h < 0)
        return (int)h;
    hc_fdop((int)h, BVM_FDOP_FTRUNCATE, NULL, 0)->arg.length = (int64_t)len;
    int64_t err = hc_issue();
    int fd = err < 0 ? (hc_close((int)h), (int)err) : fd_install((int)h, LINUX_O_RDWR, true);
    if (fd < 0)
        return fd == -LINUX_EMFILE ? -LINUX_ENOMEM : fd;
    err = map_fd(at, len, prot, fd, 0, true, &dev_zero);
    fd_release(fd);
    return (int)err;
}

int mm_shared_sysv(uint64_t at, uint64_t len, uint32_t prot, int host, bool may_write, uint64_t off,
                   const struct vma_file *name)
{
    /* Through a guest fd for the moment of the mapping, as MAP_SHARED of a file; the VMA keeps it. */
    int fd = fd_install(host, may_write ? LINUX_O_RDWR : LINUX_O_RDONLY, true);
    if (fd < 0)
        return fd == -LINUX_EMFILE ? -LINUX_ENOMEM : fd;
    struct fw_file *f = NULL;
    int err = fw_open(fd, may_write, &f);
    uint32_t flags = VMA_SHARED | VMA_SYSV | (may_write ? VMA_MAYWRITE : 0);
    if (!err)
        err = shared_vma(f, host, name, at, at + len, prot, flags, off);
    fd_release(fd);
    return err;
}

int mm_shared_clone(const struct vma *v, uint64_t addr, uint64_t start, uint64_t end)
{
    return shared_vma(v->fw, -1, v->file, start, end, v->prot, v->flags, v->pgoff + (addr - v->start));
}

int mm_shared_fault(struct addrspace *as, struct vma *v, uint64_t va)
{
    int64_t size = fw_size(v->fw);
    uint64_t lo = MAX(v->start, va & ~(FAULT_AROUND - 1)), hi = MIN(v->end, lo + FAULT_AROUND);
    if (size >= 0) {
        /* Linux: SIGBUS for a page wholly past the end; the last partial page reads zeroes. */
        uint64_t eof = PAGE_UP((uint64_t)size);
        if (v->pgoff + (va - v->start) >= eof)
            return FAULT_SIGBUS;
        hi = MIN(hi, v->start + (eof - v->pgoff));
    }
    uint64_t flags = pt_prot_flags(v->prot);
    for (uint64_t p = lo; p < hi; p += PAGE_SIZE) {
        if (pt_lookup(as->root, p) & PTE_P)
            continue;
        /* The neighbours are a bonus: only va's own page must succeed. */
        int err = pt_map(as->root, p, fw_page(v->fw, v->pgoff + (p - v->start)), flags);
        if (err && p == PAGE_DOWN(va))
            return err;
    }
    return 0;
}

int mm_shared_sync(uint64_t start, uint64_t end)
{
    struct vma_tree *t = &cur_as->vmas;
    for (struct vma *v = vma_next_from(t, start); v && v->start < end; v = vma_next_from(t, v->end)) {
        uint64_t lo = MAX(start, v->start), hi = MIN(end, v->end);
        int err = v->fw ? fw_sync(v->fw, v->pgoff + (lo - v->start), hi - lo) : 0;
        if (err)
            return err;
    }
    return 0;
}

void mm_shared_file_changed(int host)
{
    struct vma_tree *t = &cur_as->vmas;
    const struct fw_file *f = host >= 0 ? fw_find(host) : NULL;
    if (host >= 0 && !f)
        return;
    for (struct vma *v = vma_next_from(t, 0); v; v = vma_next_from(t, v->end))
        if (v->fw && (!f || v->fw == f))
            mm_unmap_pages(cur_as, v->start, v->end);
}
