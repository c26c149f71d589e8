/* mon_prog.c: the monitor's side of PROG's ELF checks: each rule's verdict worded, the user range. */
#include <string.h>

#include "bvm_elf.h"
#include "harness.h"
#include "prog.h"

static unsigned char img[4096] __attribute__((aligned(8)));
static char why[256];

static struct elf64_ehdr *hdr(void) { return (struct elf64_ehdr *)img; }
static struct elf64_phdr *ph(int i) { return (struct elf64_phdr *)(img + sizeof(struct elf64_ehdr)) + i; }

static void good(void)
{
    memset(img, 0, sizeof img);
    struct elf64_ehdr *h = hdr();
    memcpy(h->e_ident, "\177ELF\2\1\1", 7);
    h->e_type = ET_EXEC, h->e_machine = EM_X86_64, h->e_phoff = sizeof *h;
    h->e_phentsize = sizeof(struct elf64_phdr), h->e_phnum = 1;
    struct elf64_phdr *p = ph(0);
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

/* The words for each verdict of the shared rules (common_elf.c tests the verdicts themselves). */
static void words_each_rule(void)
{
    good(), img[0] = 'x';
    CHECK(check() < 0 && says("not an ELF"));
    good(), img[EI_CLASS] = ELFCLASS32, hdr()->e_machine = 3;
    CHECK(check() < 0 && says("32-bit"));
    good(), hdr()->e_machine = 183;
    CHECK(check() < 0 && says("not an x86-64 executable (ELF machine 183)"));
    good(), hdr()->e_type = 1;
    CHECK(check() < 0 && says("not an executable (ELF type 1)"));
    good(), hdr()->e_phoff = sizeof img - 10;
    CHECK(check() < 0 && says("truncated ELF: program headers"));
    good(), ph(0)->p_offset = 4000;
    CHECK(check() < 0 && says("truncated ELF: segment data"));
    good(), ph(0)->p_type = PT_INTERP; /* an interpreter alone loads nothing */
    CHECK(check() < 0 && says("no loadable"));
    CHECK(prog_check_image(img, 20, 20, why, sizeof why) < 0 && says("truncated ELF: header"));
}

/* Where segments may lie is the monitor's (and the kernel's) policy, not an ELF rule. */
static void user_range(void)
{
    good(), ph(0)->p_vaddr = 0x1000; /* below 64 KiB */
    CHECK(check() < 0 && says("user range"));
    good(), ph(0)->p_vaddr = 0x7ffffffff000ull;
    CHECK(check() < 0 && says("user range"));
    good(), hdr()->e_type = ET_DYN, ph(0)->p_vaddr = 0, ph(0)->p_memsz = 1ull << 41;
    CHECK(check() < 0 && says("too large"));
}

int main(void)
{
    RUN(accepts_good);
    RUN(words_each_rule);
    RUN(user_range);
    return 0;
}
