/* landlock.h: the host kernel's Landlock LSM under the monitor itself: the sandbox's file policy
 * again, enforced by the host on the monitor process, so a guest that subverted the monitor would
 * still be held (defence in depth under policy.c). */
#ifndef BVM_LANDLOCK_H
#define BVM_LANDLOCK_H

#include <stdint.h>

/* Rights a rule may grant (what the host's Landlock ABI knows of them is kept). */
#define LL_READ 1    /* read files, list directories, execute */
#define LL_WRITE 2   /* everything: write, make and remove entries, truncate */
#define LL_DATA 4    /* read and write an existing file's data (devices, stdio) */
#define LL_LIST 8    /* list directories only (the way to a grant) */

/* Starts a ruleset: 0, or -errno (-ENOSYS, -EOPNOTSUPP: Landlock not available). no_net: the host
 * refuses TCP bind and connect too (Landlock ABI 4 and later). */
int landlock_begin(int no_net);
/* Allows rights under path (a directory's tree, or one file): 0 or -errno (a path that does not
 * exist is skipped: 0). */
int landlock_allow(const char *path, int rights);
/* Confines the calling process (and every process it forks) to the rules: 0 or -errno. The
 * Landlock ABI version in *abi. */
int landlock_commit(int *abi);

#endif
