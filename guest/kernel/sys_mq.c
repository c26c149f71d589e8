/* sys_mq.c: POSIX message queues (mq_open & co.). A queue descriptor is a host fd on one of the
 * run's host queues (BVM_HC_MQ), so read, poll, epoll, dup, fork and close treat it as any fd;
 * sending and receiving wait in the monitor, or, with threads, in the kernel between tries. */
#include "bvm_linux.h"
#include "events.h"
#include "fd.h"
#include "hostcall.h"
#include "ktime.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"


static int64_t mq_call(const struct bvm_hc_mq *a)
{
    hc_req(BVM_HC_MQ)->u.mq = *a;
    return hc_issue();
}

static int mq_name(uint64_t uname, char *name, struct bvm_hc_mq *a)
{
    int64_t n = strncpy_from_user(name, uname, 256);
    if (n < 0)
        return (int)n;
    a->name_gpa = kva_to_gpa(name);
    a->name_len = (uint32_t)n;
    return 0;
}

int64_t sys_mq_open(SYSARGS)
{
    static char name[256];
    struct linux_mq_attr *attr = hc_bounce();
    int flags = (int)a1;
    struct bvm_hc_mq a = {.op = BVM_MQ_OPEN, .flags = flags, .mode = (uint32_t)a2, .deadline = -1};
    int err = mq_name(a0, name, &a);
    if (err)
        return err;
    if ((flags & LINUX_O_CREAT) && a3) {
        if (copy_from_user(attr, a3, sizeof *attr))
            return -LINUX_EFAULT;
        a.attr_gpa = kva_to_gpa(attr);
    }
    int64_t host = mq_call(&a);
    if (host < 0)
        return host;
    return fd_install((int)host, (uint32_t)flags & (LINUX_O_ACCMODE | LINUX_O_NONBLOCK), (flags & LINUX_O_CLOEXEC) != 0);
}

int64_t sys_mq_unlink(SYSARGS)
{
    static char name[256];
    struct bvm_hc_mq a = {.op = BVM_MQ_UNLINK, .deadline = -1};
    int err = mq_name(a0, name, &a);
    return err ? err : mq_call(&a);
}

/* An absolute CLOCK_REALTIME timeout (or none: -1), checked as Linux checks it, before anything. */
static int64_t mq_deadline(uint64_t uts, int64_t *deadline)
{
    *deadline = -1;
    return uts ? ts_from_user(uts, deadline) : 0;
}

static int64_t mq_try(void *req, bool nowait)
{
    struct bvm_hc_mq *a = req;
    a->nowait = nowait;
    return mq_call(a);
}

/* SEND and RECEIVE until done (the monitor checks the deadline): a handled signal restarts them
 * under SA_RESTART, as Linux does. uin: SEND's message, copied into ipc_buffer before each try. */
static int64_t mq_waiting_call(struct bvm_hc_mq *a, uint64_t uin)
{
    return ipc_retry(mq_try, a, uin, a->buf_len, -1, -LINUX_ERESTARTSYS);
}

int64_t sys_mq_timedsend(SYSARGS)
{
    int host = fd_host((int64_t)a0);
    struct bvm_hc_mq a = {.op = BVM_MQ_SEND, .fd = host, .prio = (uint32_t)a3};
    if (host < 0)
        return host;
    if (a2 > IPC_BUF_SIZE)
        return -LINUX_EMSGSIZE; /* past any queue's message size but a root-raised one */
    int64_t err = mq_deadline(a4, &a.deadline);
    if (err)
        return err;
    a.buf_gpa = kva_to_gpa(ipc_buffer()), a.buf_len = a2;
    return mq_waiting_call(&a, a1);
}

int64_t sys_mq_timedreceive(SYSARGS)
{
    static uint32_t prio;
    int host = fd_host((int64_t)a0);
    struct bvm_hc_mq a = {.op = BVM_MQ_RECEIVE, .fd = host, .attr_gpa = kva_to_gpa(&prio)};
    if (host < 0)
        return host;
    int64_t n = mq_deadline(a4, &a.deadline);
    if (n)
        return n;
    a.buf_gpa = kva_to_gpa(ipc_buffer()), a.buf_len = MIN(a2, IPC_BUF_SIZE);
    if ((n = mq_waiting_call(&a, 0)) < 0)
        return n;
    if (copy_to_user(a1, ipc_buffer(), (size_t)n) || (a3 && copy_to_user(a3, &prio, sizeof prio)))
        return -LINUX_EFAULT; /* the message is gone, as on Linux */
    return n;
}

/* SIGEV_THREAD (libc's helper thread reads a netlink socket): the socket's host fd, and the 32
 * bytes of cookie the host sends on it, copied now as Linux copies them. */
#define NOTIFY_COOKIE_LEN 32

int64_t sys_mq_notify(SYSARGS)
{
    struct linux_sigevent *sev = hc_bounce();
    uint8_t *cookie = (uint8_t *)hc_bounce() + sizeof *sev;
    int host = fd_host((int64_t)a0);
    struct bvm_hc_mq a = {.op = BVM_MQ_NOTIFY, .fd = host, .deadline = -1};
    if (host < 0)
        return host;
    if (a1) {
        if (copy_from_user(sev, a1, sizeof *sev))
            return -LINUX_EFAULT;
        a.attr_gpa = kva_to_gpa(sev);
    }
    if (a1 && sev->sigev_notify == LINUX_SIGEV_THREAD) {
        int sock = fd_host(sev->sigev_signo);
        if (sock < 0)
            return sock;
        if (copy_from_user(cookie, sev->sigev_value, NOTIFY_COOKIE_LEN))
            return -LINUX_EFAULT;
        sev->sigev_signo = sock;
        a.buf_gpa = kva_to_gpa(cookie), a.buf_len = NOTIFY_COOKIE_LEN;
    }
    return mq_call(&a);
}

int64_t sys_mq_getsetattr(SYSARGS)
{
    struct linux_mq_attr *attr = hc_bounce(); /* [0] the new, [1] the old */
    int host = fd_host((int64_t)a0);
    struct bvm_hc_mq a = {.op = BVM_MQ_GETSETATTR, .fd = host, .deadline = -1, .attr_gpa = kva_to_gpa(&attr[1])};
    if (host < 0)
        return host;
    if (a1) {
        if (copy_from_user(&attr[0], a1, sizeof attr[0]))
            return -LINUX_EFAULT;
        a.buf_gpa = kva_to_gpa(&attr[0]), a.buf_len = sizeof attr[0];
    }
    int64_t r = mq_call(&a);
    if (r == 0 && a2 && copy_to_user(a2, &attr[1], sizeof attr[1]))
        return -LINUX_EFAULT;
    return r;
}
