/* lineage.h: the guest's process tree on the host: the first process as its init, the tree ending
 * with it when it is killed, parent-death signals. */
#ifndef BVM_LINEAGE_H
#define BVM_LINEAGE_H

#include <signal.h>
#include <sys/types.h>

/* The host signal each later process gets when its parent dies (not forwarded as itself; the
 * guest's own signal of that number is). */
#define LINEAGE_SIGNAL (SIGRTMAX - 1)

/* In the first process, before any fork: it becomes the tree's subreaper. 0 or -errno. */
int lineage_init(void);
/* In a forked child (parent: the pid that forked it): asks for LINEAGE_SIGNAL at its parent's death. */
void lineage_after_fork(pid_t parent);
/* The first process's program has ended: its tree lives on without it. */
void lineage_program_ended(void);
/* Whether a LINEAGE_SIGNAL is the parent-death one, not a guest's signal of that number (signal-safe). */
int lineage_signal_is_own(const siginfo_t *si);
/* On the parent-death LINEAGE_SIGNAL (signal-safe): does not return when the first process was killed; else the
 * signal the guest asked for at its parent's death (PR_SET_PDEATHSIG), or 0. */
int lineage_parent_died(void);

/* prctl PR_SET_PDEATHSIG / PR_GET_PDEATHSIG, PR_SET_CHILD_SUBREAPER / PR_GET_CHILD_SUBREAPER. */
int lineage_set_pdeathsig(int sig);
int lineage_pdeathsig(void);
int lineage_set_subreaper(int on);
int lineage_subreaper(void);

#endif
