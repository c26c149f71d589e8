/* binprm.h: a program being executed (Linux's linux_binprm): the file, its first bytes, and the
 * argument and environment strings, held in kernel pages while the old image still exists. */
#ifndef BINPRM_H
#define BINPRM_H

#include "elf.h"
#include "kernel.h"

#define BINPRM_BUF_SIZE 256             /* the first bytes of a file, as Linux reads them */
#define MAX_ARG_STRLEN (32 * PAGE_SIZE) /* one string, NUL included */
#define ARG_MAX_BYTES (32 * PAGE_SIZE)  /* allowed for the strings whatever the stack limit */
#define ARGS_WINDOW (6ull << 20)        /* the most Linux allows: 3/4 of its 8 MiB _STK_LIM */
#define MAX_ARG_STRINGS 0x7fffffffull

_Static_assert(ELF_INTERP_MAX <= BVM_HC_MAX_PATH, "a PT_INTERP path fits a hostcall's path");

/* An ELF image, read and checked before the point of no return, mapped after it. */
struct elf_image {
    int fd; /* host fd, -1 when none */
    struct elf64_ehdr eh;
    struct elf64_phdr ph[ELF_MAX_PHNUM];
    struct elf_info info;
};

struct binprm {
    uint64_t page[ARGS_WINDOW / PAGE_SIZE]; /* physical pages of the string window, 0 until used */
    uint64_t p;                             /* the strings fill [p, ARGS_WINDOW), growing down as on Linux */
    uint64_t argmin;                        /* p never goes below this: E2BIG */
    uint64_t argc, envc;
    uint64_t exec;                  /* offset of the file name string (AT_EXECFN) */
    char filename[BVM_HC_MAX_PATH]; /* the program as the caller named it */
    char interp[BVM_HC_MAX_PATH];   /* the file being looked at: filename, then each #! interpreter */
    bool path_inaccessible;         /* filename is /dev/fd/N of a close-on-exec fd: no script can use it */
    bool comm_from_file;            /* execveat(AT_EMPTY_PATH): comm is the file's own name */
    int fd;                         /* host fd of interp, -1 */
    char buf[BINPRM_BUF_SIZE];      /* its first bytes, zero padded */
    struct elf_image prog, elf_interp;
    char elf_interp_path[ELF_INTERP_MAX];
    uint8_t random[16]; /* AT_RANDOM */
};

/* The one binprm (one exec at a time), emptied: no strings, no files. */
struct binprm *binprm_begin(void);
/* Frees the strings' pages and closes the files; the binprm is unused afterwards. */
void binprm_end(struct binprm *b);
/* Linux's bprm_stack_limits: a quarter of the stack limit (at least ARG_MAX_BYTES, at most 3/4
 * of 8 MiB) for strings and pointers. -E2BIG when the pointers alone do not fit. */
int binprm_stack_limits(struct binprm *b, uint64_t rlim_stack);
/* Counts a NULL-terminated pointer vector (user memory when user, else kernel): -EFAULT, -E2BIG. */
int64_t binprm_count(uint64_t vec, bool user);
/* Adds the n strings of a vector below those already there, the last first: -EFAULT, -E2BIG,
 * -ENOMEM. */
int binprm_copy_strings(struct binprm *b, uint64_t vec, uint64_t n, bool user);
/* Adds one kernel string below the others: 0, -E2BIG, -ENOMEM. */
int binprm_copy_kernel(struct binprm *b, const char *s);
/* Drops the lowest string (argv[0]), for a #! rewrite. */
void binprm_remove_arg0(struct binprm *b);
/* The length with the NUL of the string at offset off. */
uint64_t binprm_strlen(const struct binprm *b, uint64_t off);
/* Copies all strings to user memory at dst (ARGS_WINDOW - p bytes): 0 or -EFAULT. */
int binprm_copy_out(const struct binprm *b, uint64_t dst);

#endif
