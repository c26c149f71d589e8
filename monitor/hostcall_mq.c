/* hostcall_mq.c: BVM_HC_MQ: POSIX message queues. They are the host's (so a descriptor is a host
 * fd: poll, epoll, fork and close need nothing more), under names the run owns: <prefix><name>,
 * the prefix made once per run. The run's store lists the queues made and not unlinked; the last
 * process of the tree to end unlinks them, so none outlives the run. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "hostcall.h"
#include "ipc.h"

int ipc_mq_host_name(const char *name, char *host, size_t size)
{
    if (strchr(name, '/'))
        return -EACCES; /* Linux's answer for a name with a slash in it */
    if (!*name)
        return -ENOENT;
    int n = snprintf(host, size, "%s%s", ipc->mq_prefix, name); /* the syscalls' form: no slash */
    return n < 0 || (size_t)n >= size || n > 255 ? -ENAMETOOLONG : 0;
}

void ipc_mq_made(const char *host)
{
    char (*free_e)[IPC_MQ_NAME] = NULL;
    for (int i = 0; i < IPC_MQ_NAMES; i++) {
        if (strcmp(ipc->mq_names[i], host) == 0)
            return;
        if (!ipc->mq_names[i][0] && !free_e)
            free_e = &ipc->mq_names[i];
    }
    if (free_e) { /* else the host's queues_max would have refused it: never */
        snprintf(*free_e, IPC_MQ_NAME, "%s", host);
        ipc->mq_count++;
    }
}

void ipc_mq_unlinked(const char *host)
{
    for (int i = 0; i < IPC_MQ_NAMES; i++)
        if (strcmp(ipc->mq_names[i], host) == 0) {
            ipc->mq_names[i][0] = 0;
            ipc->mq_count--;
        }
}

void ipc_mq_run_ended(void)
{
    for (int i = 0; i < IPC_MQ_NAMES && ipc->mq_count; i++)
        if (ipc->mq_names[i][0]) {
            syscall(SYS_mq_unlink, ipc->mq_names[i]);
            ipc->mq_names[i][0] = 0;
            ipc->mq_count--;
        }
}

/* The request's name as the host's, or -errno. */
static int mq_name(struct hc_ctx *c, const struct bvm_hc_mq *a, char *host, size_t size)
{
    char name[IPC_MQ_NAME];
    if (a->name_len >= sizeof name)
        return -ENAMETOOLONG;
    if (gm_read(c->gm, a->name_gpa, name, a->name_len) < 0)
        return -EFAULT;
    name[a->name_len] = 0;
    return ipc_mq_host_name(name, host, size);
}

static int64_t mq_open_req(struct hc_ctx *c, const struct bvm_hc_mq *a)
{
    char host[IPC_MQ_NAME + 32];
    struct mq_attr attr;
    int err = mq_name(c, a, host, sizeof host);
    if (err)
        return err;
    _Static_assert(sizeof attr == sizeof(struct linux_mq_attr), "mq_attr is Linux's");
    if ((a->flags & O_CREAT) && a->attr_gpa && gm_read(c->gm, a->attr_gpa, &attr, sizeof attr) < 0)
        return -EFAULT;
    int flags = (a->flags & (O_ACCMODE | O_CREAT | O_EXCL | O_NONBLOCK)) | O_CLOEXEC;
    int fd = (int)syscall(SYS_mq_open, host, flags, a->mode & 07777, (a->flags & O_CREAT) && a->attr_gpa ? &attr : NULL);
    if (fd >= 0 && (a->flags & O_CREAT)) {
        ipc_lock();
        ipc_mq_made(host);
        ipc_unlock();
    }
    return hc_fd_adopt(c, fd);
}

static int64_t mq_unlink_req(struct hc_ctx *c, const struct bvm_hc_mq *a)
{
    char host[IPC_MQ_NAME + 32];
    int err = mq_name(c, a, host, sizeof host);
    if (err)
        return err;
    if (syscall(SYS_mq_unlink, host) < 0)
        return -errno;
    ipc_lock();
    ipc_mq_unlinked(host);
    ipc_unlock();
    return 0;
}

/* SEND and RECEIVE: the host's call, waiting (cut short by the guest's events) unless nowait,
 * when a deadline already past asks the host whether it would wait. */
