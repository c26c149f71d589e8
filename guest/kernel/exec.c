/* exec.c: loading the static ELF program into the address space and entering it at user level. */
#include "exec.h"

#include "bvm_linux.h"
#include "elf.h"
#include "fmt.h"
#include "hostcall.h"
#include "mm.h"
#include "pagetable.h"
#include "procfs.h"
#include "string.h"
#include "trap.h"
#include "usercopy.h"

#define O_RDONLY 0
#define O_CLOEXEC 02000000
#define STACK_INITIAL (128ull << 10) /* like Linux's initial stack expansion */

static struct elf64_phdr phdrs[ELF_MAX_PHNUM];

static _Noreturn void exec_fail(const char *what, int64_t err)
{
    char msg[120];
    const char *path = (const char *)(uintptr_t)boot->exec_path;
    ksnprintf(msg, sizeof(msg), "exec %.60s: %s (errno %ld)", path, what, (long)-err);
    kprintf("%s", msg);
    hc_exit_panic(msg);
}

static int64_t read_exact(int fd, void *buf, uint64_t len, uint64_t off)
{
    /* The buffer is in the kernel image: one segment, physically contiguous. */
    static struct bvm_seg seg;
    seg.gpa = kva_to_gpa(buf);
    seg.len = len;
    int64_t n = hc_io(BVM_HC_PREAD, fd, &seg, 1, (int64_t)off, 0);
    return n < 0 ? n : (uint64_t)n == len ? 0 : -LINUX_ENOEXEC;
}

/* Gives [start, end) the protection prot; pages already claimed by an earlier segment (a shared
 * edge page) get the union of both protections. */
static int map_segment_range(uint64_t start, uint64_t end, uint32_t prot, const struct vma_file *f, uint64_t pgoff)
{
    uint64_t base = start;
    struct addrspace *as = cur_as;
    int err = mm_split_at(as, start, end);
    if (err)
        return err;
    while (start < end) {
        struct vma *v = vma_find(&as->vmas, start);
        if (v) {
            v->prot |= prot;
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

static int load_segment(int fd, const struct elf64_phdr *p, uint64_t bias)
{
    uint64_t va = p->p_vaddr + bias, start = PAGE_DOWN(va), end = PAGE_UP(va + p->p_memsz);
    uint32_t prot = elf_prot(p->p_flags);
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
    return (uint64_t)n == len ? 0 : -LINUX_ENOEXEC;
}

/* An interpreter (ET_DYN) goes where Linux's mmap would put it without ASLR: the highest free
 * gap below the mmap base. Returns the base for elf_check_phdrs, or 0. */
static uint64_t interp_base(const struct elf64_ehdr *eh, struct elf_info *info)
{
    if (eh->e_type != ET_DYN || elf_check_phdrs(eh, phdrs, PIE_BASE, info))
        return 0;
    return mm_find_gap(cur_as, info->hi - info->lo);
}

/* Loads an ELF image; interp: it is the program's interpreter, placed below the mmap base. */
static int load_image(int fd, struct elf_info *info, bool interp)
{
    static struct elf64_ehdr eh;
    int64_t err = read_exact(fd, &eh, sizeof(eh), 0);
    uint64_t base = PIE_BASE;
    if (!err)
        err = elf_check_ehdr(&eh);
    if (!err)
        err = read_exact(fd, phdrs, (uint64_t)eh.e_phnum * sizeof(phdrs[0]), eh.e_phoff);
    if (!err && interp && !(base = interp_base(&eh, info)))
        err = -LINUX_ENOEXEC;
    if (!err)
        err = elf_check_phdrs(&eh, phdrs, base, info);
    if (!err && interp && info->interp_len)
        err = -LINUX_ENOEXEC; /* an interpreter that wants an interpreter */
    for (int i = 0; !err && i < eh.e_phnum; i++)
        if (phdrs[i].p_type == PT_LOAD)
            err = load_segment(fd, &phdrs[i], info->bias);
    return (int)err;
}

static void setup_fpu(void)
{
    /* The program expects the state of a fresh Linux process: x87 default control word 0x37F
     * and MXCSR 0x1F80 (all exceptions masked, round to nearest). FXRSTOR of a clean image sets
     * both (and clears the XMM registers). */
    static uint8_t fx[512] __attribute__((aligned(16)));
    fx[0] = 0x7f; /* FCW 0x037f */
    fx[1] = 0x03;
    fx[24] = 0x80; /* MXCSR 0x1f80 */
    fx[25] = 0x1f;
    fx[28] = 0xff; /* MXCSR_MASK: ignored by FXRSTOR, kept valid */
    fx[29] = 0xff;
    __asm__ volatile("fninit");
    __asm__ volatile("fxrstor64 %0" : : "m"(fx));
}

static char ipath[BVM_HC_MAX_PATH]; /* the program's PT_INTERP */

/* Opens and loads one image; on failure ends the run naming what failed. */
static void load_file(const char *path, struct elf_info *info, bool interp)
{
    int64_t fd = hc_path(BVM_HC_OPENAT, LINUX_AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0, NULL);
    if (fd < 0)
        exec_fail(interp ? "cannot open the ELF interpreter" : "cannot open", fd);
    int err = load_image((int)fd, info, interp);
    if (!err && info->interp_len) {
        err = (int)read_exact((int)fd, ipath, info->interp_len, info->interp_off);
        if (!err && ipath[info->interp_len - 1] != 0)
            err = -LINUX_ENOEXEC;
    }
    hc_fd(BVM_HC_CLOSE, (int)fd, 0, 0, NULL, 0);
    if (err)
        exec_fail(interp ? "cannot load the ELF interpreter" : "cannot load", err);
}

_Noreturn void exec_boot_program(void)
{
    struct elf_info info, interp;
    const char *path = (const char *)(uintptr_t)boot->exec_path;
    uint64_t entry, ibase = 0;
    load_file(path, &info, false);
    entry = info.entry;
    if (info.interp_len) {
        load_file(ipath, &interp, true);
        ibase = interp.lo;
        entry = interp.entry;
    }
    cur_as->brk_start = cur_as->brk = info.hi;
    uint32_t stack_prot = LINUX_PROT_READ | LINUX_PROT_WRITE | (info.exec_stack ? LINUX_PROT_EXEC : 0);
    if (!vma_insert(&cur_as->vmas, STACK_TOP - STACK_INITIAL, STACK_TOP, stack_prot, VMA_STACK | VMA_ANON))
        exec_fail("no room for the stack", -LINUX_ENOMEM);
    static struct trapframe tf;
    memset(&tf, 0, sizeof(tf));
    tf.rsp = exec_build_stack(&info, ibase, path);
    tf.rip = entry;
    tf.cs = BVM_SEL_UCODE;
    tf.ss = BVM_SEL_UDATA;
    tf.rflags = 0x202; /* IF and the always-one bit */
    setup_fpu();
    user_enter(&tf);
}
