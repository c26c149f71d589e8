/* timer.c: the program's timers: alarm/setitimer and POSIX timers, kept here on the host's clocks,
 * with one host timer per kind (ALARM hostcall) to wake the kernel when the earliest is due. */
#include "timer.h"

#include "bvm_linux.h"
#include "cpuclock.h"
#include "hostcall.h"
#include "ktime.h"
#include "sched.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define TIMERS_MAX 64                 /* POSIX timers per process */
#define ITIMER_SLOT(which) (TIMERS_MAX + (which)) /* ITIMER_REAL, _VIRTUAL, _PROF after them */

struct ktimer {
    bool used;
    bool posix;       /* timer_create (SI_TIMER, overruns) rather than an itimer */
    bool queued;      /* its signal is pending (a POSIX timer's expiries then count as overruns) */
    int clock;        /* LINUX_CLOCK_* */
    int owner;        /* a thread's CPU-time clock: that thread (tid), else 0 */
    int notify;       /* LINUX_SIGEV_SIGNAL, _NONE, _THREAD_ID */
    int tid;          /* SIGEV_THREAD_ID: the thread */
    int signo;
    uint64_t value;   /* sigev_value */
    int64_t expires;  /* absolute ns on clock; 0: disarmed */
    int64_t interval; /* ns; 0: one shot */
    int overrun;      /* expiries since its signal was queued */
    int overrun_last; /* timer_getoverrun: those of the last delivered signal */
};

static struct ktimer timers[TIMERS_MAX + 3];
static int thread_timers; /* POSIX timers on a thread's CPU-time clock: rearmed at each switch */
static int64_t slice_at; /* monotonic ns when the running thread's slice ends; 0: none */
static int64_t wake_at;  /* monotonic ns when a blocked thread is to wake (timer_wake_arm); 0: none */

static bool cpu_clock(int clock)
{
    return clock == LINUX_CLOCK_PROCESS_CPUTIME_ID || clock == LINUX_CLOCK_THREAD_CPUTIME_ID;
}

static int64_t clock_ns(int clock)
{
    /* the alarm variants read their base clock (no suspend inside a VM) */
    int base = clock == LINUX_CLOCK_REALTIME_ALARM ? LINUX_CLOCK_REALTIME
               : clock == LINUX_CLOCK_BOOTTIME_ALARM ? LINUX_CLOCK_BOOTTIME : clock;
    if (base == LINUX_CLOCK_THREAD_CPUTIME_ID)
        base = LINUX_CLOCK_PROCESS_CPUTIME_ID; /* one thread */
    return MAX(clock_now_ns(base), 0);
}

/* t's clock now: a thread's CPU time (-1: the thread is gone, its clock stopped for good), else
 * the clock's. */
static int64_t timer_now(const struct ktimer *t)
{
    return t->owner ? cpuclock_thread_ns(t->owner) : clock_ns(t->clock);
}

/* The process CPU time or monotonic time (its kind) at which t is due, 0: none while it stands
 * (a thread's clock runs only while that thread holds the vCPU: armed again at its turn). */
static int64_t timer_due_at(const struct ktimer *t, int kind, int64_t mono_now)
{
    if (t->owner)
        return cpuclock_thread_deadline(t->owner, t->expires);
    if (kind == BVM_TIMER_MONO && t->clock != LINUX_CLOCK_MONOTONIC)
        return MAX(mono_now + (t->expires - clock_ns(t->clock)), 1);
    return MAX(t->expires, 1);
}

/* Tells the monitor the earliest deadline of each kind (monotonic: the wall clocks, converted). */
static void rearm(void)
{
    int64_t next[BVM_TIMER_COUNT] = {slice_at && (!wake_at || slice_at < wake_at) ? slice_at : wake_at, 0};
    int64_t mono_now = clock_ns(LINUX_CLOCK_MONOTONIC);
    for (int i = 0; i < TIMERS_MAX + 3; i++) {
        struct ktimer *t = &timers[i];
        if (!t->used || !t->expires)
            continue;
        int kind = cpu_clock(t->clock) ? BVM_TIMER_CPU : BVM_TIMER_MONO;
        int64_t at = timer_due_at(t, kind, mono_now);
        if (at && (!next[kind] || at < next[kind]))
            next[kind] = at;
    }
    for (int k = 0; k < BVM_TIMER_COUNT; k++) {
        struct bvm_hostcall *r = hc_req(BVM_HC_ALARM);
        r->u.alarm.timer = (uint32_t)k;
        r->u.alarm.deadline = next[k];
        hc_issue();
    }
}

