/* wait.c: sleeping until a signal or a timeout: a host poll of nothing, cut short by host events. */
#include "wait.h"

#include "bvm_linux.h"
#include "hostcall.h"
#include "sched.h"
#include "signal.h"
#include "syscall.h"


/* the monotonic clock in milliseconds, rounded down (up: ceil) */
static int64_t now_ms(bool ceil)
{
    struct linux_timespec ts;
    if (host_clock(LINUX_CLOCK_MONOTONIC, &ts) < 0)
        return 0;
    return ts.tv_sec * 1000 + (ts.tv_nsec + (ceil ? 999999 : 0)) / 1000000;
}

int64_t wait_now_ms(void) { return now_ms(false); }

/* From the clock rounded up: a wait ends when wait_now_ms (rounded down) reaches the deadline,
 * so at least ms after now (from the clock rounded down it had ended up to 1 ms early). */
int64_t wait_deadline(int64_t ms)
{
    return ms < 0 ? -1 : now_ms(true) + ms;
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
    int64_t r;
    cur->waits_for = mask; /* these wake it though it blocks them */
    for (;;) {
        if (signal_pending_set() & mask) {
            r = 0;
            break;
        }
        if (signal_interrupts()) {
            r = -LINUX_ERESTARTSYS;
            break;
        }
        sched_block(-1);
    }
    cur->waits_for = 0;
    return r;
}

int64_t wait_signal(int64_t ms)
{
    int64_t deadline = wait_deadline(ms);
    for (;;) {
        if (signal_interrupts())
            return -LINUX_EINTR;
        if (wait_left(deadline) == 0)
            return 0;
        sched_block(deadline); /* other threads run; with none, the vCPU waits for the host */
    }
}
