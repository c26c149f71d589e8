/* elf.h: placing an x86-64 executable or interpreter whose headers pass bvm_elf.h (pure logic). */
#ifndef ELF_H
#define ELF_H

#include "bvm_elf.h"
#include "kernel.h"

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

/* Checks the program headers (elf_check_phdrs' rules, then the image as linked below USER_TOP and,
 * placed, inside the user range outside reserved ranges, its entry inside it) and fills *info;
 * pie_base is where an ET_DYN image starts. -ENOEXEC for a malformed or unloadable image. */
int elf_layout(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, uint64_t pie_base,
               struct elf_info *info);
/* PROT_* for a segment's p_flags. */
uint32_t elf_prot(uint32_t p_flags);

#endif
