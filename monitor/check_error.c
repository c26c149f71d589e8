/* check_error.c: a report from the kernel turned into memcheck's error: symbolised stacks, the
 * headline and the lines about the block. */
#include "check_error.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_text.h"
#include "disasm.h"
#include "fail.h"

static const char *const kind_names[CE_KIND_COUNT] = {
    [CE_INVALID_READ] = "InvalidRead",
    [CE_INVALID_WRITE] = "InvalidWrite",
    [CE_INVALID_FREE] = "InvalidFree",
    [CE_MISMATCHED_FREE] = "MismatchedFree",
    [CE_SIZE_MISMATCH] = "MismatchedAllocateDeallocateSize",
    [CE_ALIGN_MISMATCH] = "MismatchedAllocateDeallocateAlignment",
    [CE_LEAK + BVM_LK_DEFINITE] = "Leak_DefinitelyLost",
    [CE_LEAK + BVM_LK_INDIRECT] = "Leak_IndirectlyLost",
    [CE_LEAK + BVM_LK_POSSIBLE] = "Leak_PossiblyLost",
    [CE_LEAK + BVM_LK_REACHABLE] = "Leak_StillReachable",
};

static const char *const leak_names[BVM_LK_COUNT] = {"definite", "indirect", "possible", "reachable"};

const char *ce_leak_name(unsigned kind) { return kind < BVM_LK_COUNT ? leak_names[kind] : "?"; }

int ce_leak_kind(const char *name, size_t n)
{
    for (int k = 0; k < BVM_LK_COUNT; k++)
        if (strlen(leak_names[k]) == n && !strncmp(name, leak_names[k], n))
            return k;
    return -1;
}

const char *ce_kind_name(enum ce_kind k) { return k < CE_KIND_COUNT ? kind_names[k] : "Unknown"; }

const char *ce_supp_kind(const struct check_error *e, char buf[16])
{
    if (e->kind == CE_INVALID_READ || e->kind == CE_INVALID_WRITE)
        snprintf(buf, 16, "Addr%u", e->size);
    else if (e->kind == CE_SIZE_MISMATCH)
        snprintf(buf, 16, "SizeMismatch");
    else if (e->kind == CE_ALIGN_MISMATCH)
        snprintf(buf, 16, "AlignMismatch");
    else
        snprintf(buf, 16, "%s", e->kind >= CE_LEAK ? "Leak" : "Free");
    return buf;
}

/* ---- stacks ---- */

/* Functions that call main: memcheck shows none below main, and one of these as "(below main)" when
 * main is not on the stack. */
static int below_main(const char *fn)
{
    static const char *const names[] = {"__libc_start_main", "__libc_start_call_main", "__libc_start_main_impl",
                                        "generic_start_main", "libc_start_main_stage2"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(fn, names[i]))
            return 1;
    return 0;
}

/* C++'s operators new and delete, named as memcheck names them ("operator delete(void*, unsigned
 * long)"), from the Itanium-mangled symbol a frame shows when the library has no debug info: 1, or
 * 0 when sym is not one of them (then it is left as it is). */
static int operator_name(const char *sym, char *out, size_t len)
{
    static const char *const ops[][2] = {{"nw", "new"}, {"na", "new[]"}, {"dl", "delete"}, {"da", "delete[]"}};
    static const char *const args[][2] = {{"m", "unsigned long"}, {"Pv", "void*"},
                                          {"St11align_val_t", "std::align_val_t"},
                                          {"RKSt9nothrow_t", "std::nothrow_t const&"}};
    const char *op = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !strncmp(sym, "_Z", 2); i++)
        if (!strncmp(sym + 2, ops[i][0], 2))
            op = ops[i][1];
    if (!op || !sym[4])
        return 0;
    size_t k = (size_t)snprintf(out, len, "operator %s(", op);
    for (const char *p = sym + 4; *p;) {
        size_t i = 0, n = 0;
        while (i < sizeof args / sizeof args[0] && strncmp(p, args[i][0], n = strlen(args[i][0])))
            i++;
        if (i == sizeof args / sizeof args[0] || k >= len)
            return 0;
        k += (size_t)snprintf(out + k, len - k, "%s%s", p == sym + 4 ? "" : ", ", args[i][1]);
        p += n;
    }
    if (k + 2 > len)
        return 0;
    memcpy(out + k, ")", 2);
    return 1;
}

