/* elf_file.c: an untrusted ELF64 file's headers, read through its descriptor (elf_file.h). */
#include "elf_file.h"

#include <errno.h>
#include <unistd.h>

int elf_read_at(int fd, void *buf, uint64_t len, uint64_t off)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n, off += (uint64_t)n, len -= (uint64_t)n;
    }
    return 0;
}

int elf_file_load(struct elf_file *f)
{
    if (f->size < sizeof f->eh || elf_read_at(f->fd, &f->eh, sizeof f->eh, 0) < 0)
        return -1;
    if (elf_check_header(&f->eh, sizeof f->eh, f->size) != ELF_OK)
        return -1;
    if (elf_read_at(f->fd, f->ph, (uint64_t)f->eh.e_phnum * sizeof f->ph[0], f->eh.e_phoff) < 0)
        return -1;
    struct elf_phdrs_found found;
    return elf_check_phdrs(&f->eh, f->ph, f->size, &found) == ELF_OK ? 0 : -1;
}

int elf_file_shdr(const struct elf_file *f, uint64_t i, struct elf64_shdr *sh)
{
    uint64_t at = f->eh.e_shoff + i * sizeof *sh;
    return elf_in_file(at, sizeof *sh, f->size) ? elf_read_at(f->fd, sh, sizeof *sh, at) : -1;
}
