/* signalfd.c: signalfd and signalfd4: a descriptor that reads the signals pending in its set. */
#include "signalfd.h"

#include "bvm_linux.h"
#include "events.h"
#include "fd.h"
#include "hostcall.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"
#include "wait.h"

#define SIGNALFDS_MAX 64
#define UNBLOCKABLE (SIGBIT(LINUX_SIGKILL) | SIGBIT(LINUX_SIGSTOP))

/* Each signalfd is backed by a host eventfd: the host fd gives it a place in the fd table (dup,
 * close, close-on-exec) and the kernel answers reads and poll itself. The eventfd is kept readable
 * while a signal of the set is pending (signalfd_sync), so that a host epoll instance watching it
 * sees the signalfd ready as Linux's epoll does. */
static struct {
    int host; /* -1: free */
    uint64_t mask;
    bool signalled; /* the eventfd's count is 1 */
} sfds[SIGNALFDS_MAX];
static bool sfds_ready;

static int find(int host)
{
    if (!sfds_ready) {
        for (int i = 0; i < SIGNALFDS_MAX; i++)
            sfds[i].host = -1;
        sfds_ready = true;
    }
    for (int i = 0; i < SIGNALFDS_MAX; i++)
        if (sfds[i].host == host)
            return i;
    return -1;
}

bool signalfd_lookup(int host, uint64_t *mask)
{
    int i = host < 0 ? -1 : find(host);
    if (i >= 0)
        *mask = sfds[i].mask;
    return i >= 0;
}

void signalfd_host_closed(int host)
{
    int i = host < 0 ? -1 : find(host); /* (find(-1) is a free slot) */
    if (i >= 0)
        sfds[i].host = -1;
}

/* The eventfd behind sfds[i] made readable (a count of 1) or not (read back to 0). */
static void mirror(int i, bool ready)
{
    static uint64_t word;
    static struct bvm_seg seg;
    int64_t r = -LINUX_EINTR;
    /* An event waiting in the monitor cuts any hostcall on a non-file fd short (-EINTR), this one
     * too, which never waits: take the events and write again, or the signalfd would not show. */
    for (int tries = 0; r == -LINUX_EINTR && tries < 64; tries++) {
        if (tries)
            events_take();
        word = 1;
        seg = (struct bvm_seg){kva_to_gpa(&word), sizeof(word)};
        r = hc_io(ready ? BVM_HC_WRITE : BVM_HC_READ, sfds[i].host, &seg, 1, 0, 0);
    }
    if (r == (int64_t)sizeof(word))
        sfds[i].signalled = ready;
}

void signalfd_sync(void)
{
    if (!sfds_ready)
        return;
    uint64_t pending = signal_pending_set();
    for (int i = 0; i < SIGNALFDS_MAX; i++)
        if (sfds[i].host >= 0 && ((pending & sfds[i].mask) != 0) != sfds[i].signalled)
            mirror(i, !sfds[i].signalled);
}

static void to_ssi(const struct linux_siginfo *si, struct linux_signalfd_siginfo *s)
{
    memset(s, 0, sizeof(*s));
    s->ssi_signo = (uint32_t)si->si_signo;
    s->ssi_errno = si->si_errno;
    s->ssi_code = si->si_code;
    s->ssi_pid = (uint32_t)si->u.kill.pid;
    s->ssi_uid = si->u.kill.uid;
    if (si->si_code == LINUX_SI_TIMER) {
        s->ssi_tid = (uint32_t)si->u.timer.tid;
        s->ssi_overrun = (uint32_t)si->u.timer.overrun;
        s->ssi_pid = s->ssi_uid = 0;
    }
    s->ssi_int = (int32_t)si->u.kill.value;
    s->ssi_ptr = si->u.kill.value;
    if (si->si_code > 0 && si->si_code != LINUX_SI_KERNEL)
        s->ssi_addr = si->u.fault.addr, s->ssi_pid = s->ssi_uid = 0, s->ssi_int = 0, s->ssi_ptr = 0;
}

int64_t signalfd_read(int host, uint64_t ubuf, uint64_t len, bool nonblock)
{
    static struct linux_signalfd_siginfo ssi;
    struct linux_siginfo info;
    uint64_t mask = sfds[find(host)].mask, done = 0;
    if (len < sizeof(ssi))
        return -LINUX_EINVAL;
    while (!done && !nonblock && !(signal_pending_set() & mask)) {
        int64_t r = wait_pending(mask);
        if (r < 0)
            return r;
    }
    while (done + sizeof(ssi) <= len && signal_dequeue(mask, &info)) {
        to_ssi(&info, &ssi);
        if (copy_to_user(ubuf + done, &ssi, sizeof(ssi)))
            return done ? (int64_t)done : -LINUX_EFAULT;
        done += sizeof(ssi);
    }
    return done ? (int64_t)done : -LINUX_EAGAIN;
}

int64_t sys_signalfd4(SYSARGS)
{
    int fd = (int32_t)a0, flags = (int)a3;
    uint64_t mask;
    if (a2 != sizeof(mask) || (flags & ~(LINUX_O_NONBLOCK | LINUX_O_CLOEXEC)))
        return -LINUX_EINVAL;
    if (copy_from_user(&mask, a1, sizeof(mask)))
        return -LINUX_EFAULT;
    mask &= ~UNBLOCKABLE;
    if (fd != -1) { /* a new set for an existing signalfd */
        int h = fd_host(fd), i = h < 0 ? -1 : find(h);
        if (h < 0)
            return h;
        if (i < 0)
            return -LINUX_EINVAL;
        sfds[i].mask = mask;
        return fd;
    }
    int i = find(-1);
    if (i < 0)
        return -LINUX_ENOMEM;
    int64_t h = hc_newfd(BVM_NEWFD_EVENTFD, NULL, LINUX_O_NONBLOCK | LINUX_O_CLOEXEC, 0);
    if (h < 0)
        return h;
    sfds[i].host = (int)h;
    sfds[i].mask = mask;
    sfds[i].signalled = false;
    int g = fd_install((int)h, LINUX_O_RDWR | ((uint32_t)flags & LINUX_O_NONBLOCK), (flags & LINUX_O_CLOEXEC) != 0);
    if (g < 0)
        sfds[i].host = -1;
    return g;
}

int64_t sys_signalfd(SYSARGS) { return sys_signalfd4(a0, a1, a2, 0, 0, 0); }
