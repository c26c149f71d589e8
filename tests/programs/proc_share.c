/* proc_share.c: what processes share: MAP_SHARED memory (anonymous, file, memfd), eventfds,
 * process-shared semaphores (futexes between processes), socketpairs, the status flags of an
 * open file the processes share, the memory a vfork child writes (posix_spawn's error report), and file locks between
 * processes (flock, fcntl record locks, open file description locks). */
#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_common.h"

extern char **environ;

/* Linux's futex operations (musl's headers have no linux/futex.h) */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAIT_BITSET 9

static int wait_code(pid_t p)
{
    int st = 0;
    if (waitpid(p, &st, 0) != p)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The child adds to each of n counters in m, the parent reads the sums. */
static void bump_in_child(const char *what, volatile uint32_t *m, size_t n)
{
    m[0] = 1;
    pid_t p = xfork();
    if (p == 0) {
        for (size_t i = 0; i < n; i++)
            m[i * 1024] += 10; /* one word per page */
        _exit(0);
    }
    int code = wait_code(p);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += m[i * 1024];
    printf("%s: child %d, parent sees %llu\n", what, code, (unsigned long long)sum);
}

static void shared_memory(void)
{
    size_t pages = 64, len = pages * 4096;
    uint32_t *anon = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    bump_in_child("MAP_SHARED|MAP_ANONYMOUS", anon, pages);
    uint32_t *priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bump_in_child("MAP_PRIVATE|MAP_ANONYMOUS", priv, pages);
    int fd = open("shared.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (ftruncate(fd, (off_t)len))
        return;
    uint32_t *file = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    bump_in_child("MAP_SHARED file", file, pages);
    uint32_t word = 0;
    pread(fd, &word, sizeof word, 4096 * 3);
    printf("the file holds the child's write: %u\n", word);
    close(fd);
    int mfd = memfd_create("proc_share", 0);
    if (ftruncate(mfd, (off_t)len))
        return;
    uint32_t *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    bump_in_child("memfd", mem, pages);
    /* a mapping made after the fork is not shared */
    pid_t p = xfork();
    if (p == 0) {
        uint32_t *late = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        late[0] = 5;
        _exit(late[0] == 5 ? 0 : 1);
    }
    printf("child's own shared mapping: %d\n", wait_code(p));
    munmap(anon, len), munmap(priv, len), munmap(file, len), munmap(mem, len);
    close(mfd);
    unlink("shared.bin");
}

static void eventfds(void)
{
    int e = eventfd(0, 0);
    pid_t p = xfork();
    if (p == 0) {
        uint64_t v = 7;
        _exit(write(e, &v, sizeof v) == sizeof v ? 0 : 1);
    }
    uint64_t got = 0;
    ssize_t n = read(e, &got, sizeof got); /* blocks until the child has written */
    printf("eventfd from the child: %zd %llu, child %d\n", n, (unsigned long long)got, wait_code(p));
    close(e);
}

/* A process-shared semaphore: the parent waits on a futex in shared memory, the child wakes it. */
static void futexes(void)
{
    sem_t *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sem_init(s, 1, 0);
    pid_t p = xfork();
    if (p == 0) {
        usleep(100000); /* the parent is asleep on the futex by now (or finds the count posted) */
        printf("child posts\n");
        sem_post(s);
        _exit(0);
    }
    int r = sem_wait(s);
    printf("parent woke: %d, child %d\n", r, wait_code(p));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50000000;
    ts.tv_sec += ts.tv_nsec / 1000000000, ts.tv_nsec %= 1000000000;
    r = sem_timedwait(s, &ts);
    printf("sem_timedwait with nothing posted: %d errno %d\n", r, errno);
    uint32_t word = 0;
    struct timespec rel = {0, 20000000};
    long x = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0);
    printf("private futex wait: %ld errno %d\n", x, errno);
    x = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &rel, NULL, 0);
    printf("private futex wait, another value: %ld errno %d\n", x, errno);
    x = syscall(SYS_futex, &word, FUTEX_WAIT_BITSET, 0, &rel, NULL, 0);
    printf("futex wait with an empty bitset: %ld errno %d\n", x, errno);
    sem_destroy(s);
    munmap(s, 4096);
}

/* A socketpair between parent and child; FIONBIO; O_NONBLOCK set by the child is the parent's too
 * (one open file). */
