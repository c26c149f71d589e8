/* sys_mm.c: memory syscalls: brk, mmap (anonymous; private file mappings by copy, shared ones
 * onto the file's own pages), munmap, mprotect, mremap, madvise, msync. */
#include "bvm_linux.h"
#include "fd.h"
#include "hostcall.h"
#include "filewin.h"
#include "mm.h"
#include "mm_shared.h"
#include "procfs.h"
#include "pagetable.h"
#include "palloc.h"
#include "syscall.h"
#include "usercopy.h"


/* A user range [addr, addr+len) that mmap-family calls may touch: inside the user window,
 * outside the heap checker's reserved ranges. */
static bool mm_range_ok(uint64_t addr, uint64_t len)
{
    return addr >= USER_MIN && len <= USER_TOP && addr <= USER_TOP - len &&
           !vma_range_reserved(addr, addr + len);
}

int64_t sys_brk(SYSARGS)
{
    struct addrspace *as = cur_as;
    uint64_t want = a0, old_end = PAGE_UP(as->brk), new_end = PAGE_UP(want);
    /* Like Linux, failure is reported by returning the unchanged break. */
    if (want < as->brk_start || !mm_range_ok(as->brk_start, new_end - as->brk_start))
        return (int64_t)as->brk;
    if (new_end > old_end) {
        if (!mm_commit_ok(new_end - old_end) || !mm_may_expand(as, new_end - old_end, true) ||
            !vma_range_free(&as->vmas, old_end, new_end + PAGE_SIZE) ||
            mm_map_anon(as, old_end, new_end, LINUX_PROT_READ | LINUX_PROT_WRITE, VMA_HEAP))
            return (int64_t)as->brk;
    } else if (new_end < old_end) {
        mm_unmap(as, new_end, old_end);
    }
    as->brk = want;
    return (int64_t)want;
}

int64_t mmap_place(uint64_t addr, uint64_t len, uint32_t flags)
{
    struct addrspace *as = cur_as;
    if (flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE)) {
        if (!PAGE_ALIGNED(addr))
            return -LINUX_EINVAL;
        if (addr < USER_MIN)
            return -LINUX_EPERM; /* Linux's vm.mmap_min_addr check */
        if (!mm_range_ok(addr, len))
            return -LINUX_ENOMEM;
        if (!vma_range_free(&as->vmas, addr, addr + len)) {
            if (flags & LINUX_MAP_FIXED_NOREPLACE)
                return -LINUX_EEXIST;
            int err = mm_unmap(as, addr, addr + len);
            if (err)
                return err;
        }
        return (int64_t)addr;
    }
    addr = PAGE_DOWN(addr);
    if (addr && mm_range_ok(addr, len) && vma_range_free(&as->vmas, addr, addr + len))
        return (int64_t)addr;
    uint64_t gap = mm_find_gap(as, len);
    return gap ? (int64_t)gap : -LINUX_ENOMEM;
}

/* Creates the VMA of a new mapping; a file mapping is named after its file for /proc/self/maps. */
/* What a private file mapping reads its pages from. */
enum private_source {
    FROM_FILE,  /* a regular file: read page by page as they are touched */
    FROM_ZERO,  /* /dev/zero: anonymous memory, as Linux makes it (vma_set_anonymous; the name
                 * stays in /proc/self/maps), nothing to read whatever its size */
    FROM_OTHER, /* anything else (a device): copied in whole at mmap time */
};

static enum private_source private_source(int fd)
{
    int h = fd_host(fd);
    if (h < 0 || hc_fstat(h, hc_bounce()) < 0)
        return FROM_OTHER;
    const struct linux_stat *st = hc_bounce();
    if ((st->st_mode & LINUX_S_IFMT) == LINUX_S_IFREG)
        return FROM_FILE;
    bool zero = (st->st_mode & LINUX_S_IFMT) == LINUX_S_IFCHR && st->st_rdev == ((1u << 8) | 5u); /* 1:5 */
    return zero ? FROM_ZERO : FROM_OTHER;
}

