/* threads.c: POSIX threads as programs use them: mutexes, condition variables, rwlocks, barriers,
 * semaphores, TLS, keys with destructors, cancellation with cleanup handlers, detached threads,
 * a spinning thread that only preemption lets go on, signals to one thread (pthread_kill) and to
 * the process, hundreds of threads alive at once and thousands one after another, futex errors.
 * Modes (argv[1]): none: all of that, one line each; "segv": a fault in a second thread kills the
 * process; "exit": exit() in a second thread while the first waits; "lastexit": the first thread
 * leaves with pthread_exit and the last one standing ends the process; "badstack": a raw clone
 * onto unmapped memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHECK(c) do { if (!(c)) { printf("FAILED: %s (line %d)\n", #c, __LINE__); exit(1); } } while (0)

static pthread_t spawn(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, fn, arg) == 0);
    return t;
}

static void *join(pthread_t t)
{
    void *r;
    CHECK(pthread_join(t, &r) == 0);
    return r;
}

/* ---- mutex ---- */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_many(void *arg)
{
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&mu);
        counter += (long)arg;
        pthread_mutex_unlock(&mu);
    }
    return (void *)((long)arg * 10);
}

static void test_mutex(void)
{
    pthread_t t[4];
    long ret = 0;
    for (long i = 0; i < 4; i++)
        t[i] = spawn(add_many, (void *)(i + 1));
    for (int i = 0; i < 4; i++)
        ret += (long)join(t[i]);
    printf("mutex: counter %ld, join values %ld\n", counter, ret);
}

/* ---- condition variable: a bounded queue ---- */
#define QCAP 4
static int q[QCAP], qhead, qlen;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg)
{
    for (int i = 1; i <= 1000; i++) {
        pthread_mutex_lock(&mu);
        while (qlen == QCAP)
            pthread_cond_wait(&notfull, &mu);
        q[(qhead + qlen++) % QCAP] = i;
        pthread_cond_signal(&notempty);
        pthread_mutex_unlock(&mu);
    }
    return arg;
}

static void *consumer(void *arg)
{
    long sum = 0;
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&mu);
        while (qlen == 0)
            pthread_cond_wait(&notempty, &mu);
        sum += q[qhead];
        qhead = (qhead + 1) % QCAP;
        qlen--;
        pthread_cond_signal(&notfull);
        pthread_mutex_unlock(&mu);
    }
    return (void *)sum;
}

static void test_condvar(void)
{
    pthread_t p = spawn(producer, NULL), c1 = spawn(consumer, NULL), c2 = spawn(consumer, NULL);
    join(p);
    long s = (long)join(c1) + (long)join(c2);
    printf("condvar: consumed sum %ld\n", s);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20 * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&mu);
    int r = pthread_cond_timedwait(&notempty, &mu, &ts);
    pthread_mutex_unlock(&mu);
    printf("condvar: timed wait with nobody to signal: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : strerror(r));
}

/* ---- rwlock, barrier, semaphores ---- */
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static long shared_value;

static void *rw_worker(void *arg)
{
    long id = (long)arg, seen = 0;
    for (int i = 0; i < 200; i++) {
        if (i % 10 == id % 10) {
            pthread_rwlock_wrlock(&rw);
            shared_value++;
            pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw);
            seen += shared_value >= 0;
            pthread_rwlock_unlock(&rw);
        }
    }
    int serial = pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD;
    return (void *)(seen * 2 + serial);
}

static sem_t sem_items, sem_done;

static void *sem_worker(void *arg)
{
    for (int i = 0; i < 100; i++) {
        sem_wait(&sem_items);
        __atomic_add_fetch((long *)arg, 1, __ATOMIC_SEQ_CST);
    }
    sem_post(&sem_done);
    return NULL;
}

