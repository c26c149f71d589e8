/* thread_names.c: threads named by another thread (pthread_setname_np writes
 * /proc/self/task/<tid>/comm), read back there and by each thread itself (PR_GET_NAME, and its
 * /proc/thread-self: comm, stat, the link, fd/1), the task's stat and status, /proc/self/status's
 * thread count and the task listing, all while the threads are alive; then a thread renames the
 * process through /proc/self/comm. */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define N 2
static pthread_barrier_t bar;
static pid_t tids[N];
static char seen[N][16], self_view[N + 1][256];

static void first_line(const char *path, char *out, size_t size);

/* What the calling thread sees of itself through /proc/thread-self. */
static void thread_self(char *out, size_t size)
{
    char comm[64], st[256], link[64], want[64];
    struct stat a, b;
    first_line("/proc/thread-self/comm", comm, sizeof comm);
    first_line("/proc/thread-self/stat", st, sizeof st);
    char *end = strchr(st, ')');
    if (end)
        end[1] = 0;
    ssize_t n = readlink("/proc/thread-self", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    snprintf(want, sizeof want, "%d/task/%d", (int)getpid(), (int)syscall(SYS_gettid));
    int fd_same = stat("/proc/thread-self/fd/1", &a) == 0 && fstat(1, &b) == 0 && a.st_ino == b.st_ino;
    snprintf(out, size, "comm %.*s, stat names its tid %d: %s, link %s, fd/1 is stdout %d",
             (int)strcspn(comm, "\n"), comm, atoi(st) == (int)syscall(SYS_gettid),
             strchr(st, '(') ? strchr(st, '(') : "?", strcmp(link, want) == 0 ? "right" : link, fd_same);
}

static void *worker(void *arg)
{
    int i = (int)(long)arg;
    tids[i] = (pid_t)syscall(SYS_gettid);
    pthread_barrier_wait(&bar); /* 1: its tid is known */
    pthread_barrier_wait(&bar); /* 2: it has been named */
    prctl(PR_GET_NAME, seen[i]);
    thread_self(self_view[i], sizeof self_view[i]);
    pthread_barrier_wait(&bar); /* 3: the main thread reads /proc while it waits at 4 */
    pthread_barrier_wait(&bar);
    return NULL;
}

/* A file's first line, or "(errno text)". */
static void first_line(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(out, (int)size, f))
        snprintf(out, size, "(cannot read %s)\n", path);
    if (f)
        fclose(f);
}

/* The value of KEY: in a status file. */
static void status_field(const char *path, const char *key, char *out, size_t size)
{
    char line[256];
    FILE *f = fopen(path, "r");
    snprintf(out, size, "(none)\n");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key)))
            snprintf(out, size, "%s", line + strlen(key));
    if (f)
        fclose(f);
}

int main(void)
{
    pthread_t t[N];
    char path[64], buf[256];
    pthread_barrier_init(&bar, NULL, N + 1);
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    pthread_barrier_wait(&bar);
    printf("setname: %d %d\n", pthread_setname_np(t[0], "worker-one"), pthread_setname_np(t[1], "worker-two"));
    printf("setname too long: %d\n", pthread_setname_np(t[0], "a-name-of-20-chars!!"));
    pthread_barrier_wait(&bar);
    pthread_barrier_wait(&bar);
    for (int i = 0; i < N; i++) {
        printf("thread %d calls itself %s\n", i, seen[i]);
        printf("  its /proc/thread-self: %s\n", self_view[i]);
        snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)tids[i]);
        first_line(path, buf, sizeof buf);
        printf("  its comm: %s", buf);
        snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tids[i]);
        first_line(path, buf, sizeof buf);
        printf("  its stat names itself: %d, and its name: %s\n", atoi(buf) == tids[i],
               strchr(buf, ')') ? (*strchr(buf, ')') = 0, strchr(buf, '(') + 1) : "?");
        snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)tids[i]);
        status_field(path, "Name:\t", buf, sizeof buf);
        printf("  status Name: %s", buf);
        status_field(path, "Pid:\t", buf, sizeof buf);
        printf("  status Pid is its tid: %d\n", atoi(buf) == tids[i]);
    }
    thread_self(self_view[N], sizeof self_view[N]);
    printf("the main thread's /proc/thread-self: %s\n", self_view[N]);
    status_field("/proc/self/status", "Threads:\t", buf, sizeof buf);
    printf("/proc/self/status Threads: %s", buf);
    int listed = 0, found = 0;
    DIR *d = opendir("/proc/self/task");
    for (struct dirent *e; d && (e = readdir(d));) {
        listed += e->d_name[0] != '.';
        for (int i = 0; i < N; i++)
            found += atoi(e->d_name) == tids[i];
    }
    if (d)
        closedir(d);
    printf("tasks listed: %d, the workers among them: %d\n", listed, found);
    pthread_barrier_wait(&bar);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    FILE *f = fopen("/proc/self/comm", "w");
    if (f) {
        fputs("renamed", f);
        fclose(f);
    }
    first_line("/proc/self/comm", buf, sizeof buf);
    printf("process renamed through /proc/self/comm: %s", buf);
    return 0;
}
