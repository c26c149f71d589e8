/* mm.h: the user address space: page tables + VMAs + brk/stack bookkeeping, and range operations. */
#ifndef MM_H
#define MM_H

#include "bvm_linux.h"
#include "kernel.h"
#include "vma.h"


#define STACK_MAX (8ull << 20) /* RLIMIT_STACK: the stack VMA never grows past this */
/* Linux without ASLR: stack just below TASK_SIZE, mmap top-down below a 128 MiB+ gap. */
#define STACK_TOP USER_TOP
#define MMAP_BASE 0x7ffff7fff000ull
/* Where a static-pie (ET_DYN) program is loaded: Linux's ELF_ET_DYN_BASE without ASLR. */
#define PIE_BASE 0x555555554000ull

struct addrspace {
    uint64_t root; /* PML4 physical address */
    struct vma_tree vmas;
    uint64_t brk_start, brk; /* brk area: [brk_start, PAGE_UP(brk)) is the heap VMA */
    uint64_t stack_top;      /* the stack VMA grows down towards stack_top - STACK_MAX */
    uint64_t mmap_base;      /* top of the top-down mmap search */
    uint64_t mmap_hint;      /* where the last search ended; raised by unmaps (see mm_find_gap) */
    uint64_t arg_start, arg_end; /* the argv strings on the stack (/proc/self/cmdline) */
    uint64_t auxv_start, auxv_len; /* the auxiliary vector on the stack (gdb's qXfer:auxv) */
    uint64_t spurious_va; /* page+1 of the last fault that found nothing to change (fault.c) */
};

extern struct addrspace *cur_as;

/* Access kinds for faults and user copies. */
#define ACC_READ 1u
#define ACC_WRITE 2u
#define ACC_EXEC 4u

void mm_init(struct addrspace *as, uint64_t root);
/* execve's point of no return: every mapping and page of the old image goes; the address space
 * is left as mm_init leaves it. */
void mm_exec_reset(struct addrspace *as);
/* fault_handle's answers besides 0 and -EFAULT (no mapping there): a page of a shared file mapping
 * wholly past the end of its file, and an access the mapping's protection refuses. */
#define FAULT_SIGBUS (-LINUX_EIO)
#define FAULT_ACCERR (-LINUX_EACCES)

/* Resolves a fault at addr for access (demand paging, stack growth): 0, -EFAULT when nothing is
 * mapped there, FAULT_ACCERR when the protection forbids the access (the caller turns both into
 * SIGSEGV, SEGV_MAPERR or SEGV_ACCERR), FAULT_SIGBUS (SIGBUS, or EFAULT for a user copy), or -ENOMEM
 * when guest RAM has no page left (the process is killed, as by Linux's OOM killer). */
int fault_handle(struct addrspace *as, uint64_t addr, uint32_t access);
/* The missing page va of private file VMA v read in from the file, with the missing pages after
 * it in the VMA (up to 64 KiB: one read). 0, FAULT_SIGBUS (va wholly past the end of the file or
 * the read failing), -ENOMEM. */
int mm_private_file_fault(struct addrspace *as, struct vma *v, uint64_t va);
/* Whether one private writable mapping of bytes may be made: Linux refuses (ENOMEM) what its
 * overcommit policy would not reserve, here the host's policy and size (not guest RAM: what
 * outgrows guest RAM when touched ends as the OOM killer's SIGKILL). */
bool mm_commit_ok(uint64_t bytes);
/* Linux's may_expand_vm: whether the address space may grow by len within RLIMIT_AS and, for
 * private writable memory (data: not shared, not the stack), within RLIMIT_DATA. */
bool mm_may_expand(struct addrspace *as, uint64_t len, bool data);
/* The physical page behind user va, faulted in if needed and checked against the VMA's protection
 * (access 0: kernel-internal, any VMA). 0 on success with *pa set, else -EFAULT. */
int uvm_page(struct addrspace *as, uint64_t va, uint32_t access, uint64_t *pa);

/* Range operations on page-aligned [start, end). */
void mm_unmap_pages(struct addrspace *as, uint64_t start, uint64_t end);
void mm_protect_pages(struct addrspace *as, uint64_t start, uint64_t end, uint32_t prot);
/* Removes every VMA piece inside the range (splitting at its edges) and its pages; a shared file
 * mapping gives back its file-window chunks (filewin.h). */
int mm_unmap(struct addrspace *as, uint64_t start, uint64_t end);
/* Creates an anonymous VMA (the range must be free); merged with equal neighbours. */
int mm_map_anon(struct addrspace *as, uint64_t start, uint64_t end, uint32_t prot, uint32_t flags);
/* A private mapping of host fd's regular file from offset pgoff over the free range [start, end):
 * its pages are read at their first touch (a page wholly past the end of the file is SIGBUS, as
 * on Linux); the VMA holds host open. file names it in /proc/self/maps. 0 or -ENOMEM. */
int mm_map_private_file(struct addrspace *as, uint64_t start, uint64_t end, uint32_t prot, uint32_t flags,
                        const struct vma_file *file, int host, uint64_t pgoff);
/* Dirty tracking of private memory (a vfork child's writes, which its parent must see):
 * mm_dirty_clear forgets which pages were written; mm_dirty_each then calls fn on each present
 * private page written since, user writes and the kernel's user copies alike. */
typedef void mm_page_fn(uint64_t va, uint64_t pa, void *ctx);
void mm_dirty_clear(struct addrspace *as);
void mm_dirty_each(struct addrspace *as, mm_page_fn *fn, void *ctx);
/* The highest free gap of len bytes below mmap_base for a new mapping, or 0. */
uint64_t mm_find_gap(struct addrspace *as, uint64_t len);
/* Picks the address for a new mapping of cur_as: MAP_FIXED as given (what was there unmapped),
 * else the hint when it fits, else the highest free gap below mmap_base. The address or -errno. */
int64_t mmap_place(uint64_t addr, uint64_t len, uint32_t flags);
/* Splits VMAs so that start and end fall on VMA boundaries. */
int mm_split_at(struct addrspace *as, uint64_t start, uint64_t end);

#endif
