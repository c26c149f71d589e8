/* disasm.c: Zydis-backed decoding of one instruction (64-bit mode): its text, its memory access size. */
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

/* Prefer the visible operands (movs and stos have only hidden ones; push [m] has a hidden stack
 * write besides its visible read). */
int disasm_mem_size(const uint8_t *bytes, size_t len, int write)
{
    ZydisDecoder dec;
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
    if (!len || !ZYAN_SUCCESS(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)) ||
        !ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, bytes, len, &insn, op)))
        return 0;
    ZydisOperandActions want = write ? ZYDIS_OPERAND_ACTION_MASK_WRITE : ZYDIS_OPERAND_ACTION_MASK_READ;
    for (int hidden = 0; hidden < 2; hidden++)
        for (int i = 0; i < insn.operand_count; i++) {
            const ZydisDecodedOperand *o = &op[i];
            if (o->type == ZYDIS_OPERAND_TYPE_MEMORY && o->mem.type == ZYDIS_MEMOP_TYPE_MEM &&
                (o->actions & want) && (o->visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT) == hidden)
                return o->size / 8;
        }
    return 0;
}
