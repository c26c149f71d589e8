/* check_cfi.h: DWARF call frame information (.eh_frame, .eh_frame_hdr) read for the checker's
 * stacks: only what finding a caller's rsp, rbp and return address on x86-64 needs.
 *
 * Pure code (the host's unit tests build it too): the program's memory comes through a reader, and
 * every byte of it is untrusted. Malformed input gives CFI_NONE, never a hang or an out-of-bounds
 * access: each record is read into a bounded buffer, each loop is bounded by its input. */
#ifndef CHECK_CFI_H
#define CHECK_CFI_H

#include <stdbool.h>
#include <stdint.h>

/* Reads [va, va + len) of the program's memory into buf; false when that is not readable. */
struct cfi_mem {
    bool (*read)(void *ctx, uint64_t va, void *buf, uint32_t len);
    void *ctx;
};

/* DWARF register numbers on x86-64 (the psABI's table). */
#define CFI_RBP 6
#define CFI_RSP 7
#define CFI_RA 16

/* Where the caller's rbp is. */
enum cfi_rbp { CFI_RBP_SAME = 0, CFI_RBP_AT = 1, CFI_RBP_LOST = 2 };

/* The row of the CFA table at one pc: CFA = cfa_reg + cfa_off; the return address is saved at
 * CFA + ra_off; rbp is unchanged, saved at CFA + rbp_off, or not known. */
struct cfi_rule {
    int32_t cfa_off, ra_off, rbp_off;
    uint8_t cfa_reg; /* CFI_RSP or CFI_RBP */
    uint8_t rbp;     /* enum cfi_rbp */
    uint16_t pad;
};

enum cfi_result {
    CFI_NONE = 0,  /* no usable CFI covers pc: the caller falls back to other means */
    CFI_FOUND = 1, /* *rule is the row at pc */
    CFI_OUTER = 2, /* the return address is undefined: pc is in the outermost frame (_start) */
};

/* One entry of a search table, both addresses relative to a base (.eh_frame_hdr's own layout,
 * DW_EH_PE_datarel | sdata4): the first pc an FDE covers, and where the FDE is. */
struct cfi_entry {
    int32_t loc, fde;
};

/* The FDE that may cover pc, by .eh_frame_hdr at hdr_va (hdr_len bytes): its address in *fde_va.
 * False when the header is unusable (unknown version or encoding) or no entry starts at or below pc. */
bool cfi_hdr_search(const struct cfi_mem *m, uint64_t hdr_va, uint64_t hdr_len, uint64_t pc, uint64_t *fde_va);

/* The same in a table made by cfi_scan (n entries sorted by loc, relative to base). */
bool cfi_table_search(const struct cfi_entry *t, uint32_t n, uint64_t base, uint64_t pc, uint64_t *fde_va);

/* A search table for an .eh_frame without its header: the FDEs of the eh_len bytes at eh_va into
 * out (relative to eh_va, at most max, sorted by loc). Returns how many. */
uint32_t cfi_scan(const struct cfi_mem *m, uint64_t eh_va, uint64_t eh_len, struct cfi_entry *out, uint32_t max);

/* The row at pc of the FDE at fde_va (and its CIE): CFI_FOUND when the FDE covers pc and the row
 * is one of the shapes struct cfi_rule holds (CFA from rsp or rbp, the return address saved in
 * memory), CFI_OUTER for an undefined return address, else CFI_NONE. */
enum cfi_result cfi_rule_at(const struct cfi_mem *m, uint64_t fde_va, uint64_t pc, struct cfi_rule *rule);

#endif