static struct ce_frame *add_frame(struct ce_stack *s, int *cap)
{
    if (s->n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        s->f = realloc(s->f, (size_t)*cap * sizeof *s->f);
        if (!s->f)
            fail("memory", "out of memory");
    }
    struct ce_frame *f = &s->f[s->n++];
    memset(f, 0, sizeof *f);
    return f;
}

/* One address: a frame per call it stands for (inlined ones first). Returns 1 when the stack ends
 * here (main, or below it). */
static int address_frames(struct ce_stack *out, int *cap, const struct bvm_check_report *r,
                          const struct bvm_check_frame *f, int is_return)
{
    struct sym_frame sf[SYM_MAX_INLINE];
    const char *path = f->file >= 0 ? r->files[f->file] : NULL;
    int n = path ? sym_lookup(path, f->file_off, is_return, sf, SYM_MAX_INLINE) : 0, end = 0;
    const char *obj = path ? sym_object_name(path) : NULL;
    if (n) {
        end = !strcmp(sf[n - 1].fn, "main") || below_main(sf[n - 1].fn);
        if (below_main(sf[n - 1].fn))
            snprintf(sf[n - 1].fn, sizeof sf[n - 1].fn, "(below main)");
    }
    for (int i = 0; i < n; i++) {
        char op[sizeof sf[i].fn];
        if (operator_name(sf[i].fn, op, sizeof op))
            memcpy(sf[i].fn, op, sizeof op);
    }
    for (int i = 0; i < (n ? n : 1); i++) {
        struct ce_frame *cf = add_frame(out, cap);
        cf->ip = f->pc, cf->obj = obj, cf->known = n > 0;
        if (n)
            cf->s = sf[i];
    }
    return end;
}

static uint32_t max_frames = 12; /* --num-callers */

void ce_set_num_callers(unsigned n) { max_frames = n ? n : 12; }

void ce_stack_build(struct ce_stack *out, const struct bvm_check_report *r, const struct bvm_check_stack *s)
{
    int cap = 0;
    out->n = 0, out->f = NULL;
    for (uint32_t i = 0; i < s->n && i < BVM_CHECK_MAX_FRAMES && i < max_frames; i++)
        if (address_frames(out, &cap, r, &s->f[i], i > 0))
            break;
}

void ce_stack_copy(struct ce_stack *out, const struct ce_stack *in)
{
    out->n = in->n, out->f = NULL;
    if (in->n && !(out->f = malloc((size_t)in->n * sizeof *in->f)))
        fail("memory", "out of memory");
    if (in->n)
        memcpy(out->f, in->f, (size_t)in->n * sizeof *in->f);
}

void ce_stack_free(struct ce_stack *s)
{
    free(s->f);
    s->f = NULL, s->n = 0;
}

/* ---- errors ---- */