static void test_rw_barrier_sem(void)
{
    pthread_t t[5];
    long seen = 0, serial = 0;
    pthread_barrier_init(&bar, NULL, 5);
    for (long i = 0; i < 5; i++)
        t[i] = spawn(rw_worker, (void *)i);
    for (int i = 0; i < 5; i++) {
        long r = (long)join(t[i]);
        seen += r / 2;
        serial += r & 1;
    }
    printf("rwlock: %ld writes, %ld reads; barrier: %ld serial thread\n", shared_value, seen, serial);
    long taken = 0;
    sem_init(&sem_items, 0, 0);
    sem_init(&sem_done, 0, 0);
    pthread_t a = spawn(sem_worker, &taken), b = spawn(sem_worker, &taken);
    for (int i = 0; i < 200; i++)
        sem_post(&sem_items);
    sem_wait(&sem_done);
    sem_wait(&sem_done);
    join(a);
    join(b);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    int r = sem_timedwait(&sem_items, &ts);
    printf("semaphores: %ld taken; an empty one times out: %s\n", taken, r < 0 && errno == ETIMEDOUT ? "yes" : "no");
}

/* ---- TLS and keys ---- */
static __thread long tls_value = 7;
static pthread_key_t key;
static atomic_int destructed;

static void key_destructor(void *v)
{
    atomic_fetch_add(&destructed, (int)(long)v);
}

static void *tls_worker(void *arg)
{
    tls_value += (long)arg;
    pthread_setspecific(key, arg);
    sched_yield();
    return (void *)(tls_value * 100 + (long)pthread_getspecific(key));
}

static void test_tls(void)
{
    pthread_t t[3];
    long sum = 0;
    CHECK(pthread_key_create(&key, key_destructor) == 0);
    for (long i = 0; i < 3; i++)
        t[i] = spawn(tls_worker, (void *)(i + 1));
    for (int i = 0; i < 3; i++)
        sum += (long)join(t[i]);
    printf("tls: sum %ld, main's own still %ld; key destructors saw %d\n", sum, tls_value, atomic_load(&destructed));
}

/* ---- cancellation, detached threads ---- */
static atomic_int cleanups;

static void cleanup(void *arg)
{
    atomic_fetch_add(&cleanups, (int)(long)arg);
}

static void *cancel_in_condwait(void *arg)
{
    pthread_cleanup_push(cleanup, (void *)1);
    pthread_mutex_lock(&mu);
    pthread_cleanup_push((void (*)(void *))pthread_mutex_unlock, &mu);
    for (;;)
        pthread_cond_wait(&notempty, &mu);
    pthread_cleanup_pop(1);
    pthread_cleanup_pop(1);
    return arg;
}

static void *cancel_in_sleep(void *arg)
{
    pthread_cleanup_push(cleanup, (void *)10);
    for (;;)
        sleep(100);
    pthread_cleanup_pop(1);
    return arg;
}

static void *exits_early(void *arg)
{
    pthread_cleanup_push(cleanup, (void *)100);
    pthread_exit(arg);
    pthread_cleanup_pop(0);
    return NULL;
}

static sem_t detached_done;

static void *detached(void *arg)
{
    (void)arg;
    sem_post(&detached_done);
    return NULL;
}

static void test_cancel(void)
{
    pthread_t a = spawn(cancel_in_condwait, NULL), b = spawn(cancel_in_sleep, NULL);
    usleep(20000);
    pthread_cancel(a);
    pthread_cancel(b);
    void *ra = join(a), *rb = join(b);
    void *rc = join(spawn(exits_early, (void *)42));
    pthread_mutex_lock(&mu); /* the canceled waiter gave it back */
    pthread_mutex_unlock(&mu);
    printf("cancel: %s %s, pthread_exit value %ld, cleanup handlers %d\n", ra == PTHREAD_CANCELED ? "canceled" : "not",
           rb == PTHREAD_CANCELED ? "canceled" : "not", (long)rc, atomic_load(&cleanups));
    pthread_attr_t attr;
    pthread_t d;
    sem_init(&detached_done, 0, 0);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < 20; i++)
        CHECK(pthread_create(&d, &attr, detached, NULL) == 0);
    for (int i = 0; i < 20; i++)
        sem_wait(&detached_done);
    printf("detached: 20 ran\n");
}

