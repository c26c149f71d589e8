/* sys_ipc.c: System V IPC (msg*, sem*, shm*): the objects are the run's, kept by the monitor
 * (BVM_HC_IPC); the kernel copies the program's buffers, waits where Linux waits, and maps shared
 * memory segments as shared file mappings of the monitor's segment memory. */
#include "bvm_linux.h"
#include "events.h"
#include "fmt.h"
#include "hostcall.h"
#include "ktime.h"
#include "mm.h"
#include "mm_shared.h"
#include "procfs.h"
#include "sched.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"

#define IPC_MSGMAX 8192  /* the monitor's limits (ipc.h) */
#define IPC_SEMOPM 500
#define IPC_SEMMSL 32000
#define IPC_SHM_MAX (4ull << 30) /* each segment's range of the monitor's memfd starts at a multiple */

/* The one buffer of a call's data (single vCPU: one hostcall at a time). A thread that waits in the
 * kernel between tries fills it again before each (another thread may have used it meanwhile), and
 * takes a result out before it can let another run. */
static uint8_t ipc_buf[IPC_BUF_SIZE] __attribute__((aligned(4096)));
_Static_assert(IPC_BUF_SIZE >= IPC_SEMMSL * 2 && IPC_BUF_SIZE >= IPC_MSGMAX + 8, "GETALL and a message fit");

uint8_t *ipc_buffer(void)
{
    return ipc_buf;
}
static bool sysv_attached; /* this process attached a segment since its last exec (fork keeps it) */

static int64_t ipc_call(uint32_t op, int32_t id, int32_t flags, int32_t arg, int64_t val, uint64_t len,
                        int64_t deadline, bool nowait)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_IPC);
    r->u.ipc = (struct bvm_hc_ipc){op, id, flags, arg, val, len ? kva_to_gpa(ipc_buf) : 0, len, deadline,
                                   nowait, 0};
    return hc_issue();
}

static bool deadline_passed(int64_t deadline)
{
    int64_t now = clock_now_ns(LINUX_CLOCK_MONOTONIC);
    return deadline >= 0 && now >= 0 && now >= deadline;
}

int64_t ipc_retry(int64_t (*call)(void *req, bool nowait), void *req, uint64_t uin, uint64_t len,
                  int64_t deadline, int64_t interrupted)
{
    for (;;) {
        if (uin && copy_from_user(ipc_buf, uin, len))
            return -LINUX_EFAULT;
        int64_t r = call(req, sched_threaded());
        if (r == -BVM_IPC_WOULD_WAIT) {
            if (deadline_passed(deadline))
                return -LINUX_EAGAIN;
            if (sched_nap() < 0)
                return interrupted;
            continue;
        }
        if (r != -LINUX_EINTR)
            return r;
        if (events_interrupted())
            return interrupted;
    }
}

static int64_t ipc_try(void *req, bool nowait)
{
    struct bvm_hostcall *r = hc_req(BVM_HC_IPC);
    r->u.ipc = *(const struct bvm_hc_ipc *)req;
    r->u.ipc.nowait = nowait;
    return hc_issue();
}

/* msgsnd, msgrcv and semop. A handled signal ends the wait with EINTR: Linux never restarts these. */
static int64_t ipc_waiting_call(uint32_t op, int32_t id, int32_t flags, int32_t arg, int64_t val, uint64_t len,
                                int64_t deadline, uint64_t uin)
{
    struct bvm_hc_ipc req = {op, id, flags, arg, val, kva_to_gpa(ipc_buf), len, deadline, 0, 0};
    return ipc_retry(ipc_try, &req, uin, len, deadline, -LINUX_EINTR);
}

int64_t sys_msgget(SYSARGS)
{
    return ipc_call(BVM_IPC_MSGGET, (int32_t)a0, (int32_t)a1, 0, 0, 0, -1, false);
}

int64_t sys_msgsnd(SYSARGS)
{
    int64_t size = (int64_t)a2;
    if (size < 0 || size > IPC_MSGMAX)
        return -LINUX_EINVAL;
    return ipc_waiting_call(BVM_IPC_MSGSND, (int32_t)a0, (int32_t)a3, 0, 0, 8 + (uint64_t)size, -1, a1);
}

int64_t sys_msgrcv(SYSARGS)
{
    int64_t size = (int64_t)a2;
    if (size < 0)
        return -LINUX_EINVAL;
    uint64_t len = 8 + (uint64_t)MIN(size, IPC_MSGMAX); /* no message is longer */
    int64_t n = ipc_waiting_call(BVM_IPC_MSGRCV, (int32_t)a0, (int32_t)a4, 0, (int64_t)a3, len, -1, 0);
    if (n >= 0 && copy_to_user(a1, ipc_buf, 8 + (uint64_t)n))
        return -LINUX_EFAULT; /* the message is gone, as on Linux */
    return n;
}

