/* elf_file.h: reading an untrusted ELF64 file's headers through its descriptor (pread, every
 * range checked against the file's size), for the monitor's scans of mapped files. */
#ifndef ELF_FILE_H
#define ELF_FILE_H

#include <stdint.h>

#include "bvm_elf.h"

struct elf_file {
    int fd;
    uint64_t size; /* bytes in the file */
    struct elf64_ehdr eh;
    struct elf64_phdr ph[ELF_MAX_PHNUM];
};

/* pread all of [off, off + len) or fail: 0 or -1. */
int elf_read_at(int fd, void *buf, uint64_t len, uint64_t off);
/* Reads and checks (elf_check_header, elf_check_phdrs) f's ELF and program headers; f->fd and
 * f->size set. 0, or -1 for a file that is not a valid x86-64 ELF. */
int elf_file_load(struct elf_file *f);
/* Section header i (the caller bounds i, so that e_shoff + i * size cannot overflow): 0 or -1. */
int elf_file_shdr(const struct elf_file *f, uint64_t i, struct elf64_shdr *sh);

#endif
