/* ipc.h: System V IPC for one buffervm run: message queues, semaphore sets and shared memory
 * segments in a store every monitor of the process tree maps (made before the first fork), never
 * the host's own objects. ipc_store.c keeps the store (lock, ids and keys, permissions, waits);
 * ipc_msg.c, ipc_sem.c and ipc_shm.c are the three kinds; hostcall_ipc.c serves BVM_HC_IPC. */
#ifndef BVM_IPC_H
#define BVM_IPC_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "bvm_abi.h"
#include "bvm_linux.h"

/* Linux's limits where the store can hold them; the rest are the store's capacity. */
#define IPC_MSG_SLOTS 256
#define IPC_SEM_SLOTS 256
#define IPC_SHM_SLOTS 1024
#define IPC_MSGMAX 8192            /* bytes in one message */
#define IPC_MSGMNB 16384           /* a queue's default msg_qbytes */
#define IPC_MSG_ARENA (256u << 10) /* a queue's messages with their headers */
#define IPC_SEMMSL 32000           /* semaphores in one set */
#define IPC_SEM_POOL (256u << 10)  /* semaphores in all sets */
#define IPC_SEMOPM 500             /* operations in one semop */
#define IPC_SEMVMX 32767
#define IPC_SEM_UNDOS 8192         /* SEM_UNDO adjustments held for all processes */
#define IPC_SHM_MAX (4ull << 30)   /* bytes in one segment: each has a range this big in the memfd */
#define IPC_SHM_ATTS 4096          /* (process, segment) attachment counts */
#define IPC_SEQ_MULT 32768         /* id = seq * IPC_SEQ_MULT + slot, as Linux numbers them */
#define IPC_PROCS 8192             /* the tree's live processes the store knows of */
#define IPC_MQ_NAMES 256           /* POSIX message queues of the run (the host's queues_max) */
#define IPC_MQ_NAME 256

/* What every object has: its slot's generation, Linux's permission block, the last change. */
struct ipc_obj {
    int used;
    uint16_t seq;
    struct linux_ipc64_perm perm;
    int64_t ctime;
};

struct ipc_msq {
    struct ipc_obj o;
    int64_t stime, rtime;
    uint64_t cbytes, qnum, qbytes;
    int32_t lspid, lrpid;
    uint32_t used; /* bytes of the arena the messages take, headers included */
};

struct ipc_semval {
    uint16_t val, ncnt, zcnt, pad;
    int32_t pid;
};

struct ipc_sem {
    struct ipc_obj o;
    int64_t otime;
    uint32_t base, nsems; /* its semaphores: pool[base, base + nsems) */
};

struct ipc_shm {
    struct ipc_obj o;
    uint64_t size;
    int64_t atime, dtime;
    int32_t cpid, lpid;
    uint64_t nattch;
};

struct ipc_undo {
    pid_t pid; /* 0: a free entry */
    int32_t slot, seq, semnum, adj;
};

struct ipc_att {
    pid_t pid; /* 0: a free entry */
    int32_t slot, seq, count;
};

struct ipc_store {
    pthread_mutex_t lock; /* robust and process-shared: a killed monitor does not stop the rest */
    uint32_t wake;        /* futex word: bumped by every change a waiter may wait for */
    uint32_t waiters;
    int32_t undo_top, att_top; /* entries past these were never used: scans stop there */
    int32_t procs_top, nprocs;
    pid_t procs[IPC_PROCS];    /* the tree's live processes (0: free): the last one out cleans up */
    char mq_prefix[32];        /* the run's: the host's queues it made are named <prefix><name> */
    char mq_names[IPC_MQ_NAMES][IPC_MQ_NAME]; /* those not unlinked yet ("": a free entry) */
    int32_t mq_count;          /* how many: the run's end looks at the names only when some are */
    struct ipc_msq msq[IPC_MSG_SLOTS];
    struct ipc_sem sem[IPC_SEM_SLOTS];
    struct ipc_shm shm[IPC_SHM_SLOTS];
    struct ipc_undo undo[IPC_SEM_UNDOS];
    struct ipc_att att[IPC_SHM_ATTS];
    struct ipc_semval pool[IPC_SEM_POOL];
    uint8_t arena[IPC_MSG_SLOTS][IPC_MSG_ARENA];
};

