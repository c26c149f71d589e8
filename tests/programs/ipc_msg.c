/* ipc_msg.c: System V message queues against native: selection by type, truncation, limits and
 * errors, IPC_STAT/IPC_SET, keys, and between processes a blocked receive woken by a send, by the
 * queue's removal (EIDRM) and by a handled signal (EINTR even with SA_RESTART). No ids or times
 * are printed: they are the system's. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>

#include "proc_common.h"

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct msg {
    long type;
    char text[64];
};

static void say(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 errno %d\n", what, errno);
    else
        printf("%s: %ld\n", what, r);
}

static void send(int q, long type, const char *text)
{
    struct msg m = {type};
    strcpy(m.text, text);
    say("send", msgsnd(q, &m, strlen(text) + 1, 0));
}

static void recv(int q, long type, int flags, size_t room)
{
    struct msg m = {0};
    long n = msgrcv(q, &m, room, type, flags);
    if (n < 0)
        say("recv", n);
    else
        printf("recv %ld flags %o: type %ld, %ld bytes '%.*s'\n", type, flags, m.type, n, (int)n, m.text);
}

static void stat_queue(int q)
{
    struct msqid_ds ds;
    if (msgctl(q, IPC_STAT, &ds) < 0) {
        say("IPC_STAT", -1);
        return;
    }
    printf("stat: qnum %lu cbytes %lu qbytes %lu mode %o lspid %s lrpid %s stime %s\n", (unsigned long)ds.msg_qnum,
           (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes, ds.msg_perm.mode & 0777,
           ds.msg_lspid == getpid() ? "self" : ds.msg_lspid ? "other" : "0",
           ds.msg_lrpid == getpid() ? "self" : ds.msg_lrpid ? "other" : "0", ds.msg_stime ? "set" : "0");
}

static void selection(void)
{
    int q = msgget(IPC_PRIVATE, 0600);
    say("msgget", q < 0 ? -1 : 0);
    send(q, 3, "three");
    send(q, 1, "one");
    send(q, 2, "two");
    send(q, 1, "uno");
    stat_queue(q);
    recv(q, 2, 0, 64);
    recv(q, -2, 0, 64);
    recv(q, 1, MSG_EXCEPT, 64);
    recv(q, 5, IPC_NOWAIT, 64);
    recv(q, 0, MSG_COPY | IPC_NOWAIT, 64); /* the first message, left in place */
    recv(q, 9, MSG_COPY | IPC_NOWAIT, 64);
    recv(q, 0, MSG_COPY, 64);
    recv(q, 0, 0, 2); /* too long: stays */
    recv(q, 0, MSG_NOERROR, 2);
    stat_queue(q);
    recv(q, 0, IPC_NOWAIT, 64);
    struct msg m = {0, "x"};
    say("send type 0", msgsnd(q, &m, 2, 0));
    say("send 9000 bytes", msgsnd(q, &m, 9000, 0));
    say("recv negative size", msgrcv(q, &m, (size_t)-1, 0, 0));
    /* a queue of 10 bytes: the second message does not fit */
    struct msqid_ds ds;
    msgctl(q, IPC_STAT, &ds);
    ds.msg_qbytes = 10;
    ds.msg_perm.mode = 0640;
    say("IPC_SET", msgctl(q, IPC_SET, &ds));
    m.type = 4;
    say("send 8", msgsnd(q, &m, 8, IPC_NOWAIT));
    say("send 8 more", msgsnd(q, &m, 8, IPC_NOWAIT));
    stat_queue(q);
    say("IPC_RMID", msgctl(q, IPC_RMID, NULL));
    say("IPC_STAT after", msgctl(q, IPC_STAT, &ds));
    say("send after", msgsnd(q, &m, 8, 0));
    say("bad id", msgsnd(-5, &m, 8, 0));
    q = msgget(IPC_PRIVATE, 0600);
    say("bad buffer", msgsnd(q, (void *)16, 8, 0));
    msgctl(q, IPC_RMID, NULL);
}

static void keys(void)
{
    FILE *f = fopen("ipc_key", "w");
    fclose(f);
    key_t k = ftok("ipc_key", 'm');
    say("no such key", msgget(k, 0600));
    int q = msgget(k, IPC_CREAT | IPC_EXCL | 0600);
    say("create", q < 0 ? -1 : 0);
    say("again exclusive", msgget(k, IPC_CREAT | IPC_EXCL | 0600));
    say("same id", msgget(k, 0) == q);
    say("same id with IPC_CREAT", msgget(k, IPC_CREAT | 0600) == q);
    struct msginfo info;
    say("IPC_INFO", msgctl(0, IPC_INFO, (struct msqid_ds *)&info) >= 0);
    printf("msgmax %d msgmnb %d\n", info.msgmax, info.msgmnb);
    msgctl(q, IPC_RMID, NULL);
    unlink("ipc_key");
}

static void on_usr1(int sig) { (void)sig; }

/* A child waits in msgrcv; the parent ends the wait by how; the child prints what it saw. */
static void blocked(const char *how)
{
    int q = msgget(IPC_PRIVATE, 0600), p[2];
    pipe(p);
    fflush(stdout);
    pid_t c = xfork();
    if (c == 0) {
        struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
        sigaction(SIGUSR1, &sa, NULL);
        write(p[1], "r", 1);
        recv(q, 0, 0, 64);
        fflush(stdout);
        _exit(0);
    }
    char ch;
    read(p[0], &ch, 1);
    usleep(50000);
    struct msg m = {7, "late"};
    if (strcmp(how, "send") == 0)
        msgsnd(q, &m, 5, 0); /* not printed: the child's line and this one could come in any order */
    else if (strcmp(how, "remove") == 0)
        msgctl(q, IPC_RMID, NULL);
    int st;
    while (strcmp(how, "signal") == 0 && waitpid(c, &st, WNOHANG) == 0) {
        kill(c, SIGUSR1); /* again until it is out: one may come before it waits */
        usleep(20000);
    }
    waitpid(c, &st, 0);
    printf("%s: child status %d\n", how, WEXITSTATUS(st));
    msgctl(q, IPC_RMID, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    selection();
    keys();
    blocked("send");
    blocked("remove");
    blocked("signal");
    return 0;
}
