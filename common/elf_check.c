/* elf_check.c: the ELF64 x86-64 header rules (bvm_elf.h), built into both the monitor and the kernel. */
#include "bvm_elf.h"

/* Linux's x86-64 loader never reads the class (nor the byte order): e_machine and e_phentsize
 * decide, so a file with a 64-bit x86-64 header runs whatever its class byte says. The class
 * only names what is wrong with a header that is not one: a 32-bit executable, or an unknown
 * class, reads better than a wrong machine. */
static enum elf_err check_ident(const struct elf64_ehdr *eh, uint64_t len)
{
    const uint8_t *id = eh->e_ident;
    if (len < 4 || id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
        return ELF_NOT_ELF;
    if (len <= EI_CLASS)
        return ELF_SHORT_HEADER;
    if (id[EI_CLASS] == ELFCLASS64)
        return ELF_OK;
    int x86_64 = len >= sizeof *eh && eh->e_machine == EM_X86_64 && eh->e_phentsize == sizeof(struct elf64_phdr);
    if (x86_64)
        return ELF_OK;
    return id[EI_CLASS] == ELFCLASS32 ? ELF_NOT_64BIT : ELF_BAD_CLASS;
}

enum elf_err elf_check_header(const struct elf64_ehdr *eh, uint64_t len, uint64_t table_end)
{
    enum elf_err err = check_ident(eh, len);
    if (err)
        return err;
    if (len < sizeof *eh)
        return ELF_SHORT_HEADER;
    if (eh->e_machine != EM_X86_64)
        return ELF_BAD_MACHINE;
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return ELF_BAD_TYPE;
    if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHNUM)
        return ELF_BAD_PHDR_TABLE;
    if (!elf_in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), table_end))
        return ELF_PHDRS_OUTSIDE;
    return ELF_OK;
}

static enum elf_err check_load(const struct elf64_phdr *p, uint64_t file_len)
{
    if (p->p_filesz > p->p_memsz)
        return ELF_SEG_SIZES;
    if (!elf_in_file(p->p_offset, p->p_filesz, file_len))
        return ELF_SEG_OUTSIDE;
    /* Linux maps the file page holding p_offset at the page holding p_vaddr. */
    if ((p->p_vaddr - p->p_offset) % ELF_PAGE_SIZE != 0)
        return ELF_SEG_MISALIGNED;
    if (p->p_memsz > UINT64_MAX - p->p_vaddr)
        return ELF_SEG_WRAPS;
    return ELF_OK;
}

static enum elf_err check_interp(const struct elf64_phdr *p, uint64_t file_len)
{
    if (p->p_filesz < 2 || p->p_filesz > ELF_INTERP_MAX || !elf_in_file(p->p_offset, p->p_filesz, file_len))
        return ELF_BAD_INTERP;
    return ELF_OK;
}

enum elf_err elf_check_phdrs(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, uint64_t file_len,
                             struct elf_phdrs_found *found)
{
    struct elf_phdrs_found f = {0, 0};
    for (uint32_t i = 0; i < eh->e_phnum; i++) {
        const struct elf64_phdr *p = &ph[i];
        enum elf_err err = ELF_OK;
        if (p->p_type == PT_LOAD) {
            err = check_load(p, file_len);
            f.loads++;
        } else if (p->p_type == PT_INTERP && !f.interp) {
            err = check_interp(p, file_len);
            f.interp = p;
        }
        if (err)
            return err;
    }
    if (!f.loads)
        return ELF_NO_LOAD;
    *found = f;
    return ELF_OK;
}

enum elf_err elf_check_interp_path(const char *path, uint64_t len)
{
    return len >= 1 && path[len - 1] == '\0' ? ELF_OK : ELF_BAD_INTERP;
}
