/* run.c: the run loop (boot path step 4): hostcalls, halt, shutdown, failures, signals. */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "bvm_abi.h"
#include "events.h"
#include "filewin.h"

static struct vcpu *volatile stop_vcpu;
static struct guestmem *volatile bus_gm;
static volatile sig_atomic_t file_page_gone;

/*
 * The soft CPU (or the monitor) touched a file-window page whose file page is gone: another
 * process truncated the file under a MAP_SHARED mapping. A zero page stands in so the access
 * completes, and the run ends as the program's would on Linux: killed by SIGBUS (it has no
 * handlers). Any other SIGBUS keeps its default action.
 */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    int saved = errno;
    if (si->si_code > 0 && fw_detach(bus_gm, si->si_addr) == 0) {
        file_page_gone = 1;
        if (stop_vcpu)
            stop_vcpu->ops->request_stop(stop_vcpu);
        errno = saved;
        return;
    }
    signal(SIGBUS, SIG_DFL);
    raise(SIGBUS); /* delivered when this handler returns (a fault also recurs) */
    (void)sig, (void)uc;
}

void run_install_signals(struct vcpu *v, struct guestmem *gm)
{
    stop_vcpu = v;
    bus_gm = gm;
    events_install(v);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int vm_failure(struct run_result *res, const char *why)
{
    res->kind = -1;
    snprintf(res->why, sizeof res->why, "%s", why);
    return 1;
}

/* Returns 1 when the run is over. */
static int serve_exit(struct vcpu *v, struct hc_ctx *hc, struct vcpu_exit *e, struct run_result *res)
{
    switch (e->reason) {
    case VCPU_EXIT_IO:
        if (e->io.port == BVM_HOSTCALL_PORT && e->io.is_out && e->io.size == 4) {
            if (hc_serve(hc, e->io.value) < 0)
                return vm_failure(res, "guest kernel issued a hostcall with an unusable request address");
            if (hc->exited) {
                res->kind = (int)hc->exit.kind;
                res->status = hc->exit.status;
                return 1;
            }
            return 0;
        }
        if (!e->io.is_out)
            e->io.value = 0xffffffffu; /* no device: reads float high, as on a PC */
        return 0;
    case VCPU_EXIT_HLT:
        return vm_failure(res, "guest kernel halted without ending the program");
    case VCPU_EXIT_SHUTDOWN:
        return vm_failure(res, "guest triple fault (shutdown)");
    case VCPU_EXIT_INTR: /* a host signal: its event reaches the guest through the doorbell */
        return 0;
    case VCPU_EXIT_FAIL:
    default:
        return vm_failure(res, e->why[0] ? e->why : "vCPU failure");
    }
    (void)v;
}

/* A file page under the window is gone: the monitor's SIGBUS (on_sigbus) or the backend's exit. */
static int file_page_lost(struct hc_ctx *hc, const struct vcpu_exit *e, struct run_result *res)
{
    if (!file_page_gone && e->reason != VCPU_EXIT_FILE_GONE)
        return 0;
    res->kind = BVM_EXIT_SIGNAL;
    res->status = hc->exit.status = SIGBUS;
    hc->exit.fault_vector = 0xffffffffu; /* no fault record: the monitor ended the run */
    return 1;
}

void run_loop(struct vcpu *v, struct hc_ctx *hc, struct run_result *res)
{
    struct vcpu_exit e;
    memset(&e, 0, sizeof e);
    memset(res, 0, sizeof *res);
    for (;;) {
        if (events_doorbell_due())
            v->ops->interrupt(v, BVM_EVENT_VECTOR);
        int err = v->ops->run(v, &e);
        if (!err && file_page_lost(hc, &e, res))
            return;
        if (err) {
            snprintf(res->why, sizeof res->why, "%s: run failed: %s", v->ops->name, strerror(-err));
            res->kind = -1;
            return;
        }
        v->exits++;
        if (serve_exit(v, hc, &e, res))
            return;
    }
}
