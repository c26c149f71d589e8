/* procfs.h: virtual /proc and /sys files generated from the kernel's state. */
#ifndef PROCFS_H
#define PROCFS_H

#include "kernel.h"
#include "vma.h"

/* True for a path this module generates (/proc/self/maps, /proc/cpuinfo, ...). */
bool procfs_is_virtual(const char *path);
/* Generates the file and returns a host fd (a memfd) positioned at 0 holding it, or -errno; write:
 * opened for writing, which only a comm file takes (-EACCES for the others). */
int64_t procfs_open_host(const char *path, bool write);
/* A write on host fd: when it is a comm file opened for writing, the thread's new name, *ret the
 * result, true; else false. */
bool procfs_comm_write(int host, uint64_t ubuf, uint64_t len, int64_t *ret);
bool procfs_comm_file(int host);
/* A thread's name (comm): the first thread's is the process's. */
struct thread;
const char *thread_name(const struct thread *t);
void thread_set_name(struct thread *t, const char *name);
/* procfs_path.c: the program's names for itself, in any spelling. */
/* An absolute path under /proc or /dev rebuilt in place without "//", "." and the ".." that need no
 * lookup, with /proc/<pid>, /proc/thread-self, /dev/fd, /dev/stdin ... as /proc/self/... (a final
 * one only when follow); other paths are left alone. */
void procfs_canon(char *path, size_t size, bool follow);
/* For a canonical "/proc/self/X": "X", else NULL. */
const char *procfs_self_rest(const char *path);
/* "/proc/<pid>..." (canonical): pid, with *rest at what follows it ("" or "/..."); else -1. */
int procfs_other_pid(const char *path, const char **rest);
/* Where a path syscall's path starts on the host: the dirfd for the hostcall (a host fd, AT_FDCWD,
 * or a host fd with a BVM_DIRFD_* bit), and a host fd lent for the call (-1: none). */
struct path_at {
    int dirfd;
    int handle;
};
/* The program's names for itself in path (from at->dirfd, a host fd or AT_FDCWD), as the host is to
 * see them: procfs_canon, then /proc/self/fd/N[/...] starts at guest fd N's host fd (-ENOENT when
 * the program has no fd N), /proc/<pid>/fd/N[/...] of another process of the tree at a handle on
 * its fd N, and exe, cwd, root (when followed: follow, or more path after them) are the program's
 * file, working directory and "/". A relative path under a /proc/self/fd listing's fd is taken as
 * /proc/self/fd/path. 0 (procfs_path_put after the hostcall) or -errno. Every path syscall uses it,
 * as glibc reaches files through /proc/self/fd/N (fchmodat, fexecve). */
int procfs_rewrite_at(struct path_at *at, char *path, size_t size, bool follow);
void procfs_path_put(struct path_at *at);
/* The target of the link rest ("exe", "cwd" or "root" of /proc/self) into buf: its length, -1 when
 * rest is none of them, or -errno. */
int procfs_link(const char *rest, char *buf, size_t size);
/* The environment strings of the new image ([start, end) on its stack): /proc/self/environ. */
void procfs_set_environ(uint64_t start, uint64_t end);
/* A new image: /proc/self/exe becomes the file behind host_fd, comm the last part of filename
 * (of the file's own name when comm_from_file, for execveat of an fd). */
void procfs_exec(const char *filename, int host_fd, bool comm_from_file);
/* /proc/self/exe's target, absolute. */
const char *procfs_exe(void);
/* The program's name (comm, 15 characters at most): prctl PR_SET_NAME/PR_GET_NAME, /proc/self/stat. */
const char *procfs_comm(void);
void procfs_set_comm(const char *name);
/* Shows the program's comm and command line on the host process (ps, pgrep, pidof). */
void procfs_publish(void);
/* The name, device and inode of the file behind a host fd, for /proc/self/maps; NULL if unknown. */
const struct vma_file *procfs_file_of(int host_fd);
/* The name entry for path with that device and inode (System V shared memory: "/SYSVkey (deleted)",
 * the id as inode), or NULL when the table is full. */
const struct vma_file *procfs_file_named(const char *path, uint64_t dev, uint64_t ino);

/* name (n bytes) is one of the files the kernel makes for each thread (/proc/self/task/<tid>/X). */
bool procfs_task_file(const char *name, size_t n);
/* readlink of "/proc/thread-self" (the caller's task directory, "<pid>/task/<tid>") or of another
 * process of the tree's "/proc/<pid>/exe" (the program it runs; buf of BVM_HC_MAX_PATH bytes, no
 * NUL): the length, or -1 for any other path or process (the host's). */
int64_t procfs_proc_link(const char *path, char *buf, size_t size);
/* /proc/self/fd listings, and /proc/<pid>/fd of another process of the tree: the pid a path lists
 * (0: the program's own, -1: not such a listing); a host fd was opened for one / closed / seeked;
 * which pid a host fd lists (-1: none); the next records (Linux dirent64 format, at most max
 * bytes) into *out. */
int procfs_fd_dir_pid(const char *path);
bool procfs_fd_dir_opened(int host, int pid); /* false: no room, the handle is not to be used */
void procfs_host_closed(int host);
bool procfs_fd_dir_seek(int host, int64_t off);
int procfs_fd_dir_pid_host(int host);
int64_t procfs_fd_dents(int host, void **out, uint64_t max);

#endif
