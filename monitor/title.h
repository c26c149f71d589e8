/* title.h: the host process's name and command line show the guest program it runs, so that ps,
 * pgrep and pidof (inside the guest or on the host) find guest processes by their own names. */
#ifndef BVM_TITLE_H
#define BVM_TITLE_H

#include <stddef.h>

/* First thing in main: buffervm's own argument and environment strings are moved to the heap
 * (argv[] and environ now point there), which frees their original place for title_set. */
void title_init(int argc, char **argv);

/* The host comm becomes comm (cut to 15 bytes) and /proc/<pid>/cmdline the len bytes of cmdline
 * (NUL-separated arguments), cut to the room buffervm's own command line and environment had;
 * exe is recorded for title_exe_of. */
void title_set(const char *comm, const char *exe, const char *cmdline, size_t len);

/* In a forked child: a slot of its own in the tree's table, showing its parent's program. */
void title_after_fork(void);

/* The program another process of this buffervm's tree runs (its /proc/<pid>/exe as the guest
 * sees it), into buf: its length, or -1 when pid is no guest process of the tree. */
int title_exe_of(int pid, char *buf, size_t size);

#endif
