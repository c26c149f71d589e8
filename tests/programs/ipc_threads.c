/* ipc_threads.c: the IPC waits of a threaded process (the kernel's naps, not the monitor's waits):
 * a thread waiting in msgrcv, semop or mq_receive must let the others run (one of them wakes it),
 * and timed waits time out. Results are printed after the joins, in a fixed order. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <time.h>
#include <unistd.h>

static int msq, sem;
static mqd_t mq;
static char result[5][80];

static void *msg_waiter(void *arg)
{
    struct { long type; char text[16]; } m;
    long n = msgrcv(msq, &m, sizeof m.text, 0, 0);
    snprintf(result[0], sizeof result[0], "msgrcv: %ld '%.*s'", n, n > 0 ? (int)n : 0, m.text);
    return arg;
}

static void *sem_waiter(void *arg)
{
    struct sembuf b = {0, -1, 0};
    int r = semop(sem, &b, 1);
    snprintf(result[1], sizeof result[1], "semop: %d", r);
    struct timespec ts = {0, 100000000};
    r = semtimedop(sem, &b, 1, &ts);
    snprintf(result[2], sizeof result[2], "semtimedop: %d errno %d", r, r < 0 ? errno : 0);
    return arg;
}

static void *mq_waiter(void *arg)
{
    char buf[64];
    unsigned prio;
    long n = mq_receive(mq, buf, sizeof buf, &prio);
    snprintf(result[3], sizeof result[3], "mq_receive: %ld '%.*s' prio %u", n, n > 0 ? (int)n : 0, buf, prio);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100000000;
    if (ts.tv_nsec >= 1000000000)
        ts.tv_sec++, ts.tv_nsec -= 1000000000;
    n = mq_timedreceive(mq, buf, sizeof buf, &prio, &ts);
    snprintf(result[4], sizeof result[4], "mq_timedreceive: %ld errno %d", n, n < 0 ? errno : 0);
    return arg;
}

int main(void)
{
    char name[64];
    struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 64};
    snprintf(name, sizeof name, "/bvmtest-thr-%d", (int)getpid());
    msq = msgget(IPC_PRIVATE, 0600);
    sem = semget(IPC_PRIVATE, 1, 0600);
    mq = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
    pthread_t t[3];
    pthread_create(&t[0], NULL, msg_waiter, NULL);
    pthread_create(&t[1], NULL, sem_waiter, NULL);
    pthread_create(&t[2], NULL, mq_waiter, NULL);
    usleep(100000); /* they wait by now (or soon: the wake-ups below are kept either way) */
    struct { long type; char text[16]; } m = {3, "woken"};
    printf("msgsnd: %d\n", msgsnd(msq, &m, 6, 0));
    struct sembuf b = {0, 1, 0};
    printf("semop +1: %d\n", semop(sem, &b, 1));
    printf("mq_send: %d\n", mq_send(mq, "woken", 6, 7));
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 5; i++)
        printf("%s\n", result[i]);
    msgctl(msq, IPC_RMID, NULL);
    semctl(sem, 0, IPC_RMID);
    mq_unlink(name);
    return 0;
}
