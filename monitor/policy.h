/* policy.h: the sandbox policy (--sandbox, --ro, --rw, --net): the one place that decides what
 * the guest may reach of the host's files, devices, /proc and network. Without those options
 * everything is allowed (the program sees what the user sees). */
#ifndef BVM_POLICY_H
#define BVM_POLICY_H

#include <stdint.h>
#include <sys/types.h>

#include "hostcall_fs.h"

#define POLICY_GRANTS_MAX 64

struct policy_opts {
    int sandbox;                           /* --sandbox, or implied by a grant */
    int net;                               /* --net: inet sockets allowed */
    int verbose;                           /* --verbose: each refusal named once */
    int ngrants;
    const char *grant[POLICY_GRANTS_MAX];  /* --ro/--rw PATH as given */
    int grant_rw[POLICY_GRANTS_MAX];
};

/* In the first process, before the program runs: the grants (each path must exist; a bad one is a
 * usage error, exit 125), PROG itself readable, and the inherited stdio. */
void policy_init(const struct policy_opts *o, const char *prog_path);
int policy_sandboxed(void);
/* The object behind host fd (after a lookup or an open), for acc: 0, or the errno a container
 * would give: ENOENT for what is not granted (hidden), EROFS for a change under a read-only
 * grant, EACCES for a system file that is not world-readable and for changes to devices. */
int policy_check(int fd, enum hc_access acc);
/* The entries of a directory listing (n bytes of linux_dirent64 read from dirfd) the policy
 * hides, taken out: the bytes left. */
long policy_filter_dents(int dirfd, char *buf, long n);
/* socket(domain): 0, or -EACCES (inet without --net, under --sandbox). */
int policy_socket(int domain);

/* A process the guest may know of (its CPU clock): any without --sandbox, else its own only. */
int policy_process_visible(pid_t pid);
/* kill(pid, sig) as the guest may make it: under --sandbox only its own processes are reached
 * (others are ESRCH, as outside a container's pid namespace; a group or -1 reaches the guest's
 * members of it). 0 or -errno. */
int64_t policy_kill(pid_t pid, int sig);

#endif
