/* events.c: the monitor's events for the program: host signals and timers, taken through EVENT. */
#include "events.h"

#include "bvm_linux.h"
#include "gdb.h"
#include "hostcall.h"
#include "signal.h"
#include "string.h"
#include "task.h"
#include "timer.h"

static bool events_left; /* the queues were full: some events still wait in the monitor */

static void take_one(const struct bvm_event *ev)
{
    if (ev->kind == BVM_EVENT_TIMER) {
        timers_expired();
        return;
    }
    if (ev->kind == BVM_EVENT_GDB) {
        gdb_interrupt();
        return;
    }
    if (ev->kind != BVM_EVENT_SIGNAL)
        return;
    /* SA_NOCLDSTOP: a child's stop or continue sends nothing */
    if (ev->signo == LINUX_SIGCHLD && (ev->code == LINUX_CLD_STOPPED || ev->code == LINUX_CLD_CONTINUED) &&
        (cur_proc->action[LINUX_SIGCHLD].flags & LINUX_SA_NOCLDSTOP))
        return;
    struct linux_siginfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = ev->signo;
    info.si_code = ev->code;
    info.u.kill.pid = ev->pid;
    info.u.kill.uid = ev->uid;
    info.u.kill.value = ev->value;
    /* A tgkill's thread, if it is still there (the one that ended: the process, as on a race). */
    signal_send(ev->tid ? thread_find(ev->tid) : NULL, &info);
}

void events_take(void)
{
    static struct bvm_event ev;
    /* Taken only while the queues have room: the rest waits in the monitor (and then in the host,
     * whose senders get EAGAIN), never dropped. */
    for (;;) {
        if (signal_queue_room() < 2) {
            events_left = true;
            return;
        }
        if (hc_out(BVM_HC_EVENT, &ev, sizeof(ev)) <= 0) {
            events_left = false;
            return;
        }
        take_one(&ev);
    }
}

bool events_waiting(void) { return events_left; }

void events_take_left(void)
{
    if (events_left)
        events_take();
}

bool events_interrupted(void)
{
    events_take();
    return signal_interrupts();
}