extern struct ipc_store *ipc;
extern int ipc_shm_fd; /* the memfd whose ranges are the segments' memory */

/* Makes the store, once, before the process's first fork or IPC call. 0 or -errno. */
int ipc_init(void);
/* In a forked child: it holds its parent's attachments too. */
void ipc_after_fork(pid_t parent);
/* Process pid ended (itself at exit, or its parent once it reaped it, e.g. after SIGKILL): its
 * SEM_UNDO adjustments are applied and its attachments dropped. */
void ipc_process_gone(pid_t pid);

/* The lock around every look at the store; ipc_changed before unlocking after a change waiters
 * may wait for. */
void ipc_lock(void);
void ipc_unlock(void);
void ipc_changed(void);
/* With the lock held: sleeps (lock released) until a change, the deadline (CLOCK_MONOTONIC ns, or
 * -1) or an event for the guest. 0 to look again, -EAGAIN at the deadline, -EINTR. */
int ipc_wait(int64_t deadline);

/* The slot of kind's table (objs: count entries, stride bytes apart) that key names, for a *GET:
 * an existing one checked against flags (-EEXIST, -EACCES), or a free one (*fresh set) when
 * IPC_CREAT allows, else -ENOENT / -ENOSPC. */
int ipc_get_slot(void *objs, int count, size_t stride, int32_t key, int flags, int *fresh);
/* A fresh object's header: key, owner and mode from flags, the next seq of the slot. */
void ipc_obj_create(struct ipc_obj *o, int32_t key, int flags);
/* The slot id names in a table of count, or -EINVAL (-EIDRM is for waiters). */
struct ipc_obj *ipc_obj_find(void *objs, int count, size_t stride, int32_t id, int *slot);
int32_t ipc_obj_id(const struct ipc_obj *o, int slot);
/* A *ctl's object: by id, or (by_slot: MSG_STAT, SEM_STAT, SHM_STAT and their _ANY) by slot. */
struct ipc_obj *ipc_ctl_find(void *objs, int count, size_t stride, int32_t id, int by_slot, int *slot);
/* Permission to read (4) or alter (2) it, as Linux's ipcperms. 0 or -EACCES. */
int ipc_may(const struct ipc_obj *o, int want);
/* IPC_SET and IPC_RMID: the owner, the creator or root. 0 or -EPERM. */
int ipc_may_own(const struct ipc_obj *o);
/* IPC_SET's uid, gid and mode bits from s (the caller checked ipc_may_own). */
void ipc_obj_set(struct ipc_obj *o, const struct linux_ipc64_perm *s);
int ipc_is_root(void);
int64_t ipc_now(void);

/* The kinds: each op with the store locked; buf points at the request's checked buffer. */
int64_t ipc_msgget(int32_t key, int flags);
int64_t ipc_msgsnd(int32_t id, int flags, const uint8_t *buf, uint64_t len, int nowait);
int64_t ipc_msgrcv(int32_t id, int flags, int64_t type, uint8_t *buf, uint64_t len, int nowait);
int64_t ipc_msgctl(int32_t id, int cmd, uint8_t *buf, uint64_t len);
int64_t ipc_semget(int32_t key, int flags, int nsems);
int64_t ipc_semop(int32_t id, const struct linux_sembuf *ops, int nops, int64_t deadline, int nowait);
int64_t ipc_semctl(int32_t id, int semnum, int cmd, int64_t val, uint8_t *buf, uint64_t len);
int64_t ipc_shmget(int32_t key, int flags, uint64_t size);
int64_t ipc_shmat(int32_t id, int flags, uint64_t *offset, uint64_t *size, int32_t *key);
int64_t ipc_shmdt(int32_t id);
int64_t ipc_shmctl(int32_t id, int cmd, uint8_t *buf, uint64_t len);
void ipc_shm_exec(void);
void ipc_sem_gone(pid_t pid);
void ipc_shm_gone(pid_t pid);
void ipc_shm_forked(pid_t parent, pid_t child);
/* POSIX message queues (hostcall_mq.c): the host name of the program's name into host (-errno:
 * Linux's for a bad name); a queue made, unlinked; the run's end unlinks those left. */
int ipc_mq_host_name(const char *name, char *host, size_t size);
void ipc_mq_made(const char *host);
void ipc_mq_unlinked(const char *host);
void ipc_mq_run_ended(void);

#endif
