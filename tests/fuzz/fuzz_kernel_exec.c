/* fuzz_kernel_exec.c: libFuzzer target for the shim kernel's execve checks, built for the host from
 * the kernel's own sources: the input is a file's contents. A "#!" file goes to the script parser
 * (guest/kernel/script.c); anything else is read as elf_load.c reads an image: the ELF header
 * checked (common/elf_check.c), the program headers read from e_phoff (a table past the end is a
 * short read, as there), placed (guest/kernel/elf.c) and the PT_INTERP path checked. The checks
 * must never read outside what they were given; a placed image must lie in the user range. */
#include <stdlib.h>
#include <string.h>

#include "binprm.h"
#include "bvm_linux.h"
#include "elf.h"
#include "mm.h"
#include "script.h"

/* What the linked kernel files call and this target does not link: script.c's calls into binprm.c
 * (script_parse needs neither), vma.c's panic and file references (elf.c needs only
 * vma_range_reserved). Reached, they end the run as a finding. */
void binprm_remove_arg0(struct binprm *b) { abort(); }
int binprm_copy_kernel(struct binprm *b, const char *s) { abort(); }
_Noreturn void kpanic(const char *file, int line, const char *fmt, ...) { abort(); }
void vma_file_ref(int host, int delta) { abort(); }
void kprintf(const char *fmt, ...) {}

/* len bytes at off of the file, or -1 when the file is shorter (exec_read's short read). */
static int file_read(const uint8_t *data, size_t size, void *out, uint64_t len, uint64_t off)
{
    if (off > size || len > size - off)
        return -1;
    memcpy(out, data + off, len);
    return 0;
}

static void script(const uint8_t *data, size_t size)
{
    char buf[BINPRM_BUF_SIZE] = {0}, *name = NULL, *arg = NULL;
    memcpy(buf, data, size < sizeof buf ? size : sizeof buf);
    if (script_parse(buf, sizeof buf, &name, &arg) != 0)
        return;
    if (!name || name < buf || name >= buf + sizeof buf || (arg && (arg < buf || arg >= buf + sizeof buf)))
        abort(); /* the parsed strings must lie in the buffer */
    if (strnlen(name, sizeof buf - (size_t)(name - buf)) == sizeof buf - (size_t)(name - buf))
        abort(); /* and be terminated there */
}

static void image(const uint8_t *data, size_t size)
{
    static struct elf_image img;
    static char interp[ELF_INTERP_MAX];
    memset(&img, 0, sizeof img);
    if (file_read(data, size, &img.eh, sizeof img.eh, 0) < 0 ||
        elf_check_header(&img.eh, sizeof img.eh, UINT64_MAX) != ELF_OK)
        return;
    if (img.eh.e_phnum > ELF_MAX_PHNUM)
        abort(); /* elf_check_header must have refused it: ph[] holds no more */
    if (file_read(data, size, img.ph, (uint64_t)img.eh.e_phnum * sizeof img.ph[0], img.eh.e_phoff) < 0)
        return;
    if (elf_layout(&img.eh, img.ph, PIE_BASE, &img.info) != 0)
        return;
    const struct elf_info *i = &img.info;
    if (i->lo > i->hi || i->hi > USER_TOP || i->entry < i->lo || i->entry >= i->hi)
        abort(); /* accepted, yet not inside the user range */
    for (uint32_t k = 0; k < img.eh.e_phnum; k++)
        (void)elf_prot(img.ph[k].p_flags);
    if (i->interp_len && (i->interp_len > sizeof interp ||
                          file_read(data, size, interp, i->interp_len, i->interp_off) < 0))
        return;
    if (i->interp_len)
        (void)elf_check_interp_path(interp, i->interp_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == '#' && data[1] == '!')
        script(data, size);
    else
        image(data, size);
    return 0;
}
