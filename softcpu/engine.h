/* engine.h: private interfaces between the engine, decoder, MMU and exception code (not for handlers). */
#ifndef SOFTCPU_ENGINE_H
#define SOFTCPU_ENGINE_H

#include "cpu.h"

/* longjmp codes into cpu->fault_jmp */
enum { JMP_FAULT = 1, JMP_EXIT = 2 };

/* ---- MMU (mmu.c) ---- */
enum mmu_status { MMU_OK = 0, MMU_PF, MMU_GP, MMU_NOMEM };
/* Translate without faulting. On MMU_OK sets *host (may be NULL for MMIO callers) and *gpa.
 * On MMU_PF sets *err to the #PF error code; on MMU_NOMEM *gpa is the missing address.
 * user: 1 for a CPL-3 access. Fills the TLB on success. */
int mmu_probe(struct cpu *c, uint64_t lin, int acc, int user, uint8_t **host, uint64_t *gpa,
              uint32_t *err);
/* Host pointer for guest-physical gpa for access acc, or NULL if that is not memory for it
 * (outside every region, or a page the region's bitmaps refuse); *avail = bytes usable from
 * there, *writable = stores allowed too (either may be NULL). */
uint8_t *mmu_gpa_host(struct cpu *c, uint64_t gpa, int acc, uint64_t *avail, bool *writable);
/* Drop every TLB entry for a page of [gpa, gpa+len) (its host page is about to change). */
void mmu_forget_range(struct cpu *c, uint64_t gpa, uint64_t len);
/* A page became a code page: stores to it must take the slow path from now on. */
void mmu_code_page_added(struct cpu *c, uint64_t gpa_page);
/* Its last block went away: drop the TLB entries so stores go fast again. */
void mmu_code_page_removed(struct cpu *c, uint64_t gpa_page);
/* RFLAGS.AC or CR0.AM changed: CPL-3 TLB entries must be refilled (alignment checking). */
void tlb_ac_changed(struct cpu *c);
/* mem_write with an explicit privilege (user: page permissions of CPL 3). */
void mem_write_priv(struct cpu *c, uint64_t lin, const void *src, unsigned size, int user);
/* Raise the fault or exit a failed probe stands for (lin is the faulting address). */
_Noreturn void mmu_raise(struct cpu *c, int st, uint64_t lin, uint64_t gpa, uint32_t err, int acc,
                         unsigned len);

/* ---- byte bounds (bounds.c) ---- */
/* A CPL-3 fill of entry e for page (inside the bounds range): its bounds from the table, if any,
 * into cpu->tlb_bounds, and TLB_BOUNDED into its data tags. */
void bounds_fill(struct cpu *c, struct tlb_entry *e, uint64_t page);
/* The part [lin, lin+len) in one page of the data access [start, start+size), through an entry
 * tagged TLB_BOUNDED: returns if the bounds allow it, else raises #PF (CR2 = start, error code
 * P | U | PK, and W for a write). */
void bounds_check(struct cpu *c, uint64_t lin, uint64_t len, int acc, uint64_t start, uint64_t size);
/* Bytes from lin to the end of its bounded entry's bounds (0 when lin is outside them). */
uint64_t bounds_room(struct cpu *c, uint64_t lin);

/* ---- decoder (decode.c) ---- */
enum dec_status {
    DEC_OK = 0,
    DEC_FETCH_FAULT, /* bytes unavailable: fault details in struct fetch */
};
struct fetch {
    uint8_t buf[16];
    unsigned avail;      /* bytes valid in buf */
    int st;              /* MMU_* status for the byte at buf[avail] when avail < 15 */
    uint32_t err;
    uint64_t fault_lin, fault_gpa;
    uint64_t gpa2;       /* guest-physical page of the second page, ~0 if none used */
};
/* Fill f with up to 15 bytes at linear address lin (which must be fetchable). */
void fetch_fill(struct cpu *c, uint64_t lin, const uint8_t *host, struct fetch *f);
/* Decode one instruction at rip (bytes in f). Always yields an executable insn: undefined
 * encodings get a handler that raises #UD/#GP or the internal-error exit. Returns
 * DEC_FETCH_FAULT when the bytes needed are not fetchable. */
int decode_insn(struct cpu *c, uint64_t rip, const struct fetch *f, struct insn *i);
void decode_init(void);

/* Handlers the decoder plants for encodings that must not execute normally. */
void op_raise_ud(struct cpu *c, const struct insn *i);
void op_raise_gp0(struct cpu *c, const struct insn *i);
void op_unimplemented(struct cpu *c, const struct insn *i);

/* ---- exceptions (exception.c) ---- */
/* Deliver the exception recorded in cpu->fault_* (called by the engine after a JMP_FAULT). */
void exc_deliver_pending(struct cpu *c);
/* An external interrupt (no error code) through the IDT, returning to the current RIP. */
void exc_deliver_external(struct cpu *c, int vector);
/* Fill an internal-error exit for the instruction at rip and longjmp out. */
_Noreturn void cpu_exit_internal(struct cpu *c, uint64_t rip, const char *why);
/* End the run with an exit already written to cpu->exit. */
_Noreturn void cpu_exit_now(struct cpu *c);

/* ---- engine (engine.c) ---- */
int engine_init(struct cpu *c);  /* 0 or -ENOMEM */
void engine_fini(struct cpu *c);
int engine_regions_changed(struct cpu *c);
void engine_invalidate(struct cpu *c, uint64_t gpa, uint64_t len);
void engine_flush_all(struct cpu *c);
/* The TLB was flushed: cached block-to-block links must be re-validated. */
void engine_tlb_flushed(struct cpu *c);
/* INVLPG of lin's page: the same, unless no block was ever built from that linear page
 * (returns whether links were made stale). */
bool engine_tlb_page_flushed(struct cpu *c, uint64_t lin);
/* scpu_set_bounds changed cpu->bounds: translations follow it, the TLB is flushed. */
void engine_bounds_changed(struct cpu *c);
/* Linear address of the current instruction, for messages. */
uint64_t engine_cur_lin(struct cpu *c);
/* Copy up to max code bytes at lin without faulting; returns how many were fetchable. */
unsigned engine_fetch_bytes(struct cpu *c, uint64_t lin, uint8_t *buf, unsigned max);

/* ---- MSRs (sys.c) ---- */
int msr_read(struct cpu *c, uint32_t idx, uint64_t *v);  /* 0 or -1 unknown */
int msr_write(struct cpu *c, uint32_t idx, uint64_t v);  /* 0 or -1 unknown/reserved */
uint64_t host_rdtsc(void);
/* RFLAGS bits POPF/IRET may change at the current privilege, for operand size osz. */
uint64_t flags_writable(struct cpu *c, unsigned osz);

/* ---- segments (seg.c) ---- */
void seg_from_api(struct seg *s, const struct scpu_segment *a);
void seg_to_api(const struct seg *s, struct scpu_segment *a);
void seg_load_real(struct cpu *c, int s, uint16_t sel);
/* Read the 8-byte descriptor for sel (GDT or LDT); returns 0 or -1 when beyond the limit. */
int seg_read_desc(struct cpu *c, uint16_t sel, uint64_t *desc);
/* Hidden part from a descriptor. */
void seg_from_desc(struct seg *s, uint16_t sel, uint64_t desc);
/* Load CS from a code descriptor for a control transfer to privilege cpl (no checks). */
void seg_set_cs(struct cpu *c, uint16_t sel, uint64_t desc, unsigned cpl);

#endif