static void sockets_and_flags(void)
{
    int sv[2];
    printf("socketpair: %d\n", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    pid_t p = xfork();
    if (p == 0) {
        char buf[16] = {0};
        ssize_t n = read(sv[1], buf, sizeof buf - 1);
        _exit(n == 4 && write(sv[1], "pong", 4) == 4 && strcmp(buf, "ping") == 0 ? 0 : 1);
    }
    char buf[16] = {0};
    ssize_t w = write(sv[0], "ping", 4), n = read(sv[0], buf, sizeof buf - 1);
    printf("socketpair round trip: %zd %zd '%s', child %d\n", w, n, buf, wait_code(p));
    int on = 1;
    ioctl(sv[0], FIONBIO, &on);
    errno = 0;
    n = read(sv[0], buf, sizeof buf);
    printf("FIONBIO: F_GETFL nonblock %d, read %zd errno %d\n", (fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0, n, errno);
    close(sv[0]), close(sv[1]);
    errno = 0;
    int r = socketpair(AF_INET, SOCK_STREAM, 0, sv);
    printf("socketpair AF_INET: %d errno %d\n", r, errno);
    int pfd[2];
    if (pipe(pfd))
        return;
    p = xfork();
    if (p == 0)
        _exit(fcntl(pfd[0], F_SETFL, O_NONBLOCK) == 0 ? 0 : 1);
    int code = wait_code(p);
    printf("O_NONBLOCK set by the child: %d, the parent's F_GETFL has it %d\n", code,
           (fcntl(pfd[0], F_GETFL) & O_NONBLOCK) != 0);
    close(pfd[0]), close(pfd[1]);
}

static int vfork_global;

static void vfork_memory(void)
{
    char *heap = malloc(1 << 20);
    memset(heap, 1, 1 << 20);
    int on_stack = 1;
    pid_t p = vfork();
    if (p == 0) {
        vfork_global = 42, on_stack = 43;
        heap[0] = 2, heap[(1 << 20) - 1] = 3;
        _exit(4);
    }
    int code = wait_code(p);
    printf("vfork child wrote: global %d stack %d heap %d %d, child %d\n", vfork_global, on_stack, heap[0],
           heap[(1 << 20) - 1], code);
    free(heap);
    /* posix_spawn learns of the exec failure from its vfork child's write to its memory */
    char *argv[] = {"missing", NULL};
    pid_t q = 0;
    int r = posix_spawn(&q, "/nonexistent/missing", NULL, NULL, argv, environ);
    printf("posix_spawn of a missing file: %s\n", strerror(r));
    r = posix_spawnp(&q, "no-such-program-here", NULL, NULL, argv, environ);
    printf("posix_spawnp of a missing program: %s\n", strerror(r));
    int devnull = open("/dev/null", O_RDONLY);
    r = posix_spawn(&q, "/dev/null", NULL, NULL, argv, environ);
    printf("posix_spawn of a non-program: %s\n", strerror(r));
    close(devnull);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "spawned.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char *echo[] = {"busybox", "echo", "written by a spawned child", NULL};
    r = posix_spawn(&q, "/bin/busybox", &fa, NULL, echo, environ);
    int code2 = r ? -1 : wait_code(q);
    posix_spawn_file_actions_destroy(&fa);
    char buf[64] = {0};
    int fd = open("spawned.txt", O_RDONLY);
    read(fd, buf, sizeof buf - 1);
    close(fd);
    unlink("spawned.txt");
    printf("posix_spawn with a file action: %d, child %d, file: %s", r, code2, buf);
}

/* Each lock is tried by a child while the parent holds it, then after the parent lets go. */
static int child_try(int (*try)(int fd), const char *path)
{
    pid_t p = xfork();
    if (p == 0) {
        int fd = open(path, O_RDWR);
        _exit(try(fd) == 0 ? 0 : errno == EWOULDBLOCK || errno == EAGAIN || errno == EACCES ? 1 : 2);
    }
    return wait_code(p);
}

static int try_flock(int fd) { return flock(fd, LOCK_EX | LOCK_NB); }

static int try_posix(int fd)
{
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    return fcntl(fd, F_SETLK, &l);
}

static int try_ofd(int fd)
{
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    return fcntl(fd, F_OFD_SETLK, &l);
}

static void locks(void)
{
    const char *path = "locked.txt";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (write(fd, "0123456789abcdef", 16) != 16)
        return;
    flock(fd, LOCK_EX);
    int held = child_try(try_flock, path);
    flock(fd, LOCK_UN);
    printf("flock: child while held %d, after %d\n", held, child_try(try_flock, path));
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    fcntl(fd, F_SETLK, &l);
    held = child_try(try_posix, path);
    struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
    pid_t p = xfork();
    if (p == 0) {
        int f2 = open(path, O_RDWR);
        fcntl(f2, F_GETLK, &q);
        _exit(q.l_type == F_WRLCK && q.l_pid == getppid() ? 0 : 1);
    }
    printf("fcntl F_SETLK: child while held %d, F_GETLK names the holder %d\n", held, wait_code(p));
    l.l_type = F_UNLCK;
    fcntl(fd, F_SETLK, &l);
    printf("fcntl after unlock: %d\n", child_try(try_posix, path));
    /* OFD locks belong to the open file description: a second open in the same process conflicts */
    struct flock o = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    int r = fcntl(fd, F_OFD_SETLK, &o);
    int fd2 = open(path, O_RDWR);
    errno = 0;
    int r2 = try_ofd(fd2);
    printf("OFD lock: %d, second description in this process %d errno %d, child %d\n", r, r2, errno,
           child_try(try_ofd, path));
    close(fd2);
    close(fd);
    unlink(path);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    shared_memory();
    eventfds();
    futexes();
    sockets_and_flags();
    vfork_memory();
    locks();
    return 0;
}
