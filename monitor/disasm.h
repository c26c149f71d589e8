/* disasm.h: one-line disassembly of guest instruction bytes for --verbose fault reports. */
#ifndef BVM_DISASM_H
#define BVM_DISASM_H

#include <stddef.h>
#include <stdint.h>

/* Writes e.g. "mov dword ptr [rax], 0x1" (Intel syntax) or "(undecodable)"; returns out. */
char *disasm_one(const uint8_t *bytes, size_t len, uint64_t rip, char *out, size_t outlen);

#endif
