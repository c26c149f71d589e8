/* runlimits.h: buffervm's own limits on the guest (--timeout, --cpu-time, --max-procs, --max-files,
 * --max-file-size): set once before the program starts, held by the monitor whatever the program
 * asks for (a root guest raising a hard limit past them gets EPERM). */
#ifndef BVM_RUNLIMITS_H
#define BVM_RUNLIMITS_H

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

struct limits {
    uint64_t timeout_s;  /* wall clock for the whole tree, 0 none: exit 124 past it */
    uint64_t cpu_s;      /* RLIMIT_CPU per process (SIGXCPU, SIGKILL a second later), 0 none */
    uint64_t procs;      /* processes alive at once in the guest's tree, 0 no limit of ours */
    uint64_t files;      /* RLIMIT_NOFILE (the guest's descriptor table), 0 none */
    uint64_t file_size;  /* RLIMIT_FSIZE in bytes (SIGXFSZ, EFBIG), 0 none */
};

/* In the first process, before the program runs: sets the host limits, starts the timeout. */
void limits_apply(const struct limits *l);
/* A guest's new limit for resource: 0, or -EPERM when it would go past buffervm's. */
int limits_check(int resource, const struct rlimit *rl);
/* The guest's view of resource: the host's (in *rl) capped by buffervm's. */
void limits_cap(int resource, struct rlimit *rl);
/* Before a fork: 0 when another process may exist, -EAGAIN past --max-procs; then limits_forked
 * with the child's pid (or -1 when the fork failed). */
int limits_fork_begin(void);
void limits_forked(pid_t child);

#endif
