/* misc.c: NOP forms (incl. hint NOPs and ENDBR64), UD2, and the CF/DF flag instructions. */
#include "intops.h"

/* 0F 1F /0 multi-byte NOP, 0F 19..1F hint NOPs (ENDBR64 = F3 0F 1E FA), prefetches: the
 * ModRM operand is decoded but never accessed. */
OP_HANDLER(op_nop_Ev) {}
OP_HANDLER(op_nop_NONE) {}
OP_HANDLER(op_ud2_NONE) { cpu_ud(c); }

OP_HANDLER(op_clc_NONE) { flags_update(c, F_CF, 0); }
OP_HANDLER(op_stc_NONE) { flags_update(c, F_CF, F_CF); }
OP_HANDLER(op_cmc_NONE) { flags_update(c, F_CF, flags_cf(c) ? 0 : F_CF); }
/* DF is not an arithmetic flag: it always lives in rflags. */
OP_HANDLER(op_cld_NONE) { c->rflags &= ~(uint64_t)F_DF; }
OP_HANDLER(op_std_NONE) { c->rflags |= F_DF; }
