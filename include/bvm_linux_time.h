/* bvm_linux_time.h: Time: timespec, timeval, interval timers, clock ids and timer flags. */
#ifndef BVM_LINUX_TIME_H
#define BVM_LINUX_TIME_H

#include <stddef.h>
#include <stdint.h>

struct linux_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};
_Static_assert(sizeof(struct linux_timespec) == 16, "timespec");

struct linux_timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};
_Static_assert(sizeof(struct linux_timeval) == 16, "timeval");

struct linux_itimerspec {
    struct linux_timespec it_interval, it_value;
};
_Static_assert(sizeof(struct linux_itimerspec) == 32, "itimerspec size");

struct linux_itimerval {
    struct linux_timeval it_interval, it_value;
};
_Static_assert(sizeof(struct linux_itimerval) == 32, "itimerval size");

/* clocks and timers */
#define LINUX_CLOCK_REALTIME 0
#define LINUX_CLOCK_MONOTONIC 1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID 2
#define LINUX_CLOCK_THREAD_CPUTIME_ID 3
#define LINUX_CLOCK_MONOTONIC_RAW 4
#define LINUX_CLOCK_REALTIME_COARSE 5
#define LINUX_CLOCK_MONOTONIC_COARSE 6
#define LINUX_CLOCK_BOOTTIME 7
#define LINUX_CLOCK_REALTIME_ALARM 8
#define LINUX_CLOCK_BOOTTIME_ALARM 9
#define LINUX_CLOCK_SGI_CYCLE 10 /* retired: invalid */
#define LINUX_CLOCK_TAI 11
#define LINUX_TIMER_ABSTIME 1
#define LINUX_ITIMER_REAL 0
#define LINUX_ITIMER_VIRTUAL 1
#define LINUX_ITIMER_PROF 2
#define LINUX_SIGEV_SIGNAL 0
#define LINUX_SIGEV_NONE 1
#define LINUX_SIGEV_THREAD 2
#define LINUX_SIGEV_THREAD_ID 4

#endif
