/* ktime.h: the kernel's one way of reading a user timespec and the host's clocks, in nanoseconds. */
#ifndef KTIME_H
#define KTIME_H

#include "bvm_linux.h"
#include "kernel.h"

#define NSEC_PER_SEC 1000000000ll

/* Linux's timespec64_valid for a timeout: tv_sec >= 0, 0 <= tv_nsec < 1e9. */
static inline bool ts_valid(const struct linux_timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

/* A valid timespec as nanoseconds, its seconds cut at 2^32 (136 years): sums of two never overflow. */
static inline int64_t ts_ns(const struct linux_timespec *ts)
{
    return MIN(ts->tv_sec, 1ll << 32) * NSEC_PER_SEC + ts->tv_nsec;
}

static inline struct linux_timespec ns_ts(int64_t ns)
{
    return (struct linux_timespec){ns / NSEC_PER_SEC, ns % NSEC_PER_SEC};
}

/* The timespec at user address uts as nanoseconds (ts_ns): 0, -EFAULT or -EINVAL (not ts_valid). */
int64_t ts_from_user(uint64_t uts, int64_t *ns);

/* The host's clock clk now, in nanoseconds, or -1 when it cannot be read. */
int64_t clock_now_ns(int clk);

#endif
