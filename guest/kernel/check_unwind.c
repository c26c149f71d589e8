/* check_unwind.c: the CFI rule at a code address, for the checker's stacks: each mapped file's
 * unwind tables (where they are asked of the monitor once per file), found again in the program's
 * memory at each use (mappings change), read through the checked user accessors, and the rules
 * remembered by file and offset (every malloc and free walks a stack: most pcs repeat). */
#include "check_cfi.h"
#include "check_int.h"
#include "hostcall.h"
#include "mm.h"
#include "string.h"
#include "usercopy.h"

#define UNWIND_FILES 64
#define TABLE_MAX_FDES (1u << 16)     /* search entries made for one .eh_frame without header */
#define TABLE_BYTES (64ull << 20)     /* all such tables, in META_UNWIND */
#define NEAR_VMAS 16                  /* VMAs looked at on each side of the code for the tables */
#define RULE_SLOTS 2048               /* remembered rules (direct-mapped; a power of two) */

struct file_cfi {
    const struct vma_file *file; /* interned: the pointer names the file */
    struct bvm_check_unwind at;  /* the monitor's answer */
    uint64_t va;                 /* where hdr (or eh) was found mapped last: tried first */
    struct cfi_entry *table;     /* eh only: cfi_scan's table, once made */
    uint32_t n;
    bool scanned;
};

static struct file_cfi cfi_files[UNWIND_FILES];
static uint32_t ncfi_files;
static uint64_t table_used; /* bytes of META_UNWIND handed out */

/* A rule by (file, offset of the pc looked up); result CFI_NONE is remembered too. */
struct rule_slot {
    const struct vma_file *file;
    uint64_t off;
    struct cfi_rule rule;
    uint8_t result; /* enum cfi_result */
};
static struct rule_slot rules[RULE_SLOTS];

static struct file_cfi *cfi_of(const struct vma_file *f)
{
    for (uint32_t i = 0; i < ncfi_files; i++)
        if (cfi_files[i].file == f)
            return &cfi_files[i];
    return NULL;
}

void unwind_file_mapped(const struct vma_file *f, int host)
{
    static struct bvm_check_unwind buf;
    if (cfi_of(f) || ncfi_files == UNWIND_FILES)
        return;
    struct bvm_hostcall *h = hc_req(BVM_HC_CHECK);
    h->u.check = (struct bvm_hc_check){.op = BVM_CHECK_UNWIND, .fd = host, .buf_gpa = kva_to_gpa(&buf),
                                       .buf_len = sizeof(buf)};
    struct file_cfi *fc = &cfi_files[ncfi_files++];
    *fc = (struct file_cfi){.file = f};
    if (hc_issue() == 0)
        fc->at = buf;
}

/* ---- reading the file's memory ---- */

/* The cfi_mem reader: bytes of the program's mappings of one file only (ctx), so that a hostile
 * table cannot point the kernel at other memory (the checker's aliases, the stack). */
static bool read_file_mem(void *ctx, uint64_t va, void *buf, uint32_t len)
{
    while (len) {
        struct vma *v = vma_find(&cur_as->vmas, va);
        if (!v || v->file != ctx)
            return false;
        uint32_t n = (uint32_t)MIN((uint64_t)len, v->end - va);
        if (copy_from_user(buf, va, n))
            return false;
        va += n, len -= n, buf = (char *)buf + n;
    }
    return true;
}

/* v maps file offset off of file f: its address, else 0. */
static uint64_t maps_off(const struct vma *v, const struct vma_file *f, uint64_t off)
{
    if (!v || v->file != f || off < v->pgoff || off - v->pgoff >= v->end - v->start)
        return 0;
    return v->start + (off - v->pgoff);
}

/* Where file offset off of fc's file is mapped, looked for among the VMAs around the code's (a
 * file's segments are mapped together): last time's place first. 0 when it is not mapped. */
