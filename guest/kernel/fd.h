/* fd.h: the guest's file descriptor table (guest fd -> host fd), lowest free number first. */
#ifndef FD_H
#define FD_H

#include "kernel.h"

#define FD_MAX 1024 /* RLIMIT_NOFILE soft limit reported to the program */

/* Guest fds 0, 1, 2 start as the monitor's 0, 1, 2. */
void fd_init(void);
bool fd_valid(int fd);
/* The host fd behind guest fd, or -EBADF. */
int fd_host(int64_t fd);
/* A dirfd argument: AT_FDCWD passes through, else the host fd of an open guest fd, or -EBADF. */
int dirfd_host(int64_t dirfd);
/* Gives a new host fd the lowest free guest number (status: F_GETFL flags, as Linux reports them
 * for that kind of file); on -EMFILE the host fd is closed. */
int fd_install(int host, uint32_t status, bool cloexec);
/* FD_CLOEXEC of an open guest fd. */
bool fd_is_cloexec(int fd);
/* execve: closes every close-on-exec fd (the others, and their offsets, stay). */
void fd_close_on_exec(void);
/* O_ACCMODE bits (or O_PATH) the guest fd was opened with. */
uint32_t fd_accmode(int fd);
/* A shared file mapping keeps its host fd open after the program closes its own (Linux's
 * vma->vm_file): held host fds are closed when the last guest fd and the last hold are gone. */
void fd_host_hold(int host);
void fd_host_put(int host);
/* Reads a file into user memory regardless of the pages' protection (private file mmap). */
int64_t kernel_pread_user(int fd, uint64_t va, uint64_t len, int64_t off);

#endif
