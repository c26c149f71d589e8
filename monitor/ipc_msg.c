/* ipc_msg.c: System V message queues. A queue's messages lie in order in its arena, each a header
 * and its text; a receive by type may take one from the middle (the rest move down). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

struct msg_hdr {
    int64_t type;
    uint32_t len, pad;
};

#define MSG_ROUND(n) (((n) + 7u) & ~7u)

static uint32_t msg_span(const struct msg_hdr *m)
{
    return (uint32_t)sizeof *m + MSG_ROUND(m->len);
}

static struct ipc_msq *msq_find(int32_t id, int *slot)
{
    return (struct ipc_msq *)ipc_obj_find(ipc->msq, IPC_MSG_SLOTS, sizeof ipc->msq[0], id, slot);
}

int64_t ipc_msgget(int32_t key, int flags)
{
    int fresh, slot = ipc_get_slot(ipc->msq, IPC_MSG_SLOTS, sizeof ipc->msq[0], key, flags, &fresh);
    if (slot < 0)
        return slot;
    struct ipc_msq *q = &ipc->msq[slot];
    if (fresh) {
        ipc_obj_create(&q->o, key, flags);
        memset((uint8_t *)q + sizeof q->o, 0, sizeof *q - sizeof q->o);
        q->qbytes = IPC_MSGMNB;
    }
    return ipc_obj_id(&q->o, slot);
}

/* Whether a message of len bytes fits: Linux's byte and count limits, and the arena. */
static int msg_fits(const struct ipc_msq *q, uint32_t len)
{
    return q->cbytes + len <= q->qbytes && q->qnum + 1 <= q->qbytes &&
           q->used + sizeof(struct msg_hdr) + MSG_ROUND(len) <= IPC_MSG_ARENA;
}

/* The queue is full, or has no message to take: busy_err for IPC_NOWAIT, the kernel's cue to wait
 * itself, or a wait for a change: 0 to look again (*q the same queue), else -errno (-EIDRM: the
 * queue went meanwhile). */
static int msq_wait(int32_t id, int flags, int nowait, int busy_err, struct ipc_msq **q)
{
    int slot;
    if (flags & LINUX_IPC_NOWAIT)
        return busy_err;
    if (nowait)
        return -BVM_IPC_WOULD_WAIT;
    int r = ipc_wait(-1);
    if (r)
        return r;
    return (*q = msq_find(id, &slot)) ? 0 : -EIDRM;
}

int64_t ipc_msgsnd(int32_t id, int flags, const uint8_t *buf, uint64_t len, int nowait)
{
    int slot;
    struct ipc_msq *q = msq_find(id, &slot);
    struct msg_hdr h;
    if (len < sizeof h.type || len - sizeof h.type > IPC_MSGMAX)
        return -EINVAL;
    memcpy(&h.type, buf, sizeof h.type);
    h.len = (uint32_t)(len - sizeof h.type), h.pad = 0;
    if (h.type < 1 || !q)
        return -EINVAL;
    if (ipc_may(&q->o, 2))
        return -EACCES;
    for (int r; !msg_fits(q, h.len);)
        if ((r = msq_wait(id, flags, nowait, -EAGAIN, &q)))
            return r;
    uint8_t *at = ipc->arena[slot] + q->used;
    memcpy(at, &h, sizeof h);
    memcpy(at + sizeof h, buf + sizeof h.type, h.len);
    q->used += msg_span(&h);
    q->cbytes += h.len, q->qnum++;
    q->lspid = getpid(), q->stime = ipc_now();
    ipc_changed();
    return 0;
}

/* The offset of the message msgrcv's type and flags choose, or -1. */
static int64_t msg_pick(int slot, int64_t type, int flags)
{
    const struct ipc_msq *q = &ipc->msq[slot];
    int64_t best = -1, best_type = 0;
    uint64_t index = 0;
    for (uint32_t off = 0; off < q->used; index++) {
        struct msg_hdr m;
        memcpy(&m, ipc->arena[slot] + off, sizeof m);
        if (flags & LINUX_MSG_COPY) {
            if (index == (uint64_t)type)
                return off;
        } else if (type == 0 || (type > 0 && !(flags & LINUX_MSG_EXCEPT) && m.type == type) ||
                   (type > 0 && (flags & LINUX_MSG_EXCEPT) && m.type != type)) {
            return off;
        } else if (type < 0 && m.type <= -type && (best < 0 || m.type < best_type)) {
            best = off, best_type = m.type;
        }
        off += msg_span(&m);
    }
    return best;
}

/* Takes the message at off out of the queue (MSG_COPY leaves it). */
static void msg_take(int slot, uint32_t off)
{
    struct ipc_msq *q = &ipc->msq[slot];
    struct msg_hdr m;
    memcpy(&m, ipc->arena[slot] + off, sizeof m);
    uint32_t span = msg_span(&m);
    memmove(ipc->arena[slot] + off, ipc->arena[slot] + off + span, q->used - off - span);
    q->used -= span;
    q->cbytes -= m.len, q->qnum--;
    q->lrpid = getpid(), q->rtime = ipc_now();
    ipc_changed();
}

