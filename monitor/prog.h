/* prog.h: find PROG as a shell would and check that it is an ELF we can run, before booting. */
#ifndef BVM_PROG_H
#define BVM_PROG_H

#include <stddef.h>

/* Resolve name (contains '/': as is; else search PATH like execvp). On failure return -1,
 * set *status (127 not found, 126 not executable) and why. path gets the resolved path. */
int prog_resolve(const char *name, char *path, size_t pathlen, int *status, char *why, size_t whylen);

/* Check the file is a 64-bit x86-64 ELF executable (ET_EXEC or static-pie ET_DYN) passing
 * bvm_elf.h's rules, its headers in the first MiB, its loadable segments in the user range and its
 * PT_INTERP interpreter present, or a "#!" script (its interpreter is the kernel's to check, as
 * execve does). -1 with why and status 126 (127: the ELF interpreter is missing). */
int prog_check_elf(const char *path, int *status, char *why, size_t whylen);

/* The same checks on the first len bytes of a file of file_len bytes (the unit test drives
 * this one). */
int prog_check_image(const unsigned char *img, size_t len, size_t file_len, char *why, size_t whylen);

#endif
