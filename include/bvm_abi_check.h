/* bvm_abi_check.h: the heap checker's hostcall (BVM_HC_CHECK), its reserved address ranges and reports.
 * Part of bvm_abi.h, which includes it: include bvm_abi.h. */
#ifndef BVM_ABI_CHECK_H
#define BVM_ABI_CHECK_H

#ifndef BVM_ABI_H
#error "include bvm_abi.h"
#endif

/* ---- CHECK: the heap checker (buffervm check) ----
 * BVM_CHECK_SYMS: fd is the host fd of a file the kernel maps (the program, or a library ld.so
 *   maps); the monitor writes up to buf_len / sizeof(struct bvm_check_sym) entries at buf_gpa, one
 *   per allocator entry point found in its symbol tables (distinct file offsets, each inside an
 *   executable PT_LOAD), and returns their count (0: none).
 * BVM_CHECK_REPORT: buf_gpa holds one struct bvm_check_report (buf_len its size): an error, a leak
 *   record or the heap summary; the monitor prints it (memcheck's shape) and counts it. Returns 0,
 *   or 1 for an error it reported while gdb waits for errors (--gdb-error, --gdb): the kernel stops
 *   the program for gdb there (a GDB hostcall, bvm_abi_gdb.h).
 * BVM_CHECK_NOHEAP: the program ran without heap checking; buf_gpa holds a NUL-terminated reason
 *   of at most buf_len bytes. Returns 0.
 * BVM_CHECK_UNWIND: fd as for SYMS; the monitor writes one struct bvm_check_unwind at buf_gpa
 *   (buf_len at least its size, else -EINVAL): where the file's unwind tables are, for the call
 *   stacks. Returns 0.
 */
/* The checker's address ranges (below 2^47; mmap never hands them out). Every allocation gets
 * fresh alias pages in [ALIAS_BASE, ALIAS_END), never reused. The kernel's own metadata lives in
 * [META_BASE, META_END), mapped supervisor-only. Its first part is the bounds table the soft CPU
 * reads: one uint32_t per alias page, at BOUNDS_VA + ((va - ALIAS_BASE) >> 12) * 4, written before
 * the alias page is mapped and never changed while it is. An entry with BVM_BOUNDS_VALID set says
 * which bytes [lo, hi) of that page belong to the allocation (0 <= lo < hi <= 4096); an access
 * outside them is a #PF with error code PF_P | PF_PK (plus PF_W / PF_U as usual), which the kernel
 * reports. Reads naturally aligned to their size (8, 16, 32 or 64 bytes) that overlap [lo, hi) are
 * allowed (memcheck's --partial-loads-ok), and, since string functions read whole words and
 * vectors past a string's end, so are reads by vector (MMX/SSE) instructions whose aligned 64
 * bytes overlap it, and reads past hi within the unit they read the string's NUL in (the 64 bytes
 * before a vector read, a smaller read's aligned 8-byte word): softcpu.h, SCPU_BOUNDS_VEC_WINDOW. */
#define BVM_CHECK_ALIAS_BASE 0x600000000000ull
#define BVM_CHECK_ALIAS_END 0x700000000000ull
#define BVM_CHECK_META_BASE 0x700000000000ull
#define BVM_CHECK_META_END 0x710000000000ull
#define BVM_CHECK_BOUNDS_VA BVM_CHECK_META_BASE /* 16 GiB: 4 bytes per alias page */
#define BVM_BOUNDS_VALID (1u << 31)
#define BVM_BOUNDS_LO(e) ((e) & 0x1fffu)         /* bits 0-12 */
#define BVM_BOUNDS_HI(e) (((e) >> 13) & 0x1fffu) /* bits 13-25 */
#define BVM_BOUNDS(lo, hi) (BVM_BOUNDS_VALID | (uint32_t)(lo) | ((uint32_t)(hi) << 13))

enum bvm_check_op { BVM_CHECK_SYMS = 1, BVM_CHECK_REPORT = 2, BVM_CHECK_NOHEAP = 3, BVM_CHECK_UNWIND = 4 };

