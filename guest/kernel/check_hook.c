/* check_hook.c: the program's allocator replaced: entries found by the monitor in each mapped
 * file's symbols, patched to `syscall; ret` as their pages are read in, and the calls served. */
#include "check_int.h"
#include "hostcall.h"
#include "string.h"
#include "usercopy.h"

#define MAX_FILES 48
#define MAX_ENTRIES 256

struct file_syms {
    const struct vma_file *file; /* interned: the pointer names the file */
    uint32_t n;
    struct bvm_check_sym sym[BVM_CHECK_MAX_SYMS];
};

static struct file_syms files[MAX_FILES];
static uint32_t nfiles;
static bool syms_found;   /* some file had allocator entries (patched or not: maybe never called) */
static bool forked_quiet; /* a fork child of the program: what it lacks, the program said */

/* Patched entries by address (open addressing; entries are never removed before exec). */
static struct {
    uint64_t va;
    uint32_t fn;
} entries[MAX_ENTRIES];
static uint32_t nentries;

bool heap_any_hooks(void) { return syms_found || nentries != 0; }

bool check_forked_quiet(void) { return forked_quiet; }

void check_fork_child(void) { forked_quiet = true; }

static struct file_syms *syms_of(const struct vma_file *f)
{
    for (uint32_t i = 0; i < nfiles; i++)
        if (files[i].file == f)
            return &files[i];
    return NULL;
}

void check_file_mapped(const struct vma_file *f, int host)
{
    static struct bvm_check_sym buf[BVM_CHECK_MAX_SYMS];
    if (!check_on() || !f)
        return;
    unwind_file_mapped(f, host);
    if (syms_of(f) || nfiles == MAX_FILES)
        return;
    struct bvm_hostcall *h = hc_req(BVM_HC_CHECK);
    h->u.check = (struct bvm_hc_check){.op = BVM_CHECK_SYMS, .fd = host, .buf_gpa = kva_to_gpa(buf),
                                       .buf_len = sizeof(buf)};
    int64_t n = hc_issue();
    struct file_syms *fs = &files[nfiles++];
    fs->file = f;
    fs->n = n > 0 ? (uint32_t)MIN((uint64_t)n, BVM_CHECK_MAX_SYMS) : 0;
    memcpy(fs->sym, buf, fs->n * sizeof(buf[0]));
    for (uint32_t i = 0; i < fs->n; i++)
        syms_found |= fs->sym[i].fn != BVM_CF_FREERES;
}

static uint32_t entry_slot(uint64_t va)
{
    return (uint32_t)((va * 0x9e3779b97f4a7c15ull) >> 56) % MAX_ENTRIES;
}

static void entry_add(uint64_t va, uint32_t fn)
{
    uint32_t i = entry_slot(va);
    for (uint32_t k = 0; k < MAX_ENTRIES; k++, i = (i + 1) % MAX_ENTRIES) {
        if (entries[i].va == va)
            return;
        if (!entries[i].va) {
            entries[i].va = va, entries[i].fn = fn;
            nentries++;
            return;
        }
    }
}

uint32_t check_entry_fn(uint64_t va)
{
    uint32_t i = entry_slot(va);
    for (uint32_t k = 0; k < MAX_ENTRIES && entries[i].va; k++, i = (i + 1) % MAX_ENTRIES)
        if (entries[i].va == va)
            return entries[i].fn;
    return BVM_CF_NONE;
}

void check_patch_page(const struct vma_file *f, uint64_t off, uint64_t va, uint64_t pa)
{
    static const uint8_t patch[3] = {0x0f, 0x05, 0xc3}; /* syscall; ret */
    struct file_syms *fs = check_on() ? syms_of(f) : NULL;
    for (uint32_t i = 0; fs && i < fs->n; i++) {
        uint64_t at = fs->sym[i].offset;
        if (at + 3 <= off || at >= off + PAGE_SIZE || fs->sym[i].fn == BVM_CF_FREERES)
            continue;
        for (uint64_t k = 0; k < 3; k++)
            if (at + k >= off && at + k < off + PAGE_SIZE)
                ((uint8_t *)P2V(pa))[at + k - off] = patch[k];
        if (nentries < MAX_ENTRIES / 2)
            entry_add(va + (at - off), fs->sym[i].fn);
    }
}

uint64_t hook_freeres_va(void)
{
    for (struct vma *v = vma_next_from(&cur_as->vmas, 0); v; v = vma_next_from(&cur_as->vmas, v->end)) {
        const struct file_syms *fs = (v->prot & LINUX_PROT_EXEC) ? syms_of(v->file) : NULL;
        for (uint32_t i = 0; fs && i < fs->n; i++) {
            uint64_t at = fs->sym[i].offset;
            if (fs->sym[i].fn == BVM_CF_FREERES && at >= v->pgoff && at - v->pgoff < v->end - v->start)
                return v->start + (at - v->pgoff);
        }
    }
    return 0;
}

bool check_active;

void check_exec_reset(struct addrspace *as)
{
    static bool booted; /* (inherited by forked children: their execve is a later one) */
    bool was = check_active;
    if (!booted)
        check_active = (boot->flags & BVM_BOOT_CHECK) != 0;
    else if (boot->flags & BVM_BOOT_CHECK_NO_EXEC)
        check_active = false;
    booted = true;
    if (!was && !check_active)
        return;
    freeres_reset();
    heap_reset();
    stack_reset();
    unwind_reset();
    memset(entries, 0, sizeof(entries));
    nentries = 0;
    forked_quiet = false;
}
