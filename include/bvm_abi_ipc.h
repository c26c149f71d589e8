/* bvm_abi_ipc.h: System V IPC and POSIX message queues (BVM_HC_IPC, BVM_HC_MQ).
 * Part of bvm_abi.h, which includes it: include bvm_abi.h. */
#ifndef BVM_ABI_IPC_H
#define BVM_ABI_IPC_H

#ifndef BVM_ABI_H
#error "include bvm_abi.h"
#endif

/* System V IPC (BVM_HC_IPC). The objects belong to one buffervm run: the monitors of its process
 * tree share them, the host's own IPC objects are never reached. Linux's calls and semantics;
 * buffers hold Linux's structs (bvm_linux.h). */
enum bvm_ipc_op {
    BVM_IPC_MSGGET = 0, /* key, flags -> id */
    BVM_IPC_MSGSND = 1, /* id, flags, buf = long mtype + val bytes of text */
    BVM_IPC_MSGRCV = 2, /* id, flags, val = msgtyp; buf = long mtype + text (buf_len - 8 at most) -> text length */
    BVM_IPC_MSGCTL = 3, /* id, cmd, buf = struct linux_msqid64_ds / msginfo */
    BVM_IPC_SEMGET = 4, /* key, flags, arg = nsems -> id */
    BVM_IPC_SEMOP = 5,  /* id, buf = struct linux_sembuf[arg]; deadline */
    BVM_IPC_SEMCTL = 6, /* id, cmd, arg = semnum, val = SETVAL's value, buf = struct or ushort[] */
    BVM_IPC_SHMGET = 7, /* key, flags, val = size -> id */
    BVM_IPC_SHMAT = 8,  /* id, flags (SHM_RDONLY, SHM_EXEC) -> host fd of the segment's memory; buf =
                         * struct bvm_ipc_shmat written */
    BVM_IPC_SHMDT = 9,  /* id: one attachment of the process to it has gone */
    BVM_IPC_SHMCTL = 10, /* id, cmd, buf = struct linux_shmid64_ds / shminfo64 / shm_info */
    BVM_IPC_EXEC = 11,  /* the process runs a new program: its attachments are gone */
};

struct bvm_hc_ipc {
    uint32_t op;      /* IN: enum bvm_ipc_op */
    int32_t id;       /* IN: the key for the *GET ops, else the object's id */
    int32_t flags;    /* IN: msgflg / semflg / shmflg, or the *CTL command */
    int32_t arg;      /* IN: see the ops */
    int64_t val;      /* IN: see the ops */
    uint64_t buf_gpa; /* IN: see the ops */
    uint64_t buf_len; /* IN: bytes at buf_gpa */
    int64_t deadline; /* IN: SEMOP: CLOCK_MONOTONIC ns to give up at (-EAGAIN), or -1 */
    uint32_t nowait;  /* IN: 1: return -BVM_IPC_WOULD_WAIT instead of waiting (the kernel waits) */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_hc_ipc) == 56, "hc_ipc size");
#define BVM_IPC_WOULD_WAIT 4096 /* -BVM_IPC_WOULD_WAIT: not an errno of Linux's */

/* BVM_IPC_SHMAT's answer: the returned host fd's pages [offset, +size) are the segment's. */
struct bvm_ipc_shmat {
    uint64_t offset; /* OUT: page aligned */
    uint64_t size;   /* OUT: the segment's size in bytes (shm_segsz) */
    int64_t key;     /* OUT: its key, for the mapping's name */
};
_Static_assert(sizeof(struct bvm_ipc_shmat) == 24, "ipc_shmat size");

/* POSIX message queues (BVM_HC_MQ): the host's, under names private to the run (the monitor puts
 * the run's prefix before the program's name and unlinks what is left when the run ends). */
enum bvm_mq_op {
    BVM_MQ_OPEN = 0,    /* name, flags (O_*), mode, attr (struct linux_mq_attr or none) -> host fd */
    BVM_MQ_UNLINK = 1,  /* name */
    BVM_MQ_SEND = 2,    /* fd, buf, prio, deadline */
    BVM_MQ_RECEIVE = 3, /* fd, buf (room) , deadline -> bytes; prio written at attr_gpa */
    BVM_MQ_NOTIFY = 4,  /* fd, attr_gpa: struct linux_sigevent or 0 (unregister) */
    BVM_MQ_GETSETATTR = 5, /* fd, buf: struct linux_mq_attr new (or none: buf_len 0), attr_gpa: old */
};

struct bvm_hc_mq {
    uint32_t op;       /* IN: enum bvm_mq_op */
    int32_t fd;        /* IN: host fd */
    int32_t flags;     /* IN: OPEN's O_* flags */
    uint32_t mode;     /* IN: OPEN's mode */
    uint64_t name_gpa; /* IN: OPEN, UNLINK: the program's name, without '/' */
    uint32_t name_len; /* IN: its bytes, no NUL; < 256 */
    uint32_t prio;     /* IN: SEND's priority */
    uint64_t buf_gpa;  /* IN: see the ops */
    uint64_t buf_len;  /* IN: its bytes */
    uint64_t attr_gpa; /* IN: see the ops; 0: none */
    int64_t deadline;  /* IN: SEND, RECEIVE: CLOCK_REALTIME ns to give up at (-ETIMEDOUT), -1 none */
    uint32_t nowait;   /* IN: 1: -BVM_IPC_WOULD_WAIT instead of waiting (the kernel waits) */
    uint32_t pad;
};
_Static_assert(sizeof(struct bvm_hc_mq) == 72, "hc_mq size");

#endif
