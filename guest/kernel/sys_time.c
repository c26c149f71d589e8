/* sys_time.c: clocks and sleeping: clock_gettime/getres, gettimeofday, time, nanosleep, clock_nanosleep. */
#include "bvm_linux.h"
#include "hostcall.h"
#include "syscall.h"
#include "usercopy.h"

#define SLEEP_MAX_MS (1 << 30) /* about 12 days a call; longer sleeps wake early */

int64_t host_clock(int clk, struct linux_timespec *ts)
{
    struct linux_timespec *bounce = hc_bounce();
    int64_t r = hc_clock(clk, bounce);
    if (r >= 0)
        *ts = *bounce;
    return r < 0 ? r : 0;
}

int64_t sys_clock_gettime(SYSARGS)
{
    struct linux_timespec ts;
    int64_t r = host_clock((int32_t)a0, &ts);
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
    if (clk < 0 || clk > LINUX_CLOCK_TAI || clk == LINUX_CLOCK_SGI_CYCLE)
        return -LINUX_EINVAL;
    if (clk == LINUX_CLOCK_REALTIME_COARSE || clk == LINUX_CLOCK_MONOTONIC_COARSE) /* tick with the jiffy */
        res.tv_nsec = 4000000;
    return a1 && copy_to_user(a1, &res, sizeof(res)) ? -LINUX_EFAULT : 0;
}

int64_t ts_to_ms(uint64_t uts, int64_t *ms)
{
    struct linux_timespec ts;
    if (!uts) {
        *ms = -1;
        return 0;
    }
    if (copy_from_user(&ts, uts, sizeof(ts)))
        return -LINUX_EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
        return -LINUX_EINVAL;
    *ms = ts.tv_sec > SLEEP_MAX_MS / 1000 ? SLEEP_MAX_MS : ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000;
    return 0;
}

/* Sleeping is a poll of no descriptors on the host. */
static int64_t sleep_ms(int64_t ms)
{
    int64_t r = hc_poll(NULL, 0, ms < 0 || ms > SLEEP_MAX_MS ? SLEEP_MAX_MS : (int32_t)ms);
    return r < 0 ? r : 0;
}

static int64_t sleep_ts(uint64_t uts)
{
    int64_t ms, err = ts_to_ms(uts, &ms);
    return err ? err : sleep_ms(ms);
}

int64_t sys_nanosleep(SYSARGS) { return a0 ? sleep_ts(a0) : -LINUX_EFAULT; }

int64_t sys_clock_nanosleep(SYSARGS)
{
    int clk = (int32_t)a0;
    if (clk < 0 || clk > LINUX_CLOCK_TAI || clk == LINUX_CLOCK_PROCESS_CPUTIME_ID || clk == LINUX_CLOCK_THREAD_CPUTIME_ID)
        return -LINUX_EINVAL; /* CPU-time clocks are not sleepable here */
    if (!(a1 & LINUX_TIMER_ABSTIME))
        return sleep_ts(a2);
    struct linux_timespec want, now;
    if (copy_from_user(&want, a2, sizeof(want)))
        return -LINUX_EFAULT;
    int64_t r = host_clock(clk, &now);
    if (r < 0)
        return r;
    int64_t ns = (want.tv_sec - now.tv_sec) * 1000000000 + (want.tv_nsec - now.tv_nsec);
    if (ns <= 0)
        return 0;
    return sleep_ms((ns + 999999) / 1000000);
}