static int mmap_vma(uint64_t at, uint64_t len, uint32_t prot, uint32_t flags, int fd, uint64_t off,
                    enum private_source src)
{
    uint32_t vflags = VMA_ANON | ((flags & LINUX_MAP_TYPE) != LINUX_MAP_PRIVATE ? VMA_SHARED : 0);
    if ((flags & LINUX_MAP_ANONYMOUS) && (vflags & VMA_SHARED))
        return mm_shared_anon(at, len, prot);
    if (flags & LINUX_MAP_ANONYMOUS)
        return mm_map_anon(cur_as, at, at + len, prot, vflags);
    if (vflags & VMA_SHARED)
        return mm_shared_map(at, len, prot, fd, off);
    if (src == FROM_FILE)
        return mm_map_private_file(cur_as, at, at + len, prot, vflags, procfs_file_of(fd_host(fd)), fd_host(fd), off);
    struct vma *v = vma_insert(&cur_as->vmas, at, at + len, prot, vflags);
    if (!v)
        return -LINUX_ENOMEM;
    v->file = procfs_file_of(fd_host(fd));
    v->pgoff = off;
    vma_merge(&cur_as->vmas, v);
    return 0;
}

/*
 * A private mapping of something other than a regular file or /dev/zero is copied in whole with
 * pread hostcalls into fresh zeroed pages. A regular file's pages are read as they are touched
 * (mm_private_file_fault); shared file mappings map the file's own pages (mm_shared.c).
 */
static int64_t mmap_private_file(uint64_t at, uint64_t len, int fd, uint64_t off)
{
    /* access 0: the pages are filled whatever protection the mapping gives the program */
    int h = fd_host(fd);
    int64_t n = h < 0 ? h : user_io(BVM_HC_PREAD, h, at, len, (int64_t)off, 0, 0);
    return n < 0 ? n : 0;
}

/* Linux's checks of the fd against the mapping: EBADF for O_PATH, EACCES for a write-only fd
 * or a shared writable mapping of a fd not open for writing. */
static int mmap_fd_check(int fd, uint32_t prot, uint32_t flags)
{
    if (!fd_valid(fd))
        return -LINUX_EBADF;
    uint32_t acc = fd_accmode(fd);
    if (acc & LINUX_O_PATH) /* no file to map, as for a closed fd */
        return -LINUX_EBADF;
    if (acc == LINUX_O_WRONLY)
        return -LINUX_EACCES;
    if ((flags & LINUX_MAP_TYPE) != LINUX_MAP_PRIVATE && (prot & LINUX_PROT_WRITE) && acc != LINUX_O_RDWR)
        return -LINUX_EACCES;
    return 0;
}

int64_t sys_mmap(SYSARGS)
{
    uint64_t addr = a0, len = a1;
    uint32_t prot = (uint32_t)a2, flags = (uint32_t)a3, type = flags & LINUX_MAP_TYPE;
    int fd = (int)a4;
    if (len == 0 || (a5 & (PAGE_SIZE - 1)) || (prot & ~7u))
        return -LINUX_EINVAL;
    if (type != LINUX_MAP_PRIVATE && type != LINUX_MAP_SHARED && type != LINUX_MAP_SHARED_VALIDATE)
        return -LINUX_EINVAL;
    if (len > USER_TOP)
        return -LINUX_ENOMEM;
    len = PAGE_UP(len);
    if (!(flags & LINUX_MAP_ANONYMOUS)) {
        int err = mmap_fd_check(fd, prot, flags);
        if (err)
            return err;
        if (a5 > (uint64_t)INT64_MAX - len) /* past the largest file offset (MAX_LFS_FILESIZE) */
            return -LINUX_EOVERFLOW;
    }
    if (type == LINUX_MAP_PRIVATE && (prot & LINUX_PROT_WRITE) && !(flags & LINUX_MAP_NORESERVE) && !mm_commit_ok(len))
        return -LINUX_ENOMEM;
    if (!mm_may_expand(cur_as, len, type == LINUX_MAP_PRIVATE && (prot & LINUX_PROT_WRITE)))
        return -LINUX_ENOMEM;
    enum private_source src = (flags & LINUX_MAP_ANONYMOUS) || type != LINUX_MAP_PRIVATE ? FROM_ZERO : private_source(fd);
    int64_t at = mmap_place(addr, len, flags);
    if (at < 0)
        return at;
    int err = mmap_vma((uint64_t)at, len, prot, flags, fd, a5, src);
    if (err)
        return err;
    if (src == FROM_OTHER) {
        int64_t r = mmap_private_file((uint64_t)at, len, fd, a5);
        if (r < 0) {
            mm_unmap(cur_as, (uint64_t)at, (uint64_t)at + len);
            return r;
        }
    } else if (flags & LINUX_MAP_POPULATE) {
        for (uint64_t va = (uint64_t)at; va < (uint64_t)at + len; va += PAGE_SIZE)
            uvm_page(cur_as, va, 0, NULL);
    }
    return at;
}

/* Linux's bounds: anywhere below the top, the low pages under mmap_min_addr included; the
 * kernel's own reserved ranges inside are left alone (nothing of the program lies there). */
