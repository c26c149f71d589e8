/* ipc_perms.c: System V IPC permissions against native: objects made by root with modes 0600 and
 * 0644, then used by a child that has become nobody (uid and gid 65534): reads where the mode lets
 * it, EACCES for the rest, EPERM for IPC_SET/IPC_RMID of another's object. Run as another user the
 * program says so and checks nothing (natively the same). */
#define _GNU_SOURCE
#include <grp.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "proc_common.h"

static void say(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 errno %d\n", what, errno);
    else
        printf("%s: %ld\n", what, r);
}

static void as_nobody(int q_priv, int q_read, int s_priv, int s_read, int m_priv, int m_read)
{
    struct msqid_ds ds;
    struct { long type; char text[8]; } m = {1, "x"};
    say("msg stat 0600", msgctl(q_priv, IPC_STAT, &ds));
    say("msg stat 0644", msgctl(q_read, IPC_STAT, &ds));
    say("msg send 0644", msgsnd(q_read, &m, 2, IPC_NOWAIT));
    say("msg receive 0600", msgrcv(q_priv, &m, 8, 0, IPC_NOWAIT));
    say("msg get 0644 for writing", msgget(ftok(".", 1), 0200));
    say("msg rmid of root's", msgctl(q_read, IPC_RMID, NULL));
    struct sembuf b = {0, 1, IPC_NOWAIT};
    say("sem getval 0600", semctl(s_priv, 0, GETVAL));
    say("sem getval 0644", semctl(s_read, 0, GETVAL));
    say("sem op 0644", semop(s_read, &b, 1));
    b.sem_op = 0;
    say("sem wait-for-zero 0644", semop(s_read, &b, 1));
    say("sem rmid of root's", semctl(s_read, 0, IPC_RMID));
    say("shm attach 0600", shmat(m_priv, NULL, SHM_RDONLY) == (void *)-1 ? -1 : 0);
    say("shm attach 0644 read-only", shmat(m_read, NULL, SHM_RDONLY) == (void *)-1 ? -1 : 0);
    say("shm attach 0644 for writing", shmat(m_read, NULL, 0) == (void *)-1 ? -1 : 0);
    say("shm stat 0644", shmctl(m_read, IPC_STAT, &(struct shmid_ds){0}));
    say("shm set of root's", shmctl(m_read, IPC_SET, &(struct shmid_ds){.shm_perm.mode = 0666}));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (geteuid() != 0) {
        printf("not root: nothing to check\n");
        return 0;
    }
    int q_priv = msgget(IPC_PRIVATE, 0600), q_read = msgget(ftok(".", 1), IPC_CREAT | IPC_EXCL | 0644);
    int s_priv = semget(IPC_PRIVATE, 1, 0600), s_read = semget(IPC_PRIVATE, 1, 0644);
    int m_priv = shmget(IPC_PRIVATE, 4096, 0600), m_read = shmget(IPC_PRIVATE, 4096, 0644);
    say("made", q_priv >= 0 && q_read >= 0 && s_priv >= 0 && s_read >= 0 && m_priv >= 0 && m_read >= 0);
    pid_t c = xfork();
    if (c == 0) {
        if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
            _exit(9);
        as_nobody(q_priv, q_read, s_priv, s_read, m_priv, m_read);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    say("child", WEXITSTATUS(st));
    msgctl(q_priv, IPC_RMID, NULL), msgctl(q_read, IPC_RMID, NULL);
    semctl(s_priv, 0, IPC_RMID), semctl(s_read, 0, IPC_RMID);
    shmctl(m_priv, IPC_RMID, NULL), shmctl(m_read, IPC_RMID, NULL);
    return 0;
}
