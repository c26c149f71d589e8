/* fd.h: the guest's file descriptor table (guest fd -> host fd), lowest free number first. */
#ifndef FD_H
#define FD_H

#include "kernel.h"

#define FD_MAX 1024 /* RLIMIT_NOFILE soft limit reported to the program */

/* Guest fds 0, 1, 2 start as the monitor's 0, 1, 2. */
void fd_init(void);
bool fd_valid(int fd);
/* Reads a file into user memory regardless of the pages' protection (private file mmap). */
int64_t kernel_pread_user(int fd, uint64_t va, uint64_t len, int64_t off);

#endif
