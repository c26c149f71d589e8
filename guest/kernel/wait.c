/* wait.c: sleeping until a signal or a timeout: a host poll of nothing, cut short by host events. */
#include "wait.h"

#include "bvm_linux.h"
#include "events.h"
#include "hostcall.h"
#include "signal.h"
#include "syscall.h"

#define WAIT_MAX_MS (1 << 30) /* the host's poll takes an int; longer waits go round again */

int64_t wait_now_ms(void)
{
    struct linux_timespec ts;
    return host_clock(LINUX_CLOCK_MONOTONIC, &ts) < 0 ? 0 : ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t wait_deadline(int64_t ms)
{
    return ms < 0 ? -1 : wait_now_ms() + ms;
}

int32_t wait_left(int64_t deadline)
{
    if (deadline < 0)
        return -1;
    int64_t left = deadline - wait_now_ms();
    return left <= 0 ? 0 : (int32_t)MIN(left, WAIT_MAX_MS);
}

int64_t wait_pending(uint64_t mask)
{
    for (;;) {
        if (signal_pending_set() & mask)
            return 0;
        if (signal_interrupts())
            return -LINUX_ERESTARTSYS;
        int64_t r = hc_poll(NULL, 0, WAIT_MAX_MS);
        if (r == -LINUX_EINTR)
            events_take();
        else if (r < 0)
            return r;
    }
}

int64_t wait_signal(int64_t ms)
{
    int64_t deadline = wait_deadline(ms);
    for (;;) {
        if (signal_interrupts())
            return -LINUX_EINTR;
        int32_t left = wait_left(deadline);
        if (left == 0)
            return 0;
        int64_t r = hc_poll(NULL, 0, left < 0 ? WAIT_MAX_MS : left);
        if (r == -LINUX_EINTR)
            events_take(); /* the monitor has news: signals or timers */
        else if (r < 0)
            return r;
    }
}
