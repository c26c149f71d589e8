/* mm_shared.h: MAP_SHARED file mappings: the host file's own pages, through the file window. */
#ifndef MM_SHARED_H
#define MM_SHARED_H

#include "kernel.h"
#include "mm.h"

/* Maps the free range [at, at+len) to guest fd's pages from file offset off (page aligned).
 * 0 or -errno: the host's (ENODEV for a pipe or a directory), or ENOMEM (window or page tables
 * full, with a trace line). Never falls back to a private copy. */
int mm_shared_map(uint64_t at, uint64_t len, uint32_t prot, int fd, uint64_t off);
/* MAP_SHARED|MAP_ANONYMOUS: zero-filled memory that processes forked from this one share. */
int mm_shared_anon(uint64_t at, uint64_t len, uint32_t prot);
/* System V shared memory (shmat): host fd's pages [off, off+len) at the free range [at, at+len),
 * a VMA_SYSV named name; the host fd is the mapping's from then on. 0 or -errno. */
int mm_shared_sysv(uint64_t at, uint64_t len, uint32_t prot, int host, bool may_write, uint64_t off,
                   const struct vma_file *name);
/* A new VMA [start, end) (free) of v's file and protection, at the file offset addr has in v
 * (addr may lie past v's end): mremap's moved or grown part. 0 or -errno. */
int mm_shared_clone(const struct vma *v, uint64_t addr, uint64_t start, uint64_t end);
/* Fills the missing PTE of va in shared file VMA v (and its neighbours in the same 64 KiB, up to
 * the end of the file). 0, FAULT_SIGBUS for a page wholly past the end of the file, or -ENOMEM. */
int mm_shared_fault(struct addrspace *as, struct vma *v, uint64_t va);
/* msync(MS_SYNC): the shared file pages of [start, end) written back to disk. 0 or -errno. */
int mm_shared_sync(uint64_t start, uint64_t end);
/* A file may have shrunk (truncate, ftruncate, fallocate, open with O_TRUNC): the PTEs of the
 * shared mappings of it go, so the next touch checks the end of the file again and faults
 * SIGBUS past it. host: a host fd on the file, or -1 when it is not known (every shared file
 * mapping's PTEs go). Nothing to do, and cheap, for a file no mapping shares. */
void mm_shared_file_changed(int host);
/* Passes a syscall's result through, calling mm_shared_file_changed(host) when it succeeded. */
static inline int64_t mm_shared_resized(int64_t r, int host)
{
    if (r >= 0)
        mm_shared_file_changed(host);
    return r;
}

#endif
