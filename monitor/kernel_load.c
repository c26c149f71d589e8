/* kernel_load.c: load the kernel ELF (embedded or --kernel FILE) at its physical addresses. */
#include "kernel_load.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "bvm_abi.h"

#define ERR(...) (snprintf(why, whylen, __VA_ARGS__), -1)

/* In-bounds test for [off, off+size) within a file of len bytes, overflow-safe. */
static int in_file(uint64_t off, uint64_t size, size_t len) { return off <= len && size <= len - off; }

static int check_header(const Elf64_Ehdr *h, size_t len, char *why, size_t whylen)
{
    if (len < sizeof *h || memcmp(h->e_ident, ELFMAG, SELFMAG) != 0)
        return ERR("kernel: not an ELF file");
    if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_machine != EM_X86_64 || h->e_type != ET_EXEC)
        return ERR("kernel: not a 64-bit x86-64 ELF executable");
    if (h->e_phentsize != sizeof(Elf64_Phdr) || !in_file(h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr), len))
        return ERR("kernel: program headers outside the file");
    return 0;
}

/* Find section ".bvm_abi" and check magic and version. */
static int check_abi(const uint8_t *elf, size_t len, char *why, size_t whylen)
{
    const Elf64_Ehdr *h = (const Elf64_Ehdr *)elf;
    if (h->e_shentsize != sizeof(Elf64_Shdr) || !in_file(h->e_shoff, (uint64_t)h->e_shnum * sizeof(Elf64_Shdr), len) ||
        h->e_shstrndx >= h->e_shnum)
        return ERR("kernel: no section headers");
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf + h->e_shoff);
    const Elf64_Shdr *strs = &sh[h->e_shstrndx];
    if (!in_file(strs->sh_offset, strs->sh_size, len))
        return ERR("kernel: bad section names");
    for (int i = 0; i < h->e_shnum; i++) {
        if (sh[i].sh_name >= strs->sh_size || strs->sh_size - sh[i].sh_name < 9)
            continue;
        if (memcmp(elf + strs->sh_offset + sh[i].sh_name, ".bvm_abi", 9) != 0)
            continue;
        struct bvm_abi_note note;
        if (sh[i].sh_size < sizeof note || !in_file(sh[i].sh_offset, sizeof note, len))
            return ERR("kernel: .bvm_abi section too small");
        memcpy(&note, elf + sh[i].sh_offset, sizeof note);
        if (note.magic != BVM_BOOT_MAGIC || note.version != BVM_ABI_VERSION)
            return ERR("kernel: ABI version %u, monitor speaks %u", note.version, BVM_ABI_VERSION);
        return 0;
    }
    return ERR("kernel: no .bvm_abi section (not a BufferVM kernel)");
}

static int load_segment(struct guestmem *gm, const uint8_t *elf, size_t len, const Elf64_Phdr *p, gpa_t *end,
                        char *why, size_t whylen)
{
    if (p->p_filesz > p->p_memsz || !in_file(p->p_offset, p->p_filesz, len))
        return ERR("kernel: segment outside the file");
    if (p->p_paddr < BVM_KERNEL_GPA)
        return ERR("kernel: segment below 0x%llx", (unsigned long long)BVM_KERNEL_GPA);
    uint8_t *dst = gm_ptr(gm, p->p_paddr, p->p_memsz);
    if (!dst)
        return ERR("kernel: segment at 0x%llx (+0x%llx) outside guest RAM", (unsigned long long)p->p_paddr,
                   (unsigned long long)p->p_memsz);
    memcpy(dst, elf + p->p_offset, p->p_filesz);
    memset(dst + p->p_filesz, 0, p->p_memsz - p->p_filesz);
    gm_written(gm, p->p_paddr, p->p_memsz);
    gpa_t e = (p->p_paddr + p->p_memsz + 4095) & ~4095ull;
    if (e > *end)
        *end = e;
    return 0;
}

int kl_load(struct guestmem *gm, const uint8_t *elf, size_t len, uint64_t *entry, gpa_t *end, char *why,
            size_t whylen)
{
    const Elf64_Ehdr *h = (const Elf64_Ehdr *)elf;
    if (check_header(h, len, why, whylen) < 0 || check_abi(elf, len, why, whylen) < 0)
        return -1;
    *end = BVM_KERNEL_GPA;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(elf + h->e_phoff);
    for (int i = 0; i < h->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && load_segment(gm, elf, len, &ph[i], end, why, whylen) < 0)
            return -1;
    if (*end == BVM_KERNEL_GPA)
        return ERR("kernel: no loadable segment");
    *entry = h->e_entry;
    return 0;
}