static uint64_t find_mapped(struct file_cfi *fc, const struct vma *code, uint64_t off)
{
    struct vma_tree *t = &cur_as->vmas;
    const struct vma *v = fc->va ? vma_find(t, fc->va) : NULL;
    if (maps_off(v, fc->file, off) == fc->va && fc->va)
        return fc->va;
    v = code;
    for (unsigned i = 0; v && i < NEAR_VMAS; i++, v = vma_prev_before(t, v->start))
        if (maps_off(v, fc->file, off))
            return fc->va = maps_off(v, fc->file, off);
    v = code;
    for (unsigned i = 0; v && i < NEAR_VMAS; i++, v = vma_next_from(t, v->end))
        if (maps_off(v, fc->file, off))
            return fc->va = maps_off(v, fc->file, off);
    return 0;
}

/* fc's search table for its .eh_frame at eh_va, made the first time. */
static bool ensure_table(struct file_cfi *fc, const struct cfi_mem *m, uint64_t eh_va)
{
    if (fc->scanned)
        return fc->n != 0;
    fc->scanned = true;
    uint64_t max = MIN(fc->at.eh_len / 16 + 1, (uint64_t)TABLE_MAX_FDES), bytes = max * sizeof(struct cfi_entry);
    if (bytes > TABLE_BYTES - table_used || !meta_ensure(META_UNWIND + table_used, bytes))
        return false;
    fc->table = (struct cfi_entry *)(META_UNWIND + table_used);
    fc->n = cfi_scan(m, eh_va, fc->at.eh_len, fc->table, (uint32_t)max);
    table_used += PAGE_UP(fc->n * sizeof(struct cfi_entry));
    meta_release(META_UNWIND + table_used, bytes - MIN(bytes, fc->n * sizeof(struct cfi_entry)));
    return fc->n != 0;
}

/* The rule at pc of code VMA v, from the file's tables. */
static enum cfi_result compute_rule(const struct vma *v, uint64_t pc, struct cfi_rule *rule)
{
    struct file_cfi *fc = cfi_of(v->file);
    struct cfi_mem m = {read_file_mem, (void *)v->file};
    uint64_t fde, va;
    if (!fc)
        return CFI_NONE;
    if (fc->at.hdr_len) {
        va = find_mapped(fc, v, fc->at.hdr_off);
        if (!va || !cfi_hdr_search(&m, va, fc->at.hdr_len, pc, &fde))
            return CFI_NONE;
    } else if (fc->at.eh_len) {
        va = find_mapped(fc, v, fc->at.eh_off);
        if (!va || !ensure_table(fc, &m, va) || !cfi_table_search(fc->table, fc->n, va, pc, &fde))
            return CFI_NONE;
    } else {
        return CFI_NONE;
    }
    return cfi_rule_at(&m, fde, pc, rule);
}

enum cfi_result unwind_rule(uint64_t pc, struct cfi_rule *rule)
{
    struct vma *v = vma_find(&cur_as->vmas, pc);
    if (!v || !v->file || !(v->prot & LINUX_PROT_EXEC))
        return CFI_NONE;
    uint64_t off = v->pgoff + (pc - v->start);
    uint64_t h = (off ^ (uint64_t)(uintptr_t)v->file * 0x9e3779b97f4a7c15ull) * 0x9e3779b97f4a7c15ull;
    struct rule_slot *s = &rules[(h >> 40) & (RULE_SLOTS - 1)];
    if (s->file == v->file && s->off == off) {
        *rule = s->rule;
        return s->result;
    }
    *s = (struct rule_slot){.file = v->file, .off = off};
    s->result = (uint8_t)compute_rule(v, pc, &s->rule);
    *rule = s->rule;
    return s->result;
}

void unwind_reset(void)
{
    /* The tables were made in the old program's memory (META pages may be gone with it). */
    for (uint32_t i = 0; i < ncfi_files; i++)
        cfi_files[i].va = 0, cfi_files[i].table = NULL, cfi_files[i].n = 0, cfi_files[i].scanned = false;
    meta_release(META_UNWIND, table_used);
    table_used = 0;
    memset(rules, 0, sizeof(rules));
}
