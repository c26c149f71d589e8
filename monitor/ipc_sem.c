/* ipc_sem.c: System V semaphore sets: each set a range of the store's pool; semop all or nothing,
 * waiting until the whole of it can go; SEM_UNDO adjustments kept per process in the store, so
 * that they are applied when the process ends however it ends. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

static struct ipc_sem *set_find(int32_t id, int *slot)
{
    return (struct ipc_sem *)ipc_obj_find(ipc->sem, IPC_SEM_SLOTS, sizeof ipc->sem[0], id, slot);
}

/* The first free run of n semaphores in the pool, or -1. */
static int64_t pool_alloc(uint32_t n)
{
    uint32_t base = 0;
    for (int i = 0; i < IPC_SEM_SLOTS; i++) {
        const struct ipc_sem *s = &ipc->sem[i];
        if (s->o.used && s->base < base + n && base < s->base + s->nsems) {
            base = s->base + s->nsems;
            i = -1; /* look at every set again from the new base */
        }
    }
    return base + n <= IPC_SEM_POOL ? (int64_t)base : -1;
}

int64_t ipc_semget(int32_t key, int flags, int nsems)
{
    if (nsems < 0 || nsems > IPC_SEMMSL)
        return -EINVAL;
    int fresh, slot = ipc_get_slot(ipc->sem, IPC_SEM_SLOTS, sizeof ipc->sem[0], key, flags, &fresh);
    if (slot < 0)
        return slot;
    struct ipc_sem *s = &ipc->sem[slot];
    if (!fresh)
        return (uint32_t)nsems > s->nsems ? -EINVAL : ipc_obj_id(&s->o, slot);
    int64_t base = nsems ? pool_alloc((uint32_t)nsems) : -1;
    if (!nsems)
        return -EINVAL;
    if (base < 0)
        return -ENOSPC;
    ipc_obj_create(&s->o, key, flags);
    s->otime = 0;
    s->base = (uint32_t)base, s->nsems = (uint32_t)nsems;
    memset(&ipc->pool[base], 0, (size_t)nsems * sizeof ipc->pool[0]);
    return ipc_obj_id(&s->o, slot);
}

/* Adds adj to process pid's SEM_UNDO adjustment of semaphore num of the set in slot. */
static int undo_add(pid_t pid, int slot, int num, int adj)
{
    struct ipc_undo *free_u = NULL;
    int seq = ipc->sem[slot].o.seq;
    for (int i = 0; i < IPC_SEM_UNDOS; i++) {
        struct ipc_undo *u = &ipc->undo[i];
        if (i >= ipc->undo_top) {
            free_u = free_u ? free_u : u;
            break;
        }
        if (u->pid == pid && u->slot == slot && u->seq == seq && u->semnum == num) {
            u->adj += adj;
            if (!u->adj)
                u->pid = 0;
            return 0;
        }
        if (!u->pid && !free_u)
            free_u = u;
    }
    if (!free_u)
        return -ENOMEM;
    *free_u = (struct ipc_undo){pid, slot, seq, num, adj};
    if (free_u - ipc->undo >= ipc->undo_top)
        ipc->undo_top = (int32_t)(free_u - ipc->undo) + 1;
    return 0;
}

/* SETVAL and SETALL (num -1: all of them) and IPC_RMID forget every process's adjustments. */
static void undo_forget(int slot, int num)
{
    for (int i = 0; i < ipc->undo_top; i++) {
        struct ipc_undo *u = &ipc->undo[i];
        if (u->pid && u->slot == slot && (num < 0 || u->semnum == num))
            u->pid = 0;
    }
}

/* One try at the whole of ops: 0 done, 1 would wait (*blocker: the op), or -errno; undone unless 0. */
static int semop_try(struct ipc_sem *s, const struct linux_sembuf *ops, int nops, int *blocker)
{
    struct ipc_semval *v = &ipc->pool[s->base];
    int i, r = 0;
    for (i = 0; i < nops && !r; i++) {
        int val = v[ops[i].sem_num].val, op = ops[i].sem_op;
        if ((op > 0 && val + op > IPC_SEMVMX))
            r = -ERANGE;
        else if ((op < 0 && val < -op) || (op == 0 && val != 0))
            r = (ops[i].sem_flg & LINUX_IPC_NOWAIT) ? -EAGAIN : 1, *blocker = i;
        else
            v[ops[i].sem_num].val = (uint16_t)(val + op);
    }
    if (r)
        for (i -= 2; i >= 0; i--)
            v[ops[i].sem_num].val = (uint16_t)(v[ops[i].sem_num].val - ops[i].sem_op);
    return r;
}

