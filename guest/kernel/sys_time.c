/* sys_time.c: clocks and sleeping: clock_gettime/getres, gettimeofday, time, nanosleep, clock_nanosleep. */
#include "bvm_linux.h"
#include "cpuclock.h"
#include "hostcall.h"
#include "ktime.h"
#include "syscall.h"
#include "usercopy.h"
#include "wait.h"


int64_t host_clock(int clk, struct linux_timespec *ts)
{
    struct linux_timespec *bounce = hc_bounce();
    int64_t r = hc_clock(clk, bounce);
    if (r >= 0)
        *ts = *bounce;
    return r < 0 ? r : 0;
}

int64_t clock_now_ns(int clk)
{
    struct linux_timespec ts;
    return host_clock(clk, &ts) < 0 ? -1 : ts_ns(&ts);
}

int64_t ts_from_user(uint64_t uts, int64_t *ns)
{
    struct linux_timespec ts;
    if (copy_from_user(&ts, uts, sizeof(ts)))
        return -LINUX_EFAULT;
    if (!ts_valid(&ts))
        return -LINUX_EINVAL;
    *ns = ts_ns(&ts);
    return 0;
}

/* A clock's time: a CPU clock of the process or its threads (cpuclock.c), else the host's. */
static int64_t clock_time(int clk, struct linux_timespec *ts)
{
    int64_t ns;
    int r = cpuclock_read(clk, &ns);
    if (r == 0)
        *ts = ns_ts(ns);
    return r <= 0 ? r : host_clock(clk, ts);
}

int64_t sys_clock_gettime(SYSARGS)
{
    struct linux_timespec ts;
    int64_t r = clock_time((int32_t)a0, &ts);
    if (r < 0)
        return r;
    return copy_to_user(a1, &ts, sizeof(ts)) ? -LINUX_EFAULT : 0;
}

int64_t sys_gettimeofday(SYSARGS)
{
    struct linux_timespec ts;
    int64_t r = host_clock(LINUX_CLOCK_REALTIME, &ts);
    if (r < 0)
        return r;
    struct linux_timeval tv = {ts.tv_sec, ts.tv_nsec / 1000};
    uint32_t tz[2] = {0, 0}; /* UTC, no DST: what a modern Linux reports */
    if (a0 && copy_to_user(a0, &tv, sizeof(tv)))
        return -LINUX_EFAULT;
    if (a1 && copy_to_user(a1, tz, sizeof(tz)))
        return -LINUX_EFAULT;
    return 0;
}

int64_t sys_time(SYSARGS)
{
    struct linux_timespec ts;
    int64_t r = host_clock(LINUX_CLOCK_REALTIME, &ts);
    if (r < 0)
        return r;
    if (a0 && copy_to_user(a0, &ts.tv_sec, sizeof(ts.tv_sec)))
        return -LINUX_EFAULT;
    return ts.tv_sec;
}

int64_t sys_clock_getres(SYSARGS)
{
    struct linux_timespec res = {0, 1};
    int clk = (int32_t)a0;
    struct linux_timespec now;
    int64_t err = clk < 0 ? clock_time(clk, &now) : 0; /* a dynamic clock: one that can be read */
    if (err < 0 || clk > LINUX_CLOCK_TAI || clk == LINUX_CLOCK_SGI_CYCLE)
        return err < 0 ? err : -LINUX_EINVAL;
    if (clk == LINUX_CLOCK_REALTIME_COARSE || clk == LINUX_CLOCK_MONOTONIC_COARSE) /* tick with the jiffy */
        res.tv_nsec = 4000000;
    return a1 && copy_to_user(a1, &res, sizeof(res)) ? -LINUX_EFAULT : 0;
}

int64_t ts_to_ms(uint64_t uts, int64_t *ms)
{
    int64_t ns, err = uts ? ts_from_user(uts, &ns) : 0;
    *ms = err || !uts ? -1 : (ns + 999999) / 1000000;
    return err;
}

static int64_t mono_ns(void) { return MAX(clock_now_ns(LINUX_CLOCK_MONOTONIC), 0); }

/* Sleeps ns nanoseconds. A signal with a handler (or a fatal one) ends it early: -EINTR, and the
 * time left goes to urem when given (Linux restarts the sleep for the remainder when no handler
 * runs, which the wait does by going on). */
static int64_t sleep_ns(int64_t ns, uint64_t urem)
{
    int64_t start = mono_ns();
    int64_t r = wait_signal((ns + 999999) / 1000000);
    if (r != -LINUX_EINTR)
        return r < 0 ? r : 0;
    int64_t left = MAX(ns - (mono_ns() - start), 0);
    struct linux_timespec rem = ns_ts(left);
    if (urem && copy_to_user(urem, &rem, sizeof(rem)))
        return -LINUX_EFAULT;
    return -LINUX_EINTR;
}

int64_t sys_nanosleep(SYSARGS)
{
    int64_t ns, err = ts_from_user(a0, &ns);
    return err ? err : sleep_ns(ns, a1);
}

int64_t sys_clock_nanosleep(SYSARGS)
{
    int clk = (int32_t)a0;
    int64_t ns, err;
    if (clk < 0 || clk > LINUX_CLOCK_TAI || clk == LINUX_CLOCK_PROCESS_CPUTIME_ID || clk == LINUX_CLOCK_THREAD_CPUTIME_ID)
        return -LINUX_EINVAL; /* CPU-time clocks are not sleepable here */
    if ((err = ts_from_user(a2, &ns)))
        return err;
    if (!(a1 & LINUX_TIMER_ABSTIME))
        return sleep_ns(ns, a3);
    struct linux_timespec now;
    if ((err = host_clock(clk, &now)) < 0)
        return err;
    ns -= ts_ns(&now);
    return ns <= 0 ? 0 : sleep_ns(ns, 0); /* an absolute sleep has no remainder to report */
}
