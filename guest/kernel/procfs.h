/* procfs.h: virtual /proc and /sys files generated from the kernel's state. */
#ifndef PROCFS_H
#define PROCFS_H

#include "kernel.h"
#include "vma.h"

/* True for a path this module generates (/proc/self/maps, /proc/cpuinfo, ...). */
bool procfs_is_virtual(const char *path);
/* Generates the file and returns a host fd (a memfd) positioned at 0 holding it, or -errno. */
int64_t procfs_open_host(const char *path);
/* For "/proc/self/X", "/proc/thread-self/X", "/proc/<pid>/X": "X", else NULL. */
const char *procfs_self_rest(const char *path);
/* /proc/self/exe and /proc/self/fd/N as the host must see them (buf holds the rewrite). */
const char *procfs_host_path(const char *path, char *buf, size_t len);
/* procfs_host_path in place (path holds size bytes); used by every path syscall, as glibc
 * reaches files through /proc/self/fd/N (fchmodat, fstatat fallbacks). exe: also rewrite
 * /proc/self/exe (for calls that follow the link; lstat and readlink must see the link). */
void procfs_rewrite(char *path, size_t size, bool exe);
/* A new image: /proc/self/exe becomes the file behind host_fd, comm the last part of filename
 * (of the file's own name when comm_from_file, for execveat of an fd). */
void procfs_exec(const char *filename, int host_fd, bool comm_from_file);
/* /proc/self/exe's target, absolute. */
const char *procfs_exe(void);
/* The program's name (comm, 15 characters at most): prctl PR_SET_NAME/PR_GET_NAME, /proc/self/stat. */
const char *procfs_comm(void);
void procfs_set_comm(const char *name);
/* The name, device and inode of the file behind a host fd, for /proc/self/maps; NULL if unknown. */
const struct vma_file *procfs_file_of(int host_fd);

/* /proc/self/fd listings: the path names one; a host fd was opened for it / closed / seeked;
 * the next records (Linux dirent64 format, at most max bytes) into *out. */
bool procfs_is_fd_dir(const char *path);
void procfs_fd_dir_opened(int host);
void procfs_host_closed(int host);
bool procfs_fd_dir_seek(int host, int64_t off);
bool procfs_is_fd_dir_host(int host);
int64_t procfs_fd_dents(int host, void **out, uint64_t max);

#endif