static int64_t mq_xfer(struct hc_ctx *c, const struct bvm_hc_mq *a)
{
    int send = a->op == BVM_MQ_SEND;
    void *buf = send ? (void *)gm_ptr(c->gm, a->buf_gpa, a->buf_len) : gm_ptr_w(c->gm, a->buf_gpa, a->buf_len);
    unsigned *prio = !send && a->attr_gpa ? gm_ptr_w(c->gm, a->attr_gpa, sizeof *prio) : NULL;
    if (a->nowait > 1)
        return -EINVAL;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    if ((a->buf_len && !buf) || (!send && a->attr_gpa && !prio))
        return -EFAULT;
    struct timespec ts = {a->deadline / 1000000000, a->deadline % 1000000000}, past = {0, 0};
    const struct timespec *when = a->nowait ? &past : a->deadline >= 0 ? &ts : NULL;
    long r = send ? safe_syscall(SYS_mq_timedsend, a->fd, buf, a->buf_len, a->prio, when, 0)
                  : safe_syscall(SYS_mq_timedreceive, a->fd, buf, a->buf_len, prio, when, 0);
    if (r == -ETIMEDOUT && a->nowait) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int passed = a->deadline >= 0 && now.tv_sec * 1000000000ll + now.tv_nsec >= a->deadline;
        return passed ? -ETIMEDOUT : -BVM_IPC_WOULD_WAIT;
    }
    if (r >= 0 && !send) {
        gm_written(c->gm, a->buf_gpa, (uint64_t)r);
        if (prio)
            gm_written(c->gm, a->attr_gpa, sizeof *prio);
    }
    return r;
}

/* SIGEV_SIGNAL reaches the monitor, which passes it on with its siginfo (SI_MESGQ) as any host
 * signal; SIGEV_THREAD names a netlink socket (libc's helper thread reads it) the host writes the
 * program's cookie to (buf: its 32 bytes, kept here as the host kernel keeps them). */
static int64_t mq_notify_req(struct hc_ctx *c, const struct bvm_hc_mq *a)
{
    struct linux_sigevent ls;
    struct sigevent sev;
    static char cookie[32];
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    if (!a->attr_gpa)
        return syscall(SYS_mq_notify, a->fd, NULL) < 0 ? -errno : 0;
    if (gm_read(c->gm, a->attr_gpa, &ls, sizeof ls) < 0)
        return -EFAULT;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = ls.sigev_notify;
    sev.sigev_signo = ls.sigev_signo;
    sev.sigev_value.sival_ptr = (void *)(uintptr_t)ls.sigev_value;
    if (ls.sigev_notify == SIGEV_THREAD) {
        if (!hc_fd_ok(c, ls.sigev_signo))
            return -EBADF;
        if (a->buf_len != sizeof cookie || gm_read(c->gm, a->buf_gpa, cookie, sizeof cookie) < 0)
            return -EFAULT;
        sev.sigev_value.sival_ptr = cookie;
    } else if (ls.sigev_notify != SIGEV_SIGNAL && ls.sigev_notify != SIGEV_NONE) {
        return -EINVAL;
    }
    return syscall(SYS_mq_notify, a->fd, &sev) < 0 ? -errno : 0;
}

static int64_t mq_attr_req(struct hc_ctx *c, const struct bvm_hc_mq *a)
{
    struct mq_attr nw, old;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    if (a->buf_len && (a->buf_len != sizeof nw || gm_read(c->gm, a->buf_gpa, &nw, sizeof nw) < 0))
        return -EFAULT;
    if (a->attr_gpa && !gm_ptr_w(c->gm, a->attr_gpa, sizeof old))
        return -EFAULT;
    if (syscall(SYS_mq_getsetattr, a->fd, a->buf_len ? &nw : NULL, &old) < 0)
        return -errno;
    return a->attr_gpa ? gm_write(c->gm, a->attr_gpa, &old, sizeof old) : 0;
}

int64_t hc_mq(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_mq *a = &r->u.mq;
    int err = ipc_init();
    if (err)
        return err;
    switch (a->op) {
    case BVM_MQ_OPEN:
        return mq_open_req(c, a);
    case BVM_MQ_UNLINK:
        return mq_unlink_req(c, a);
    case BVM_MQ_SEND:
    case BVM_MQ_RECEIVE:
        return mq_xfer(c, a);
    case BVM_MQ_NOTIFY:
        return mq_notify_req(c, a);
    case BVM_MQ_GETSETATTR:
        return mq_attr_req(c, a);
    }
    return -EINVAL;
}
