/* elf.c: validation of an x86-64 ELF executable's or interpreter's headers (pure logic; exec.c loads it). */
#include "elf.h"

#include "bvm_linux.h"
#include "vma.h"

int elf_check_ehdr(const struct elf64_ehdr *eh)
{
    const uint8_t *id = eh->e_ident;
    if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
        return -LINUX_ENOEXEC;
    if (id[4] != 2 /* ELFCLASS64 */ || id[5] != 1 /* little endian */ || id[6] != 1)
        return -LINUX_ENOEXEC;
    if ((eh->e_type != ET_EXEC && eh->e_type != ET_DYN) || eh->e_machine != EM_X86_64)
        return -LINUX_ENOEXEC;
    if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHNUM)
        return -LINUX_ENOEXEC;
    if (eh->e_phoff > UINT64_MAX - (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr))
        return -LINUX_ENOEXEC;
    return 0;
}

/* One PT_LOAD: sizes consistent, file offset and address congruent modulo the page, no wrap. */
static bool load_ok(const struct elf64_phdr *p)
{
    if (p->p_filesz > p->p_memsz || p->p_memsz == 0)
        return false;
    if ((p->p_offset & (PAGE_SIZE - 1)) != (p->p_vaddr & (PAGE_SIZE - 1)))
        return false;
    if (p->p_offset > UINT64_MAX - p->p_filesz)
        return false;
    return p->p_vaddr < USER_TOP && p->p_memsz <= USER_TOP - p->p_vaddr;
}

/* AT_PHDR: PT_PHDR when present, else the header table's place inside the segment holding it. */
static uint64_t phdr_address(const struct elf64_ehdr *eh, const struct elf64_phdr *ph)
{
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_PHDR)
            return ph[i].p_vaddr;
    for (int i = 0; i < eh->e_phnum; i++) {
        const struct elf64_phdr *p = &ph[i];
        if (p->p_type == PT_LOAD && eh->e_phoff >= p->p_offset &&
            eh->e_phoff - p->p_offset + (uint64_t)eh->e_phnum * sizeof(*ph) <= p->p_filesz)
            return p->p_vaddr + (eh->e_phoff - p->p_offset);
    }
    return 0;
}

static int scan_phdrs(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, struct elf_info *info)
{
    int loads = 0;
    info->lo = UINT64_MAX;
    info->hi = 0;
    info->exec_stack = false;
    info->interp_off = info->interp_len = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        const struct elf64_phdr *p = &ph[i];
        if (p->p_type == PT_INTERP) {
            if (p->p_filesz < 2 || p->p_filesz > BVM_HC_MAX_PATH)
                return -LINUX_ENOEXEC;
            info->interp_off = p->p_offset;
            info->interp_len = p->p_filesz;
        }
        if (p->p_type == PT_GNU_STACK)
            info->exec_stack = (p->p_flags & PF_X) != 0;
        if (p->p_type != PT_LOAD)
            continue;
        if (!load_ok(p))
            return -LINUX_ENOEXEC;
        info->lo = MIN(info->lo, PAGE_DOWN(p->p_vaddr));
        info->hi = MAX(info->hi, PAGE_UP(p->p_vaddr + p->p_memsz));
        loads++;
    }
    return loads ? 0 : -LINUX_ENOEXEC;
}

int elf_check_phdrs(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, uint64_t pie_base,
                    struct elf_info *info)
{
    int err = scan_phdrs(eh, ph, info);
    if (err)
        return err;
    /* A static-pie is linked at 0 and moved as a whole; an ET_EXEC stays where it was linked. */
    info->bias = eh->e_type == ET_DYN ? pie_base - info->lo : 0;
    info->lo += info->bias;
    info->hi += info->bias;
    if (info->lo < USER_MIN || info->hi > USER_TOP || info->lo >= info->hi ||
        vma_range_reserved(info->lo, info->hi))
        return -LINUX_ENOEXEC;
    info->entry = eh->e_entry + info->bias;
    if (info->entry < info->lo || info->entry >= info->hi)
        return -LINUX_ENOEXEC;
    uint64_t phdr = phdr_address(eh, ph);
    info->phdr_va = phdr ? phdr + info->bias : 0;
    info->phnum = eh->e_phnum;
    return 0;
}

uint32_t elf_prot(uint32_t p_flags)
{
    return ((p_flags & PF_R) ? 1u : 0) | ((p_flags & PF_W) ? 2u : 0) | ((p_flags & PF_X) ? 4u : 0);
}
