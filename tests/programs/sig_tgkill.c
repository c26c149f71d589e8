/* sig_tgkill.c: signals sent to one thread of a threaded program by another process.
 * Without arguments it is driven by tests/programs/run.sh (kind "signals"): before each stage it
 * writes the thread to aim at into the file "tid", and the test sends with tgkill (or with
 * rt_tgsigqueueinfo and sigqueue at once, the storm of stage 5). Checks that a tgkill reaches the
 * thread it names (the first thread included), stays pending on that thread while it blocks it
 * (not on the process), and that a storm of thread- and process-directed signals loses none.
 * With "procs" the sender is the program's own child, itself under the same runner: tgkill, tkill,
 * sigqueue and rt_tgsigqueueinfo to another process's threads, and their errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sig_common.h"

#define RT_SIG 40
#define STORM 3000 /* values 1..STORM, twice: to the thread and to the process */

static int note[2];                 /* handlers to the main flow: one byte per event */
static int cmd[2], ack[2];          /* the main flow to the target thread and back */
static volatile pid_t target;       /* the target thread's id */
static volatile int usr1_on, usr2_on, usr_code, rt_value;
static long rt_count, rt_sum;

static int who(void) { return gettid() == target ? 1 : gettid() == getpid() ? 2 : 3; }
static const char *name(int w) { return w == 1 ? "target" : w == 2 ? "first" : w == 3 ? "other" : "none"; }

static void put(int fd, char c)
{
    if (write(fd, &c, 1) != 1)
        _exit(3);
}

static char get(int fd)
{
    char c;
    while (read(fd, &c, 1) != 1)
        if (errno != EINTR)
            _exit(4);
    return c;
}

static void on_usr(int sig, siginfo_t *si, void *uc)
{
    *(sig == SIGUSR1 ? &usr1_on : &usr2_on) = who();
    usr_code = si->si_code;
    if (si->si_code == SI_QUEUE)
        rt_value = si->si_value.sival_int;
    put(note[1], 'u');
    (void)uc;
}

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    __atomic_add_fetch(&rt_sum, si->si_value.sival_int, __ATOMIC_SEQ_CST);
    if (__atomic_add_fetch(&rt_count, 1, __ATOMIC_SEQ_CST) == 2 * STORM)
        put(note[1], 'r');
    (void)sig, (void)uc;
}

static int pending(int sig)
{
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, sig);
}

/* The target thread: does what the main flow asks, answering each. */
static void *target_main(void *arg)
{
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    target = gettid();
    put(ack[1], 'r');
    for (;;) {
        char c = get(cmd[0]);
        if (c == 'q')
            return arg;
        if (c == 'b' || c == 'u')
            pthread_sigmask(c == 'b' ? SIG_BLOCK : SIG_UNBLOCK, &usr2, NULL);
        put(ack[1], c == 'p' ? (char)('0' + pending(SIGUSR2)) : c);
    }
}

static char ask(char c)
{
    put(cmd[1], c);
    return get(ack[0]);
}

static void aim(pid_t tid)
{
    FILE *f = fopen("tid.new", "w");
    if (!f || fprintf(f, "%d\n", (int)tid) < 0 || fclose(f) || rename("tid.new", "tid"))
        perror("tid");
}

static void stage(int n)
{
    printf("stage %d\n", n);
    fflush(stdout);
}

static void driven(void)
{
    aim(target);
    stage(1); /* tgkill(USR1) to the target */
    get(note[0]);
    printf("USR1 on the %s thread, SI_TKILL %d\n", name(usr1_on), usr_code == SI_TKILL);

    ask('b');
    stage(2); /* tgkill(USR2) to the target, which blocks it */
    stage(3); /* kill(USR1) to the process: once it came, USR2 waited already */
    get(note[0]);
    printf("USR2 pending on the target %c, on the first thread %d, handled %d\n", ask('p'),
           pending(SIGUSR2), usr2_on != 0);
    ask('u');
    get(note[0]);
    printf("USR2 on the %s thread once unblocked\n", name(usr2_on));

    aim(getpid());
    stage(4); /* tgkill(USR1) to the first thread */
    usr1_on = 0;
    get(note[0]);
    printf("USR1 on the %s thread\n", name(usr1_on));

    aim(target);
    stage(5); /* STORM values to the target and STORM to the process, from two senders at once */
    while (get(note[0]) != 'r')
        ;
    printf("storm: %ld signals, sum right %d\n", rt_count, rt_sum == (long)STORM * (STORM + 1));
}

static const char *err(long rc) { return rc == 0 ? "ok" : strerror(errno); }

