/* check_error.h: buffervm check's errors as data: what memcheck reports for one error context or
 * loss record (its kind, headline, stacks of symbolised frames, the lines about the block), from
 * which each output (text, XML, JSON, SARIF) is written, and which suppressions match. */
#ifndef BVM_CHECK_ERROR_H
#define BVM_CHECK_ERROR_H

#include <stdint.h>

#include "bvm_abi.h"
#include "symbolize.h"

/* memcheck's error kinds (its XML <kind> names: ce_kind_name). */
enum ce_kind {
    CE_INVALID_READ,
    CE_INVALID_WRITE,
    CE_INVALID_FREE,
    CE_MISMATCHED_FREE,
    CE_SIZE_MISMATCH, /* a sized delete's size is not the block's (memcheck 3.22's) */
    CE_ALIGN_MISMATCH, /* a delete's alignment is not the block's new's (memcheck 3.22's) */
    CE_LEAK, /* + enum bvm_leak_kind */
    CE_KIND_COUNT = CE_LEAK + BVM_LK_COUNT
};

/* One line of a stack: a code address and what it stands for (an inlined call gives a line of
 * its own, with the same ip). */
struct ce_frame {
    uint64_t ip;
    const char *obj;    /* the ELF file's path (symbolize's, lives as long as the run), or NULL */
    struct sym_frame s; /* fn, dir, file, line; "" and 0 where not known */
    int known;          /* s was found (else only ip, and obj when known) */
};

struct ce_stack {
    int n;
    struct ce_frame *f; /* malloc'ed */
};

#define CE_TEXT 192
#define CE_MAX_AUX 2

struct check_error {
    enum ce_kind kind;
    uint32_t unique;     /* the context's number in this process (memcheck's <unique>) */
    uint64_t count;      /* errors of this context so far */
    uint32_t tid;        /* the thread (1: the first; memcheck's numbering), 0: not known (leaks) */
    char what[CE_TEXT];  /* "Invalid read of size 4", "16 bytes in 1 blocks are definitely lost ..." */
    struct ce_stack stack;
    /* "Address 0x.. is 8 bytes inside a block of size 40 free'd" + the free's stack, then "Block
     * was alloc'd at" + the allocation's; an address in no block has one line and no stack */
    int naux;
    struct {
        char what[CE_TEXT];
        struct ce_stack stack;
    } aux[CE_MAX_AUX];
    uint64_t addr;                        /* READ/WRITE/FREE: the address */
    uint32_t size;                        /* READ/WRITE: bytes accessed */
    uint64_t leaked_bytes, leaked_blocks; /* leaks */
};

/* A leak kind as valgrind's options and suppressions spell it ("definite", "indirect", "possible",
 * "reachable"), and the kind the n bytes at name spell (enum bvm_leak_kind), or -1. */
const char *ce_leak_name(unsigned kind);
int ce_leak_kind(const char *name, size_t n);

/* The XML kind: "InvalidRead", "Leak_DefinitelyLost", ... */
const char *ce_kind_name(enum ce_kind k);
/* The suppression kind: "Addr4", "Free", "Leak" (valgrind's "Memcheck:<kind>"); sized reads and
 * writes of other sizes are "Addr<size>" too. Into buf. */
const char *ce_supp_kind(const struct check_error *e, char buf[16]);

/* Stack s of report r (validated) symbolised: inlined calls expanded, at most --num-callers
 * addresses, ending at main (or one frame below it, shown as "(below main)"). */
void ce_stack_build(struct ce_stack *out, const struct bvm_check_report *r, const struct bvm_check_stack *s);
void ce_stack_copy(struct ce_stack *out, const struct ce_stack *in);
void ce_stack_free(struct ce_stack *s);
/* --num-callers: addresses per stack (0: the default, 12). */
void ce_set_num_callers(unsigned n);

/* An access or free error from report r (its size decoded when the kernel sent 0). */
void ce_from_report(struct check_error *e, const struct bvm_check_report *r);
void ce_free(struct check_error *e);

#endif