/* *ctl: the size of the struct cmd reads (in > 0) or writes (in < 0), 0 for none; -1: unknown. */
static int64_t ctl_size(int cmd, int stat_len, const int *stat_cmds, int info_len, const int *info_cmds)
{
    cmd &= ~LINUX_IPC_64;
    if (cmd == LINUX_IPC_SET)
        return stat_len;
    for (int i = 0; i < 3; i++)
        if (cmd == stat_cmds[i])
            return -stat_len;
    for (int i = 0; i < 2; i++)
        if (cmd == info_cmds[i])
            return -(info_cmds[i] == LINUX_SHM_INFO ? (int64_t)sizeof(struct linux_shm_info) : info_len);
    return 0;
}

/* msgctl and shmctl (and semctl's struct commands): copies the struct in or out around the call. */
static int64_t ctl_call(uint32_t op, int32_t id, int cmd, int32_t arg, uint64_t ubuf, int64_t size)
{
    uint64_t len = (uint64_t)(size < 0 ? -size : size);
    if (size > 0 && copy_from_user(ipc_buf, ubuf, len))
        return -LINUX_EFAULT;
    int64_t r = ipc_call(op, id, cmd, arg, 0, len, -1, false);
    if (r >= 0 && size < 0 && copy_to_user(ubuf, ipc_buf, len))
        return -LINUX_EFAULT;
    return r;
}

int64_t sys_msgctl(SYSARGS)
{
    static const int stat[3] = {LINUX_IPC_STAT, LINUX_MSG_STAT, LINUX_MSG_STAT_ANY};
    static const int info[2] = {LINUX_IPC_INFO, LINUX_MSG_INFO};
    int64_t size = ctl_size((int)a1, sizeof(struct linux_msqid64_ds), stat, sizeof(struct linux_msginfo), info);
    return ctl_call(BVM_IPC_MSGCTL, (int32_t)a0, (int)a1, 0, a2, size);
}

int64_t sys_semget(SYSARGS)
{
    return ipc_call(BVM_IPC_SEMGET, (int32_t)a0, (int32_t)a2, (int32_t)a1, 0, 0, -1, false);
}

/* semop and semtimedop: timeout (a relative struct timespec, or 0) becomes a monotonic deadline. */
static int64_t semop_common(int32_t id, uint64_t sops, uint64_t nsops, uint64_t timeout)
{
    int64_t deadline = -1;
    if (nsops < 1)
        return -LINUX_EINVAL;
    if (nsops > IPC_SEMOPM)
        return -LINUX_E2BIG;
    if (timeout) {
        int64_t ns, err = ts_from_user(timeout, &ns), now = clock_now_ns(LINUX_CLOCK_MONOTONIC);
        if (err)
            return err;
        if (now < 0)
            return -LINUX_EINVAL;
        deadline = ns + now;
    }
    return ipc_waiting_call(BVM_IPC_SEMOP, id, 0, (int32_t)nsops, 0, nsops * sizeof(struct linux_sembuf), deadline,
                            sops);
}

int64_t sys_semop(SYSARGS)
{
    return semop_common((int32_t)a0, a1, a2, 0);
}

int64_t sys_semtimedop(SYSARGS)
{
    return semop_common((int32_t)a0, a1, a2, a3);
}

/* GETALL and SETALL: the set's size first (SEM_STAT_ANY of its slot: no permission asked). */
static int64_t sem_array(int32_t id, int cmd, uint64_t uarr)
{
    if (id < 0)
        return -LINUX_EINVAL;
    int64_t r = ipc_call(BVM_IPC_SEMCTL, id % 32768, LINUX_SEM_STAT_ANY, 0, 0, sizeof(struct linux_semid64_ds), -1,
                         false);
    if (r != id)
        return -LINUX_EINVAL;
    uint64_t len = ((const struct linux_semid64_ds *)ipc_buf)->sem_nsems * 2;
    if (cmd == LINUX_SETALL && copy_from_user(ipc_buf, uarr, len))
        return -LINUX_EFAULT;
    r = ipc_call(BVM_IPC_SEMCTL, id, cmd, 0, 0, len, -1, false);
    if (r >= 0 && cmd == LINUX_GETALL && copy_to_user(uarr, ipc_buf, len))
        return -LINUX_EFAULT;
    return r;
}

int64_t sys_semctl(SYSARGS)
{
    static const int stat[3] = {LINUX_IPC_STAT, LINUX_SEM_STAT, LINUX_SEM_STAT_ANY};
    static const int info[2] = {LINUX_IPC_INFO, LINUX_SEM_INFO};
    int cmd = (int)a2 & ~LINUX_IPC_64;
    if (cmd == LINUX_GETALL || cmd == LINUX_SETALL)
        return sem_array((int32_t)a0, cmd, a3);
    if (cmd == LINUX_SETVAL) /* union semun's int, in the register */
        return ipc_call(BVM_IPC_SEMCTL, (int32_t)a0, cmd, (int32_t)a1, (int32_t)a3, 0, -1, false);
    int64_t size = ctl_size(cmd, sizeof(struct linux_semid64_ds), stat, sizeof(struct linux_seminfo), info);
    return ctl_call(BVM_IPC_SEMCTL, (int32_t)a0, cmd, (int32_t)a1, a3, size);
}

