/* kern_elf.c: unit tests of placing a checked ELF image (guest/kernel/elf.c); the rules: common_elf.c. */
#include <string.h>

#include "bvm_linux.h"
#include "elf.h"
#include "kern_test.h"
#include "mm.h"

static struct elf64_ehdr eh;
static struct elf64_phdr ph[4];

/* A small valid static ET_EXEC: text at 0x400000 (with the headers), data+bss at 0x401000. */
static void make_valid(void)
{
    memset(&eh, 0, sizeof(eh));
    memset(ph, 0, sizeof(ph));
    memcpy(eh.e_ident, "\177ELF\2\1\1", 7);
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = 1;
    eh.e_entry = 0x400100;
    eh.e_phoff = 64;
    eh.e_phentsize = sizeof(struct elf64_phdr);
    eh.e_phnum = 3;
    ph[0] = (struct elf64_phdr){PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x400000, 0x800, 0x800, 0x1000};
    ph[1] = (struct elf64_phdr){PT_LOAD, PF_R | PF_W, 0x800, 0x401800, 0x401800, 0x100, 0x3000, 0x1000};
    ph[2] = (struct elf64_phdr){PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16};
}

static int check(struct elf_info *info) { return elf_layout(&eh, ph, PIE_BASE, info); }

int main(void)
{
    struct elf_info info;
    make_valid();
    int e = check(&info);
    EXPECT("kern_elf_valid_exec",
           e == 0 && info.bias == 0 && info.lo == 0x400000 && info.hi == 0x405000 && info.entry == 0x400100 &&
               info.phdr_va == 0x400040 && info.phnum == 3 && !info.exec_stack,
           "err %d lo %#lx hi %#lx phdr %#lx", e, (unsigned long)info.lo, (unsigned long)info.hi,
           (unsigned long)info.phdr_va);
    make_valid();
    ph[1].p_filesz = 0x4000; /* one of the shared rules, to see they are applied */
    EXPECT("kern_elf_rules_applied", check(&info) == -LINUX_ENOEXEC, "accepted p_filesz > p_memsz");
    make_valid();
    ph[2].p_type = PT_INTERP, ph[2].p_offset = 0x200, ph[2].p_filesz = 28;
    ph[3] = ph[2], ph[3].p_offset = 0x300, eh.e_phnum = 4;
    EXPECT("kern_elf_interp_first", check(&info) == 0 && info.interp_off == 0x200 && info.interp_len == 28,
          "got %d, interp at %#lx", check(&info), (unsigned long)info.interp_off);
    make_valid();
    ph[1].p_vaddr = USER_TOP, ph[1].p_offset = 0;
    EXPECT("kern_elf_above_user_top", check(&info) == -LINUX_ENOEXEC, "accepted a segment above USER_TOP");
    make_valid();
    ph[2] = ph[1], ph[2].p_vaddr = 0x404800, ph[2].p_filesz = ph[2].p_memsz = 0;
    e = check(&info);
    EXPECT("kern_elf_empty_load", e == 0 && info.hi == 0x405000, "err %d hi %#lx", e, (unsigned long)info.hi);
    make_valid();
    eh.e_entry = 0x900000;
    EXPECT("kern_elf_entry_outside", check(&info) == -LINUX_ENOEXEC, "accepted");
    make_valid();
    ph[0].p_vaddr = 0x1000;
    eh.e_entry = 0x1100;
    ph[1].p_vaddr = 0x1800;
    EXPECT("kern_elf_below_min", check(&info) == -LINUX_ENOEXEC, "accepted a load below 64 KiB");
    make_valid();
    ph[0].p_vaddr = VMA_ALIAS_BASE;
    ph[1].p_vaddr = VMA_ALIAS_BASE + 0x1800;
    eh.e_entry = VMA_ALIAS_BASE + 0x100;
    EXPECT("kern_elf_reserved", check(&info) == -LINUX_ENOEXEC, "accepted a load in the reserved range");
    make_valid();
    eh.e_type = ET_DYN;
    ph[0].p_vaddr = 0;
    ph[1].p_vaddr = 0x1800;
    eh.e_entry = 0x100;
    e = check(&info);
    EXPECT("kern_elf_pie_bias",
           e == 0 && info.bias == PIE_BASE && info.entry == PIE_BASE + 0x100 &&
               info.phdr_va == PIE_BASE + 0x40 && info.lo == PIE_BASE,
           "err %d bias %#lx", e, (unsigned long)info.bias);
    make_valid();
    ph[2].p_flags |= PF_X;
    EXPECT("kern_elf_exec_stack", check(&info) == 0 && info.exec_stack, "PT_GNU_STACK PF_X ignored");
    EXPECT("kern_elf_prot", elf_prot(PF_R | PF_X) == 5 && elf_prot(PF_W) == 2 && elf_prot(0) == 0,
           "prot mapping");
    return test_failed != 0;
}
