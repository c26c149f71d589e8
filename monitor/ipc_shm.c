/* ipc_shm.c: System V shared memory. Segment slot i is the memfd's range [i * IPC_SHM_MAX, +size):
 * the kernel maps it as a shared file mapping, so every process attached sees the same pages. The
 * store counts attachments per process, so that a removed segment goes with its last one (even
 * when a process was killed), and its pages are freed then. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

static struct ipc_shm *seg_find(int32_t id, int *slot)
{
    return (struct ipc_shm *)ipc_obj_find(ipc->shm, IPC_SHM_SLOTS, sizeof ipc->shm[0], id, slot);
}

static void seg_destroy(int slot)
{
    ipc->shm[slot].o.used = 0;
    fallocate(ipc_shm_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(slot * IPC_SHM_MAX),
              (off_t)IPC_SHM_MAX);
}

int64_t ipc_shmget(int32_t key, int flags, uint64_t size)
{
    int fresh, slot = ipc_get_slot(ipc->shm, IPC_SHM_SLOTS, sizeof ipc->shm[0], key, flags, &fresh);
    if (slot < 0) /* Linux checks a new segment's size before it looks for room */
        return slot == -ENOSPC && (size < 1 || size > IPC_SHM_MAX) ? -EINVAL : slot;
    struct ipc_shm *m = &ipc->shm[slot];
    if (!fresh)
        return size > m->size ? -EINVAL : ipc_obj_id(&m->o, slot);
    if (size < 1 || size > IPC_SHM_MAX)
        return -EINVAL;
    if (ipc_shm_fd < 0)
        return -ENOMEM;
    ipc_obj_create(&m->o, key, flags);
    m->size = size;
    m->atime = m->dtime = 0;
    m->cpid = getpid(), m->lpid = 0;
    m->nattch = 0;
    return ipc_obj_id(&m->o, slot);
}

/* Adds n to process pid's attachments of the segment in slot (n may be negative). */
static int att_add(pid_t pid, int slot, int n)
{
    struct ipc_att *free_a = NULL;
    int seq = ipc->shm[slot].o.seq;
    for (int i = 0; i < IPC_SHM_ATTS; i++) {
        struct ipc_att *a = &ipc->att[i];
        if (i >= ipc->att_top) {
            free_a = free_a ? free_a : a;
            break;
        }
        if (a->pid == pid && a->slot == slot && a->seq == seq) {
            a->count += n;
            if (a->count <= 0)
                a->pid = 0;
            return 0;
        }
        if (!a->pid && !free_a)
            free_a = a;
    }
    if (n < 0)
        return 0;
    if (!free_a)
        return -ENOMEM;
    *free_a = (struct ipc_att){pid, slot, seq, n};
    if (free_a - ipc->att >= ipc->att_top)
        ipc->att_top = (int32_t)(free_a - ipc->att) + 1;
    return 0;
}

/* n attachments of the segment in slot have gone: the last one of a removed segment frees it. */
static void seg_detached(int slot, pid_t pid, uint64_t n)
{
    struct ipc_shm *m = &ipc->shm[slot];
    m->nattch = m->nattch > n ? m->nattch - n : 0;
    m->dtime = ipc_now(), m->lpid = pid;
    if (!m->nattch && (m->o.perm.mode & LINUX_SHM_DEST))
        seg_destroy(slot);
}