int64_t sys_shmget(SYSARGS)
{
    if (a1 > (uint64_t)INT64_MAX)
        return -LINUX_EINVAL;
    return ipc_call(BVM_IPC_SHMGET, (int32_t)a0, (int32_t)a2, 0, (int64_t)a1, 0, -1, false);
}

int64_t sys_shmctl(SYSARGS)
{
    static const int stat[3] = {LINUX_IPC_STAT, LINUX_SHM_STAT, LINUX_SHM_STAT_ANY};
    static const int info[2] = {LINUX_IPC_INFO, LINUX_SHM_INFO};
    int64_t size = ctl_size((int)a1, sizeof(struct linux_shmid64_ds), stat, sizeof(struct linux_shminfo64), info);
    return ctl_call(BVM_IPC_SHMCTL, (int32_t)a0, (int)a1, 0, a2, size);
}

/* Where shmat puts a segment of len bytes: addr rounded (SHM_RND) or as given, over nothing
 * unless SHM_REMAP; else a free range. The address or -errno. */
static int64_t shmat_place(uint64_t addr, uint64_t len, int flags)
{
    if (!addr)
        return (flags & LINUX_SHM_REMAP) ? -LINUX_EINVAL : mmap_place(0, len, 0);
    if (flags & LINUX_SHM_RND)
        addr &= ~(uint64_t)(LINUX_SHMLBA - 1);
    if (!(flags & LINUX_SHM_REMAP) && !vma_range_free(&cur_as->vmas, addr, addr + len))
        return -LINUX_EINVAL;
    int64_t at = mmap_place(addr, len, LINUX_MAP_FIXED);
    return at == -LINUX_EPERM || at == -LINUX_ENOMEM ? -LINUX_EINVAL : at;
}

int64_t sys_shmat(SYSARGS)
{
    int32_t id = (int32_t)a0;
    int flags = (int)a2;
    struct bvm_ipc_shmat seg;
    if (a1 && !(flags & LINUX_SHM_RND) && (a1 & (LINUX_SHMLBA - 1)))
        return -LINUX_EINVAL;
    int64_t host = ipc_call(BVM_IPC_SHMAT, id, flags, 0, 0, sizeof seg, -1, false);
    if (host < 0)
        return host;
    memcpy(&seg, ipc_buf, sizeof seg);
    uint64_t len = PAGE_UP(seg.size);
    bool rdonly = (flags & LINUX_SHM_RDONLY) != 0;
    uint32_t prot = LINUX_PROT_READ | (rdonly ? 0 : LINUX_PROT_WRITE) | (flags & LINUX_SHM_EXEC ? LINUX_PROT_EXEC : 0);
    char name[40];
    ksnprintf(name, sizeof name, "/SYSV%08x (deleted)", (uint32_t)seg.key);
    int64_t at = shmat_place(a1, len, flags);
    int err = at < 0 ? (int)at : mm_shared_sysv((uint64_t)at, len, prot, (int)host, !rdonly, seg.offset,
                                                 procfs_file_named(name, 1, (uint64_t)(uint32_t)id));
    if (at < 0)
        hc_close((int)host);
    if (err) {
        ipc_call(BVM_IPC_SHMDT, id, 0, 0, 0, 0, -1, false);
        return err;
    }
    sysv_attached = true;
    return at;
}

/* The attachment that starts at addr: its VMAs (split by mprotect or not) up to where its pages end. */
int64_t sys_shmdt(SYSARGS)
{
    uint64_t addr = a0, end = addr;
    struct vma *v = vma_find(&cur_as->vmas, addr);
    if (!v || v->start != addr || !(v->flags & VMA_SYSV) || v->pgoff % IPC_SHM_MAX)
        return -LINUX_EINVAL; /* not where an attachment starts */
    const struct vma_file *file = v->file;
    uint64_t pgoff = v->pgoff;
    while (v && v->start == end && (v->flags & VMA_SYSV) && v->file == file && v->pgoff == pgoff + (end - addr)) {
        end = v->end;
        v = vma_find(&cur_as->vmas, end);
    }
    int32_t id = file ? (int32_t)file->ino : -1;
    int err = mm_unmap(cur_as, addr, end);
    if (err)
        return err;
    ipc_call(BVM_IPC_SHMDT, id, 0, 0, 0, 0, -1, false);
    return 0;
}

void ipc_exec(void)
{
    if (sysv_attached)
        ipc_call(BVM_IPC_EXEC, 0, 0, 0, 0, 0, -1, false);
    sysv_attached = false;
}
