/* check_int.h: the heap checker's parts, shared by check_*.c only. */
#ifndef CHECK_INT_H
#define CHECK_INT_H

#include "check.h"
#include "check_cfi.h"

/* ---- check_meta.c: the checker's own memory, supervisor-only pages in the META range ---- */
/* Regions of the META range: the soft CPU's bounds table first (bvm_abi.h), then growable arrays.
 * Each starts `colour` MiB into its GiBs: regions 16 GiB apart would otherwise all begin on the
 * same entry of the soft CPU's TLB (indexed by the page number modulo 16384: 64 MiB), and the
 * malloc path, which touches the first pages of several, would miss on each access. */
#define META_AT(gib, colour) (BVM_CHECK_META_BASE + ((uint64_t)(gib) << 30) + ((uint64_t)(colour) << 20))
#define META_BOUNDS BVM_CHECK_BOUNDS_VA
#define META_BLOCKS META_AT(16, 1)  /* struct cblock[] */
#define META_OWNERS META_AT(32, 3) /* uint32_t per alias page (16 GiB), its block: check_heap.c */
#define META_FREED META_AT(80, 15) /* struct cblock[FREED_KEEP]: the ring of freed blocks */
#define META_SLABS META_AT(96, 5)   /* struct slab[] */
#define META_STACKS META_AT(112, 7) /* struct cstack[] and their hash */
#define META_CHUNKS META_AT(176, 9) /* uint32_t block records per 4 MiB of aliases */
#define META_WORK META_AT(192, 11)  /* scratch: the leak search's work lists */
#define META_UNWIND META_AT(208, 13) /* struct cfi_entry[]: check_unwind.c */
#define META_REGION (15ull << 30)   /* each region's reach */

/* Makes [va, va + len) of the META range present (zero-filled); false when RAM is out. */
bool meta_ensure(uint64_t va, uint64_t len);
/* Gives back the pages of [va, va + len) (page-aligned inward). */
void meta_release(uint64_t va, uint64_t len);
void meta_reset(void); /* forgets the pages known present: heap_reset unmapped them all */
bool meta_present(uint64_t va); /* whether va's page is */
/* The soft CPU's bounds of alias page va (0: none). */
void meta_set_bounds(uint64_t va, uint32_t entry);

/* ---- check_stack.c: call stacks, stored once each ---- */
/* The stack of the trap or fault in tf: frame 0 is pc, then return addresses. Returns its id. */
uint32_t stack_capture(const struct trapframe *tf, uint64_t pc, bool at_entry);
/* A stored stack's frames into out (frames with their files added to rep's file table). */
void stack_report(uint32_t id, struct bvm_check_stack *out, struct bvm_check_report *rep);
void stack_frames(const struct trapframe *tf, uint64_t pc, bool at_entry, struct bvm_check_stack *out,
                  struct bvm_check_report *rep);
/* The id of the stack of frames pcs[0..n), stored if new (0 when the store is out of space). */
uint32_t stack_intern(const uint64_t *pcs, uint32_t n);
/* Stored stack id's frames: their number, *pcs pointed at them (0 for no stack). */
uint32_t stack_pcs(uint32_t id, const uint64_t **pcs);
void stack_reset(void);

/* ---- check_unwind.c: the CFI rule at a code address (check_cfi.h) ---- */
/* A file being mapped (host fd host): learn where its unwind tables are (once per file). */
void unwind_file_mapped(const struct vma_file *f, int host);
/* The rule of the row at pc in an executable file mapping (the caller of a frame whose pc is a
 * return address looks up pc - 1, inside the call). */
enum cfi_result unwind_rule(uint64_t pc, struct cfi_rule *rule);
/* Forgets the rules and tables (exec). */
void unwind_reset(void);

/* ---- check_heap.c: blocks ---- */
enum cblock_state { CB_FREE_RECORD = 0, CB_LIVE = 1, CB_FREED = 2 };

