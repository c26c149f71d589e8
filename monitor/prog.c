/* prog.c: resolve PROG like a shell and reject what cannot run, with env/timeout exit codes. */
#include "prog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bvm_abi.h"
#include "bvm_elf.h"
#include "fail.h"

#define HEAD_MAX (1u << 20) /* headers must lie in the first MiB */

static int check_exec(const char *path, int *status, char *why, size_t whylen)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        *status = errno == ENOENT || errno == ENOTDIR ? BVM_EXIT_NOT_FOUND : BVM_EXIT_CANNOT_RUN;
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode) || access(path, X_OK) < 0) {
        *status = BVM_EXIT_CANNOT_RUN;
        snprintf(why, whylen, "%s: %s", path, S_ISDIR(st.st_mode) ? "Is a directory" : strerror(errno));
        return -1;
    }
    return 0;
}

int prog_resolve(const char *name, char *path, size_t pathlen, int *status, char *why, size_t whylen)
{
    if (!*name) {
        *status = BVM_EXIT_NOT_FOUND;
        snprintf(why, whylen, "'': No such file or directory");
        return -1;
    }
    if (strchr(name, '/')) {
        snprintf(path, pathlen, "%s", name);
        return check_exec(path, status, why, whylen);
    }
    const char *p = getenv("PATH");
    if (!p)
        p = "/usr/local/bin:/usr/bin:/bin";
    while (*p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        snprintf(path, pathlen, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
            return 0;
        p += n + (end ? 1 : 0);
    }
    *status = BVM_EXIT_NOT_FOUND;
    snprintf(why, whylen, "%s: command not found", name);
    return -1;
}

#define BAD(...) (snprintf(why, whylen, __VA_ARGS__), -1)

/* The verdict of bvm_elf.h's rules in words, with the field that failed where it helps. */
static int bad_elf(enum elf_err e, const struct elf64_ehdr *h, char *why, size_t whylen)
{
    if (e == ELF_BAD_MACHINE)
        return BAD("%s (ELF machine %u%s)", elf_err_text(e), h->e_machine,
                   h->e_ident[EI_DATA] == 2 ? ", big-endian" : "");
    if (e == ELF_BAD_TYPE)
        return BAD("%s (ELF type %u)", elf_err_text(e), h->e_type);
    return BAD("%s", elf_err_text(e));
}

/* Where the kernel can place a segment: an ET_EXEC as linked, inside the user range; a static-pie
 * is moved as a whole, so only its size matters here (the kernel has the last word). */
static int check_place(const struct elf64_phdr *p, int is_dyn, char *why, size_t whylen)
{
    if (p->p_type != PT_LOAD)
        return 0;
    if (!is_dyn && (p->p_vaddr < BVM_USER_MIN || p->p_vaddr > BVM_USER_TOP || p->p_memsz > BVM_USER_TOP - p->p_vaddr))
        return BAD("ELF segment at 0x%llx+0x%llx outside the user range", (unsigned long long)p->p_vaddr,
                   (unsigned long long)p->p_memsz);
    if (is_dyn && (p->p_vaddr > (1ull << 40) || p->p_memsz > (1ull << 40)))
        return BAD("ELF segment too large");
    return 0;
}

/* prog_check_image, and *interp the first PT_INTERP (p_filesz 0 without one). */
static int check_image(const unsigned char *img, size_t len, size_t file_len, struct elf64_phdr *interp,
                       char *why, size_t whylen)
{
    const struct elf64_ehdr *h = (const struct elf64_ehdr *)img;
    enum elf_err e = elf_check_header(h, len, len); /* the headers must lie in what was read */
    if (e != ELF_OK)
        return bad_elf(e, h, why, whylen);
    struct elf64_phdr ph[ELF_MAX_PHNUM];
    memcpy(ph, img + h->e_phoff, h->e_phnum * sizeof ph[0]); /* img + e_phoff may be unaligned */
    struct elf_phdrs_found found;
    e = elf_check_phdrs(h, ph, file_len, &found);
    if (e != ELF_OK)
        return bad_elf(e, h, why, whylen);
    for (int i = 0; i < h->e_phnum; i++)
        if (check_place(&ph[i], h->e_type == ET_DYN, why, whylen) < 0)
            return -1;
    *interp = found.interp ? *found.interp : (struct elf64_phdr){0};
    return 0;
}

int prog_check_image(const unsigned char *img, size_t len, size_t file_len, char *why, size_t whylen)
{
    struct elf64_phdr interp;
    return check_image(img, len, file_len, &interp, why, whylen);
}

/* A PT_INTERP naming a missing file fails like execve's ENOENT: the shell says "required file not
 * found" and returns 127; any other reason (a name too long, a loop) is 126. 0 when there is no
 * interpreter or it exists. */
static int check_interp(const unsigned char *img, size_t len, const struct elf64_phdr *p, int *status,
                        char *why, size_t whylen)
{
    if (!p->p_filesz)
        return 0;
    char ip[ELF_INTERP_MAX];
    if (!elf_in_file(p->p_offset, p->p_filesz, len) ||
        elf_check_interp_path((const char *)img + p->p_offset, p->p_filesz) != ELF_OK)
        return BAD("%s", elf_err_text(ELF_BAD_INTERP));
    memcpy(ip, img + p->p_offset, p->p_filesz);
    if (access(ip, F_OK) < 0 && errno == ENOENT) {
        *status = BVM_EXIT_NOT_FOUND;
        return BAD("cannot execute: required file not found (ELF interpreter %.80s: %s)", ip,
                   strerror(errno));
    }
    if (access(ip, F_OK) < 0) /* a shell's 126: the file may exist but cannot be reached */
        return BAD("cannot execute: ELF interpreter %.80s%s: %s", ip, strlen(ip) > 80 ? "..." : "", strerror(errno));
    return 0;
}

int prog_check_elf(const char *path, int *status, char *why, size_t whylen)
{
    *status = BVM_EXIT_CANNOT_RUN;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t len = st.st_size > (off_t)HEAD_MAX ? HEAD_MAX : (size_t)st.st_size;
    unsigned char *img = malloc(len ? len : 1);
    ssize_t got = img ? pread(fd, img, len, 0) : -1;
    close(fd);
    char inner[200];
    if (got >= 2 && img[0] == '#' && img[1] == '!') {
        free(img);
        return 0; /* a script: the kernel reads its #! line and checks the interpreter */
    }
    struct elf64_phdr interp;
    int rc = got < 0 ? (snprintf(inner, sizeof inner, "cannot read: %s", strerror(errno)), -1)
                     : check_image(img, (size_t)got, (size_t)st.st_size, &interp, inner, sizeof inner);
    if (rc == 0)
        rc = check_interp(img, (size_t)got, &interp, status, inner, sizeof inner);
    free(img);
    if (rc < 0)
        snprintf(why, whylen, "%s: %s", path, inner);
    return rc;
}
