/* wait.c: sleeping until a signal or a timeout: a host poll of nothing, cut short by host events. */
#include "wait.h"

#include "bvm_linux.h"
#include "hostcall.h"
#include "signal.h"
#include "syscall.h"

#define WAIT_MAX_MS (1 << 30) /* the host's poll takes an int; longer waits go round again */

static int64_t now_ms(void)
{
    struct linux_timespec ts;
    return host_clock(LINUX_CLOCK_MONOTONIC, &ts) < 0 ? 0 : ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t wait_signal(int64_t ms)
{
    int64_t deadline = ms < 0 ? -1 : now_ms() + ms;
    for (;;) {
        if (signal_pending())
            return -LINUX_EINTR;
        int64_t left = deadline < 0 ? WAIT_MAX_MS : deadline - now_ms();
        if (left <= 0)
            return 0;
        int64_t r = hc_poll(NULL, 0, (int32_t)MIN(left, WAIT_MAX_MS));
        if (r == -LINUX_EINTR)
            continue; /* the monitor has news: signals or timers (taken on the next round) */
        if (r < 0)
            return r;
    }
}
