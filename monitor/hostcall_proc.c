/* hostcall_proc.c: process-control hostcalls: the guest's stops become the monitor's own. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "hostcall.h"

/* The monitor stops itself with the guest's stop signal, under its default action for a moment, so
 * that its parent (a shell doing job control) sees the program stop; it returns once continued. A
 * SIGTSTP/SIGTTIN/SIGTTOU in an orphaned process group is discarded by the host, as the guest's
 * would be. */
int64_t hc_stop(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    int sig = r->u.stop.signal;
    struct sigaction dfl, old;
    sigset_t one, mask;
    if (sig != SIGSTOP && sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
        return -EINVAL;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, &old); /* fails harmlessly for SIGSTOP, which is always default */
    sigemptyset(&one);
    sigaddset(&one, sig);
    sigprocmask(SIG_UNBLOCK, &one, &mask);
    raise(sig);
    sigprocmask(SIG_SETMASK, &mask, NULL);
    sigaction(sig, &old, NULL);
    (void)c;
    return 0;
}
