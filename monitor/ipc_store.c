/* ipc_store.c: the run's System V IPC store: one shared mapping made before the first fork, so
 * every monitor of the tree sees the same objects under one robust lock; ids, keys, permissions
 * and the one futex word waiters sleep on. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "ipc.h"

struct ipc_store *ipc;
int ipc_shm_fd = -1;

static int make_lock(pthread_mutex_t *m)
{
    pthread_mutexattr_t a;
    if (pthread_mutexattr_init(&a) || pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ||
        pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST))
        return -EINVAL;
    int err = pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
    return -err;
}

/* The tree's live processes: a new one, one gone (1 when it was the last). With the lock or alone. */
static void proc_add(pid_t pid)
{
    for (int i = 0; i < IPC_PROCS; i++)
        if (!ipc->procs[i]) {
            ipc->procs[i] = pid;
            ipc->nprocs++;
            ipc->procs_top = i >= ipc->procs_top ? i + 1 : ipc->procs_top;
            return;
        }
}

static int proc_gone(pid_t pid)
{
    for (int i = 0; i < ipc->procs_top; i++)
        if (ipc->procs[i] == pid) {
            ipc->procs[i] = 0;
            return --ipc->nprocs == 0;
        }
    return 0;
}

int ipc_init(void)
{
    if (ipc)
        return 0;
    /* Sparse: only the pages objects use are ever touched (the message arenas are most of it). */
    struct ipc_store *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
                               -1, 0);
    if (s == MAP_FAILED)
        return -errno;
    int err = make_lock(&s->lock);
    if (err) {
        munmap(s, sizeof *s);
        return err;
    }
    ipc = s;
    uint64_t tag = 0;
    if (getrandom(&tag, sizeof tag, 0) != sizeof tag)
        tag = (uint64_t)time(NULL);
    snprintf(s->mq_prefix, sizeof s->mq_prefix, "bvm.%d.%08x.", (int)getpid(), (unsigned)tag);
    proc_add(getpid());
    /* The segments' memory, sized once (sparse) while no RLIMIT_FSIZE of the program's applies to
     * the monitor yet; without it shmget is ENOMEM, messages and semaphores still work. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGXFSZ, &ign, &old); /* buffervm itself run under a small `ulimit -f`: EFBIG, not a kill */
    int fd = memfd_create("SYSV", MFD_CLOEXEC);
    if (fd >= 0 && ftruncate(fd, (off_t)(IPC_SHM_SLOTS * IPC_SHM_MAX)) < 0) {
        close(fd);
        fd = -1;
    }
    sigaction(SIGXFSZ, &old, NULL);
    ipc_shm_fd = fd;
    return 0;
}

void ipc_lock(void)
{
    if (pthread_mutex_lock(&ipc->lock) == EOWNERDEAD) /* a monitor died in the middle of a change */
        pthread_mutex_consistent(&ipc->lock);
}

void ipc_unlock(void)
{
    pthread_mutex_unlock(&ipc->lock);
}

