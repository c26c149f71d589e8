/* run.h: the monitor's run loop: serve vCPU exits until the program ends. */
#ifndef BVM_RUN_H
#define BVM_RUN_H

#include "hostcall.h"
#include "vcpu.h"

/* How the guest program ended. */
struct run_result {
    int kind;   /* BVM_EXIT_STATUS / BVM_EXIT_SIGNAL (program), or -1 a VM failure */
    int status; /* exit status or signal number */
    char why[256]; /* VM failure description */
};

/* Run until the guest's EXIT hostcall or a VM failure. Host signals for the program reach it as
 * events (events.h): the doorbell interrupt is raised here whenever some wait. */
void run_loop(struct vcpu *v, struct hc_ctx *hc, struct run_result *res);

/* Forward the signals a program can get from outside to it (events_install); ignore SIGPIPE (the
 * guest gets EPIPE); a SIGBUS on a file-window page of gm ends the run as the program's SIGBUS (a
 * truncated shared file). */
void run_install_signals(struct vcpu *v, struct guestmem *gm);

#endif