static void fire(struct ktimer *t, int id)
{
    struct linux_siginfo info;
    if (t->notify == LINUX_SIGEV_NONE)
        return;
    if (t->posix && t->queued) {
        t->overrun++;
        return;
    }
    memset(&info, 0, sizeof(info));
    info.si_signo = t->signo;
    if (t->posix) {
        info.si_code = LINUX_SI_TIMER;
        info.u.timer.tid = id;
        info.u.timer.value = t->value;
        t->queued = true;
        t->overrun = 0;
    } else {
        info.si_code = LINUX_SI_KERNEL;
    }
    /* (a thread that has ended leaves the signal to the process, as Linux's posix timers do) */
    signal_send(t->notify == LINUX_SIGEV_THREAD_ID ? thread_find(t->tid) : NULL, &info);
}

void timer_slice_arm(int64_t ms)
{
    if (slice_at)
        return;
    slice_at = clock_ns(LINUX_CLOCK_MONOTONIC) + ms * 1000000;
    rearm();
}

void timer_wake_arm(int64_t at_ns)
{
    if (wake_at && wake_at <= at_ns)
        return;
    wake_at = MAX(at_ns, 1);
    rearm();
}

void timers_expired(void)
{
    int64_t now = slice_at || wake_at ? clock_ns(LINUX_CLOCK_MONOTONIC) : 0;
    bool slice_over = slice_at && now >= slice_at, wake = wake_at && now >= wake_at;
    slice_at = slice_over ? 0 : slice_at;
    wake_at = wake ? 0 : wake_at;
    if (slice_over || wake)
        sched_slice_over();
    for (int i = 0; i < TIMERS_MAX + 3; i++) {
        struct ktimer *t = &timers[i];
        if (!t->used || !t->expires)
            continue;
        int64_t now = timer_now(t);
        if (now < t->expires) /* (or its thread is gone: now -1) */
            continue;
        if (t->interval) {
            int64_t periods = (now - t->expires) / t->interval + 1;
            t->expires += periods * t->interval;
            if (t->posix)
                t->overrun += (int)MIN(periods - 1, INT32_MAX - t->overrun);
        } else {
            t->expires = 0;
        }
        fire(t, i);
    }
    rearm();
}

void timer_signal_taken(struct linux_siginfo *info)
{
    int id = info->u.timer.tid;
    /* (a program can send SI_TIMER itself with sigqueue: only a queued timer's own counts) */
    if (id < 0 || id >= TIMERS_MAX || !timers[id].used || !timers[id].posix || !timers[id].queued)
        return;
    struct ktimer *t = &timers[id];
    t->queued = false;
    t->overrun_last = t->overrun;
    info->u.timer.overrun = t->overrun;
    t->overrun = 0;
}

/* ---- arming, in the itimerspec form both interfaces share ---- */

/* What is left of t as an itimerspec (a due one reads as 1 ns, as Linux never shows 0 then). */
static void timer_get(const struct ktimer *t, struct linux_itimerspec *v)
{
    int64_t left = t->expires ? MAX(t->expires - MAX(timer_now(t), 0), 1) : 0;
    v->it_interval = ns_ts(t->interval);
    v->it_value = ns_ts(left);
}

static void timer_set(struct ktimer *t, const struct linux_itimerspec *v, bool absolute)
{
    int64_t value = ts_ns(&v->it_value);
    t->interval = value ? ts_ns(&v->it_interval) : 0;
    int64_t now = timer_now(t);
    t->expires = !value ? 0 : absolute ? value : MAX(now, 0) + value;
    t->overrun = 0;
    if (t->expires && t->expires <= now)
        timers_expired(); /* due already: fires now (and rearms) */
    else
        rearm();
}

/* ---- alarm, getitimer, setitimer ---- */