static void semop_done(int slot, const struct linux_sembuf *ops, int nops)
{
    struct ipc_sem *s = &ipc->sem[slot];
    for (int i = 0; i < nops; i++) {
        ipc->pool[s->base + ops[i].sem_num].pid = getpid();
        if ((ops[i].sem_flg & LINUX_SEM_UNDO) && ops[i].sem_op)
            undo_add(getpid(), slot, ops[i].sem_num, -ops[i].sem_op);
    }
    s->otime = ipc_now();
    ipc_changed();
}

/* Counts a waiter on the semaphore op waits for (semncnt or semzcnt) while it waits. */
static int semop_wait(int32_t id, const struct linux_sembuf *op, int64_t deadline)
{
    int slot;
    struct ipc_sem *s = set_find(id, &slot);
    struct ipc_semval *v = &ipc->pool[s->base + op->sem_num];
    uint16_t *cnt = op->sem_op ? &v->ncnt : &v->zcnt;
    (*cnt)++;
    int r = ipc_wait(deadline);
    if (set_find(id, &slot) != s)
        return -EIDRM;
    (*cnt)--;
    return r;
}

int64_t ipc_semop(int32_t id, const struct linux_sembuf *ops, int nops, int64_t deadline, int nowait)
{
    int slot, blocker, alter = 0;
    if (nops < 1)
        return -EINVAL;
    if (nops > IPC_SEMOPM)
        return -E2BIG;
    struct ipc_sem *s = set_find(id, &slot);
    if (!s)
        return -EINVAL;
    for (int i = 0; i < nops; i++) {
        if (ops[i].sem_num >= s->nsems)
            return -EFBIG;
        alter |= ops[i].sem_op != 0;
    }
    if (ipc_may(&s->o, alter ? 2 : 4))
        return -EACCES;
    int r;
    while ((r = semop_try(s, ops, nops, &blocker)) == 1) {
        if (nowait)
            return -BVM_IPC_WOULD_WAIT;
        if ((r = semop_wait(id, &ops[blocker], deadline)) < 0)
            return r;
    }
    if (!r)
        semop_done(slot, ops, nops);
    return r;
}

static int64_t sem_info(int cmd, uint8_t *buf, uint64_t len)
{
    struct linux_seminfo si = {.semmap = IPC_SEM_POOL, .semmni = IPC_SEM_SLOTS, .semmns = IPC_SEM_POOL,
                               .semmnu = IPC_SEM_UNDOS, .semmsl = IPC_SEMMSL, .semopm = IPC_SEMOPM,
                               .semume = IPC_SEMOPM, .semusz = 20, .semvmx = IPC_SEMVMX, .semaem = IPC_SEMVMX};
    int top = 0;
    if (len < sizeof si)
        return -EFAULT;
    if (cmd == LINUX_SEM_INFO)
        si.semusz = si.semaem = 0;
    for (int i = 0; i < IPC_SEM_SLOTS; i++) {
        if (!ipc->sem[i].o.used)
            continue;
        top = i;
        if (cmd == LINUX_SEM_INFO)
            si.semusz++, si.semaem += (int32_t)ipc->sem[i].nsems;
    }
    memcpy(buf, &si, sizeof si);
    return top;
}

static int64_t sem_stat(int slot, int cmd, uint8_t *buf, uint64_t len)
{
    const struct ipc_sem *s = &ipc->sem[slot];
    struct linux_semid64_ds d = {.sem_perm = s->o.perm, .sem_otime = s->otime, .sem_ctime = s->o.ctime,
                                 .sem_nsems = s->nsems};
    if (len < sizeof d)
        return -EFAULT;
    if (cmd != LINUX_SEM_STAT_ANY && ipc_may(&s->o, 4))
        return -EACCES;
    memcpy(buf, &d, sizeof d);
    return cmd == LINUX_IPC_STAT ? 0 : ipc_obj_id(&s->o, slot);
}

