/* check.h: the heap checker of `buffervm check`, in the shim kernel.
 *
 * The program's allocator entries are patched to `syscall; ret` when their pages are read in;
 * such a syscall (told apart by its address) runs the kernel's allocator instead, which gives every
 * block fresh, never reused alias pages with an unmapped guard page after them (bvm_abi.h: the
 * checker's ranges). Blocks of less than 2 KiB share physical pages, each through its own alias
 * page; larger ones end against their guard page. A freed block's alias is unmapped at once, so a
 * later touch faults: the fault is reported, then the instruction is single-stepped over a scratch
 * page. The soft CPU also checks each access to an alias page against the block's bytes (the bounds
 * table). At exit the writable memory is scanned for pointers to find leaks. */
#ifndef CHECK_H
#define CHECK_H

#include "kernel.h"
#include "trap.h"
#include "vma.h"

struct addrspace;

/* Checking: from the boot flags; off for good after an execve under --trace-children=no. */
extern bool check_active;
static inline bool check_on(void) { return check_active; }
static inline bool check_alias(uint64_t va) { return va >= BVM_CHECK_ALIAS_BASE && va < BVM_CHECK_ALIAS_END; }

/* Mapping a file: learn its allocator entries (once per file). */
void check_file_mapped(const struct vma_file *f, int host);
/* A page of file f at file offset off was filled at va (physical pa) in an executable mapping:
 * patch the entries it holds. */
void check_patch_page(const struct vma_file *f, uint64_t off, uint64_t va, uint64_t pa);
/* A SYSCALL: true when it came from a patched entry (then handled: tf->rax is the result). */
bool check_trap(struct trapframe *tf);
/* A user #PF at cr2: true when the checker reported it and arranged for the access to go on. */
bool check_fault(struct trapframe *tf, uint64_t cr2);
/* A user #DB: true when it ends the checker's single step. */
bool check_debug(struct trapframe *tf);
/* A user copy reached alias page va: its physical page (0 when the block is gone: reported). */
int check_user_page(uint64_t va, uint32_t access, uint64_t *pa);
/* The physical page of alias page va, if mapped (a live block's), else false (nothing reported). */
bool check_block_page(uint64_t va, uint64_t *pa);
/* A vfork child that shares its parent's memory (CLONE_VM): its heap is the parent's (check_heap.c).
 * check_vfork_child when it begins; check_vfork_hand_over when it goes (exec, exit): pages of
 * records, each sent at once, then the pages of the blocks it made; the parent's check_vfork_take
 * on each record page, before the block pages are copied in. */
typedef void check_send_fn(void *page, void *ctx);
typedef void check_page_fn(uint64_t va, uint64_t pa, void *ctx);
void check_vfork_child(void);
void check_vfork_hand_over(check_send_fn *send_recs, check_page_fn *send_page, void *ctx);
void check_vfork_take(const void *page);
/* The child's side of a fork (not a thread). */
void check_fork_child(void);
/* The process ends: search for leaks and send the summary. */
void check_exit(void);
/* exit_group of a checked glibc program: first its __libc_freeres, as memcheck runs it (it frees
 * what glibc keeps to the end: a joined thread's TLS, stdio buffers, locale data, so that only the
 * program's own leaks are reported). True: the calling thread (now the only one) goes there on
 * the way back to user mode and returns to CHECK_FREERES_RET, never mapped; false: exit now. */
bool check_freeres_start(struct trapframe *tf, int status);
/* A user #PF: true when it is that return (then the exit is finished: no return). */
bool check_freeres_returned(const struct trapframe *tf, uint64_t cr2);
/* execve's point of no return: every block, alias and table of the old program goes (the first,
 * the boot program's, sets checking on or off from the boot flags). */
void check_exec_reset(struct addrspace *as);

#endif
