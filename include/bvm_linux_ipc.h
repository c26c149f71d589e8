/* bvm_linux_ipc.h: System V IPC (msg, sem, shm) and POSIX message queues. */
#ifndef BVM_LINUX_IPC_H
#define BVM_LINUX_IPC_H

#include <stddef.h>
#include <stdint.h>

/* System V IPC (x86-64: the 64-bit "ipc64" layouts, which glibc and musl use). */
#define LINUX_IPC_PRIVATE 0
#define LINUX_IPC_CREAT 01000
#define LINUX_IPC_EXCL 02000
#define LINUX_IPC_NOWAIT 04000
#define LINUX_IPC_RMID 0
#define LINUX_IPC_SET 1
#define LINUX_IPC_STAT 2
#define LINUX_IPC_INFO 3
#define LINUX_IPC_64 0x0100 /* or'ed into a *ctl command by old libcs: the only layout here */
#define LINUX_MSG_STAT 11
#define LINUX_MSG_INFO 12
#define LINUX_MSG_STAT_ANY 13
#define LINUX_MSG_NOERROR 010000
#define LINUX_MSG_EXCEPT 020000
#define LINUX_MSG_COPY 040000
#define LINUX_SEM_UNDO 0x1000
#define LINUX_GETPID 11
#define LINUX_GETVAL 12
#define LINUX_GETALL 13
#define LINUX_GETNCNT 14
#define LINUX_GETZCNT 15
#define LINUX_SETVAL 16
#define LINUX_SETALL 17
#define LINUX_SEM_STAT 18
#define LINUX_SEM_INFO 19
#define LINUX_SEM_STAT_ANY 20
#define LINUX_SHM_RDONLY 010000
#define LINUX_SHM_RND 020000
#define LINUX_SHM_REMAP 040000
#define LINUX_SHM_EXEC 0100000
#define LINUX_SHM_LOCK 11
#define LINUX_SHM_UNLOCK 12
#define LINUX_SHM_STAT 13
#define LINUX_SHM_INFO 14
#define LINUX_SHM_STAT_ANY 15
#define LINUX_SHM_DEST 01000   /* in shm_perm.mode: removed, goes with its last attachment */
#define LINUX_SHM_LOCKED 02000 /* in shm_perm.mode: SHM_LOCK */
#define LINUX_SHMLBA 4096

struct linux_ipc64_perm {
    int32_t key;
    uint32_t uid, gid, cuid, cgid;
    uint16_t mode, pad1;
    uint16_t seq, pad2;
    uint32_t pad3;
    uint64_t unused1, unused2;
};
_Static_assert(sizeof(struct linux_ipc64_perm) == 48, "ipc64_perm");

struct linux_msqid64_ds {
    struct linux_ipc64_perm msg_perm;
    int64_t msg_stime, msg_rtime, msg_ctime;
    uint64_t msg_cbytes, msg_qnum, msg_qbytes;
    int32_t msg_lspid, msg_lrpid;
    uint64_t unused4, unused5;
};
_Static_assert(sizeof(struct linux_msqid64_ds) == 120, "msqid64_ds");

struct linux_semid64_ds {
    struct linux_ipc64_perm sem_perm;
    int64_t sem_otime;
    uint64_t unused1;
    int64_t sem_ctime;
    uint64_t unused2;
    uint64_t sem_nsems, unused3, unused4;
};
_Static_assert(sizeof(struct linux_semid64_ds) == 104, "semid64_ds");

struct linux_shmid64_ds {
    struct linux_ipc64_perm shm_perm;
    uint64_t shm_segsz;
    int64_t shm_atime, shm_dtime, shm_ctime;
    int32_t shm_cpid, shm_lpid;
    uint64_t shm_nattch, unused4, unused5;
};
_Static_assert(sizeof(struct linux_shmid64_ds) == 112, "shmid64_ds");

struct linux_msginfo {
    int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
    uint16_t msgseg, pad;
};
_Static_assert(sizeof(struct linux_msginfo) == 32, "msginfo");

struct linux_seminfo {
    int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};
_Static_assert(sizeof(struct linux_seminfo) == 40, "seminfo");

struct linux_shminfo64 {
    uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused1, unused2, unused3, unused4;
};
_Static_assert(sizeof(struct linux_shminfo64) == 72, "shminfo64");

struct linux_shm_info {
    int32_t used_ids, pad;
    uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};
_Static_assert(sizeof(struct linux_shm_info) == 48, "shm_info");

struct linux_sembuf {
    uint16_t sem_num;
    int16_t sem_op;
    int16_t sem_flg;
};
_Static_assert(sizeof(struct linux_sembuf) == 6, "sembuf");

/* POSIX message queues */
struct linux_mq_attr {
    int64_t mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
    int64_t reserved[4];
};
_Static_assert(sizeof(struct linux_mq_attr) == 64, "mq_attr");

#endif
