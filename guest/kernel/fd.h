/* fd.h: the guest's file descriptor table (guest fd -> host fd, status flags, close-on-exec). */
#ifndef FD_H
#define FD_H

#include "kernel.h"

#define FD_MAX BVM_HOST_FD_MAX /* the most guest fds (RLIMIT_NOFILE may say fewer) */

/* Guest fds 0, 1, 2 start as the monitor's 0, 1, 2. */
void fd_init(void);
bool fd_valid(int fd);
/* The host fd behind guest fd, or -EBADF. */
int fd_host(int64_t fd);
/* A dirfd argument: AT_FDCWD passes through, else the host fd of an open guest fd, or -EBADF. */
int dirfd_host(int64_t dirfd);

/* How many fds the program may have: RLIMIT_NOFILE's soft limit, at most the table's FD_MAX. */
int fd_limit(void);
/* The table's size now (Linux's FDSize): it grows as fds past it are used. */
int fd_table_size(void);
/* Grows the table to hold fd (< FD_MAX): 0, or -ENOMEM. */
int fd_reach(int fd);
/* The lowest free guest fd >= from (below fd_limit; the table grown to it), or -EMFILE (-ENOMEM). */
int fd_free_from(int64_t from);
/* Gives host fd the free guest number fd (status: F_GETFL flags, as Linux reports them for that
 * kind of file). */
void fd_install_at(int fd, int host, uint32_t status, bool cloexec);
/* Gives a new host fd the lowest free guest number; on -EMFILE the host fd is closed. */
int fd_install(int host, uint32_t status, bool cloexec);
/* A host fd that came from elsewhere (SCM_RIGHTS), with the flags its open file has: its guest fd,
 * or -EMFILE (the host fd closed). */
int fd_install_received(int host, bool cloexec);
/* Makes free guest fd nfd another name for open guest fd ofd (dup: one host fd, so one offset
 * and one set of status flags, as dup'ed fds share an open file on Linux). Returns nfd. */
int fd_alias(int ofd, int nfd, bool cloexec);
/* Releases guest fd: its host fd is closed unless a dup or a mapping still uses it. Returns 0
 * or the host close's error (the number is free either way, as on Linux). */
int64_t fd_release(int fd);
/* At the end of a syscall: the table's changes that are still only noted go to the monitor when
 * the page of notes is half full, and the whole table when notes were lost (fd.c). */
void fd_publish(void);

/* execve: closes every close-on-exec fd (the others, and their offsets, stay). */
void fd_close_on_exec(void);

/* F_GETFL flags of an open guest fd; F_SETFL sets the bits in mask to want on it and on every
 * guest fd that shares its host fd. */
uint32_t fd_status(int fd);
void fd_set_status(int fd, uint32_t mask, uint32_t want);
/* O_ACCMODE bits (or O_PATH) the guest fd was opened with. */
uint32_t fd_accmode(int fd);
/* FD_CLOEXEC of an open guest fd. */
bool fd_is_cloexec(int fd);
void fd_set_cloexec(int fd, bool on);

/* A shared file mapping keeps its host fd open after the program closes its own (Linux's
 * vma->vm_file): held host fds are closed when the last guest fd and the last hold are gone. */
void fd_host_hold(int host);
void fd_host_put(int host);

#endif
