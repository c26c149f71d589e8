/* events.c: the monitor's events for the program: host signals and timers, taken through EVENT. */
#include "events.h"

#include "bvm_linux.h"
#include "hostcall.h"
#include "signal.h"
#include "string.h"
#include "timer.h"

void events_take(void)
{
    static struct bvm_event ev;
    while (hc_out(BVM_HC_EVENT, &ev, sizeof(ev)) > 0) {
        if (ev.kind == BVM_EVENT_SIGNAL) {
            struct linux_siginfo info;
            memset(&info, 0, sizeof(info));
            info.si_signo = ev.signo;
            info.si_code = ev.code;
            info.u.kill.pid = ev.pid;
            info.u.kill.uid = ev.uid;
            info.u.kill.value = ev.value;
            signal_send(NULL, &info);
        } else if (ev.kind == BVM_EVENT_TIMER) {
            timers_expired();
        }
    }
}

bool events_interrupted(void)
{
    events_take();
    return signal_interrupts();
}
