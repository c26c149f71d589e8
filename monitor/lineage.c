/* lineage.c: the guest's process tree on the host. The first buffervm process is its tree's
 * init: orphans are reparented to it (the host's child subreaper), and when it is killed (SIGKILL,
 * or the monitor itself failing) rather than ended by its program, every process of the tree goes
 * with it, as a VM's processes go with the VM. Each later process learns of its parent's death
 * from the host's parent-death signal, then looks whether the first process is gone, and how. The
 * guest's own PR_SET_PDEATHSIG rides on the same signal. */
#include "lineage.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Set by the first process when its program ends: its tree lives on, as after a shell's exit. */
struct lineage_shared {
    volatile int top_ended;
};

static struct lineage_shared *shared;
static int top_alive_fd = -1;  /* a pipe's read end: hung up once the first process is gone */
static int top_alive_write = -1; /* the first process's: held by it alone */
static int is_top;
static volatile int guest_pdeathsig;
static int guest_subreaper;
static pid_t forked_by; /* the parent whose death LINEAGE_SIGNAL announces (0: the first process) */

int lineage_init(void)
{
    int p[2];
    shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED || pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    top_alive_fd = p[0], top_alive_write = p[1];
    is_top = 1;
    return prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ? -errno : 0;
}

static int top_gone(void)
{
    struct pollfd pfd = {top_alive_fd, POLLIN, 0};
    return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR));
}

/* The host sends the parent-death signal as from the dying parent (SI_USER, its pid); the monitor
 * sends it to itself when the parent died first. Anything else (the parent alive, or another
 * sender) is a guest's signal of the same number. */
int lineage_signal_is_own(const siginfo_t *si)
{
    return forked_by && si->si_code == SI_USER && (si->si_pid == forked_by || si->si_pid == getpid()) &&
           getppid() != forked_by;
}

int lineage_parent_died(void)
{
    if (top_alive_fd >= 0 && top_gone() && !shared->top_ended)
        kill(getpid(), SIGKILL);
    return guest_pdeathsig;
}

void lineage_after_fork(pid_t parent)
{
    if (top_alive_write >= 0)
        close(top_alive_write);
    top_alive_write = -1;
    is_top = 0;
    guest_pdeathsig = 0; /* Linux clears it in a child */
    guest_subreaper = 0;
    forked_by = parent;
    prctl(PR_SET_PDEATHSIG, LINEAGE_SIGNAL);
    if (getppid() != parent) /* it died before the signal was asked for */
        kill(getpid(), LINEAGE_SIGNAL);
}

void lineage_program_ended(void)
{
    if (is_top && shared)
        shared->top_ended = 1;
}

int lineage_set_pdeathsig(int sig)
{
    if (sig < 0 || sig > SIGRTMAX)
        return -EINVAL;
    guest_pdeathsig = sig;
    return 0;
}

int lineage_pdeathsig(void)
{
    return guest_pdeathsig;
}

/* The first process is the host's subreaper whatever its program asks; the program sees what it set. */
int lineage_set_subreaper(int on)
{
    if (is_top) {
        guest_subreaper = on != 0;
        return 0;
    }
    return prctl(PR_SET_CHILD_SUBREAPER, on != 0) < 0 ? -errno : 0;
}

int lineage_subreaper(void)
{
    int on = 0;
    if (is_top)
        return guest_subreaper;
    return prctl(PR_GET_CHILD_SUBREAPER, &on) < 0 ? -errno : on;
}
