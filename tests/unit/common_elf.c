/* common_elf.c: the ELF header rules (common/elf_check.c, built into monitor and kernel), tested once. */
#include <stdint.h>
#include <string.h>

#include "bvm_elf.h"
#include "harness.h"

#define FILE_LEN 0x10000
static struct elf64_ehdr eh;
static struct elf64_phdr ph[ELF_MAX_PHNUM];
static struct elf_phdrs_found found;

/* A valid static ET_EXEC: text (with the headers) at 0x400000, data+bss at 0x401800. */
static void good(void)
{
    memset(&eh, 0, sizeof eh);
    memset(ph, 0, sizeof ph);
    memcpy(eh.e_ident, "\177ELF\2\1\1", 7);
    eh.e_type = ET_EXEC, eh.e_machine = EM_X86_64, eh.e_version = 1, eh.e_entry = 0x400100;
    eh.e_phoff = sizeof eh, eh.e_phentsize = sizeof(struct elf64_phdr), eh.e_phnum = 3;
    ph[0] = (struct elf64_phdr){PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x400000, 0x800, 0x800, 0x1000};
    ph[1] = (struct elf64_phdr){PT_LOAD, PF_R | PF_W, 0x800, 0x401800, 0x401800, 0x100, 0x3000, 0x1000};
    ph[2] = (struct elf64_phdr){PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16};
}

static enum elf_err header(void) { return elf_check_header(&eh, sizeof eh, FILE_LEN); }
static enum elf_err phdrs(void) { return elf_check_phdrs(&eh, ph, FILE_LEN, &found); }

static void accepts_valid(void)
{
    good();
    CHECK_EQ(header(), ELF_OK);
    CHECK_EQ(phdrs(), ELF_OK);
    CHECK_EQ(found.loads, 2);
    CHECK(found.interp == NULL);
    good(), eh.e_type = ET_DYN;
    CHECK_EQ(header(), ELF_OK);
    /* Linux looks at neither EI_DATA, EI_VERSION nor e_version */
    good(), eh.e_ident[5] = 2, eh.e_ident[6] = 0, eh.e_version = 0;
    CHECK_EQ(header(), ELF_OK);
}

static void refuses_ident(void)
{
    good(), eh.e_ident[1] = 'X';
    CHECK_EQ(header(), ELF_NOT_ELF);
    /* as Linux: a 64-bit x86-64 header runs whatever the class byte says */
    good(), eh.e_ident[EI_CLASS] = ELFCLASS32;
    CHECK_EQ(header(), ELF_OK);
    good(), eh.e_ident[EI_CLASS] = 0;
    CHECK_EQ(header(), ELF_OK);
    /* otherwise the class names the problem */
    good(), eh.e_ident[EI_CLASS] = ELFCLASS32, eh.e_machine = 3; /* EM_386 */
    CHECK_EQ(header(), ELF_NOT_64BIT);
    good(), eh.e_ident[EI_CLASS] = ELFCLASS32, eh.e_phentsize = 32; /* x32 */
    CHECK_EQ(header(), ELF_NOT_64BIT);
    good(), eh.e_ident[EI_CLASS] = 0, eh.e_machine = 3;
    CHECK_EQ(header(), ELF_BAD_CLASS);
    good(), eh.e_ident[EI_CLASS] = 3, eh.e_machine = 3;
    CHECK_EQ(header(), ELF_BAD_CLASS);
    /* a file cut short: what is there is judged first */
    good();
    CHECK_EQ(elf_check_header(&eh, 0, 0), ELF_NOT_ELF);
    CHECK_EQ(elf_check_header(&eh, 3, 3), ELF_NOT_ELF);
    CHECK_EQ(elf_check_header(&eh, 4, 4), ELF_SHORT_HEADER); /* "\x7fELF" alone: no class yet */
    CHECK_EQ(elf_check_header(&eh, 5, 5), ELF_SHORT_HEADER);
    CHECK_EQ(elf_check_header(&eh, 63, 63), ELF_SHORT_HEADER);
    eh.e_ident[EI_CLASS] = ELFCLASS32;
    CHECK_EQ(elf_check_header(&eh, 20, 20), ELF_NOT_64BIT);
}

static void refuses_header_fields(void)
{
    good(), eh.e_machine = 3; /* EM_386 */
    CHECK_EQ(header(), ELF_BAD_MACHINE);
    good(), eh.e_type = 1; /* ET_REL */
    CHECK_EQ(header(), ELF_BAD_TYPE);
    good(), eh.e_type = 4; /* ET_CORE */
    CHECK_EQ(header(), ELF_BAD_TYPE);
    good(), eh.e_phentsize = 32;
    CHECK_EQ(header(), ELF_BAD_PHDR_TABLE);
    good(), eh.e_phnum = 0;
    CHECK_EQ(header(), ELF_BAD_PHDR_TABLE);
    good(), eh.e_phnum = ELF_MAX_PHNUM; /* one page of headers, as Linux allows */
    CHECK_EQ(header(), ELF_OK);
    good(), eh.e_phnum = ELF_MAX_PHNUM + 1;
    CHECK_EQ(header(), ELF_BAD_PHDR_TABLE);
}