static struct ktimer *itimer(int which)
{
    static const int sig[3] = {LINUX_SIGALRM, LINUX_SIGVTALRM, LINUX_SIGPROF};
    struct ktimer *t = &timers[ITIMER_SLOT(which)];
    if (!t->used) {
        t->used = true;
        t->clock = which == LINUX_ITIMER_REAL ? LINUX_CLOCK_MONOTONIC : LINUX_CLOCK_PROCESS_CPUTIME_ID;
        t->notify = LINUX_SIGEV_SIGNAL;
        t->signo = sig[which];
    }
    return t;
}

static void itv_to_its(const struct linux_itimerval *tv, struct linux_itimerspec *ts)
{
    ts->it_interval = (struct linux_timespec){tv->it_interval.tv_sec, tv->it_interval.tv_usec * 1000};
    ts->it_value = (struct linux_timespec){tv->it_value.tv_sec, tv->it_value.tv_usec * 1000};
}

/* Microseconds, rounded up as Linux reports a running itimer. */
static struct linux_timeval ts_tv(const struct linux_timespec *ts)
{
    struct linux_timeval tv = {ts->tv_sec, (ts->tv_nsec + 999) / 1000};
    if (tv.tv_usec == 1000000)
        tv.tv_sec++, tv.tv_usec = 0;
    return tv;
}

static void its_to_itv(const struct linux_itimerspec *ts, struct linux_itimerval *tv)
{
    tv->it_interval = ts_tv(&ts->it_interval);
    tv->it_value = ts_tv(&ts->it_value);
}

int64_t sys_getitimer(SYSARGS)
{
    struct linux_itimerspec its;
    struct linux_itimerval itv;
    if (a0 > LINUX_ITIMER_PROF)
        return -LINUX_EINVAL;
    timer_get(itimer((int)a0), &its);
    its_to_itv(&its, &itv);
    return copy_to_user(a1, &itv, sizeof(itv)) ? -LINUX_EFAULT : 0;
}

int64_t sys_setitimer(SYSARGS)
{
    struct linux_itimerval nv = {{0, 0}, {0, 0}}, ov;
    struct linux_itimerspec nts, ots;
    if (a0 > LINUX_ITIMER_PROF)
        return -LINUX_EINVAL;
    if (a1 && copy_from_user(&nv, a1, sizeof(nv)))
        return -LINUX_EFAULT;
    if (nv.it_value.tv_sec < 0 || nv.it_value.tv_usec < 0 || nv.it_value.tv_usec >= 1000000 ||
        nv.it_interval.tv_sec < 0 || nv.it_interval.tv_usec < 0 || nv.it_interval.tv_usec >= 1000000)
        return -LINUX_EINVAL;
    struct ktimer *t = itimer((int)a0);
    timer_get(t, &ots);
    itv_to_its(&nv, &nts);
    timer_set(t, &nts, false);
    its_to_itv(&ots, &ov);
    return a2 && copy_to_user(a2, &ov, sizeof(ov)) ? -LINUX_EFAULT : 0;
}

int64_t sys_alarm(SYSARGS)
{
    struct linux_itimerspec nts = {{0, 0}, {(int64_t)(uint32_t)a0, 0}}, ots;
    struct ktimer *t = itimer(LINUX_ITIMER_REAL);
    timer_get(t, &ots);
    timer_set(t, &nts, false);
    /* the seconds that were left, rounded to nearest, and at least 1 while one was pending */
    int64_t s = ots.it_value.tv_sec + (ots.it_value.tv_nsec >= 500000000);
    return !s && ots.it_value.tv_nsec ? 1 : s;
}

/* ---- POSIX timers ---- */

static bool timer_clock_ok(int clock)
{
    return clock == LINUX_CLOCK_REALTIME || clock == LINUX_CLOCK_MONOTONIC || cpu_clock(clock) ||
           clock == LINUX_CLOCK_BOOTTIME || clock == LINUX_CLOCK_REALTIME_ALARM ||
           clock == LINUX_CLOCK_BOOTTIME_ALARM || clock == LINUX_CLOCK_TAI;
}

