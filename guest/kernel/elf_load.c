/* elf_load.c: an ELF program and its PT_INTERP interpreter: read and checked before execve's point
 * of no return, mapped into the emptied address space after it. */
#include "binprm.h"
#include "bvm_linux.h"
#include "check.h"
#include "exec.h"
#include "hostcall.h"
#include "mm.h"
#include "pagetable.h"
#include "procfs.h"
#include "usercopy.h"

int64_t exec_read(int fd, void *buf, uint64_t len, uint64_t off)
{
    /* The buffer is in the kernel image: one segment, physically contiguous. */
    static struct bvm_seg seg;
    seg.gpa = kva_to_gpa(buf);
    seg.len = len;
    return hc_io(BVM_HC_PREAD, fd, &seg, 1, (int64_t)off, 0);
}

static int read_exact(int fd, void *buf, uint64_t len, uint64_t off)
{
    int64_t n = exec_read(fd, buf, len, off);
    return n < 0 ? (int)n : (uint64_t)n == len ? 0 : -LINUX_ENOEXEC;
}

/* The headers of the image in fd (which img then owns), checked as if it were placed at
 * PIE_BASE; only a mapping place that is not free can still fail later. */
static int read_image(int fd, struct elf_image *img)
{
    img->fd = fd;
    int err = read_exact(fd, &img->eh, sizeof(img->eh), 0);
    /* The file's size is not known here: a table or segment past its end is a short read. */
    if (!err && elf_check_header(&img->eh, sizeof(img->eh), UINT64_MAX) != ELF_OK)
        err = -LINUX_ENOEXEC;
    if (!err)
        err = read_exact(fd, img->ph, (uint64_t)img->eh.e_phnum * sizeof(img->ph[0]), img->eh.e_phoff);
    if (!err)
        err = elf_layout(&img->eh, img->ph, PIE_BASE, &img->info);
    return err;
}

/* The PT_INTERP interpreter: opened for execution and checked (an ET_DYN, or an ET_EXEC loaded
 * where it was linked; a PT_INTERP of its own is ignored, as Linux does). */
static int prepare_interp(struct binprm *b)
{
    const struct elf_info *info = &b->prog.info;
    int err = read_exact(b->prog.fd, b->elf_interp_path, info->interp_len, info->interp_off);
    if (!err && elf_check_interp_path(b->elf_interp_path, info->interp_len) != ELF_OK)
        err = -LINUX_ENOEXEC;
    if (err)
        return err;
    int fd = exec_open(LINUX_AT_FDCWD, b->elf_interp_path, false);
    if (fd < 0)
        return fd;
    err = read_image(fd, &b->elf_interp);
    if (!err && b->elf_interp.eh.e_type != ET_DYN && b->elf_interp.eh.e_type != ET_EXEC)
        err = -LINUX_ENOEXEC;
    return err;
}

int elf_prepare(struct binprm *b)
{
    int err = read_image(b->fd, &b->prog);
    b->fd = -1; /* now b->prog's */
    if (!err && b->prog.info.interp_len)
        err = prepare_interp(b);
    return err;
}

/* Gives [start, end) the protection prot; pages already claimed by an earlier segment (a shared
 * edge page) get the union of both protections. */
static int map_segment_range(uint64_t start, uint64_t end, uint32_t prot, const struct vma_file *f,
                             uint64_t pgoff)
{
    uint64_t base = start;
    struct addrspace *as = cur_as;
    int err = mm_split_at(as, start, end);
    if (err)
        return err;
    while (start < end) {
        struct vma *v = vma_find(&as->vmas, start);
        if (v) {
            /* A page an earlier segment mapped: as with Linux's MAP_FIXED mappings in segment
             * order, the later segment's protection and file offset win (its pages too). */
            v->prot = prot;
            v->file = f;
            v->pgoff = pgoff + (start - base);
            vma_changed();
            mm_protect_pages(as, v->start, v->end, prot);
            start = v->end;
            continue;
        }
        struct vma *next = vma_next_from(&as->vmas, start);
        uint64_t stop = next && next->start < end ? next->start : end;
        struct vma *nv = vma_insert(&as->vmas, start, stop, prot, VMA_IMAGE);
        if (!nv)
            return -LINUX_ENOMEM;
        nv->file = f; /* named in /proc/self/maps, like Linux's file mapping */
        nv->pgoff = pgoff + (start - base);
        start = stop;
    }
    return 0;
}

/* buffervm check: the allocator entries in an executable segment just read in. */
static void patch_segment(int fd, uint64_t start, uint64_t end, uint64_t pgoff)
{
    const struct vma_file *f = procfs_file_of(fd);
    check_file_mapped(f, fd);
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        uint64_t pte = pt_lookup(cur_as->root, va);
        if (pte & PTE_P)
            check_patch_page(f, pgoff + (va - start), va, pte & PTE_ADDR);
    }
}

static int load_segment(int fd, const struct elf64_phdr *p, uint64_t bias)
{
    uint64_t va = p->p_vaddr + bias, start = PAGE_DOWN(va), end = PAGE_UP(va + p->p_memsz);
    uint32_t prot = elf_prot(p->p_flags);
    if (!p->p_memsz)
        return 0; /* an empty segment maps nothing, as on Linux */
    if ((prot & LINUX_PROT_WRITE) && !mm_commit_ok(end - start))
        return -LINUX_ENOMEM; /* a bss larger than the machine: exec fails (SIGSEGV), as Linux */
    int err = map_segment_range(start, end, prot, procfs_file_of(fd), PAGE_DOWN(p->p_offset));
    if (err)
        return err;
    /* Like Linux's file mapping, the first page shows the file bytes before p_vaddr too. */
    uint64_t lead = va - start, len = p->p_filesz + lead;
    if (len == lead)
        return 0;
    int64_t n = user_io(BVM_HC_PREAD, fd, start, len, (int64_t)(p->p_offset - lead), 0, 0);
    if (n < 0)
        return (int)n;
    if ((prot & LINUX_PROT_EXEC) && check_on())
        patch_segment(fd, start, PAGE_UP(start + len), PAGE_DOWN(p->p_offset));
    return (uint64_t)n == len ? 0 : -LINUX_ENOEXEC;
}

/* Places the image at base (ET_DYN; an ET_EXEC stays where it was linked) and maps its segments. */
static int map_image(struct elf_image *img, uint64_t base)
{
    int err = elf_layout(&img->eh, img->ph, base, &img->info);
    for (int i = 0; !err && i < img->eh.e_phnum; i++)
        if (img->ph[i].p_type == PT_LOAD)
            err = load_segment(img->fd, &img->ph[i], img->info.bias);
    return err;
}

int elf_map(struct binprm *b, uint64_t *entry, uint64_t *interp_base)
{
    struct elf_image *in = &b->elf_interp;
    int err = map_image(&b->prog, PIE_BASE);
    *entry = b->prog.info.entry;
    *interp_base = 0;
    cur_as->brk_start = cur_as->brk = b->prog.info.hi;
    if (err || !b->prog.info.interp_len)
        return err;
    /* Where Linux's mmap would put it without ASLR: the highest free gap below the mmap base. */
    uint64_t base = mm_find_gap(cur_as, in->info.hi - in->info.lo);
    err = base ? map_image(in, base) : -LINUX_ENOMEM;
    *entry = in->info.entry;
    *interp_base = in->eh.e_type == ET_EXEC ? 0 : in->info.lo; /* AT_BASE: the load bias, 0 in place */
    return err;
}
