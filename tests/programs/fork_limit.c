/* fork_limit.c: fork against the host's process limit (run under a small RLIMIT_NPROC).
 *   fork_limit limit: children that wait on a pipe are forked until fork fails; the errno is
 *     printed (EAGAIN), then the children are released and all reaped.
 *   fork_limit bomb: every process forks 8 times in a row, its children doing the same (255 wanted);
 *     forks fail once the limit is reached; everyone waits for its children and ends, the first
 *     says so.
 *   fork_limit threads: threads that wait on a pipe are started until pthread_create fails (EAGAIN:
 *     threads count against the limit too); they are released and joined, and one more starts.
 * The output names no counts that depend on the machine. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int limit(void)
{
    int p[2], n = 0, err = 0;
    char c;
    if (pipe(p) < 0)
        return perror("pipe"), 1;
    for (;;) {
        pid_t pid = fork();
        if (pid == 0) {
            close(p[1]);
            _exit(read(p[0], &c, 1) == 0 ? 0 : 1); /* until the parent closes its end */
        }
        if (pid < 0) {
            err = errno;
            break;
        }
        if (++n > 10000)
            break;
    }
    printf("fork failed with %s after at least 3 children: %s\n", err == EAGAIN ? "EAGAIN" : strerror(err),
           n >= 3 ? "yes" : "no");
    close(p[1]);
    int st, bad = 0, reaped = 0;
    while (wait(&st) > 0)
        reaped++, bad += !WIFEXITED(st) || WEXITSTATUS(st);
    printf("all children reaped, each ended well: %s\n", reaped == n && !bad ? "yes" : "no");
    fflush(stdout);
    pid_t again = fork(); /* room again */
    if (again == 0)
        _exit(0);
    printf("fork works again: %s\n", again > 0 && waitpid(again, &st, 0) == again ? "yes" : "no");
    return 0;
}

static int bomb(void)
{
    pid_t first = getpid();
    fflush(stdout);
    for (int i = 0; i < 8; i++)
        fork(); /* 255 processes wanted; failures once the limit is reached */
    while (wait(NULL) > 0)
        ;
    if (getpid() != first)
        _exit(0);
    printf("the bomb is over: every process ended\n");
    return 0;
}

static int gate[2];

static void *waiter(void *arg)
{
    char c;
    return (void *)(long)read(gate[0], &c, 1); /* 0 once the gate closes */
}

static int threads(void)
{
    static pthread_t t[10000];
    int n = 0, err = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 << 10);
    if (pipe(gate) < 0)
        return perror("pipe"), 1;
    while (n < 10000 && (err = pthread_create(&t[n], &attr, waiter, NULL)) == 0)
        n++;
    printf("pthread_create at the limit: %s\n", n < 10000 ? strerror(err) : "no limit met");
    close(gate[1]);
    long bad = 0;
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += r != NULL;
    }
    pthread_t one;
    err = pthread_create(&one, &attr, waiter, NULL);
    if (!err)
        pthread_join(one, NULL);
    printf("all joined (%ld read something), one more started: %s\n", bad, err ? strerror(err) : "yes");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "limit") == 0)
        return limit();
    if (argc == 2 && strcmp(argv[1], "bomb") == 0)
        return bomb();
    if (argc == 2 && strcmp(argv[1], "threads") == 0)
        return threads();
    fprintf(stderr, "usage: fork_limit limit|bomb|threads\n");
    return 2;
}