/* ---- preemption: a spinning thread waits for a flag only another thread sets ---- */
static atomic_int flag, spins_done;

static void *spinner(void *arg)
{
    while (!atomic_load(&flag))
        ;
    atomic_fetch_add(&spins_done, 1);
    return arg;
}

static void *setter(void *arg)
{
    for (volatile long i = 0; i < 100000; i++)
        ;
    atomic_store(&flag, 1);
    return arg;
}

/* The first thread spins until a new one answers: the new one must get the vCPU though the
 * first never blocks (and a thread a futex wake made ready likewise). */
static atomic_int answered;

static void *answer(void *arg)
{
    atomic_store(&answered, 1);
    return arg;
}

/* (first thing in the process: no thread has had a slice yet) */
static void test_first_spin(void)
{
    pthread_t a = spawn(answer, NULL);
    while (!atomic_load(&answered))
        ;
    join(a);
    printf("preemption: a new thread ran while its creator spun\n");
}

/* A thread blocked until a time (a sleep, a timed condition wait) wakes then, though the one
 * running spins and never blocks. */
static atomic_int spin_stop;

static void *spin_until_stopped(void *arg)
{
    while (!atomic_load(&spin_stop))
        ;
    return arg;
}

static void test_timed_wake(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    pthread_t s = spawn(spin_until_stopped, NULL);
    nanosleep(&(struct timespec){0, 30 * 1000 * 1000}, NULL);
    struct timespec d;
    clock_gettime(CLOCK_REALTIME, &d);
    d.tv_nsec += 30 * 1000 * 1000;
    d.tv_sec += d.tv_nsec / 1000000000, d.tv_nsec %= 1000000000;
    pthread_mutex_lock(&m);
    int r = pthread_cond_timedwait(&c, &m, &d);
    pthread_mutex_unlock(&m);
    atomic_store(&spin_stop, 1);
    join(s);
    printf("while a thread spun: a sleep ended, a timed wait %s\n", r == ETIMEDOUT ? "timed out" : strerror(r));
}

static void test_preempt(void)
{
    pthread_t s1 = spawn(spinner, NULL), s2 = spawn(spinner, NULL), st = spawn(setter, NULL);
    join(s1);
    join(s2);
    join(st);
    printf("preemption: %d spinners let go\n", atomic_load(&spins_done));
}

/* ---- signals ---- */
static volatile pid_t handler_tid;
static volatile int handled_sig;

static void on_usr(int sig)
{
    handler_tid = (pid_t)syscall(SYS_gettid);
    handled_sig = sig;
}

static sem_t ready, go;
static volatile pid_t worker_tid;

static void *signal_target(void *arg)
{
    worker_tid = (pid_t)syscall(SYS_gettid);
    sem_post(&ready);
    while (sem_wait(&go) < 0 && errno == EINTR)
        ;
    return arg;
}

static void test_signals(void)
{
    signal(SIGUSR1, on_usr);
    signal(SIGUSR2, on_usr);
    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    pthread_t t = spawn(signal_target, NULL);
    sem_wait(&ready);
    CHECK(worker_tid != getpid() && worker_tid > 0);
    pthread_kill(t, SIGUSR1);
    while (!handled_sig)
        sched_yield();
    printf("pthread_kill: handled by the target thread: %s\n", handler_tid == worker_tid ? "yes" : "no");
    /* The process-directed signal goes to the thread that does not block it. */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    handled_sig = 0;
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    kill(getpid(), SIGUSR2);
    while (!handled_sig)
        sched_yield();
    printf("kill to the process, blocked in main: handled by the other thread: %s\n",
           handler_tid == worker_tid ? "yes" : "no");
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    sem_post(&go);
    join(t);
    CHECK(syscall(SYS_tgkill, getpid(), 0x7ffffff0, 0) < 0 && errno == ESRCH);
    printf("tgkill to no such thread: ESRCH\n");
}

/* ---- many threads ---- */
static atomic_int alive_max, alive;
static pthread_barrier_t many_bar;