/* The allocator entry points the checker takes over (BVM_CHECK_SYMS). */
enum bvm_check_fn {
    BVM_CF_NONE = 0,
    BVM_CF_MALLOC,
    BVM_CF_FREE,
    BVM_CF_CALLOC,
    BVM_CF_REALLOC,
    BVM_CF_REALLOCARRAY,
    BVM_CF_MEMALIGN,
    BVM_CF_POSIX_MEMALIGN,
    BVM_CF_ALIGNED_ALLOC,
    BVM_CF_VALLOC,
    BVM_CF_PVALLOC,
    BVM_CF_MALLOC_USABLE_SIZE,
    /* C++'s operators (libstdc++'s, or a program's own). A block remembers its family: malloc's
     * (the ones above), new's or new[]'s; a release by another family is a mismatched free. */
    BVM_CF_NEW,                       /* operator new(size_t) */
    BVM_CF_NEW_NOTHROW,               /* operator new(size_t, nothrow_t const&): NULL on failure */
    BVM_CF_NEW_ALIGNED,               /* operator new(size_t, align_val_t) */
    BVM_CF_NEW_ALIGNED_NOTHROW,       /* operator new(size_t, align_val_t, nothrow_t const&) */
    BVM_CF_NEW_ARRAY,                 /* operator new[]: the same four forms */
    BVM_CF_NEW_ARRAY_NOTHROW,
    BVM_CF_NEW_ARRAY_ALIGNED,
    BVM_CF_NEW_ARRAY_ALIGNED_NOTHROW,
    BVM_CF_DELETE,                    /* operator delete(void*), and (void*, nothrow_t const&) */
    BVM_CF_DELETE_SIZED,              /* operator delete(void*, size_t) */
    BVM_CF_DELETE_ALIGNED,            /* (void*, align_val_t), and (void*, align_val_t, nothrow_t const&) */
    BVM_CF_DELETE_SIZED_ALIGNED,      /* (void*, size_t, align_val_t) */
    BVM_CF_DELETE_ARRAY,              /* operator delete[]: the same four forms */
    BVM_CF_DELETE_ARRAY_SIZED,
    BVM_CF_DELETE_ARRAY_ALIGNED,
    BVM_CF_DELETE_ARRAY_SIZED_ALIGNED,
    BVM_CF_FREERES, /* glibc's __libc_freeres: not replaced; called at exit_group, as memcheck does */
    BVM_CF_COUNT
};

struct bvm_check_sym {
    uint64_t offset; /* OUT: file offset of the entry's first byte */
    uint32_t fn;     /* OUT: enum bvm_check_fn */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_check_sym) == 16, "check_sym size");
#define BVM_CHECK_MAX_SYMS 64

/* BVM_CHECK_UNWIND's answer: file offsets and sizes, each range inside the file part of a PT_LOAD
 * (so mapped with the code), all 0 when the file is not a usable x86-64 ELF. hdr: the
 * PT_GNU_EH_FRAME segment (.eh_frame_hdr, with its search table); eh: when there is no hdr, the
 * .eh_frame section found by its section header (static links have no .eh_frame_hdr), else 0. */
struct bvm_check_unwind {
    uint64_t hdr_off, hdr_len; /* OUT */
    uint64_t eh_off, eh_len;   /* OUT */
};
_Static_assert(sizeof(struct bvm_check_unwind) == 32, "check_unwind size");

struct bvm_hc_check {
    uint32_t op;      /* IN: enum bvm_check_op */
    int32_t fd;       /* IN: SYMS, UNWIND: host fd */
    uint64_t buf_gpa; /* IN: SYMS: bvm_check_sym[] written; REPORT: bvm_check_report read; NOHEAP: text;
                       * UNWIND: bvm_check_unwind written */
    uint32_t buf_len; /* IN: bytes at buf_gpa */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_hc_check) == 24, "hc_check size");

/* One report. Code addresses come with where they are in a file (the kernel knows the mappings),
 * so that the monitor can name function, file and line. */
#define BVM_CHECK_MAX_FRAMES 500 /* valgrind's most for --num-callers */
#define BVM_CHECK_MAX_FILES 8
#define BVM_CHECK_PATH 256