int64_t ipc_msgrcv(int32_t id, int flags, int64_t type, uint8_t *buf, uint64_t len, int nowait)
{
    int slot;
    struct ipc_msq *q = msq_find(id, &slot);
    if (len < sizeof type || !q)
        return -EINVAL;
    if ((flags & LINUX_MSG_COPY) && (!(flags & LINUX_IPC_NOWAIT) || (flags & LINUX_MSG_EXCEPT) || type < 0))
        return -EINVAL;
    if (ipc_may(&q->o, 4))
        return -EACCES;
    int64_t off;
    for (int r; (off = msg_pick(slot, type, flags)) < 0;)
        if ((r = msq_wait(id, flags, nowait, -ENOMSG, &q)))
            return r;
    struct msg_hdr m;
    memcpy(&m, ipc->arena[slot] + off, sizeof m);
    uint64_t room = len - sizeof type;
    if (m.len > room && !(flags & LINUX_MSG_NOERROR))
        return -E2BIG;
    uint32_t n = m.len > room ? (uint32_t)room : m.len;
    memcpy(buf, &m.type, sizeof m.type);
    memcpy(buf + sizeof m.type, ipc->arena[slot] + off + sizeof m, n);
    if (!(flags & LINUX_MSG_COPY))
        msg_take(slot, (uint32_t)off);
    return n;
}

static int64_t msg_info(int cmd, uint8_t *buf, uint64_t len)
{
    struct linux_msginfo mi = {.msgmax = IPC_MSGMAX, .msgmnb = IPC_MSGMNB, .msgmni = IPC_MSG_SLOTS,
                               .msgssz = 16, .msgseg = 0xffff};
    int top = 0;
    mi.msgpool = IPC_MSG_SLOTS * IPC_MSGMNB / 1024, mi.msgmap = IPC_MSGMNB, mi.msgtql = IPC_MSGMNB;
    if (len < sizeof mi)
        return -EFAULT;
    if (cmd == LINUX_MSG_INFO)
        mi.msgpool = mi.msgmap = mi.msgtql = 0;
    for (int i = 0; i < IPC_MSG_SLOTS; i++) {
        if (!ipc->msq[i].o.used)
            continue;
        top = i;
        if (cmd == LINUX_MSG_INFO)
            mi.msgpool++, mi.msgmap += (int32_t)ipc->msq[i].qnum, mi.msgtql += (int32_t)ipc->msq[i].cbytes;
    }
    memcpy(buf, &mi, sizeof mi);
    return top;
}

static void msq_stat(const struct ipc_msq *q, struct linux_msqid64_ds *d)
{
    memset(d, 0, sizeof *d);
    d->msg_perm = q->o.perm;
    d->msg_stime = q->stime, d->msg_rtime = q->rtime, d->msg_ctime = q->o.ctime;
    d->msg_cbytes = q->cbytes, d->msg_qnum = q->qnum, d->msg_qbytes = q->qbytes;
    d->msg_lspid = q->lspid, d->msg_lrpid = q->lrpid;
}

static int64_t msq_set(struct ipc_msq *q, const uint8_t *buf)
{
    struct linux_msqid64_ds d;
    memcpy(&d, buf, sizeof d);
    if (d.msg_qbytes > IPC_MSGMNB && !ipc_is_root())
        return -EPERM;
    if (d.msg_qbytes > IPC_MSG_ARENA / 2)
        return -EINVAL; /* more than the store holds for a queue */
    ipc_obj_set(&q->o, &d.msg_perm);
    q->qbytes = d.msg_qbytes;
    ipc_changed(); /* a bigger queue may take a waiting message */
    return 0;
}

int64_t ipc_msgctl(int32_t id, int cmd, uint8_t *buf, uint64_t len)
{
    int slot;
    cmd &= ~LINUX_IPC_64;
    if (cmd == LINUX_IPC_INFO || cmd == LINUX_MSG_INFO)
        return msg_info(cmd, buf, len);
    struct ipc_msq *q = (struct ipc_msq *)ipc_ctl_find(ipc->msq, IPC_MSG_SLOTS, sizeof ipc->msq[0], id,
                                                       cmd == LINUX_MSG_STAT || cmd == LINUX_MSG_STAT_ANY, &slot);
    if (!q)
        return -EINVAL;
    switch (cmd) {
    case LINUX_IPC_STAT:
    case LINUX_MSG_STAT:
    case LINUX_MSG_STAT_ANY: {
        if (len < sizeof(struct linux_msqid64_ds))
            return -EFAULT;
        if (cmd != LINUX_MSG_STAT_ANY && ipc_may(&q->o, 4))
            return -EACCES;
        struct linux_msqid64_ds d;
        msq_stat(q, &d);
        memcpy(buf, &d, sizeof d);
        return cmd == LINUX_IPC_STAT ? 0 : ipc_obj_id(&q->o, slot);
    }
    case LINUX_IPC_SET:
        if (len < sizeof(struct linux_msqid64_ds))
            return -EFAULT;
        return ipc_may_own(&q->o) ? -EPERM : msq_set(q, buf);
    case LINUX_IPC_RMID:
        if (ipc_may_own(&q->o))
            return -EPERM;
        q->o.used = 0, q->used = 0;
        ipc_changed();
        return 0;
    }
    return -EINVAL;
}
