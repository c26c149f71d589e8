/* optable.c: the opcode table, concatenated from the per-family X-macro lists. */
#include "cpu.h"

/* Handler prototypes come from the same lists, so a table entry can never name a
 * function with the wrong signature (duplicate declarations are harmless). */
#define OP(map, opcode, pfx, regsel, modsel, rmsel, form, aux, flags, undef, mnem, fn) \
    void fn(struct cpu *c, const struct insn *i);
#include "opcodes_int.def"
#include "opcodes_sys.def"
#include "opcodes_sse.def"
#include "opcodes_x87.def"
#undef OP

/* Entries may spell a form either bare (Ev_Gv) or with its enum prefix (FORM_Ev_Gv). */
enum {
#define FORM_ALIAS(name, m, imm, b) FORM_FORM_##name = FORM_##name,
    FORMS(FORM_ALIAS)
#undef FORM_ALIAS
};

#define OP(map, opcode, pfx, regsel, modsel, rmsel, form, aux, flags, undef, mnem, fn) \
    {(map), (opcode), (pfx), (regsel), (modsel), (rmsel), FORM_##form, (aux), (flags), (undef), (mnem), fn},
const struct opdesc scpu_optable[] = {
#include "opcodes_int.def"
#include "opcodes_sys.def"
#undef OP
/* every MMX/SSE entry is marked (byte bounds treat its aligned reads as vector loads: bounds.c) */
#define OP(map, opcode, pfx, regsel, modsel, rmsel, form, aux, flags, undef, mnem, fn) \
    {(map), (opcode), (pfx), (regsel), (modsel), (rmsel), FORM_##form, (aux), (flags) | OPF_VEC, (undef), (mnem), fn},
#include "opcodes_sse.def"
#undef OP
#define OP(map, opcode, pfx, regsel, modsel, rmsel, form, aux, flags, undef, mnem, fn) \
    {(map), (opcode), (pfx), (regsel), (modsel), (rmsel), FORM_##form, (aux), (flags), (undef), (mnem), fn},
#include "opcodes_x87.def"
    /* sentinel: keeps the array non-empty while the lists are being written */
    {0, 0, 0, 0, 0, 0, FORM_NONE, 0, 0, 0, NULL, NULL},
};
#undef OP

const unsigned scpu_optable_len = sizeof scpu_optable / sizeof scpu_optable[0] - 1;
