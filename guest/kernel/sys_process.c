/* sys_process.c: process-wide queries and single-thread futexes (getrusage, times, getgroups ...). */
#include "bvm_linux.h"
#include "fd.h"
#include "hostcall.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

/* One thread: a wait whose word still holds val could only be ended by a signal or its timeout,
 * so it returns ETIMEDOUT with a timeout and is reported as a deadlock without one. */
int64_t sys_futex(SYSARGS)
{
    uint32_t op = (uint32_t)a1 & ~(uint32_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME), word;
    if (a0 & 3)
        return -LINUX_EINVAL;
    switch (op) {
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
        return copy_from_user(&word, a0, sizeof(word)) ? -LINUX_EFAULT : 0;
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
        if (op == FUTEX_WAIT_BITSET && (uint32_t)a5 == 0)
            return -LINUX_EINVAL;
        if (copy_from_user(&word, a0, sizeof(word)))
            return -LINUX_EFAULT;
        if (word != (uint32_t)a2)
            return -LINUX_EAGAIN;
        if (a3)
            return -LINUX_ETIMEDOUT;
        panic("futex wait on %#lx with no other thread: the program would hang forever", (unsigned long)a0);
    default:
        kprintf("futex op %u is not supported (single-thread kernel)", op);
        return -LINUX_ENOSYS;
    }
}

/* Linux's struct rusage on x86-64: two timevals and 14 longs. */
struct linux_rusage {
    struct linux_timeval utime, stime;
    int64_t fields[14];
};
_Static_assert(sizeof(struct linux_rusage) == 144, "rusage size");

/* CPU time is the monotonic time since the program started: the VM runs nothing else. */
static int64_t elapsed_ns(void)
{
    static int64_t start = -1;
    int64_t r = hc_fd(BVM_HC_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, 0, 0, hc_bounce(),
                      sizeof(struct linux_timespec));
    if (r < 0)
        return 0;
    struct linux_timespec *ts = hc_bounce();
    int64_t now = ts->tv_sec * 1000000000 + ts->tv_nsec;
    if (start < 0)
        start = now;
    return now - start;
}

int64_t sys_getrusage(SYSARGS)
{
    struct linux_rusage ru;
    int who = (int32_t)a0;
    if (who != 0 && who != -1 && who != 1) /* SELF, CHILDREN, THREAD */
        return -LINUX_EINVAL;
    memset(&ru, 0, sizeof(ru));
    if (who != -1) {
        int64_t ns = elapsed_ns();
        ru.utime.tv_sec = ns / 1000000000, ru.utime.tv_usec = ns % 1000000000 / 1000;
    }
    return copy_to_user(a1, &ru, sizeof(ru)) ? -LINUX_EFAULT : 0;
}

/* clock_t ticks at 100 Hz (AT_CLKTCK). */
int64_t sys_times(SYSARGS)
{
    int64_t ticks = elapsed_ns() / 10000000, t[4] = {ticks, 0, 0, 0};
    if (a0 && copy_to_user(a0, t, sizeof(t)))
        return -LINUX_EFAULT;
    return ticks + 1; /* > 0: some time has passed since "boot" */
}

#define NGROUPS_MAX 65536

int64_t kern_groups(const uint32_t **groups)
{
    static uint32_t list[NGROUPS_MAX];
    *groups = list;
    return hc_fd(BVM_HC_GETGROUPS, 0, 0, 0, list, sizeof(list));
}

/* Linux's: size 0 asks for the count, a list smaller than the groups is EINVAL. */
int64_t sys_getgroups(SYSARGS)
{
    const uint32_t *list;
    int size = (int32_t)a0;
    if (size < 0)
        return -LINUX_EINVAL;
    int64_t n = kern_groups(&list);
    if (n <= 0 || size == 0)
        return n;
    if (n > size)
        return -LINUX_EINVAL;
    return copy_to_user(a1, list, (uint64_t)n * sizeof(list[0])) ? -LINUX_EFAULT : n;
}

int64_t sys_setrlimit(SYSARGS) { return sys_prlimit64(0, a0, a1, 0, 0, 0); }

int64_t sys_clock_getres(SYSARGS)
{
    struct linux_timespec res = {0, 1};
    int clk = (int32_t)a0;
    if (clk < 0 || clk > 11 || clk == 10)
        return -LINUX_EINVAL;
    if (clk == 5 || clk == 6) /* the coarse clocks tick with the jiffy */
        res.tv_nsec = 4000000;
    return a1 && copy_to_user(a1, &res, sizeof(res)) ? -LINUX_EFAULT : 0;
}

/* Advice only: accepted for an open fd, as a filesystem without readahead tuning would. */
int64_t sys_fadvise64(SYSARGS)
{
    if (fd_host((int64_t)(int32_t)a0) < 0)
        return -LINUX_EBADF;
    return a3 > 5 ? -LINUX_EINVAL : 0;
}

int64_t sys_creat(SYSARGS) { return sys_open(a0, 01 | 0100 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */, a1, 0, 0, 0); }
