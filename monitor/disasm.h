/* disasm.h: guest instruction bytes decoded: one-line disassembly (--verbose fault reports) and the
 * size of a memory access (buffervm check's reports). */
#ifndef BVM_DISASM_H
#define BVM_DISASM_H

#include <stddef.h>
#include <stdint.h>

/* Writes e.g. "mov dword ptr [rax], 0x1" (Intel syntax) or "(undecodable)"; returns out. */
char *disasm_one(const uint8_t *bytes, size_t len, uint64_t rip, char *out, size_t outlen);

/* The size in bytes of the memory operand the instruction reads (write 0) or writes (write 1): for
 * rep movs/stos one element. 0 when undecodable or there is no such operand. */
int disasm_mem_size(const uint8_t *bytes, size_t len, int write);

#endif