void ipc_changed(void)
{
    __atomic_add_fetch(&ipc->wake, 1, __ATOMIC_SEQ_CST);
    if (ipc->waiters)
        syscall(SYS_futex, &ipc->wake, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

int ipc_wait(int64_t deadline)
{
    uint32_t seen = ipc->wake;
    struct timespec ts = {deadline / 1000000000, deadline % 1000000000};
    ipc->waiters++;
    ipc_unlock();
    long r = safe_syscall(SYS_futex, &ipc->wake, FUTEX_WAIT_BITSET, seen, deadline >= 0 ? &ts : NULL, NULL,
                          FUTEX_BITSET_MATCH_ANY);
    ipc_lock();
    ipc->waiters--;
    if (r == -ETIMEDOUT)
        return -EAGAIN;
    return r == -EINTR ? -EINTR : 0;
}

void ipc_after_fork(pid_t parent)
{
    if (!ipc)
        return;
    ipc_lock();
    proc_add(getpid());
    if (ipc->att_top) /* it is attached to its parent's segments too */
        ipc_shm_forked(parent, getpid());
    ipc_unlock();
}

void ipc_process_gone(pid_t pid)
{
    if (!ipc)
        return;
    ipc_lock();
    int last = proc_gone(pid);
    if (ipc->undo_top || ipc->att_top) {
        ipc_sem_gone(pid);
        ipc_shm_gone(pid);
        ipc_changed();
    }
    if (last)
        ipc_mq_run_ended();
    ipc_unlock();
}

int64_t ipc_now(void)
{
    return (int64_t)time(NULL);
}

int ipc_is_root(void)
{
    return geteuid() == 0; /* CAP_IPC_OWNER and CAP_SYS_ADMIN, as far as the run's ids go */
}

static struct ipc_obj *obj_at(void *objs, size_t stride, int slot)
{
    return (struct ipc_obj *)((uint8_t *)objs + (size_t)slot * stride);
}

int ipc_get_slot(void *objs, int count, size_t stride, int32_t key, int flags, int *fresh)
{
    int free_slot = -1;
    *fresh = 0;
    for (int i = 0; i < count; i++) {
        struct ipc_obj *o = obj_at(objs, stride, i);
        if (!o->used) {
            if (free_slot < 0)
                free_slot = i;
        } else if (key != LINUX_IPC_PRIVATE && o->perm.key == key) {
            if ((flags & LINUX_IPC_CREAT) && (flags & LINUX_IPC_EXCL))
                return -EEXIST;
            /* the access the caller's mode bits ask for, as Linux's ipc_check_perms */
            int want = (flags & 0444 ? 4 : 0) | (flags & 0222 ? 2 : 0);
            return ipc_may(o, want) ? -EACCES : i;
        }
    }
    if (key != LINUX_IPC_PRIVATE && !(flags & LINUX_IPC_CREAT))
        return -ENOENT;
    if (free_slot < 0)
        return -ENOSPC;
    *fresh = 1;
    return free_slot;
}

void ipc_obj_create(struct ipc_obj *o, int32_t key, int flags)
{
    uint16_t seq = (uint16_t)(o->seq + 1);
    memset(o, 0, sizeof *o);
    o->used = 1;
    o->seq = seq;
    o->perm.key = key;
    o->perm.uid = o->perm.cuid = geteuid();
    o->perm.gid = o->perm.cgid = getegid();
    o->perm.mode = (uint16_t)(flags & 0777);
    o->perm.seq = seq;
    o->ctime = ipc_now();
}

int32_t ipc_obj_id(const struct ipc_obj *o, int slot)
{
    return (int32_t)((o->seq % (INT32_MAX / IPC_SEQ_MULT)) * IPC_SEQ_MULT + slot);
}

struct ipc_obj *ipc_obj_find(void *objs, int count, size_t stride, int32_t id, int *slot)
{
    if (id < 0 || id % IPC_SEQ_MULT >= count)
        return NULL;
    struct ipc_obj *o = obj_at(objs, stride, id % IPC_SEQ_MULT);
    if (!o->used || ipc_obj_id(o, id % IPC_SEQ_MULT) != id)
        return NULL;
    *slot = id % IPC_SEQ_MULT;
    return o;
}

struct ipc_obj *ipc_ctl_find(void *objs, int count, size_t stride, int32_t id, int by_slot, int *slot)
{
    if (!by_slot)
        return ipc_obj_find(objs, count, stride, id, slot);
    if (id < 0 || id >= count || !obj_at(objs, stride, id)->used)
        return NULL;
    *slot = id;
    return obj_at(objs, stride, id);
}

static int in_group(gid_t g)
{
    gid_t groups[NGROUPS_MAX];
    int n = getgroups(NGROUPS_MAX, groups);
    if (g == getegid())
        return 1;
    for (int i = 0; i < n; i++)
        if (groups[i] == g)
            return 1;
    return 0;
}

int ipc_may(const struct ipc_obj *o, int want)
{
    uid_t e = geteuid();
    int granted = o->perm.mode;
    if (e == o->perm.cuid || e == o->perm.uid)
        granted >>= 6;
    else if (in_group(o->perm.cgid) || in_group(o->perm.gid))
        granted >>= 3;
    return (want & ~granted & 7) && !ipc_is_root() ? -EACCES : 0;
}

int ipc_may_own(const struct ipc_obj *o)
{
    uid_t e = geteuid();
    return e == o->perm.cuid || e == o->perm.uid || ipc_is_root() ? 0 : -EPERM;
}

void ipc_obj_set(struct ipc_obj *o, const struct linux_ipc64_perm *s)
{
    o->perm.uid = s->uid;
    o->perm.gid = s->gid;
    o->perm.mode = (uint16_t)((o->perm.mode & ~0777) | (s->mode & 0777));
    o->ctime = ipc_now();
}