struct cblock {
    uint64_t ptr;     /* the user's pointer */
    uint64_t size;    /* bytes asked for */
    uint64_t alias;   /* first alias page */
    uint64_t pa;      /* small: the slab page; large: 0 (the pages are found through the aliases) */
    uint32_t npages;  /* alias pages mapped, the guard page not counted */
    uint8_t state;    /* enum cblock_state */
    uint8_t fn;       /* enum bvm_check_fn that allocated it */
    uint8_t mark;     /* leak search: enum bvm_leak_kind + 1, 0 unmarked */
    uint8_t small;
    uint32_t slab;    /* small: its slab and slot */
    uint32_t slot;
    uint32_t alloc_stack, free_stack;
    uint32_t hnext;   /* the free-record list (id + 1) */
    uint32_t align_log; /* an aligned operator new's block: log2 of the alignment it was told, + 1; else 0 */
};

struct heap_totals {
    uint64_t allocs, frees, bytes;
    uint64_t live_blocks, live_bytes;
};
extern struct heap_totals heap_totals;

/* A new block of size bytes aligned to align (a power of two), its memory zeroed; NULL when
 * memory or alias space is out. */
struct cblock *heap_alloc(uint64_t size, uint64_t align, uint32_t fn, uint32_t stack);
/* Unmaps and frees a live block; it is remembered (as freed) for a while for reports. */
void heap_free(struct cblock *b, uint32_t stack);
/* The live or remembered block whose user pointer is p, or NULL. */
struct cblock *heap_find_ptr(uint64_t p);
/* The block whose alias pages or guard page hold va, or the nearest below it; NULL if none. */
struct cblock *heap_find_addr(uint64_t va);
/* Each live block, in address order. */
typedef void heap_fn(struct cblock *b, void *ctx);
void heap_each_live(heap_fn *fn, void *ctx);
/* The physical address of byte off of live block b (the block's bytes are never across pages
 * of a small block; a large block's page is found per page). */
uint64_t heap_block_pa(const struct cblock *b, uint64_t off);
void heap_reset(void);

/* vfork (check_heap.c): the child's blocks and frees, handed to its parent. A record page: */
enum { VF_END = 0, VF_ADOPT = 1, VF_FREE = 2, VF_PCS = 3 };
struct vf_rec {
    uint8_t op, fn;
    uint16_t n; /* VF_PCS: frames in pc[] (1 to 3); VF_ADOPT: the block's align_log */
    uint32_t npages;
    union {
        struct {
            uint64_t ptr, size, alias;
        };
        uint64_t pc[3]; /* VF_PCS: frames of the stack of the VF_ADOPT (allocation) or VF_FREE
                         * (free) that follows, in order */
    };
};
/* (check.h: check_vfork_child, check_vfork_hand_over, check_vfork_take) */
bool heap_any_hooks(void);
/* A fork child before any exec: the program (its parent) says that heap checking is off. */
bool check_forked_quiet(void);

/* ---- check_hook.c ---- */
/* The allocator function patched at va (enum bvm_check_fn; BVM_CF_NONE: none). */
uint32_t check_entry_fn(uint64_t va);
/* Where glibc's __libc_freeres is mapped (executable), or 0. */
uint64_t hook_freeres_va(void);

/* ---- check_freeres.c ---- */
/* A new program: __libc_freeres not run yet. */
void freeres_reset(void);

/* ---- check_report.c ---- */
/* The one report being built (zeroed by report_begin). */
struct bvm_check_report *report_begin(uint32_t kind);
/* Describes b (near addr) in rep: block, alloc and free stacks. */
void report_block(struct bvm_check_report *rep, const struct cblock *b);
void report_send(struct bvm_check_report *rep);
void report_noheap(const char *why);

/* ---- check_leak.c ---- */
void leak_search(void);
/* Every value the program's memory holds (its data and stacks, its live blocks, its threads'
 * registers) given to pin: check_heap.c's recycling of alias space. */
void leak_scan_pins(void (*pin)(uint64_t v));

#endif
