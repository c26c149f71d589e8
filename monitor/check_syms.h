/* check_syms.h: a file's allocator entry points (buffervm check), from its ELF symbol tables. */
#ifndef BVM_CHECK_SYMS_H
#define BVM_CHECK_SYMS_H

#include <stdint.h>

#include "bvm_abi.h"

/* The allocator entries of the ELF file open at host fd (read with pread only; any file, however
 * malformed or large, is safe to give): at most max (<= BVM_CHECK_MAX_SYMS) entries, sorted by
 * file offset, each a distinct offset inside an executable PT_LOAD with at least 3 bytes of its
 * function there. Returns their count: 0 for none, or for a file that is not a usable x86-64 ELF.
 * Results are cached per file identity (device, inode, size, mtime): ld.so maps libc several times.
 * The rule for which names are taken is in check_syms.c. */
int check_syms_find(int fd, struct bvm_check_sym *out, int max);

/* --alloc-fn: an allocator entry the symbol rules cannot find (a stripped binary, an allocator of
 * the program's own, under its own name): fn (enum bvm_check_fn) is at the function named sym in
 * any file's symbol tables (any binding), or, sym empty, at link-time address addr of the program. */
#define CHECK_ALLOC_FN_MAX 16
struct check_alloc_fn {
    uint32_t fn;
    uint64_t addr;
    char sym[64];
};

/* --alloc-fn's entries (fns[0..n), kept by the caller for the run): taken too, by name in any file,
 * by address in the program at path prog. Call before the first find. */
void check_syms_user(const struct check_alloc_fn *fns, int n, const char *prog);

/* The same without the cache (nor --alloc-fn's addresses), for a file of file_size bytes (tests and
 * fuzzing). */
int check_syms_scan(int fd, uint64_t file_size, struct bvm_check_sym *out, int max);

#endif