int64_t sys_munmap(SYSARGS)
{
    uint64_t addr = a0, len = PAGE_UP(a1), end = addr + len;
    if (!PAGE_ALIGNED(addr) || len == 0 || len > USER_TOP || addr > USER_TOP - len)
        return -LINUX_EINVAL;
    if (!vma_range_reserved(addr, end))
        return mm_unmap(cur_as, addr, end);
    int err = addr < VMA_ALIAS_BASE ? mm_unmap(cur_as, addr, MIN(end, VMA_ALIAS_BASE)) : 0;
    return err || end <= VMA_META_END ? err : mm_unmap(cur_as, MAX(addr, VMA_META_END), end);
}

/* True when VMAs cover [start, end) without holes. */
static bool range_covered(struct vma_tree *t, uint64_t start, uint64_t end)
{
    while (start < end) {
        struct vma *v = vma_find(t, start);
        if (!v)
            return false;
        start = v->end;
    }
    return true;
}

int64_t sys_mprotect(SYSARGS)
{
    struct addrspace *as = cur_as;
    uint64_t addr = a0, len = PAGE_UP(a1);
    uint32_t prot = (uint32_t)a2;
    if (!PAGE_ALIGNED(addr) || (prot & ~7u) || a1 > USER_TOP)
        return -LINUX_EINVAL;
    if (len == 0)
        return 0;
    if (!mm_range_ok(addr, len) || !range_covered(&as->vmas, addr, addr + len))
        return -LINUX_ENOMEM;
    /* As Linux: a shared file mapping becomes writable only if its fd was open for writing. */
    struct vma_tree *t = &as->vmas;
    for (struct vma *v = vma_find(t, addr); v && v->start < addr + len; v = vma_next_from(t, v->end))
        if (v->fw && (prot & LINUX_PROT_WRITE) && !(v->flags & VMA_MAYWRITE))
            return -LINUX_EACCES;
    int err = mm_split_at(as, addr, addr + len);
    if (err)
        return err;
    for (struct vma *v = vma_find(&as->vmas, addr); v && v->start < addr + len;) {
        v->prot = prot;
        vma_changed();
        uint64_t next = v->end;
        vma_merge(&as->vmas, v);
        v = vma_find(&as->vmas, next);
    }
    mm_protect_pages(as, addr, addr + len, prot);
    return 0;
}

struct move_ctx {
    struct addrspace *as;
    uint64_t from, to;
    int err;
};

/* First pass: the tables every moved page needs, so that moving cannot fail half way. */
static void reserve_one(uint64_t va, uint64_t *pte, void *ctx)
{
    struct move_ctx *m = ctx;
    (void)pte;
    if (!m->err)
        m->err = pt_reserve(m->as->root, va - m->from + m->to);
}

static void move_one(uint64_t va, uint64_t *pte, void *ctx)
{
    struct move_ctx *m = ctx;
    uint64_t pa = *pte & PTE_ADDR, flags = *pte & ~PTE_ADDR & ~PTE_P;
    *pte = 0;
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
    uint64_t nva = va - m->from + m->to;
    int err = pt_map(m->as->root, nva, pa, flags);
    kassert(err == 0); /* its tables were reserved */
    if (!fw_owns(pa))
        palloc_set_rmap(pa, m->as, nva);
}

/* The VMA a private or anonymous mapping moves to: a moved file mapping keeps its file and
 * offset (for /proc/self/maps). */
static int mremap_new_vma(const struct vma *v, uint64_t old, uint64_t dst, uint64_t new_len)
{
    uint32_t flags = (v->flags & ~VMA_STACK) | VMA_ANON;
    if (v->flags & VMA_PRIVATE_FILE)
        return mm_map_private_file(cur_as, dst, dst + new_len, v->prot, flags, v->file, v->file_host,
                                   v->pgoff + (old - v->start));
    struct vma *nv = vma_insert(&cur_as->vmas, dst, dst + new_len, v->prot, flags);
    if (!nv)
        return -LINUX_ENOMEM;
    nv->file = v->file;
    nv->pgoff = v->file ? v->pgoff + (old - v->start) : 0;
    vma_merge(&cur_as->vmas, nv);
    return 0;
}

/* Moves [old, old+old_len) to a fresh range of new_len at dst (pages move, nothing is copied; a
 * shared file mapping's new VMA takes its window chunks before the old one gives them back). */
