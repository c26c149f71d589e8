/* ipc_mq.c: POSIX message queues against native: attributes, priority order, full and empty queues
 * (O_NONBLOCK, timeouts), size errors, names, a receiver in another process, poll, mq_notify's
 * signal and its siginfo, SIGEV_THREAD, unlink with a descriptor still open. Queue names carry the pid, so that
 * native runs side by side do not meet; they are not printed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "proc_common.h"

static char qname[64];

static void say(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 errno %d\n", what, errno);
    else
        printf("%s: %ld\n", what, r);
}

static void attrs(mqd_t q)
{
    struct mq_attr a;
    if (mq_getattr(q, &a) < 0) {
        say("mq_getattr", -1);
        return;
    }
    printf("attr: flags %lo maxmsg %ld msgsize %ld curmsgs %ld\n", (long)a.mq_flags, (long)a.mq_maxmsg,
           (long)a.mq_msgsize, (long)a.mq_curmsgs);
}

static void recv_one(mqd_t q)
{
    char buf[64];
    unsigned prio = 99;
    ssize_t n = mq_receive(q, buf, sizeof buf, &prio);
    if (n < 0)
        say("receive", -1);
    else
        printf("receive: %zd bytes '%.*s' prio %u\n", n, (int)n, buf, prio);
}

static void order(mqd_t q)
{
    say("send a/1", mq_send(q, "a", 1, 1));
    say("send b/5", mq_send(q, "b", 1, 5));
    say("send c/3", mq_send(q, "c", 1, 3));
    say("send d/5", mq_send(q, "d", 1, 5));
    attrs(q);
    for (int i = 0; i < 4; i++)
        recv_one(q);
}

static void limits(mqd_t q)
{
    char big[100] = {0}, small[8];
    struct mq_attr nb = {.mq_flags = O_NONBLOCK}, old;
    say("mq_setattr", mq_setattr(q, &nb, &old));
    printf("old flags %lo\n", (long)old.mq_flags);
    recv_one(q);
    for (int i = 0; i < 4; i++)
        mq_send(q, "x", 1, 0);
    say("send to a full queue", mq_send(q, "y", 1, 0));
    nb.mq_flags = 0;
    mq_setattr(q, &nb, NULL);
    attrs(q);
    say("send too big", mq_send(q, big, sizeof big, 0));
    say("receive too small", mq_receive(q, small, sizeof small, NULL));
    say("prio too high", mq_send(q, "z", 1, 1u << 20));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100000000;
    if (ts.tv_nsec >= 1000000000)
        ts.tv_sec++, ts.tv_nsec -= 1000000000;
    say("timed send to a full queue", mq_timedsend(q, "y", 1, 0, &ts));
    while (mq_timedreceive(q, big, sizeof big, NULL, &ts) >= 0)
        ;
    say("timed receive, emptied", -(errno != ETIMEDOUT));
    ts.tv_nsec = -1;
    say("bad timeout", mq_timedreceive(q, big, sizeof big, NULL, &ts));
    say("bad descriptor", mq_send((mqd_t)99, "a", 1, 0));
}

static void names(void)
{
    say("exclusive again", mq_open(qname, O_CREAT | O_EXCL | O_RDWR, 0600, NULL));
    say("no such queue", mq_open("/bvmtest-none-such", O_RDWR));
    say("slash inside", mq_open("/a/b", O_RDWR | O_CREAT, 0600, NULL));
    char longname[300] = "/";
    memset(longname + 1, 'n', 280);
    say("too long", mq_open(longname, O_RDWR | O_CREAT, 0600, NULL));
    struct mq_attr bad = {.mq_maxmsg = 0, .mq_msgsize = 10};
    say("maxmsg 0", mq_open("/bvmtest-bad", O_RDWR | O_CREAT, 0600, &bad));
}

/* A child waits to receive; the parent's send wakes it; its line first, then the parent's. */
static void other_process(mqd_t q)
{
    fflush(stdout);
    pid_t c = xfork();
    if (c == 0) {
        recv_one(q);
        fflush(stdout);
        _exit(0);
    }
    usleep(50000);
    long r = mq_send(q, "late", 4, 2);
    waitpid(c, NULL, 0);
    say("send to the waiting child", r);
}

static void polling(mqd_t q)
{
    struct pollfd p = {q, POLLIN | POLLOUT, 0};
    say("poll empty", poll(&p, 1, 0));
    printf("revents %x\n", p.revents);
    mq_send(q, "p", 1, 0);
    say("poll one", poll(&p, 1, 0));
    printf("revents %x\n", p.revents);
    recv_one(q);
}

static void notify(mqd_t q)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value.sival_int = 42};
    say("mq_notify", mq_notify(q, &ev));
    say("mq_notify taken", mq_notify(q, &ev));
    mq_send(q, "n", 1, 0);
    siginfo_t si;
    struct timespec ts = {5, 0};
    int sig = sigtimedwait(&set, &si, &ts);
    printf("signal %d code %s value %d pid %s\n", sig, si.si_code == SI_MESGQ ? "SI_MESGQ" : "other", si.si_value.sival_int,
           si.si_pid == getpid() ? "self" : "other");
    say("mq_notify again", mq_notify(q, &ev));
    say("mq_notify off", mq_notify(q, NULL));
    recv_one(q);
}

static int notified[2];

static void on_message(union sigval v)
{
    write(notified[1], v.sival_ptr, 1);
}

/* SIGEV_THREAD: libc's helper thread calls on_message when the empty queue gets a message. */
static void notify_thread(mqd_t q)
{
    char c = '?';
    pipe(notified);
    struct sigevent ev = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_message,
                          .sigev_value.sival_ptr = "T"};
    say("mq_notify SIGEV_THREAD", mq_notify(q, &ev));
    mq_send(q, "t", 1, 0);
    say("notified", read(notified[0], &c, 1));
    printf("by the thread: '%c'\n", c);
    recv_one(q);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(qname, sizeof qname, "/bvmtest-mq-%d", (int)getpid());
    struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 64};
    mqd_t q = mq_open(qname, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
    say("mq_open", q < 0 ? -1 : 0);
    attrs(q);
    order(q);
    limits(q);
    names();
    other_process(q);
    polling(q);
    notify(q);
    notify_thread(q);
    say("mq_unlink", mq_unlink(qname));
    say("open after unlink", mq_open(qname, O_RDWR));
    say("still usable", mq_send(q, "s", 1, 0));
    recv_one(q);
    say("unlink again", mq_unlink(qname));
    say("mq_close", mq_close(q));
    return 0;
}
