/* bvm_elf.h: the ELF64 structures and the one set of rules an x86-64 executable's headers must pass. */
#ifndef BVM_ELF_H
#define BVM_ELF_H

/*
 * Freestanding (<stdint.h> only): common/elf_check.c is compiled into both the monitor (PROG
 * before boot, the shim kernel's ELF) and the shim kernel (execve's program and interpreter).
 * The rules are Linux's fs/binfmt_elf.c ones; each caller turns an enum elf_err into its own
 * report (the monitor a message and exit status, the kernel -ENOEXEC) and adds its own policy
 * (where segments may lie, which e_type it loads).
 */

#include <stdint.h>

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

struct elf64_shdr {
    uint32_t sh_name, sh_type;
    uint64_t sh_flags, sh_addr, sh_offset, sh_size;
    uint32_t sh_link, sh_info;
    uint64_t sh_addralign, sh_entsize;
};
_Static_assert(sizeof(struct elf64_shdr) == 64, "shdr size");

#define EI_CLASS 4
#define EI_DATA 5 /* 2: big-endian (Linux does not look) */
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_GNU_STACK 0x6474e551
#define DT_DEBUG 21 /* a dynamic entry ld.so fills with its struct r_debug's address */
#define PF_X 1
#define PF_W 2
#define PF_R 4

#define ELF_PAGE_SIZE 4096ull /* Linux's ELF_MIN_ALIGN on x86-64 */
/* Linux reads at most one page of program headers (load_elf_phdrs): 73 of them. */
#define ELF_MAX_PHNUM (ELF_PAGE_SIZE / sizeof(struct elf64_phdr))
#define ELF_INTERP_MAX 4096 /* PT_INTERP's size, NUL included: Linux's PATH_MAX */

/* Every way headers can fail the rules, with the monitor's words for it (one list: the enum and
 * the messages). "truncated" errors are the ones a file cut short produces. */
#define ELF_ERRORS(X)                                                                                        \
    X(ELF_OK, "valid")                                                                                       \
    X(ELF_NOT_ELF, "not an ELF executable")                                                                  \
    X(ELF_NOT_64BIT, "32-bit ELF executables are not supported")                                             \
    X(ELF_BAD_CLASS, "malformed ELF: unknown ELF class")                                                     \
    X(ELF_SHORT_HEADER, "truncated ELF: header cut short")                                                   \
    X(ELF_BAD_MACHINE, "not an x86-64 executable")                                                           \
    X(ELF_BAD_TYPE, "not an executable")                                                                     \
    X(ELF_BAD_PHDR_TABLE, "malformed ELF: bad program header table")                                         \
    X(ELF_PHDRS_OUTSIDE, "truncated ELF: program headers beyond the end of the file")                        \
    X(ELF_SEG_SIZES, "malformed ELF: segment file size exceeds memory size")                                 \
    X(ELF_SEG_OUTSIDE, "truncated ELF: segment data beyond the end of the file")                             \
    X(ELF_SEG_MISALIGNED, "malformed ELF: segment offset and address disagree modulo the page size")         \
    X(ELF_SEG_WRAPS, "malformed ELF: segment wraps around the address space")                                \
    X(ELF_NO_LOAD, "malformed ELF: no loadable segment")                                                     \
    X(ELF_BAD_INTERP, "malformed ELF: bad PT_INTERP")

#define ELF_ENUM_(name, text) name,
enum elf_err { ELF_ERRORS(ELF_ENUM_) ELF_NERRORS };
#undef ELF_ENUM_

/* The message for e, for a host-side report (inline: the kernel never pays for the strings). */
static inline const char *elf_err_text(enum elf_err e)
{
#define ELF_TEXT_(name, text) [name] = text,
    static const char *const text[ELF_NERRORS] = {ELF_ERRORS(ELF_TEXT_)};
#undef ELF_TEXT_
    return (unsigned)e < ELF_NERRORS ? text[e] : "malformed ELF";
}

/* [off, off + size) lies within the first end bytes of a file; overflow-safe. */
static inline int elf_in_file(uint64_t off, uint64_t size, uint64_t end)
{
    return off <= end && size <= end - off;
}

/* The file header. eh holds the file's first len bytes, len possibly short of a whole header: the
 * bytes present are judged first, so a short file still reads as not an ELF, or 32-bit, before
 * ELF_SHORT_HEADER. Checked: the magic, ELFCLASS64, e_machine EM_X86_64, e_type ET_EXEC or ET_DYN,
 * e_phentsize, 1 <= e_phnum <= ELF_MAX_PHNUM, and the header table inside the first table_end
 * bytes of the file (UINT64_MAX when the size is unknown: then only that it does not wrap).
 * Not checked, as on Linux: EI_DATA, EI_VERSION, e_version. */
enum elf_err elf_check_header(const struct elf64_ehdr *eh, uint64_t len, uint64_t table_end);

/* What elf_check_phdrs found besides the verdict. */
struct elf_phdrs_found {
    uint32_t loads;                  /* PT_LOAD segments */
    const struct elf64_phdr *interp; /* the first PT_INTERP (the one Linux uses), or 0 */
};

/* The program headers ph[0 .. eh->e_phnum) of a header elf_check_header passed, in a file of
 * file_len bytes (UINT64_MAX when unknown: only that nothing wraps). Each PT_LOAD: p_filesz <=
 * p_memsz, its file bytes inside the file, p_offset and p_vaddr congruent modulo ELF_PAGE_SIZE,
 * p_vaddr + p_memsz not wrapping; at least one PT_LOAD; the first PT_INTERP 2 to ELF_INTERP_MAX
 * bytes inside the file. *found is filled on success. */
enum elf_err elf_check_phdrs(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, uint64_t file_len,
                             struct elf_phdrs_found *found);

/* The interpreter's path as read from the file (len bytes, PT_INTERP's p_filesz): it must end in
 * its NUL. ELF_OK or ELF_BAD_INTERP. */
enum elf_err elf_check_interp_path(const char *path, uint64_t len);

#endif
