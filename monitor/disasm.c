/* disasm.c: Zydis-backed disassembly of one instruction (64-bit mode). */
#include "disasm.h"

#include <Zydis/Zydis.h>
#include <stdio.h>

char *disasm_one(const uint8_t *bytes, size_t len, uint64_t rip, char *out, size_t outlen)
{
    ZydisDisassembledInstruction insn;
    if (len && ZYAN_SUCCESS(ZydisDisassembleIntel(ZYDIS_MACHINE_MODE_LONG_64, rip, bytes, len, &insn)))
        snprintf(out, outlen, "%s", insn.text);
    else
        snprintf(out, outlen, "(undecodable)");
    return out;
}
