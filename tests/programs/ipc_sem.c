/* ipc_sem.c: System V semaphores against native: values, all-or-nothing semop, limits and errors,
 * semtimedop's timeout, a waiter counted in GETNCNT and woken by another process, EIDRM, and
 * SEM_UNDO applied when a process exits and when it is killed. No ids or times are printed. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

#include "proc_common.h"

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static void say(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 errno %d\n", what, errno);
    else
        printf("%s: %ld\n", what, r);
}

static void show(int s, int n)
{
    unsigned short v[8];
    union semun u = {.array = v};
    if (semctl(s, 0, GETALL, u) < 0) {
        say("GETALL", -1);
        return;
    }
    printf("values:");
    for (int i = 0; i < n; i++)
        printf(" %u", v[i]);
    printf("\n");
}

static long op(int s, unsigned short num, short delta, short flags)
{
    struct sembuf b = {num, delta, flags};
    return semop(s, &b, 1);
}

static void values(void)
{
    int s = semget(IPC_PRIVATE, 3, 0600);
    say("semget", s < 0 ? -1 : 0);
    show(s, 3);
    unsigned short init[3] = {1, 2, 3};
    say("SETALL", semctl(s, 0, SETALL, (union semun){.array = init}));
    show(s, 3);
    say("SETVAL", semctl(s, 1, SETVAL, (union semun){.val = 7}));
    say("GETVAL", semctl(s, 1, GETVAL));
    say("GETPID is self", semctl(s, 1, GETPID) == getpid());
    say("SETVAL too big", semctl(s, 1, SETVAL, (union semun){.val = 40000}));
    say("SETVAL negative", semctl(s, 1, SETVAL, (union semun){.val = -1}));
    say("GETVAL bad num", semctl(s, 5, GETVAL));
    struct sembuf two[2] = {{0, -1, 0}, {2, -5, IPC_NOWAIT}}; /* the second cannot go: neither does */
    say("semop all or nothing", semop(s, two, 2));
    show(s, 3);
    two[1].sem_op = -3;
    say("semop both", semop(s, two, 2));
    show(s, 3);
    say("wait for zero", op(s, 0, 0, 0));
    say("wait for zero, nowait", op(s, 1, 0, IPC_NOWAIT));
    say("over SEMVMX", op(s, 1, 32767, 0));
    say("bad num", op(s, 3, 1, 0));
    say("no ops", semop(s, two, 0));
    static struct sembuf many[501];
    say("too many ops", semop(s, many, 501));
    struct timespec ts = {0, 100000000};
    say("semtimedop timeout", semtimedop(s, &(struct sembuf){0, -1, 0}, 1, &ts));
    ts.tv_nsec = 2000000000;
    say("semtimedop bad timeout", semtimedop(s, &(struct sembuf){0, -1, 0}, 1, &ts));
    struct semid_ds ds;
    say("IPC_STAT", semctl(s, 0, IPC_STAT, (union semun){.buf = &ds}));
    printf("nsems %lu mode %o otime %s\n", (unsigned long)ds.sem_nsems, ds.sem_perm.mode & 0777, ds.sem_otime ? "set" : "0");
    ds.sem_perm.mode = 0400;
    say("IPC_SET", semctl(s, 0, IPC_SET, (union semun){.buf = &ds}));
    say("IPC_STAT", semctl(s, 0, IPC_STAT, (union semun){.buf = &ds}));
    printf("mode %o\n", ds.sem_perm.mode & 0777);
    say("semget more than it has", semget(IPC_PRIVATE, 40000, 0600));
    say("semget none", semget(IPC_PRIVATE, 0, 0600));
    struct seminfo si;
    say("SEM_INFO", semctl(0, 0, SEM_INFO, (union semun){.buf = (struct semid_ds *)&si}) >= 0);
    printf("semvmx %d semopm %d\n", si.semvmx, si.semopm);
    say("IPC_RMID", semctl(s, 0, IPC_RMID));
    say("GETVAL after", semctl(s, 0, GETVAL));
}

/* A child waits to take 2; the parent sees it counted, then gives 2 (or removes the set). */
static void waiter(int remove)
{
    int s = semget(IPC_PRIVATE, 1, 0600);
    fflush(stdout);
    pid_t c = xfork();
    if (c == 0) {
        say("child semop", op(s, 0, -2, 0));
        fflush(stdout);
        _exit(0);
    }
    while (semctl(s, 0, GETNCNT) != 1)
        usleep(1000);
    long n = semctl(s, 0, GETNCNT), r = remove ? semctl(s, 0, IPC_RMID) : op(s, 0, 2, 0);
    int st;
    waitpid(c, &st, 0); /* the child's line first, whichever runs first now */
    say("GETNCNT", n);
    say(remove ? "IPC_RMID" : "give 2", r);
    if (!remove) {
        say("GETNCNT after", semctl(s, 0, GETNCNT));
        say("value after", semctl(s, 0, GETVAL));
        say("GETPID is child", semctl(s, 0, GETPID) == c);
        semctl(s, 0, IPC_RMID);
    }
}

/* A child takes 3 of 5 with SEM_UNDO, then exits or is killed: the 3 come back either way. */
static void undo(int killed)
{
    int s = semget(IPC_PRIVATE, 1, 0600), p[2], go[2];
    semctl(s, 0, SETVAL, (union semun){.val = 5});
    pipe(p);
    pipe(go);
    fflush(stdout);
    pid_t c = xfork();
    if (c == 0) {
        op(s, 0, -3, SEM_UNDO);
        op(s, 0, 1, 0); /* no undo for this one */
        write(p[1], "t", 1);
        char ch;
        read(go[0], &ch, 1); /* held until the parent has looked (or kills it) */
        _exit(0);
    }
    char ch;
    read(p[0], &ch, 1);
    say("while held", semctl(s, 0, GETVAL));
    if (killed)
        kill(c, SIGKILL);
    else
        write(go[1], "x", 1);
    int st;
    waitpid(c, &st, 0);
    say(killed ? "after kill" : "after exit", semctl(s, 0, GETVAL));
    semctl(s, 0, IPC_RMID);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    values();
    waiter(0);
    waiter(1);
    undo(0);
    undo(1);
    return 0;
}
