/* ipc_shm.c: System V shared memory against native: a segment seen by parent and forked child,
 * attachment counts through fork, exit, kill and exec-free detaches, removal while attached,
 * read-only and fixed-address attachments, errors, and the /proc/self/maps name. No ids, addresses
 * or times are printed. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "proc_common.h"

static void say(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 errno %d\n", what, errno);
    else
        printf("%s: %ld\n", what, r);
}

static void stat_seg(int id)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) < 0) {
        say("IPC_STAT", -1);
        return;
    }
    printf("stat: segsz %lu nattch %lu mode %o dest %d cpid %s lpid %s atime %s dtime %s\n", (unsigned long)ds.shm_segsz,
           (unsigned long)ds.shm_nattch, ds.shm_perm.mode & 0777, !!(ds.shm_perm.mode & SHM_DEST),
           ds.shm_cpid == getpid() ? "self" : "other", ds.shm_lpid == getpid() ? "self" : ds.shm_lpid ? "other" : "0",
           ds.shm_atime ? "set" : "0", ds.shm_dtime ? "set" : "0");
}

static int in_maps(void)
{
    char line[512];
    int found = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f))
        found |= strstr(line, "/SYSV") && strstr(line, "(deleted)") && strstr(line, " rw-s ");
    if (f)
        fclose(f);
    return found;
}

static void shared(void)
{
    int id = shmget(IPC_PRIVATE, 10000, 0600);
    say("shmget", id < 0 ? -1 : 0);
    stat_seg(id);
    char *p = shmat(id, NULL, 0);
    say("shmat", p == (void *)-1 ? -1 : 0);
    say("zeroed", p[0] == 0 && p[9999] == 0 && p[12287] == 0);
    say("in maps", in_maps());
    strcpy(p, "parent");
    stat_seg(id);
    fflush(stdout);
    pid_t c = xfork();
    if (c == 0) {
        stat_seg(id); /* the child holds the attachment too */
        strcpy(p + 100, "child");
        say("child shmdt", shmdt(p));
        stat_seg(id);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("parent sees '%s'\n", p + 100);
    stat_seg(id);
    char *q = shmat(id, NULL, SHM_RDONLY);
    say("second view", q != (void *)-1 && q != p && strcmp(q, "parent") == 0);
    stat_seg(id);
    say("shmdt", shmdt(q));
    say("shmdt again", shmdt(q));
    say("shmdt inside", shmdt(p + 4096));
    say("IPC_RMID attached", shmctl(id, IPC_RMID, NULL));
    stat_seg(id);
    strcpy(p, "still here");
    printf("after removal '%s'\n", p);
    char *r = shmat(id, NULL, 0); /* Linux lets a removed segment be attached while it lives */
    say("shmat removed", r != (void *)-1 && strcmp(r, "still here") == 0);
    say("shmdt both", shmdt(r) == 0 && shmdt(p) == 0);
    say("IPC_STAT gone", shmctl(id, IPC_STAT, &(struct shmid_ds){0}));
    say("shmdt detached", shmdt(p));
}

/* A child killed while attached: its attachment is dropped when it is reaped. */
static void killed(void)
{
    int id = shmget(IPC_PRIVATE, 4096, 0600), p[2];
    pipe(p);
    fflush(stdout);
    pid_t c = xfork();
    if (c == 0) {
        shmat(id, NULL, 0);
        write(p[1], "a", 1);
        pause();
        _exit(0);
    }
    char ch;
    read(p[0], &ch, 1);
    stat_seg(id);
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    stat_seg(id);
    shmctl(id, IPC_RMID, NULL);
}

static sigjmp_buf jb;
static void on_segv(int sig)
{
    siglongjmp(jb, sig);
}

static void modes(void)
{
    int id = shmget(IPC_PRIVATE, 8192, 0600);
    char *ro = shmat(id, NULL, SHM_RDONLY);
    signal(SIGSEGV, on_segv);
    if (sigsetjmp(jb, 1) == 0) {
        ro[0] = 1;
        printf("read-only write went through\n");
    } else {
        printf("read-only write: SIGSEGV\n");
    }
    say("mprotect read-only to write", mprotect(ro, 8192, PROT_READ | PROT_WRITE));
    shmdt(ro);
    char *base = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("over a mapping", shmat(id, base, 0) != (void *)-1);
    say("over a mapping, SHM_REMAP", shmat(id, base, SHM_REMAP) == base);
    say("unaligned", shmat(id, base + 100, 0) != (void *)-1);
    say("SHM_RND", shmat(id, base + 65536 + 100, SHM_RND) == base + 65536);
    say("shmdt", shmdt(base) == 0 && shmdt(base + 65536) == 0);
    say("remap without address", shmat(id, NULL, SHM_REMAP) != (void *)-1);
    say("shmat bad id", shmat(-1, NULL, 0) != (void *)-1);
    say("shmget size 0", shmget(IPC_PRIVATE, 0, 0600));
    int small = shmget(IPC_PRIVATE, 100, 0600);
    say("shmget small", small >= 0 && shmctl(small, IPC_RMID, NULL) == 0);
    say("IPC_SET", shmctl(id, IPC_SET, &(struct shmid_ds){.shm_perm.mode = 0444}));
    stat_seg(id);
    say("shmat for writing, mode 444", shmat(id, NULL, 0) != (void *)-1);
    struct shm_info info;
    say("SHM_INFO", shmctl(0, SHM_INFO, (struct shmid_ds *)&info) >= 0);
    shmctl(id, IPC_RMID, NULL);
}

static void keys(void)
{
    FILE *f = fopen("shm_key", "w");
    fclose(f);
    key_t k = ftok("shm_key", 's');
    int id = shmget(k, 5000, IPC_CREAT | 0600);
    say("create", id >= 0);
    say("bigger", shmget(k, 6000, 0600));
    say("smaller", shmget(k, 100, 0600) == id);
    say("removed key", shmctl(id, IPC_RMID, NULL) == 0 && shmget(k, 100, 0600) < 0);
    unlink("shm_key");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    shared();
    killed();
    modes();
    keys();
    return 0;
}