static void *many(void *arg)
{
    int a = atomic_fetch_add(&alive, 1) + 1;
    int m = atomic_load(&alive_max);
    while (a > m && !atomic_compare_exchange_weak(&alive_max, &m, a))
        ;
    pthread_barrier_wait(&many_bar);
    atomic_fetch_sub(&alive, 1);
    return arg;
}

static void *nothing(void *arg) { return arg; }
static void *nothing_fn(void *arg) { return arg; }

static void test_many(void)
{
    enum { N = 300 };
    static pthread_t t[N];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 << 10);
    pthread_barrier_init(&many_bar, NULL, N);
    for (int i = 0; i < N; i++)
        CHECK(pthread_create(&t[i], &attr, many, NULL) == 0);
    for (int i = 0; i < N; i++)
        join(t[i]);
    long ok = 0;
    for (int i = 0; i < 3000; i++)
        ok += join(spawn(nothing, (void *)1L)) == (void *)1L;
    printf("many: %d alive at once, %ld created and joined one after another\n", atomic_load(&alive_max), ok);
}

/* ---- robust and priority-inheritance mutexes, membarrier, affinity ---- */
static pthread_mutex_t robust, pi;
static long pi_count;

static void *dies_holding(void *arg)
{
    pthread_mutex_lock(&robust);
    return arg; /* ends with the lock held */
}

static void *pi_worker(void *arg)
{
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&pi);
        pi_count++;
        if (i % 100 == 0)
            sched_yield(); /* others queue up on the held lock */
        pthread_mutex_unlock(&pi);
    }
    return arg;
}

/* Holds the priority-inheritance mutex for 300 ms. */
static void *pi_holder(void *arg)
{
    pthread_mutex_lock(&pi);
    nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);
    pthread_mutex_unlock(&pi);
    return arg;
}

/* A deadline clock ms from now. */
static struct timespec in_ms(clockid_t clock, long ms)
{
    struct timespec t;
    clock_gettime(clock, &t);
    t.tv_nsec += ms * 1000000;
    t.tv_sec += t.tv_nsec / 1000000000, t.tv_nsec %= 1000000000;
    return t;
}

/* Timed locks of a held priority-inheritance mutex (FUTEX_LOCK_PI on CLOCK_REALTIME; glibc's
 * clocklock on CLOCK_MONOTONIC is FUTEX_LOCK_PI2): they give up, then get it once it is free. */
static void pi_timed(void)
{
    pthread_t t = spawn(pi_holder, NULL);
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    struct timespec d = in_ms(CLOCK_REALTIME, 50);
    printf("timed lock of a held PI mutex: %s", strerror(pthread_mutex_timedlock(&pi, &d)));
#ifdef __GLIBC__
    d = in_ms(CLOCK_MONOTONIC, 50);
    int r = pthread_mutex_clocklock(&pi, CLOCK_MONOTONIC, &d);
    printf(", on the monotonic clock: %s", strerror(r));
    d = in_ms(CLOCK_MONOTONIC, 5000);
    r = pthread_mutex_clocklock(&pi, CLOCK_MONOTONIC, &d);
#else
    printf(", on the monotonic clock: %s", strerror(ETIMEDOUT)); /* (musl has no clocklock) */
    d = in_ms(CLOCK_REALTIME, 5000);
    int r = pthread_mutex_timedlock(&pi, &d);
#endif
    printf(", once free: %s\n", strerror(r));
    pthread_mutex_unlock(&pi);
    join(t);
}

