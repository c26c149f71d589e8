/* prog.c: resolve PROG like a shell and reject what cannot run, with env/timeout exit codes. */
#include "prog.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"

#define USER_MIN 0x10000ull         /* nothing mapped below 64 KiB */
#define USER_LIMIT 0x7ffffffff000ull
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

static int in_file(uint64_t off, uint64_t size, size_t len) { return off <= len && size <= len - off; }

#define BAD(...) (snprintf(why, whylen, __VA_ARGS__), -1)

static int check_phdr(const Elf64_Phdr *p, size_t len, int is_dyn, char *why, size_t whylen)
{
    if (p->p_type != PT_LOAD)
        return 0;
    if (p->p_filesz > p->p_memsz)
        return BAD("malformed ELF: segment file size exceeds memory size");
    if (!in_file(p->p_offset, p->p_filesz, len))
        return BAD("truncated ELF: segment data beyond the end of the file");
    if (p->p_align > 1 && (p->p_vaddr - p->p_offset) % 4096 != 0)
        return BAD("malformed ELF: segment offset and address disagree modulo the page size");
    if (!is_dyn && (p->p_vaddr < USER_MIN || p->p_vaddr > USER_LIMIT || p->p_memsz > USER_LIMIT - p->p_vaddr))
        return BAD("ELF segment at 0x%llx+0x%llx outside the user range", (unsigned long long)p->p_vaddr,
                   (unsigned long long)p->p_memsz);
    if (is_dyn && (p->p_vaddr > (1ull << 40) || p->p_memsz > (1ull << 40)))
        return BAD("ELF segment too large");
    return 0;
}

int prog_check_image(const unsigned char *img, size_t len, size_t file_len, char *why, size_t whylen)
{
    if (len < 4 || memcmp(img, ELFMAG, SELFMAG) != 0)
        return BAD("not an ELF executable");
    if (len < EI_NIDENT || img[EI_CLASS] != ELFCLASS64)
        return BAD("32-bit ELF executables are not supported");
    if (len < sizeof(Elf64_Ehdr))
        return BAD("truncated ELF: header cut short");
    const Elf64_Ehdr *h = (const Elf64_Ehdr *)img;
    if (img[EI_DATA] != ELFDATA2LSB || h->e_machine != EM_X86_64)
        return BAD("not an x86-64 executable (ELF machine %u)", h->e_machine);
    if (h->e_type != ET_EXEC && h->e_type != ET_DYN)
        return BAD("not an executable (ELF type %u)", h->e_type);
    if (h->e_phentsize != sizeof(Elf64_Phdr) || h->e_phnum == 0)
        return BAD("malformed ELF: bad program header table");
    if (!in_file(h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr), len))
        return BAD("truncated ELF: program headers beyond the end of the file");
    int loads = 0;
    for (int i = 0; i < h->e_phnum; i++) {
        Elf64_Phdr p;
        memcpy(&p, img + h->e_phoff + (size_t)i * sizeof p, sizeof p);
        if (check_phdr(&p, file_len, h->e_type == ET_DYN, why, whylen) < 0)
            return -1;
        loads += p.p_type == PT_LOAD;
    }
    if (!loads)
        return BAD("malformed ELF: no loadable segment");
    return 0;
}

/* A PT_INTERP naming a missing file fails like execve's ENOENT: the shell says "required file not
 * found" and returns 127. 0 when there is no interpreter or it exists. */
static int check_interp(const unsigned char *img, size_t len, int *status, char *why, size_t whylen)
{
    const Elf64_Ehdr *h = (const Elf64_Ehdr *)img;
    for (int i = 0; i < h->e_phnum; i++) {
        Elf64_Phdr p;
        memcpy(&p, img + h->e_phoff + (size_t)i * sizeof p, sizeof p);
        if (p.p_type != PT_INTERP)
            continue;
        char ip[4096];
        if (!in_file(p.p_offset, p.p_filesz, len) || p.p_filesz < 2 || p.p_filesz > sizeof ip ||
            img[p.p_offset + p.p_filesz - 1] != 0)
            return BAD("malformed ELF: bad PT_INTERP");
        memcpy(ip, img + p.p_offset, p.p_filesz);
        if (access(ip, F_OK) < 0) {
            *status = BVM_EXIT_NOT_FOUND;
            return BAD("cannot execute: required file not found (ELF interpreter %.80s: %s)", ip, strerror(errno));
        }
    }
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
    int rc = got < 0 ? (snprintf(inner, sizeof inner, "cannot read: %s", strerror(errno)), -1)
                     : prog_check_image(img, (size_t)got, (size_t)st.st_size, inner, sizeof inner);
    if (rc == 0)
        rc = check_interp(img, (size_t)got, status, inner, sizeof inner);
    free(img);
    if (rc < 0)
        snprintf(why, whylen, "%s: %s", path, inner);
    return rc;
}