/* "Address 0x... is N bytes after a block of size S alloc'd", then the block's stacks. */
static void address_aux(struct check_error *e, const struct bvm_check_report *r)
{
    char n[32], s[32];
    if (r->block == BVM_CB_NONE) {
        snprintf(e->aux[0].what, CE_TEXT, "Address 0x%llx is not stack'd, malloc'd or (recently) free'd",
                 (unsigned long long)r->addr);
        e->naux = 1;
        return;
    }
    const char *where = "inside";
    uint64_t d = r->addr - r->block_addr;
    if (r->addr < r->block_addr)
        where = "before", d = r->block_addr - r->addr;
    else if (d >= r->block_size) /* malloc(0)'s block: "0 bytes after a block of size 0", as memcheck */
        where = "after", d -= r->block_size;
    snprintf(e->aux[0].what, CE_TEXT, "Address 0x%llx is %s bytes %s a block of size %s %s",
             (unsigned long long)r->addr, ct_commas(d, n), where, ct_commas(r->block_size, s),
             r->block == BVM_CB_FREED ? "free'd" : "alloc'd");
    if (r->block == BVM_CB_FREED) {
        ce_stack_build(&e->aux[0].stack, r, &r->freed);
        snprintf(e->aux[1].what, CE_TEXT, "Block was alloc'd at");
        ce_stack_build(&e->aux[1].stack, r, &r->alloc);
        e->naux = 2;
        return;
    }
    ce_stack_build(&e->aux[0].stack, r, &r->alloc);
    e->naux = 1;
}

/* The operators a size or alignment mismatch names, as memcheck does (its sized delete[] of a
 * block new[] made without an alignment says "new[][/delete[]", a slip not copied here). */
static const char *new_delete(uint32_t fn)
{
    bool array = fn == BVM_CF_DELETE_ARRAY || fn == BVM_CF_DELETE_ARRAY_SIZED || fn == BVM_CF_DELETE_ARRAY_ALIGNED ||
                 fn == BVM_CF_DELETE_ARRAY_SIZED_ALIGNED;
    return array ? "new[]/delete[]" : "new/delete";
}

/* An alignment in a mismatch's headline: 0 is an operator's form without one. */
static const char *alignment(uint64_t a, char buf[24])
{
    if (!a)
        return "default-aligned";
    snprintf(buf, 24, "%llu", (unsigned long long)a);
    return buf;
}

void ce_from_report(struct check_error *e, const struct bvm_check_report *r)
{
    memset(e, 0, sizeof *e);
    e->tid = r->thread;
    e->addr = r->addr;
    e->size = r->size;
    if ((r->kind == BVM_CK_READ || r->kind == BVM_CK_WRITE) && e->size == 0)
        e->size = (uint32_t)disasm_mem_size(r->insn, r->insn_len, r->kind == BVM_CK_WRITE);
    if (r->kind == BVM_CK_FREE) {
        e->kind = CE_INVALID_FREE;
        snprintf(e->what, CE_TEXT, "Invalid free() / delete / delete[] / realloc()");
    } else if (r->kind == BVM_CK_MISMATCH) { /* (memcheck's words: "delete []" with a space here) */
        e->kind = CE_MISMATCHED_FREE;
        snprintf(e->what, CE_TEXT, "Mismatched free() / delete / delete []");
    } else if (r->kind == BVM_CK_SIZE_MISMATCH) {
        e->kind = CE_SIZE_MISMATCH;
        snprintf(e->what, CE_TEXT, "Mismatched %s size value: %llu", new_delete(r->fn), (unsigned long long)r->bytes);
    } else if (r->kind == BVM_CK_ALIGN_MISMATCH) {
        char had[24], told[24];
        e->kind = CE_ALIGN_MISMATCH;
        snprintf(e->what, CE_TEXT, "Mismatched %s alignment alloc value: %s dealloc value: %s", new_delete(r->fn),
                 alignment(r->blocks, had), alignment(r->bytes, told));
    } else {
        e->kind = r->kind == BVM_CK_WRITE ? CE_INVALID_WRITE : CE_INVALID_READ;
        snprintf(e->what, CE_TEXT, "Invalid %s of size %u", r->kind == BVM_CK_WRITE ? "write" : "read", e->size);
    }
    ce_stack_build(&e->stack, r, &r->where);
    address_aux(e, r);
}

void ce_free(struct check_error *e)
{
    ce_stack_free(&e->stack);
    for (int i = 0; i < e->naux; i++)
        ce_stack_free(&e->aux[i].stack);
    e->naux = 0;
}