static int64_t mremap_move(struct vma *v, uint64_t old, uint64_t old_len, uint64_t new_len, uint64_t dst)
{
    struct addrspace *as = cur_as;
    int err = v->fw ? mm_shared_clone(v, old, dst, dst + new_len) : mremap_new_vma(v, old, dst, new_len);
    if (err)
        return err;
    struct move_ctx m = {as, old, dst, 0};
    pt_range(as->root, old, old + MIN(old_len, new_len), reserve_one, &m);
    if (m.err) { /* guest RAM is full: Linux's ENOMEM, the old mapping untouched */
        mm_unmap(as, dst, dst + new_len);
        return m.err;
    }
    pt_range(as->root, old, old + MIN(old_len, new_len), move_one, &m);
    mm_unmap(as, old, old + old_len);
    return (int64_t)dst;
}

int64_t sys_mremap(SYSARGS)
{
    struct addrspace *as = cur_as;
    uint64_t old = a0, old_len = PAGE_UP(a1), new_len = PAGE_UP(a2), flags = a3, dst = a4;
    if (!PAGE_ALIGNED(old) || (flags & ~3ull) || ((flags & LINUX_MREMAP_FIXED) && !(flags & LINUX_MREMAP_MAYMOVE)))
        return -LINUX_EINVAL;
    if (new_len == 0 || old_len == 0 || a2 > USER_TOP || !mm_range_ok(old, old_len))
        return -LINUX_EINVAL;
    struct vma *v = vma_find(&as->vmas, old);
    if (!v || v->end < old + old_len)
        return -LINUX_EFAULT;
    bool data = !(v->flags & (VMA_SHARED | VMA_STACK)) && (v->prot & LINUX_PROT_WRITE);
    if (new_len > old_len && ((data && !mm_commit_ok(new_len - old_len)) || !mm_may_expand(as, new_len - old_len, data)))
        return -LINUX_ENOMEM;
    if (flags & LINUX_MREMAP_FIXED) {
        if (!PAGE_ALIGNED(dst) || !mm_range_ok(dst, new_len) || (dst < old + old_len && old < dst + new_len))
            return -LINUX_EINVAL;
        mm_unmap(as, dst, dst + new_len);
        v = vma_find(&as->vmas, old);
        return mremap_move(v, old, old_len, new_len, dst);
    }
    if (new_len <= old_len) {
        mm_unmap(as, old + new_len, old + old_len);
        return (int64_t)old;
    }
    uint64_t grow = old + old_len;
    if (v->end == grow && mm_range_ok(grow, new_len - old_len) &&
        vma_range_free(&as->vmas, grow, old + new_len)) {
        int err = v->fw ? mm_shared_clone(v, grow, grow, old + new_len)
                  : v->flags & VMA_PRIVATE_FILE
                      ? mm_map_private_file(as, grow, old + new_len, v->prot, v->flags, v->file, v->file_host,
                                            v->pgoff + (grow - v->start))
                      : mm_map_anon(as, grow, old + new_len, v->prot, v->flags & ~VMA_ANON);
        return err ? err : (int64_t)old;
    }
    if (!(flags & LINUX_MREMAP_MAYMOVE))
        return -LINUX_ENOMEM;
    uint64_t gap = mm_find_gap(as, new_len);
    return gap ? mremap_move(v, old, old_len, new_len, gap) : -LINUX_ENOMEM;
}

int64_t sys_madvise(SYSARGS)
{
    uint64_t addr = a0, len = PAGE_UP(a1);
    if (!PAGE_ALIGNED(addr) || a1 > USER_TOP)
        return -LINUX_EINVAL;
    if (len == 0)
        return 0;
    if (!mm_range_ok(addr, len) || !range_covered(&cur_as->vmas, addr, addr + len))
        return -LINUX_ENOMEM;
    /* Anonymous memory only: dropping the pages makes the next touch see zeroes. */
    if (a2 == LINUX_MADV_DONTNEED || a2 == LINUX_MADV_FREE)
        mm_unmap_pages(cur_as, addr, addr + len);
    return 0;
}


int64_t sys_msync(SYSARGS)
{
    uint64_t addr = a0, len = PAGE_UP(a1);
    if (!PAGE_ALIGNED(addr) || (a2 & ~7ull) || ((a2 & LINUX_MS_ASYNC) && (a2 & LINUX_MS_SYNC)) || a1 > USER_TOP)
        return -LINUX_EINVAL;
    if (len == 0)
        return 0;
    if (!mm_range_ok(addr, len) || !range_covered(&cur_as->vmas, addr, addr + len))
        return -LINUX_ENOMEM;
    /* The pages are the file's: MS_ASYNC and MS_INVALIDATE have nothing to do (as on Linux). */
    int err = (a2 & LINUX_MS_SYNC) ? mm_shared_sync(addr, addr + len) : 0;
    return err ? -LINUX_EIO : 0;
}