/* The child sends to its parent's threads, waiting after each signal that comes (awaited) until
 * the parent has taken it. */
static void sender(pid_t parent, pid_t tid, int sync)
{
    long rc;
    char c;
#define STEP(awaited, what, call)                                                                   \
    do {                                                                                           \
        rc = (call);                                                                               \
        printf("%-34s %s\n", what, err(rc));                                                       \
        if (awaited && rc == 0 && read(sync, &c, 1) != 1)                                          \
            _exit(5);                                                                              \
    } while (0)
    STEP(1, "tgkill(parent, target, USR1)", syscall(SYS_tgkill, parent, tid, SIGUSR1));
    STEP(1, "tkill(target, USR2)", syscall(SYS_tkill, tid, SIGUSR2));
    STEP(1, "tgkill(parent, parent, USR1)", syscall(SYS_tgkill, parent, parent, SIGUSR1));
    STEP(1, "sigqueue(parent, USR1, 42)", sigqueue(parent, SIGUSR1, (union sigval){.sival_int = 42}));
    STEP(1, "rt_tgsigqueueinfo(target, USR2, 7)", sig_queue_raw(parent, tid, SIGUSR2, SI_QUEUE, 7));
    STEP(0, "tgkill(parent, target, 0)", syscall(SYS_tgkill, parent, tid, 0));
    STEP(0, "tgkill(parent, own tid)", syscall(SYS_tgkill, parent, gettid(), SIGUSR1));
    STEP(0, "tgkill(parent, 0x3ffffff0)", syscall(SYS_tgkill, parent, 0x3ffffff0, SIGUSR1));
    STEP(0, "tgkill(parent, target, 65)", syscall(SYS_tgkill, parent, tid, 65));
    STEP(0, "tgkill(0, target, USR1)", syscall(SYS_tgkill, 0, tid, SIGUSR1));
    STEP(0, "tkill(0x3ffffff0, USR1)", syscall(SYS_tkill, 0x3ffffff0, SIGUSR1));
    STEP(0, "sigqueue(0x3ffffff0, USR1)", sigqueue(0x3ffffff0, SIGUSR1, (union sigval){0}));
    STEP(0, "rt_sigqueueinfo(parent, SI_USER)", sig_queue_raw(parent, 0, SIGUSR1, SI_USER, 0));
    STEP(0, "rt_tgsigqueueinfo(SI_TKILL)", sig_queue_raw(parent, tid, SIGUSR1, SI_TKILL, 0));
    STEP(0, "rt_tgsigqueueinfo(tid 0)", syscall(SYS_rt_tgsigqueueinfo, parent, 0, SIGUSR1, NULL));
#undef STEP
}

/* The signals of the awaited steps, as the parent took them: by whom for a tgkill (a queued one
 * is the process's: any thread may take it), and the value. Printed after the sender's lines. */
static void procs(void)
{
    char came[5][96];
    int sync[2], status;
    if (pipe(sync))
        return;
    fflush(stdout);
    pid_t parent = getpid(), child = fork();
    if (child == 0) {
        close(sync[1]);
        sender(parent, target, sync[0]);
        fflush(stdout);
        _exit(0);
    }
    close(sync[0]);
    for (int i = 0; i < 5; i++) {
        get(note[0]);
        int on = usr1_on ? usr1_on : usr2_on;
        snprintf(came[i], sizeof came[i], "came: %s on %s, code %d, value %d", usr1_on ? "USR1" : "USR2",
                 usr_code == SI_TKILL ? name(on) : "the process", usr_code, rt_value);
        usr1_on = usr2_on = rt_value = 0; /* (before the next is sent) */
        put(sync[1], 'n');
    }
    close(sync[1]);
    waitpid(child, &status, 0);
    for (int i = 0; i < 5; i++)
        printf("%s\n", came[i]);
    printf("sender: exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv)
{
    pthread_t t;
    if (pipe(note) || pipe(cmd) || pipe(ack))
        return 1;
    sig_set(SIGUSR1, NULL, on_usr, SA_RESTART);
    sig_set(SIGUSR2, NULL, on_usr, SA_RESTART);
    sig_set(RT_SIG, NULL, on_rt, SA_RESTART);
    if (pthread_create(&t, NULL, target_main, NULL))
        return 1;
    get(ack[0]);
    if (argc > 1 && strcmp(argv[1], "procs") == 0)
        procs();
    else
        driven();
    put(cmd[1], 'q');
    pthread_join(t, NULL);
    unlink("tid");
    return 0;
}