int64_t sys_timer_create(SYSARGS)
{
    struct linux_sigevent ev = {.sigev_value = 0, .sigev_signo = LINUX_SIGALRM, .sigev_notify = LINUX_SIGEV_SIGNAL};
    int clock = (int32_t)a0, id, owner = 0;
    if (cpu_clock(clock) || clock < 0) { /* a CPU-time clock, of the process or of a thread */
        if ((owner = cpuclock_timer_owner(clock)) < 0)
            return owner;
        clock = owner ? LINUX_CLOCK_THREAD_CPUTIME_ID : LINUX_CLOCK_PROCESS_CPUTIME_ID;
    }
    if (!timer_clock_ok(clock))
        return -LINUX_EINVAL;
    if (a1 && copy_from_user(&ev, a1, sizeof(ev)))
        return -LINUX_EFAULT;
    if (ev.sigev_notify != LINUX_SIGEV_SIGNAL && ev.sigev_notify != LINUX_SIGEV_NONE &&
        ev.sigev_notify != LINUX_SIGEV_THREAD_ID)
        return -LINUX_EINVAL; /* SIGEV_THREAD is the C library's, on top of THREAD_ID */
    if (ev.sigev_notify != LINUX_SIGEV_NONE && (ev.sigev_signo < 1 || ev.sigev_signo > LINUX_NSIG))
        return -LINUX_EINVAL;
    if (ev.sigev_notify == LINUX_SIGEV_THREAD_ID && !thread_find(ev.sigev_tid))
        return -LINUX_EINVAL; /* a thread of this process (glibc's SIGEV_THREAD helper, say) */
    for (id = 0; id < TIMERS_MAX && timers[id].used; id++)
        ;
    if (id == TIMERS_MAX)
        return -LINUX_EAGAIN;
    if (copy_to_user(a2, &id, sizeof(id)))
        return -LINUX_EFAULT;
    timers[id] = (struct ktimer){.used = true, .posix = true, .clock = clock, .owner = owner,
                                 .notify = ev.sigev_notify, .signo = ev.sigev_signo, .value = ev.sigev_value,
                                 .tid = ev.sigev_tid};
    thread_timers += owner != 0;
    if (!a1)
        timers[id].value = (uint64_t)id; /* Linux's default sigev_value is the timer id */
    return 0;
}

static struct ktimer *posix_timer(int64_t id)
{
    return (int32_t)id >= 0 && (int32_t)id < TIMERS_MAX && timers[(int32_t)id].used ? &timers[(int32_t)id] : NULL;
}

int64_t sys_timer_settime(SYSARGS)
{
    struct ktimer *t = posix_timer((int64_t)a0);
    struct linux_itimerspec nv, ov;
    if (!t)
        return -LINUX_EINVAL;
    if (copy_from_user(&nv, a2, sizeof(nv)))
        return -LINUX_EFAULT;
    if (!ts_valid(&nv.it_value) || !ts_valid(&nv.it_interval))
        return -LINUX_EINVAL;
    timer_get(t, &ov);
    timer_set(t, &nv, (a1 & LINUX_TIMER_ABSTIME) != 0);
    return a3 && copy_to_user(a3, &ov, sizeof(ov)) ? -LINUX_EFAULT : 0;
}

int64_t sys_timer_gettime(SYSARGS)
{
    struct ktimer *t = posix_timer((int64_t)a0);
    struct linux_itimerspec v;
    if (!t)
        return -LINUX_EINVAL;
    timer_get(t, &v);
    return copy_to_user(a1, &v, sizeof(v)) ? -LINUX_EFAULT : 0;
}

int64_t sys_timer_getoverrun(SYSARGS)
{
    struct ktimer *t = posix_timer((int64_t)a0);
    return t ? t->overrun_last : -LINUX_EINVAL;
}

int64_t sys_timer_delete(SYSARGS)
{
    struct ktimer *t = posix_timer((int64_t)a0);
    if (!t)
        return -LINUX_EINVAL;
    thread_timers -= t->owner != 0;
    memset(t, 0, sizeof(*t));
    rearm();
    return 0;
}

void timer_thread_switched(void)
{
    if (thread_timers)
        rearm();
}

void timers_fork_reset(void)
{
    /* A child inherits no timers at all, itimers included (and its monitor has no host timers). */
    memset(timers, 0, sizeof(timers));
    slice_at = wake_at = 0;
    thread_timers = 0;
}

void timers_exec_reset(void)
{
    /* POSIX timers are gone with the image; itimers survive execve, as on Linux. */
    for (int i = 0; i < TIMERS_MAX; i++)
        memset(&timers[i], 0, sizeof(timers[i]));
    thread_timers = 0;
    rearm();
}
