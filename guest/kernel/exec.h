/* exec.h: replacing the program image: the boot program and execve share one path. */
#ifndef EXEC_H
#define EXEC_H

#include "kernel.h"

struct binprm;

/* Runs the program named by the boot info with its argv/envp, as execve would. On a failure before
 * the point of no return it ends the run with the errno (EXIT, kind EXEC). */
_Noreturn void exec_boot_program(void);

/* Opens path (relative to host dirfd) for execution as Linux's do_open_execat: the lookup's own
 * errors, else EACCES unless it is a regular file the program may execute. Host fd or -errno. */
int exec_open(int dirfd, const char *path, bool nofollow);

/* Names the program (filename: as the caller named it, for argv and AT_EXECFN) and opens path
 * (relative to host dirfd) for it: 0 or -errno. */
int exec_start(struct binprm *b, const char *filename, int dirfd, const char *path, bool nofollow);

/* Copies the strings: file name (AT_EXECFN), envp, argv, with Linux's limits; vectors in user
 * memory when user, else kernel pointers (the boot info). b->filename must be set. */
int exec_copy_args(struct binprm *b, uint64_t argv, uint64_t envp, bool user);

/* With b->fd open on b->interp: follows #! scripts to an ELF, checks it and its interpreter,
 * then replaces the current image and enters it. Returns -errno only while the old image is
 * intact (the caller then ends b); a failure after that kills the process with SIGSEGV, as Linux. */
int exec_binprm(struct binprm *b);

/* elf_load.c: pread into a kernel buffer: bytes read or -errno. */
int64_t exec_read(int fd, void *buf, uint64_t len, uint64_t off);
/* Reads and checks b->fd's ELF headers (b->prog owns the fd then) and opens and checks its
 * PT_INTERP interpreter: 0 or -errno (-ENOEXEC for a malformed image). */
int elf_prepare(struct binprm *b);
/* After the point of no return: maps the program, then its interpreter below the mmap base, and
 * sets brk. *entry: where to start, *interp_base: AT_BASE (0 without an interpreter). */
int elf_map(struct binprm *b, uint64_t *entry, uint64_t *interp_base);

/* ustack.c: writes the initial stack as Linux lays it out (strings at the top, then platform string,
 * 16 random bytes, auxv, envp, argv, argc) and returns the 16-byte aligned RSP pointing at argc,
 * or 0 when guest memory ran out. */
uint64_t exec_build_stack(const struct binprm *b, uint64_t interp_base);

#endif
