/* elf.c: placing a checked x86-64 ELF executable or interpreter (pure logic; elf_load.c maps it). */
#include "elf.h"

#include "bvm_linux.h"
#include "vma.h"

/* Linked below USER_TOP (an ET_DYN is moved as a whole afterwards), so page rounding cannot wrap. */
static bool below_user_top(const struct elf64_phdr *p)
{
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
    struct elf_phdrs_found found;
    if (elf_check_phdrs(eh, ph, UINT64_MAX, &found) != ELF_OK)
        return -LINUX_ENOEXEC;
    info->interp_off = found.interp ? found.interp->p_offset : 0;
    info->interp_len = found.interp ? found.interp->p_filesz : 0;
    info->lo = UINT64_MAX;
    info->hi = 0;
    info->exec_stack = false;
    for (int i = 0; i < eh->e_phnum; i++) {
        const struct elf64_phdr *p = &ph[i];
        if (p->p_type == PT_GNU_STACK)
            info->exec_stack = (p->p_flags & PF_X) != 0;
        if (p->p_type != PT_LOAD)
            continue;
        if (!below_user_top(p))
            return -LINUX_ENOEXEC;
        info->lo = MIN(info->lo, PAGE_DOWN(p->p_vaddr));
        info->hi = MAX(info->hi, PAGE_UP(p->p_vaddr + p->p_memsz));
    }
    return 0;
}

int elf_layout(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, uint64_t pie_base,
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
