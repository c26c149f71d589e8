/* hostcall_ipc.c: BVM_HC_IPC: the kernel's System V IPC calls, served from the run's store (ipc.h)
 * with the request's buffer checked once and copied where it is read more than once. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hostcall.h"
#include "ipc.h"

/* The largest buffer an op takes: GETALL/SETALL of IPC_SEMMSL values; a message and its type. */
#define IPC_BUF_MAX (IPC_SEMMSL * 2u)
_Static_assert(IPC_BUF_MAX >= IPC_MSGMAX + 8, "a message fits");

static int64_t ipc_semop_req(const struct bvm_hc_ipc *a, const uint8_t *buf)
{
    struct linux_sembuf ops[IPC_SEMOPM];
    if (a->arg < 1 || a->arg > IPC_SEMOPM)
        return a->arg < 1 ? -EINVAL : -E2BIG;
    if (a->buf_len != (uint64_t)a->arg * sizeof ops[0])
        return -EINVAL;
    memcpy(ops, buf, a->buf_len); /* read at every try: not from guest memory */
    return ipc_semop(a->id, ops, a->arg, a->deadline, a->nowait);
}

static int64_t ipc_shmat_req(struct hc_ctx *c, const struct bvm_hc_ipc *a, uint8_t *buf)
{
    struct bvm_ipc_shmat out;
    int32_t key;
    if (a->buf_len != sizeof out)
        return -EINVAL;
    int64_t fd = ipc_shmat(a->id, a->flags, &out.offset, &out.size, &key);
    if (fd < 0)
        return fd;
    out.key = key;
    memcpy(buf, &out, sizeof out);
    return hc_fd_adopt(c, (int)fd);
}

static int64_t ipc_dispatch(struct hc_ctx *c, const struct bvm_hc_ipc *a, uint8_t *buf)
{
    switch (a->op) {
    case BVM_IPC_MSGGET:
        return ipc_msgget(a->id, a->flags);
    case BVM_IPC_MSGSND:
        return ipc_msgsnd(a->id, a->flags, buf, a->buf_len, a->nowait);
    case BVM_IPC_MSGRCV:
        return ipc_msgrcv(a->id, a->flags, a->val, buf, a->buf_len, a->nowait);
    case BVM_IPC_MSGCTL:
        return ipc_msgctl(a->id, a->flags, buf, a->buf_len);
    case BVM_IPC_SEMGET:
        return ipc_semget(a->id, a->flags, a->arg);
    case BVM_IPC_SEMOP:
        return ipc_semop_req(a, buf);
    case BVM_IPC_SEMCTL:
        return ipc_semctl(a->id, a->arg, a->flags, a->val, buf, a->buf_len);
    case BVM_IPC_SHMGET:
        return a->val < 0 ? -EINVAL : ipc_shmget(a->id, a->flags, (uint64_t)a->val);
    case BVM_IPC_SHMAT:
        return ipc_shmat_req(c, a, buf);
    case BVM_IPC_SHMDT:
        return ipc_shmdt(a->id);
    case BVM_IPC_SHMCTL:
        return ipc_shmctl(a->id, a->flags, buf, a->buf_len);
    case BVM_IPC_EXEC:
        ipc_shm_exec();
        return 0;
    }
    return -EINVAL;
}

int64_t hc_ipc(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_ipc *a = &r->u.ipc;
    uint8_t *buf = NULL;
    if (a->buf_len > IPC_BUF_MAX || a->op > BVM_IPC_EXEC || a->nowait > 1)
        return -EINVAL;
    if (a->buf_len && !(buf = gm_ptr_w(c->gm, a->buf_gpa, a->buf_len)))
        return -EFAULT;
    if (a->op == BVM_IPC_EXEC && !ipc)
        return 0; /* nothing was ever attached */
    int err = ipc_init();
    if (err)
        return err;
    ipc_lock();
    int64_t ret = ipc_dispatch(c, a, buf);
    ipc_unlock();
    if (buf)
        gm_written(c->gm, a->buf_gpa, a->buf_len);
    return ret;
}
