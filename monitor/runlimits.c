/* runlimits.c: buffervm's own limits on the guest. CPU time and file size are the host's rlimits on
 * each monitor process (the host sends SIGXCPU/SIGXFSZ, which reach the program as Linux sends
 * them); the descriptor table's size is the guest kernel's, told by the monitor; processes are
 * counted in a table shared by the tree (a slot per live process, freed when its pid is gone);
 * the wall-clock timeout is a thread of the first process that ends the tree. */
#include "runlimits.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fail.h"

#define PROC_SLOTS_MAX 4096

static struct limits lim;
static volatile pid_t *slots; /* MAP_SHARED: the tree's live processes; 0 free, -1 being forked */

static void *timeout_thread(void *arg)
{
    struct timespec at;
    clock_gettime(CLOCK_MONOTONIC, &at);
    at.tv_sec += (time_t)lim.timeout_s;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
        ;
    /* The first process ends unexpectedly: lineage.c takes every other process with it. Like
     * timeout(1), nothing is said; the status says it. */
    _exit(124);
    return arg;
}

static void start_timeout(void)
{
    pthread_t t;
    pthread_attr_t attr;
    sigset_t all, old;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 << 10);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* signals stay the vCPU thread's */
    int err = pthread_create(&t, &attr, timeout_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err)
        fail("limits", "cannot start the --timeout clock: %s", strerror(err));
}

static void set_host(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) == 0 && rl.rlim_max < hard)
        hard = rl.rlim_max, soft = soft < hard ? soft : hard; /* never above what buffervm had */
    rl.rlim_cur = soft, rl.rlim_max = hard;
    if (setrlimit(resource, &rl) < 0)
        fail("limits", "cannot set the limit: %s", strerror(errno));
}

void limits_apply(const struct limits *l)
{
    lim = *l;
    if (lim.cpu_s)
        set_host(RLIMIT_CPU, lim.cpu_s, lim.cpu_s + 1);
    if (lim.file_size)
        set_host(RLIMIT_FSIZE, lim.file_size, lim.file_size);
    if (lim.procs) {
        void *m = mmap(NULL, PROC_SLOTS_MAX * sizeof(pid_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                       -1, 0);
        if (m == MAP_FAILED)
            fail("limits", "cannot make the process table: %s", strerror(errno));
        slots = m;
        slots[0] = getpid();
    }
    if (lim.timeout_s)
        start_timeout();
}

static uint64_t ceiling(int resource)
{
    switch (resource) {
    case RLIMIT_CPU: return lim.cpu_s ? lim.cpu_s + 1 : 0;
    case RLIMIT_FSIZE: return lim.file_size;
    case RLIMIT_NOFILE: return lim.files;
    default: return 0;
    }
}

int limits_check(int resource, const struct rlimit *rl)
{
    uint64_t c = ceiling(resource);
    return c && (rl->rlim_max > c || rl->rlim_cur > c) ? -EPERM : 0;
}

void limits_cap(int resource, struct rlimit *rl)
{
    uint64_t c = resource == RLIMIT_CPU ? lim.cpu_s : ceiling(resource);
    if (c && rl->rlim_cur > c)
        rl->rlim_cur = c;
    if (c && rl->rlim_max > ceiling(resource))
        rl->rlim_max = ceiling(resource);
}

/* A slot whose process is gone (reaped: kill says ESRCH) is free again. */
static int slot_free(pid_t p)
{
    return p == 0 || (p > 0 && kill(p, 0) < 0 && errno == ESRCH);
}

static int reserved = -1; /* the slot limits_fork_begin took, until limits_forked */

int limits_fork_begin(void)
{
    if (!slots)
        return 0;
    uint64_t alive = 0, n = lim.procs < PROC_SLOTS_MAX ? lim.procs : PROC_SLOTS_MAX;
    reserved = -1;
    for (uint64_t i = 0; i < PROC_SLOTS_MAX && alive < n; i++) {
        pid_t p = slots[i];
        if (!slot_free(p)) {
            alive++;
            continue;
        }
        if (reserved < 0 && __atomic_compare_exchange_n(&slots[i], &p, -1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            reserved = (int)i;
    }
    if (alive < n && reserved >= 0)
        return 0;
    if (reserved >= 0)
        slots[reserved] = 0;
    reserved = -1;
    return -EAGAIN;
}

void limits_forked(pid_t child)
{
    if (reserved >= 0)
        slots[reserved] = child > 0 ? child : 0;
    reserved = -1;
}
