/* kernel_load.c: load the kernel ELF (embedded or --kernel FILE) at its physical addresses. */
#include "kernel_load.h"

#include <stdio.h>
#include <string.h>

#include "bvm_abi.h"
#include "bvm_elf.h"

#define ERR(...) (snprintf(why, whylen, __VA_ARGS__), -1)

/* The ELF rules every executable passes, and ET_EXEC: the kernel runs where it was linked. ph gets
 * the program headers. */
static int check_elf(const struct elf64_ehdr *h, size_t len, struct elf64_phdr *ph, char *why, size_t whylen)
{
    enum elf_err e = elf_check_header(h, len, len);
    if (e == ELF_OK && h->e_type != ET_EXEC)
        e = ELF_BAD_TYPE;
    if (e == ELF_OK) {
        struct elf_phdrs_found found;
        memcpy(ph, (const uint8_t *)h + h->e_phoff, h->e_phnum * sizeof ph[0]);
        e = elf_check_phdrs(h, ph, len, &found);
    }
    return e == ELF_OK ? 0 : ERR("kernel: %s", elf_err_text(e));
}

/* Find section ".bvm_abi" and check magic and version. */
static int check_abi(const uint8_t *elf, size_t len, char *why, size_t whylen)
{
    const struct elf64_ehdr *h = (const struct elf64_ehdr *)elf;
    if (h->e_shentsize != sizeof(struct elf64_shdr) ||
        !elf_in_file(h->e_shoff, (uint64_t)h->e_shnum * sizeof(struct elf64_shdr), len) ||
        h->e_shstrndx >= h->e_shnum)
        return ERR("kernel: no section headers");
    const struct elf64_shdr *sh = (const struct elf64_shdr *)(elf + h->e_shoff);
    const struct elf64_shdr *strs = &sh[h->e_shstrndx];
    if (!elf_in_file(strs->sh_offset, strs->sh_size, len))
        return ERR("kernel: bad section names");
    for (int i = 0; i < h->e_shnum; i++) {
        if (sh[i].sh_name >= strs->sh_size || strs->sh_size - sh[i].sh_name < 9)
            continue;
        if (memcmp(elf + strs->sh_offset + sh[i].sh_name, ".bvm_abi", 9) != 0)
            continue;
        struct bvm_abi_note note;
        if (sh[i].sh_size < sizeof note || !elf_in_file(sh[i].sh_offset, sizeof note, len))
            return ERR("kernel: .bvm_abi section too small");
        memcpy(&note, elf + sh[i].sh_offset, sizeof note);
        if (note.magic != BVM_BOOT_MAGIC || note.version != BVM_ABI_VERSION)
            return ERR("kernel: ABI version %u, monitor speaks %u", note.version, BVM_ABI_VERSION);
        return 0;
    }
    return ERR("kernel: no .bvm_abi section (not a BufferVM kernel)");
}

/* p has passed elf_check_phdrs: its file bytes lie inside the file. */
static int load_segment(struct guestmem *gm, const uint8_t *elf, const struct elf64_phdr *p, gpa_t *end,
                        char *why, size_t whylen)
{
    if (p->p_paddr < BVM_KERNEL_GPA)
        return ERR("kernel: segment below 0x%llx", (unsigned long long)BVM_KERNEL_GPA);
    uint8_t *dst = gm_ptr_w(gm, p->p_paddr, p->p_memsz);
    if (!dst)
        return ERR("kernel: segment at 0x%llx (+0x%llx) outside guest RAM", (unsigned long long)p->p_paddr,
                   (unsigned long long)p->p_memsz);
    /* The rest (the bss, 8 MiB of tables) is zero already: guest RAM is fresh anonymous memory
     * (gm_init) and the kernel is the first thing loaded. Clearing it would touch every page. */
    memcpy(dst, elf + p->p_offset, p->p_filesz);
    gm_written(gm, p->p_paddr, p->p_memsz);
    gpa_t e = (p->p_paddr + p->p_memsz + 4095) & ~4095ull;
    if (e > *end)
        *end = e;
    return 0;
}

int kl_load(struct guestmem *gm, const uint8_t *elf, size_t len, uint64_t *entry, gpa_t *end, char *why,
            size_t whylen)
{
    const struct elf64_ehdr *h = (const struct elf64_ehdr *)elf;
    struct elf64_phdr ph[ELF_MAX_PHNUM];
    if (check_elf(h, len, ph, why, whylen) < 0 || check_abi(elf, len, why, whylen) < 0)
        return -1;
    *end = BVM_KERNEL_GPA;
    for (int i = 0; i < h->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && load_segment(gm, elf, &ph[i], end, why, whylen) < 0)
            return -1;
    *entry = h->e_entry;
    return 0;
}