int64_t ipc_shmat(int32_t id, int flags, uint64_t *offset, uint64_t *size, int32_t *key)
{
    int slot;
    struct ipc_shm *m = seg_find(id, &slot);
    if (!m)
        return -EINVAL;
    int want = (flags & LINUX_SHM_RDONLY ? 4 : 6) | (flags & LINUX_SHM_EXEC ? 1 : 0);
    if (ipc_may(&m->o, want))
        return -EACCES;
    int fd = fcntl(ipc_shm_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (att_add(getpid(), slot, 1) < 0) {
        close(fd);
        return -ENOMEM;
    }
    m->nattch++;
    m->atime = ipc_now(), m->lpid = getpid();
    *offset = (uint64_t)slot * IPC_SHM_MAX, *size = m->size, *key = m->o.perm.key;
    return fd;
}

int64_t ipc_shmdt(int32_t id)
{
    int slot;
    if (!seg_find(id, &slot))
        return 0; /* nothing counted any more */
    att_add(getpid(), slot, -1);
    seg_detached(slot, getpid(), 1);
    return 0;
}

static int64_t shm_info(int cmd, uint8_t *buf, uint64_t len)
{
    struct linux_shminfo64 si = {.shmmax = IPC_SHM_MAX, .shmmin = 1, .shmmni = IPC_SHM_SLOTS,
                                 .shmseg = IPC_SHM_SLOTS, .shmall = IPC_SHM_SLOTS * (IPC_SHM_MAX >> 12)};
    struct linux_shm_info su = {0};
    int top = 0;
    if (len < (cmd == LINUX_IPC_INFO ? sizeof si : sizeof su))
        return -EFAULT;
    for (int i = 0; i < IPC_SHM_SLOTS; i++) {
        if (!ipc->shm[i].o.used)
            continue;
        top = i;
        su.used_ids++;
        su.shm_tot += (ipc->shm[i].size + 4095) >> 12;
    }
    if (cmd == LINUX_IPC_INFO)
        memcpy(buf, &si, sizeof si);
    else
        memcpy(buf, &su, sizeof su);
    return top;
}

static int64_t shm_stat(int slot, int cmd, uint8_t *buf, uint64_t len)
{
    const struct ipc_shm *m = &ipc->shm[slot];
    struct linux_shmid64_ds d = {.shm_perm = m->o.perm, .shm_segsz = m->size, .shm_atime = m->atime,
                                 .shm_dtime = m->dtime, .shm_ctime = m->o.ctime, .shm_cpid = m->cpid,
                                 .shm_lpid = m->lpid, .shm_nattch = m->nattch};
    if (len < sizeof d)
        return -EFAULT;
    if (cmd != LINUX_SHM_STAT_ANY && ipc_may(&m->o, 4))
        return -EACCES;
    memcpy(buf, &d, sizeof d);
    return cmd == LINUX_IPC_STAT ? 0 : ipc_obj_id(&m->o, slot);
}

/* IPC_SET, IPC_RMID, SHM_LOCK and SHM_UNLOCK: the owner's (or root's). */
static int64_t shm_own(int slot, int cmd, const uint8_t *buf, uint64_t len)
{
    struct ipc_shm *m = &ipc->shm[slot];
    if (ipc_may_own(&m->o))
        return -EPERM;
    if (cmd == LINUX_IPC_SET) {
        struct linux_shmid64_ds d;
        if (len < sizeof d)
            return -EFAULT;
        memcpy(&d, buf, sizeof d);
        ipc_obj_set(&m->o, &d.shm_perm);
    } else if (cmd == LINUX_IPC_RMID) {
        m->o.perm.mode |= LINUX_SHM_DEST;
        m->o.perm.key = LINUX_IPC_PRIVATE; /* a later shmget of the key makes a new one */
        if (!m->nattch)
            seg_destroy(slot);
    } else if (cmd == LINUX_SHM_LOCK) {
        m->o.perm.mode |= LINUX_SHM_LOCKED;
    } else {
        m->o.perm.mode &= (uint16_t)~LINUX_SHM_LOCKED;
    }
    return 0;
}

int64_t ipc_shmctl(int32_t id, int cmd, uint8_t *buf, uint64_t len)
{
    int slot;
    cmd &= ~LINUX_IPC_64;
    if (cmd == LINUX_IPC_INFO || cmd == LINUX_SHM_INFO)
        return shm_info(cmd, buf, len);
    if (!ipc_ctl_find(ipc->shm, IPC_SHM_SLOTS, sizeof ipc->shm[0], id,
                      cmd == LINUX_SHM_STAT || cmd == LINUX_SHM_STAT_ANY, &slot))
        return -EINVAL;
    switch (cmd) {
    case LINUX_IPC_STAT:
    case LINUX_SHM_STAT:
    case LINUX_SHM_STAT_ANY:
        return shm_stat(slot, cmd, buf, len);
    case LINUX_IPC_SET:
    case LINUX_IPC_RMID:
    case LINUX_SHM_LOCK:
    case LINUX_SHM_UNLOCK:
        return shm_own(slot, cmd, buf, len);
    }
    return -EINVAL;
}

/* Drops every attachment of process pid (it ended, or ran a new program). */
void ipc_shm_gone(pid_t pid)
{
    for (int i = 0; i < ipc->att_top; i++) {
        struct ipc_att a = ipc->att[i];
        if (a.pid != pid)
            continue;
        ipc->att[i].pid = 0;
        if (ipc->shm[a.slot].o.used && ipc->shm[a.slot].o.seq == a.seq)
            seg_detached(a.slot, pid, (uint64_t)a.count);
    }
}

void ipc_shm_exec(void)
{
    ipc_shm_gone(getpid());
}

void ipc_shm_forked(pid_t parent, pid_t child)
{
    for (int i = 0; i < ipc->att_top; i++) {
        struct ipc_att a = ipc->att[i];
        if (a.pid != parent || !ipc->shm[a.slot].o.used || ipc->shm[a.slot].o.seq != a.seq)
            continue;
        if (att_add(child, a.slot, a.count) == 0)
            ipc->shm[a.slot].nattch += (uint64_t)a.count;
    }
}
