/* mon_prog.c: ELF checks on crafted images: each bad case refused with the right message. */
#include <elf.h>
#include <string.h>

#include "harness.h"
#include "prog.h"

static unsigned char img[4096];
static char why[256];

static Elf64_Ehdr *hdr(void) { return (Elf64_Ehdr *)img; }
static Elf64_Phdr *ph(int i) { return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i; }

static void good(void)
{
    memset(img, 0, sizeof img);
    Elf64_Ehdr *h = hdr();
    memcpy(h->e_ident, ELFMAG, SELFMAG);
    h->e_ident[EI_CLASS] = ELFCLASS64, h->e_ident[EI_DATA] = ELFDATA2LSB;
    h->e_type = ET_EXEC, h->e_machine = EM_X86_64, h->e_phoff = sizeof *h;
    h->e_phentsize = sizeof(Elf64_Phdr), h->e_phnum = 1;
    Elf64_Phdr *p = ph(0);
    p->p_type = PT_LOAD, p->p_offset = 0, p->p_vaddr = 0x400000, p->p_filesz = 0x200, p->p_memsz = 0x3000;
    p->p_align = 0x1000;
}

static int check(void) { return prog_check_image(img, sizeof img, sizeof img, why, sizeof why); }
static int says(const char *s) { return strstr(why, s) != NULL; }

static void accepts_good(void)
{
    good();
    CHECK_EQ(check(), 0);
    hdr()->e_type = ET_DYN, ph(0)->p_vaddr = 0;
    CHECK_EQ(check(), 0); /* static-pie */
}

static void rejects_bad(void)
{
    good(), img[0] = 'x';
    CHECK(check() < 0 && says("not an ELF"));
    good(), img[EI_CLASS] = ELFCLASS32;
    CHECK(check() < 0 && says("32-bit"));
    good(), hdr()->e_machine = EM_AARCH64;
    CHECK(check() < 0 && says("x86-64"));
    good(), hdr()->e_type = ET_REL;
    CHECK(check() < 0 && says("not an executable"));
    good(), hdr()->e_phoff = sizeof img - 10;
    CHECK(check() < 0 && says("truncated"));
    good(), hdr()->e_phnum = 0;
    CHECK(check() < 0);
    good(), ph(0)->p_offset = 4000;
    CHECK(check() < 0 && says("truncated"));
    good(), ph(0)->p_filesz = 0x4000;
    CHECK(check() < 0);
    good(), ph(0)->p_vaddr = 0x1000; /* below 64 KiB */
    CHECK(check() < 0 && says("user range"));
    good(), ph(0)->p_vaddr = 0x7ffffffff000ull, ph(0)->p_offset = 0;
    CHECK(check() < 0 && says("user range"));
    good(), ph(0)->p_memsz = ~0ull - 0x1000; /* vaddr + memsz wraps */
    CHECK(check() < 0);
    good(), ph(0)->p_type = PT_INTERP; /* an interpreter alone loads nothing */
    CHECK(check() < 0 && says("no loadable"));
    CHECK(prog_check_image(img, 20, 20, why, sizeof why) < 0 && says("truncated"));
}

int main(void)
{
    RUN(accepts_good);
    RUN(rejects_bad);
    return 0;
}