enum bvm_check_kind {
    BVM_CK_READ = 1,     /* invalid read at addr */
    BVM_CK_WRITE = 2,    /* invalid write at addr */
    BVM_CK_FREE = 3,     /* invalid free()/realloc() of addr: fn says which */
    BVM_CK_LEAK = 4,     /* leak record: leak_kind, bytes, blocks; alloc = where they were allocated */
    BVM_CK_SUMMARY = 5,  /* heap and leak totals at exit (no stacks) */
    BVM_CK_MISMATCH = 6, /* a live block released by another family than allocated it (free() of
                          * new's, delete of new[]'s or malloc's...): fn the release called, addr
                          * the block; the block is released all the same */
    BVM_CK_SIZE_MISMATCH = 7, /* a sized delete (fn) of a live block of its family with another size
                               * than the block's: bytes the size passed, addr the block (released) */
    BVM_CK_ALIGN_MISMATCH = 8, /* a delete (fn) of a live block of its family told another alignment than
                                * its operator new was: bytes the delete's, blocks the new's (0: not an
                                * aligned form), addr the block (released) */
    BVM_CK_COUNT
};

enum bvm_check_block { BVM_CB_NONE = 0, BVM_CB_LIVE = 1, BVM_CB_FREED = 2 };
enum bvm_leak_kind { BVM_LK_DEFINITE = 0, BVM_LK_INDIRECT = 1, BVM_LK_POSSIBLE = 2, BVM_LK_REACHABLE = 3,
                     BVM_LK_COUNT = 4 };

struct bvm_check_frame {
    uint64_t pc;       /* guest virtual address: f[0] the instruction or entry, f[1..] return addresses */
    uint64_t file_off; /* offset of pc in files[file] (a return address: look up file_off - 1) */
    int32_t file;      /* index into files[], or -1 (not in a file mapping) */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_check_frame) == 24, "check_frame size");

struct bvm_check_stack {
    uint32_t n; /* frames used, <= BVM_CHECK_MAX_FRAMES */
    uint32_t pad;
    struct bvm_check_frame f[BVM_CHECK_MAX_FRAMES];
};
_Static_assert(sizeof(struct bvm_check_stack) == 8 + 24 * BVM_CHECK_MAX_FRAMES, "check_stack size");

struct bvm_check_report {
    uint32_t kind;        /* enum bvm_check_kind */
    uint32_t fn;          /* FREE: the function called (enum bvm_check_fn) */
    uint64_t addr;        /* READ/WRITE: the address accessed; FREE: the pointer passed */
    uint32_t size;        /* READ/WRITE: bytes accessed, 0 when unknown (the monitor decodes insn) */
    uint32_t block;       /* enum bvm_check_block: what addr is near */
    uint64_t block_addr;  /* that block's first byte and size */
    uint64_t block_size;
    uint32_t leak_kind;   /* LEAK: enum bvm_leak_kind */
    uint32_t insn_len;    /* READ/WRITE: valid bytes of insn */
    uint64_t bytes;       /* LEAK: bytes lost in the record; */
    uint64_t blocks;      /* LEAK: blocks in the record */
    /* SUMMARY: per enum bvm_leak_kind, bytes and blocks; then the heap totals */
    uint64_t leak_bytes[BVM_LK_COUNT], leak_blocks[BVM_LK_COUNT];
    uint64_t allocs, frees, bytes_allocated;
    uint8_t insn[16];     /* READ/WRITE: the instruction bytes at where.f[0].pc */
    uint32_t nfiles;      /* paths used, <= BVM_CHECK_MAX_FILES */
    uint32_t thread;      /* the thread it happened in: 1 the process's first, then in creation order */
    struct bvm_check_stack where; /* READ/WRITE/FREE: the access or the call */
    struct bvm_check_stack alloc; /* the block's allocation */
    struct bvm_check_stack freed; /* the block's free (block == BVM_CB_FREED) */
    char files[BVM_CHECK_MAX_FILES][BVM_CHECK_PATH]; /* NUL-terminated paths as the guest opened them */
};
_Static_assert(sizeof(struct bvm_check_report) % 8 == 0, "check_report size");

#endif