static void refuses_table_outside(void)
{
    good(), eh.e_phoff = FILE_LEN - 3 * sizeof ph[0]; /* ends exactly at the end */
    CHECK_EQ(header(), ELF_OK);
    eh.e_phoff++;
    CHECK_EQ(header(), ELF_PHDRS_OUTSIDE);
    good(), eh.e_phoff = FILE_LEN + 1;
    CHECK_EQ(header(), ELF_PHDRS_OUTSIDE);
    /* size unknown: only wrapping counts */
    good(), eh.e_phoff = 1ull << 40;
    CHECK_EQ(elf_check_header(&eh, sizeof eh, UINT64_MAX), ELF_OK);
    eh.e_phoff = UINT64_MAX - 10;
    CHECK_EQ(elf_check_header(&eh, sizeof eh, UINT64_MAX), ELF_PHDRS_OUTSIDE);
}

static void refuses_bad_load(void)
{
    good(), ph[1].p_filesz = 0x3001;
    CHECK_EQ(phdrs(), ELF_SEG_SIZES);
    good(), ph[1].p_offset = FILE_LEN - 0x100, ph[1].p_vaddr = 0x400000 + FILE_LEN - 0x100;
    CHECK_EQ(phdrs(), ELF_OK); /* the file bytes end exactly at the end of the file */
    ph[1].p_filesz++;
    CHECK_EQ(phdrs(), ELF_SEG_OUTSIDE);
    good(), ph[1].p_offset = UINT64_MAX - 0x7ff, ph[1].p_vaddr = 0x401800, ph[1].p_filesz = 0x1000;
    CHECK_EQ(elf_check_phdrs(&eh, ph, UINT64_MAX, &found), ELF_SEG_OUTSIDE); /* offset + filesz wraps */
    good(), ph[1].p_offset = 0x801;
    CHECK_EQ(phdrs(), ELF_SEG_MISALIGNED);
    good(), ph[1].p_offset = 0x801, ph[1].p_align = 0; /* whatever p_align says: Linux maps pages */
    CHECK_EQ(phdrs(), ELF_SEG_MISALIGNED);
    good(), ph[1].p_vaddr = UINT64_MAX - 0x7ff; /* congruent with 0x800, + memsz wraps */
    CHECK_EQ(phdrs(), ELF_SEG_WRAPS);
    good(), ph[1].p_vaddr = UINT64_MAX - 0x27ff, ph[1].p_memsz = 0x2800; /* ends at 2^64: wraps */
    CHECK_EQ(phdrs(), ELF_SEG_WRAPS);
}

static void load_segments(void)
{
    good(), ph[0].p_type = ph[1].p_type = 0;
    CHECK_EQ(phdrs(), ELF_NO_LOAD);
    good(), ph[1].p_filesz = ph[1].p_memsz = 0; /* empty: Linux maps nothing, refuses nothing */
    CHECK_EQ(phdrs(), ELF_OK);
    good(), ph[2].p_filesz = UINT64_MAX, ph[2].p_offset = UINT64_MAX; /* only PT_LOAD is judged */
    CHECK_EQ(phdrs(), ELF_OK);
}

static void interp(void)
{
    good(), ph[2] = (struct elf64_phdr){PT_INTERP, PF_R, 0x200, 0, 0, 28, 28, 1};
    CHECK_EQ(phdrs(), ELF_OK);
    CHECK(found.interp == &ph[2]);
    ph[2].p_filesz = 1; /* not even one character and the NUL */
    CHECK_EQ(phdrs(), ELF_BAD_INTERP);
    ph[2].p_filesz = ELF_INTERP_MAX;
    CHECK_EQ(phdrs(), ELF_OK);
    ph[2].p_filesz = ELF_INTERP_MAX + 1;
    CHECK_EQ(phdrs(), ELF_BAD_INTERP);
    ph[2].p_filesz = 28, ph[2].p_offset = FILE_LEN - 27;
    CHECK_EQ(phdrs(), ELF_BAD_INTERP);
    /* Linux uses (and checks) the first PT_INTERP only */
    good(), eh.e_phnum = 4;
    ph[2] = (struct elf64_phdr){PT_INTERP, PF_R, 0x200, 0, 0, 28, 28, 1};
    ph[3] = ph[2], ph[3].p_filesz = 0;
    CHECK_EQ(phdrs(), ELF_OK);
    CHECK(found.interp == &ph[2]);
    CHECK_EQ(elf_check_interp_path("/lib/ld.so", 11), ELF_OK);
    CHECK_EQ(elf_check_interp_path("/lib/ld.so", 10), ELF_BAD_INTERP);
    CHECK_EQ(elf_check_interp_path("", 0), ELF_BAD_INTERP);
}

static void worded(void)
{
    for (int e = ELF_OK + 1; e < ELF_NERRORS; e++)
        CHECK(*elf_err_text(e) && strcmp(elf_err_text(e), elf_err_text(ELF_OK)) != 0);
    CHECK(strcmp(elf_err_text(ELF_NERRORS), "malformed ELF") == 0);
}

int main(void)
{
    RUN(accepts_valid);
    RUN(refuses_ident);
    RUN(refuses_header_fields);
    RUN(refuses_table_outside);
    RUN(refuses_bad_load);
    RUN(load_segments);
    RUN(interp);
    RUN(worded);
    return 0;
}