static void test_robust_pi(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &a);
    join(spawn(dies_holding, NULL));
    int r = pthread_mutex_lock(&robust);
    printf("robust mutex whose owner ended: %s", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    printf(", made consistent: %d", pthread_mutex_consistent(&robust));
    pthread_mutex_unlock(&robust);
    printf(", locked again: %d\n", pthread_mutex_lock(&robust));
    pthread_mutex_unlock(&robust);
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pi, &a);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = spawn(pi_worker, NULL);
    for (int i = 0; i < 3; i++)
        join(t[i]);
    printf("priority-inheritance mutex: %ld, trylock on a free one %d", pi_count, pthread_mutex_trylock(&pi));
    int again = pthread_mutex_trylock(&pi);
    printf(", relock by its owner %s\n", again == EBUSY ? "EBUSY" : again == EDEADLK ? "EDEADLK" : strerror(again));
    pthread_mutex_unlock(&pi);
    pi_timed();
    long q = syscall(SYS_membarrier, 0, 0);
    const char *unreg = syscall(SYS_membarrier, 8, 0) < 0 && errno == EPERM ? "EPERM" : "?";
    syscall(SYS_membarrier, 16, 0);
    printf("membarrier: query has private expedited %d, without registering %s, registered %ld\n",
           q > 0 && (q & 8) != 0, unreg, syscall(SYS_membarrier, 8, 0));
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    unsigned cpu = 99;
    int set_r = sched_setaffinity(0, sizeof(set), &set);
    syscall(SYS_getcpu, &cpu, NULL, NULL);
    printf("affinity to CPU 0: %d, then on CPU %u\n", set_r, cpu);
}

/* ---- a lock another thread holds: the waiting thread must not stop the holder ---- */
static int lock_fd2;
static atomic_int holder_done;

static void *flock_waiter(void *arg)
{
    int r = flock(lock_fd2, LOCK_EX); /* waits until the first thread lets go */
    long got = r == 0 && atomic_load(&holder_done);
    flock(lock_fd2, LOCK_UN);
    return (void *)got;
}

static void test_flock(void)
{
    char path[] = "/tmp/bvm-threads-XXXXXX";
    int fd1 = mkstemp(path);
    lock_fd2 = open(path, O_RDWR);
    unlink(path);
    flock(fd1, LOCK_EX);
    pthread_t t = spawn(flock_waiter, NULL);
    for (volatile long i = 0; i < 2000000; i++) /* work while the other waits for the lock */
        ;
    usleep(20000);
    atomic_store(&holder_done, 1);
    flock(fd1, LOCK_UN);
    printf("flock: the waiting thread got it after the holder let go: %ld\n", (long)join(t));
    close(fd1);
    close(lock_fd2);
}

/* ---- fork from a second thread while a third holds a lock: only the caller goes on in the child ---- */
static sem_t hold_go;

static void *holds_lock(void *arg)
{
    pthread_mutex_lock(&mu);
    sem_wait(&hold_go);
    pthread_mutex_unlock(&mu);
    return arg;
}

