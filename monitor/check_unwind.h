/* check_unwind.h: where a file's unwind tables are (buffervm check's call stacks), from its ELF headers. */
#ifndef BVM_CHECK_UNWIND_H
#define BVM_CHECK_UNWIND_H

#include <stdint.h>

#include "bvm_abi.h"

/* The ELF file open at host fd (read with pread only; any file, however malformed or large, is
 * safe to give): its PT_GNU_EH_FRAME segment, or failing that its .eh_frame section, as
 * BVM_CHECK_UNWIND describes them. *out is all zero for a file that is not a usable x86-64 ELF
 * or has neither, or when a range is not inside the file part of a PT_LOAD. */
void check_unwind_find(int fd, struct bvm_check_unwind *out);

#endif