/* GETALL and SETALL: the values as Linux's unsigned short array. */
static int64_t sem_all(int slot, int cmd, uint8_t *buf, uint64_t len)
{
    struct ipc_sem *s = &ipc->sem[slot];
    struct ipc_semval *v = &ipc->pool[s->base];
    if (len < (uint64_t)s->nsems * 2)
        return -EFAULT;
    if (ipc_may(&s->o, cmd == LINUX_GETALL ? 4 : 2))
        return -EACCES;
    for (uint32_t i = 0; i < s->nsems; i++) {
        uint16_t x = v[i].val;
        if (cmd == LINUX_GETALL) {
            memcpy(buf + 2 * i, &x, 2);
            continue;
        }
        memcpy(&x, buf + 2 * i, 2);
        if (x > IPC_SEMVMX)
            return -ERANGE; /* before any is set: Linux checks them all first */
    }
    if (cmd == LINUX_SETALL) {
        for (uint32_t i = 0; i < s->nsems; i++)
            memcpy(&v[i].val, buf + 2 * i, 2), v[i].pid = getpid();
        undo_forget(slot, -1);
        s->o.ctime = ipc_now();
        ipc_changed();
    }
    return 0;
}

/* GETVAL, GETPID, GETNCNT, GETZCNT and SETVAL of one semaphore. */
static int64_t sem_one(int slot, int num, int cmd, int64_t val)
{
    struct ipc_sem *s = &ipc->sem[slot];
    if (num < 0 || (uint32_t)num >= s->nsems)
        return -EINVAL;
    if (ipc_may(&s->o, cmd == LINUX_SETVAL ? 2 : 4))
        return -EACCES;
    struct ipc_semval *v = &ipc->pool[s->base + num];
    switch (cmd) {
    case LINUX_GETVAL:
        return v->val;
    case LINUX_GETPID:
        return v->pid;
    case LINUX_GETNCNT:
        return v->ncnt;
    case LINUX_GETZCNT:
        return v->zcnt;
    }
    if ((int32_t)val < 0 || (int32_t)val > IPC_SEMVMX)
        return -ERANGE;
    v->val = (uint16_t)val, v->pid = getpid();
    undo_forget(slot, num);
    s->o.ctime = ipc_now();
    ipc_changed();
    return 0;
}

int64_t ipc_semctl(int32_t id, int semnum, int cmd, int64_t val, uint8_t *buf, uint64_t len)
{
    int slot;
    cmd &= ~LINUX_IPC_64;
    if (cmd == LINUX_IPC_INFO || cmd == LINUX_SEM_INFO)
        return sem_info(cmd, buf, len);
    struct ipc_sem *s = (struct ipc_sem *)ipc_ctl_find(ipc->sem, IPC_SEM_SLOTS, sizeof ipc->sem[0], id,
                                                       cmd == LINUX_SEM_STAT || cmd == LINUX_SEM_STAT_ANY, &slot);
    if (!s)
        return -EINVAL;
    switch (cmd) {
    case LINUX_IPC_STAT:
    case LINUX_SEM_STAT:
    case LINUX_SEM_STAT_ANY:
        return sem_stat(slot, cmd, buf, len);
    case LINUX_GETALL:
    case LINUX_SETALL:
        return sem_all(slot, cmd, buf, len);
    case LINUX_GETVAL:
    case LINUX_GETPID:
    case LINUX_GETNCNT:
    case LINUX_GETZCNT:
    case LINUX_SETVAL:
        return sem_one(slot, semnum, cmd, val);
    case LINUX_IPC_SET: {
        struct linux_semid64_ds d;
        if (len < sizeof d)
            return -EFAULT;
        if (ipc_may_own(&s->o))
            return -EPERM;
        memcpy(&d, buf, sizeof d);
        ipc_obj_set(&s->o, &d.sem_perm);
        return 0;
    }
    case LINUX_IPC_RMID:
        if (ipc_may_own(&s->o))
            return -EPERM;
        s->o.used = 0;
        undo_forget(slot, -1);
        ipc_changed(); /* its waiters see EIDRM */
        return 0;
    }
    return -EINVAL;
}

/* Applies and forgets process pid's adjustments (clamped to [0, SEMVMX], as Linux does). */
void ipc_sem_gone(pid_t pid)
{
    for (int i = 0; i < ipc->undo_top; i++) {
        struct ipc_undo *u = &ipc->undo[i];
        if (u->pid != pid)
            continue;
        u->pid = 0;
        struct ipc_sem *s = &ipc->sem[u->slot];
        if (!s->o.used || s->o.seq != u->seq || (uint32_t)u->semnum >= s->nsems)
            continue;
        struct ipc_semval *v = &ipc->pool[s->base + u->semnum];
        int x = v->val + u->adj;
        v->val = (uint16_t)(x < 0 ? 0 : x > IPC_SEMVMX ? IPC_SEMVMX : x);
        v->pid = pid;
    }
}
