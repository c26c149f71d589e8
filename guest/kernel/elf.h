/* elf.h: ELF64 program headers and the validation of an x86-64 executable or interpreter (pure logic). */
#ifndef ELF_H
#define ELF_H

#include "kernel.h"

struct elf64_ehdr {
    uint8_t e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ehdr size");

struct elf64_phdr {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "phdr size");

#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_GNU_STACK 0x6474e551
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define ELF_MAX_PHNUM 128

/* What exec needs to know after validation; addresses include the load bias. */
struct elf_info {
    uint64_t bias; /* 0 for ET_EXEC, PIE_BASE - lowest page for ET_DYN */
    uint64_t entry;
    uint64_t phdr_va; /* AT_PHDR, 0 when the headers are not in a loaded segment */
    uint64_t lo, hi;  /* page-aligned span of all PT_LOAD segments */
    uint32_t phnum;
    bool exec_stack;        /* PT_GNU_STACK asked for PF_X */
    uint64_t interp_off;    /* PT_INTERP: where the interpreter's path lies in the file ... */
    uint64_t interp_len;    /* ... and its size with the NUL; 0 without PT_INTERP */
};

/* Checks the file header: 0, -ENOEXEC. */
int elf_check_ehdr(const struct elf64_ehdr *eh);
/* Checks the program headers and fills *info; pie_base is where an ET_DYN image starts.
 * -ENOEXEC for a malformed or unloadable image. */
int elf_check_phdrs(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, uint64_t pie_base,
                    struct elf_info *info);
/* PROT_* for a segment's p_flags. */
uint32_t elf_prot(uint32_t p_flags);

#endif