static void *forker(void *arg)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* the child: one thread, whose id is the new pid; a fresh thread works there too */
        int ok = syscall(SYS_gettid) == getpid();
        pthread_t t;
        ok = ok && pthread_create(&t, NULL, nothing_fn, NULL) == 0 && pthread_join(t, NULL) == 0;
        _exit(ok ? 42 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return (void *)(long)(WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_fork(void)
{
    sem_init(&hold_go, 0, 0);
    pthread_t h = spawn(holds_lock, NULL);
    long r = (long)join(spawn(forker, NULL));
    sem_post(&hold_go);
    join(h);
    printf("fork in a thread: the child's status %ld\n", r);
}

/* ---- one write larger than a pipe holds, read by another thread of the process ---- */
static int pipe_fds[2];

static void *pipe_reader(void *arg)
{
    static char b[1 << 16];
    long total = 0, n;
    unsigned sum = 0;
    while ((n = read(pipe_fds[0], b, sizeof(b))) > 0) {
        for (long i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)b[i];
        total += n;
    }
    printf("pipe between threads: read %ld bytes, sum %u\n", total, sum);
    return arg;
}

static void test_pipe_between(void)
{
    static char big[3 << 20];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 7 + i / 1000);
    CHECK(pipe(pipe_fds) == 0);
    pthread_t t = spawn(pipe_reader, NULL);
    printf("pipe between threads: one write of %ld\n", (long)write(pipe_fds[1], big, sizeof(big)));
    close(pipe_fds[1]);
    join(t);
    close(pipe_fds[0]);
}

/* ---- names and timers that start threads ---- */
static sem_t timer_fired;
static char timer_thread_name[16];

static void on_timer(union sigval v)
{
    prctl(PR_GET_NAME, timer_thread_name);
    sem_post(&timer_fired);
    (void)v;
}

static void *named(void *arg)
{
    char before[16] = "", after[16] = "";
    prctl(PR_GET_NAME, before);
    prctl(PR_SET_NAME, "worker-7");
    prctl(PR_GET_NAME, after);
    printf("thread name: inherited %s, set %s\n", before, after);
    return arg;
}

static void test_names_timers(void)
{
    char mine[16] = "";
    prctl(PR_SET_NAME, "threads-main");
    join(spawn(named, NULL));
    prctl(PR_GET_NAME, mine);
    printf("the first thread's name stays %s\n", mine);
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = on_timer;
    timer_t tm;
    sem_init(&timer_fired, 0, 0);
    if (timer_create(CLOCK_MONOTONIC, &sev, &tm) != 0) {
        printf("timer_create SIGEV_THREAD: %s\n", strerror(errno));
        return;
    }
    struct itimerspec its = {{0, 0}, {0, 10 * 1000000}};
    timer_settime(tm, 0, &its, NULL);
    sem_wait(&timer_fired);
    timer_delete(tm);
    printf("a SIGEV_THREAD timer ran its function in a thread (named %s)\n", timer_thread_name);
}

/* ---- futex errors ---- */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static const char *errname(int e)
{
    switch (e) {
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return strerror(e);
    }
}

static long futex(void *addr, int op, int val, void *timeout)
{
    return syscall(SYS_futex, addr, op, val, timeout, NULL, 0);
}

static void test_futex_errors(void)
{
    void *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(unmapped, 4096);
    int word = 5;
    struct timespec zero = {0, 0}, bad = {0, 2000000000};
    long r1 = futex(unmapped, FUTEX_WAIT_PRIVATE, 0, NULL);
    int e1 = errno;
    long r2 = futex((char *)&word + 1, FUTEX_WAIT_PRIVATE, 5, NULL);
    int e2 = errno;
    long r3 = futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL);
    int e3 = errno;
    long r4 = futex(&word, FUTEX_WAIT_PRIVATE, 5, &zero);
    int e4 = errno;
    long r5 = futex(&word, FUTEX_WAIT_PRIVATE, 5, &bad);
    int e5 = errno;
    long r6 = futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL);
    printf("futex: unmapped %ld %s, misaligned %ld %s, changed %ld %s, zero timeout %ld %s, bad timeout %ld %s, "
           "wake with no waiter %ld\n",
           r1, errname(e1), r2, errname(e2), r3, errname(e3), r4, errname(e4), r5,
           errname(e5), r6);
}

/* ---- modes that end the process ---- */
static void *segv(void *arg)
{
    usleep(10000);
    *(volatile int *)arg = 1;
    return NULL;
}

static void *exits(void *arg)
{
    usleep(10000);
    exit((int)(long)arg);
}

static void *last(void *arg)
{
    usleep(20000);
    printf("the last thread ends the process\n");
    fflush(stdout);
    return arg;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "segv")) {
        spawn(segv, NULL);
        pause();
    } else if (!strcmp(mode, "exit")) {
        spawn(exits, (void *)7L);
        for (;;)
            pause();
    } else if (!strcmp(mode, "lastexit")) {
        spawn(last, NULL);
        pthread_exit(NULL);
    } else if (!strcmp(mode, "badstack")) {
        void *stack = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        munmap(stack, 4096);
        int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
        /* The new thread returns from the syscall onto that stack: its first ret faults, and the
         * fault kills the process (SIGSEGV), whichever thread runs first. */
        syscall(SYS_clone, flags, (char *)stack + 4096, NULL, NULL, 0);
        for (;;)
            pause();
    }
    test_first_spin();
    test_mutex();
    test_condvar();
    test_rw_barrier_sem();
    test_tls();
    test_cancel();
    test_preempt();
    test_timed_wake();
    test_signals();
    test_many();
    test_robust_pi();
    test_flock();
    test_names_timers();
    test_fork();
    test_pipe_between();
    test_futex_errors();
    return 0;
}
