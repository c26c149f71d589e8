/* check_unwind.c: finds a file's .eh_frame_hdr (PT_GNU_EH_FRAME), or its .eh_frame section when a
 * static link left no header, for the kernel's CFI unwinder (pread only; the file is untrusted). */
#include "check_unwind.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bvm_elf.h"
#include "elf_file.h"

#define PT_GNU_EH_FRAME 0x6474e550
#define SHT_PROGBITS 1
#define SHF_ALLOC 2
#define MAX_SECTIONS 4096 /* headers looked at for .eh_frame: more is not a real file */

static int in_load(const struct elf_file *f, uint64_t off, uint64_t len)
{
    for (uint32_t i = 0; len && i < f->eh.e_phnum; i++) {
        const struct elf64_phdr *p = &f->ph[i];
        if (p->p_type == PT_LOAD && off >= p->p_offset && elf_in_file(off - p->p_offset, len, p->p_filesz))
            return 1;
    }
    return 0;
}

/* The allocated PROGBITS section named .eh_frame: 0 and its header in *out, or -1. */
static int find_eh_frame(const struct elf_file *f, struct elf64_shdr *out)
{
    static const char want[] = ".eh_frame";
    struct elf64_shdr names, sh;
    char name[sizeof want];
    uint64_t n = f->eh.e_shnum < MAX_SECTIONS ? f->eh.e_shnum : MAX_SECTIONS;
    if (!f->eh.e_shoff || f->eh.e_shentsize != sizeof sh || f->eh.e_shstrndx >= n ||
        elf_file_shdr(f, f->eh.e_shstrndx, &names) < 0 || !elf_in_file(names.sh_offset, names.sh_size, f->size))
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        if (elf_file_shdr(f, i, &sh) < 0)
            return -1;
        if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) || sh.sh_name >= names.sh_size ||
            names.sh_size - sh.sh_name < sizeof want)
            continue;
        if (elf_read_at(f->fd, name, sizeof want, names.sh_offset + sh.sh_name) == 0 && !memcmp(name, want, sizeof want)) {
            *out = sh;
            return 0;
        }
    }
    return -1;
}

void check_unwind_find(int fd, struct bvm_check_unwind *out)
{
    static struct elf_file f; /* 4 KiB of program headers: not on the stack */
    struct stat st;
    struct elf64_shdr sh;
    memset(out, 0, sizeof *out);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
        return;
    memset(&f, 0, sizeof f);
    f.fd = fd, f.size = (uint64_t)st.st_size;
    if (elf_file_load(&f) < 0)
        return;
    for (uint32_t i = 0; i < f.eh.e_phnum; i++) {
        const struct elf64_phdr *p = &f.ph[i];
        if (p->p_type == PT_GNU_EH_FRAME && in_load(&f, p->p_offset, p->p_filesz)) {
            out->hdr_off = p->p_offset, out->hdr_len = p->p_filesz;
            return;
        }
    }
    if (find_eh_frame(&f, &sh) == 0 && in_load(&f, sh.sh_offset, sh.sh_size))
        out->eh_off = sh.sh_offset, out->eh_len = sh.sh_size;
}
