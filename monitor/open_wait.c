/* open_wait.c: opens that wait for a FIFO's other end, made by a helper thread while the vCPU runs
 * the guest's other threads. The guest holds a ticket (a pipe's read end, readable once the open is
 * over; the helper writes to the other end, which only the monitor holds, so a ticket the guest
 * closed early leaves nothing to write into) and collects the result, or cancels the open
 * (pthread_cancel: the host open is a cancellation point, so it ends as an open a signal interrupted
 * does, undoing its half of the rendezvous). */
#include "open_wait.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPEN_WAIT_MAX 64

struct open_wait {
    int ticket; /* the read end the guest waits on; -1: a free slot */
    ino_t ino;  /* its pipe (the guest may have closed it, the number gone to another file) */
    int wake;   /* the write end, the helper's */
    int object; /* O_PATH fd of the FIFO, reopened through its /proc/self/fd link */
    int flags;
    pthread_t thread;
    volatile int done, fd, err;
};

static struct open_wait waits[OPEN_WAIT_MAX] = {[0 ... OPEN_WAIT_MAX - 1] = {.ticket = -1}};

static void *opener(void *arg)
{
    struct open_wait *w = arg;
    char link[32];
    snprintf(link, sizeof link, "/proc/self/fd/%d", w->object);
    int fd = open(link, w->flags | O_CLOEXEC);
    w->err = fd < 0 ? errno : 0;
    w->fd = fd;
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    ssize_t n = write(w->wake, "", 1);
    (void)n;
    return NULL;
}

/* The helper, with every signal blocked from its start: the process's signals are the run loop's
 * to take (glibc keeps its cancellation signal open). */
static int start_thread(struct open_wait *w)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int err = pthread_create(&w->thread, NULL, opener, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}

/* Whether ticket is still the guest's read end of w's pipe. */
static int is_ticket(const struct hc_ctx *c, const struct open_wait *w, int ticket)
{
    struct stat st;
    return w->ticket >= 0 && w->ticket == ticket && hc_fd_ok(c, ticket) && fstat(ticket, &st) == 0 &&
           st.st_ino == w->ino;
}

static struct open_wait *slot_of(const struct hc_ctx *c, int ticket)
{
    for (int i = 0; i < OPEN_WAIT_MAX; i++)
        if (is_ticket(c, &waits[i], ticket))
            return &waits[i];
    return NULL;
}

static void release(struct hc_ctx *c, struct open_wait *w)
{
    if (is_ticket(c, w, w->ticket)) {
        hc_fd_revoke(c, w->ticket);
        close(w->ticket);
    }
    close(w->wake);
    close(w->object);
    w->ticket = -1;
}

int64_t open_wait_start(struct hc_ctx *c, int object, int flags)
{
    struct open_wait *w = NULL;
    struct stat st;
    int ends[2];
    for (int i = 0; !w && i < OPEN_WAIT_MAX; i++)
        w = waits[i].ticket < 0 ? &waits[i] : NULL;
    if (!w)
        return -EAGAIN;
    if (pipe2(ends, O_CLOEXEC | O_NONBLOCK) < 0)
        return -errno;
    fstat(ends[0], &st);
    *w = (struct open_wait){
        .ticket = ends[0], .ino = st.st_ino, .wake = ends[1], .object = object, .flags = flags, .fd = -1};
    int64_t r = hc_fd_adopt(c, ends[0]); /* (which closes it when it cannot be the guest's) */
    if (r >= 0 && start_thread(w) != 0) {
        hc_fd_revoke(c, ends[0]);
        close(ends[0]);
        r = -EAGAIN;
    }
    if (r < 0) {
        close(ends[1]);
        w->ticket = -1;
    }
    return r;
}

int64_t open_wait_result(struct hc_ctx *c, int ticket)
{
    struct open_wait *w = slot_of(c, ticket);
    if (!w)
        return -EBADF;
    if (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
        return -BVM_ENOTREADY;
    pthread_join(w->thread, NULL);
    int fd = w->fd, err = w->err;
    release(c, w);
    return fd < 0 ? -err : hc_fd_adopt(c, fd);
}

int64_t open_wait_cancel(struct hc_ctx *c, int ticket)
{
    struct open_wait *w = slot_of(c, ticket);
    void *ret;
    if (!w)
        return -EBADF;
    pthread_cancel(w->thread);
    pthread_join(w->thread, &ret);
    if (ret != PTHREAD_CANCELED && w->fd >= 0)
        close(w->fd); /* it had just been opened */
    release(c, w);
    return 0;
}

void open_wait_after_fork(struct hc_ctx *c)
{
    for (int i = 0; i < OPEN_WAIT_MAX; i++)
        if (waits[i].ticket >= 0) /* the thread did not come along: the parent's to finish */
            release(c, &waits[i]);
}
