/* gdb_target.h: the target gdb is told of: x86-64 Linux registers, the qXfer documents, the protocol's signal numbers. */
#ifndef BVM_GDB_TARGET_H
#define BVM_GDB_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "bvm_abi.h"

/* rax ... gs_base: the core, SSE, Linux (orig_rax) and segment-base features, numbered in that order. */
#define GDB_NREGS 60

/* The XML target description. */
const char *gdb_target_xml(void);
/* Register n's size in bytes (0: no such register), and its value as gdb has it (little-endian;
 * ftag as the full tag word worked out from the FXSAVE image). Writes to CS ... GS and orig_rax are
 * dropped (the kernel's). */
int gdb_reg_size(int n);
void gdb_reg_get(const struct bvm_gdb_regs *r, int n, uint8_t *out);
void gdb_reg_set(struct bvm_gdb_regs *r, int n, const uint8_t *in);
/* The g packet's bytes: every register in order. */
size_t gdb_regs_raw_size(void);
size_t gdb_regs_raw(const struct bvm_gdb_regs *r, uint8_t *out);
void gdb_regs_from_raw(struct bvm_gdb_regs *r, const uint8_t *in);
/* Documents from the kernel's lists of n entries (BVM_GDB_LIBRARIES, BVM_GDB_THREADS) written at
 * doc, at most cap bytes with the NUL: their lengths. The svr4 library list (the main program's
 * entry first, named ""), the threads with their names, and qfThreadInfo's "m<tid>,<tid>..." (0
 * when there is none); thread ids as p<pid>.<tid> when pid is not 0 (multiprocess). */
size_t gdb_libraries_doc(char *doc, size_t cap, const uint8_t *data, int64_t n);
size_t gdb_threads_doc(char *doc, size_t cap, const uint8_t *data, int64_t n, int pid);
size_t gdb_threads_list(char *out, size_t cap, const uint8_t *data, int64_t n, int pid);
/* Linux signal numbers to the remote protocol's and back (0: none matches). */
int gdb_sig_from_linux(int sig);
int gdb_sig_to_linux(int gsig);

#endif
