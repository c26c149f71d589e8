/* fifo_threads.c: a FIFO's open waits for the other end in one thread while the others run: a
 * reader's open until the main thread opens for writing, a writer's until it opens for reading; a
 * signal without SA_RESTART ends a waiting open with EINTR and leaves no reader behind (a writer's
 * O_NONBLOCK open then fails with ENXIO); with SA_RESTART the open goes on and completes; an
 * execve by another thread ends a waiting open too (no reader left after it). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct opener {
    const char *path;
    int flags;
    pthread_t t;
    volatile int done, fd, err;
};

static void *open_thread(void *arg)
{
    struct opener *o = arg;
    o->fd = open(o->path, o->flags);
    o->err = o->fd < 0 ? errno : 0;
    o->done = 1;
    return NULL;
}

static void start(struct opener *o, const char *path, int flags)
{
    *o = (struct opener){.path = path, .flags = flags, .fd = -1};
    pthread_create(&o->t, NULL, open_thread, o);
}

static void nap_ms(long ms) { nanosleep(&(struct timespec){0, ms * 1000000}, NULL); }

static void on_signal(int sig) { (void)sig; }

static const char *err_name(int e) { return e == 0 ? "ok" : e == EINTR ? "EINTR" : e == ENXIO ? "ENXIO" : strerror(e); }

/* After the execve of exec_waiting: the open the other thread waited in went with it, so no
 * reader is left for a writer to find. */
static int after_exec(void)
{
    int w = open("gone", O_WRONLY | O_NONBLOCK);
    printf("after an execve by another thread, a writer finds no reader: %s\n",
           w < 0 ? err_name(errno) : "a reader is left");
    unlink("gone");
    return 0;
}

/* A thread waits in a FIFO's open while the main thread execs. */
static void exec_waiting(const char *self)
{
    struct opener o;
    if (mkfifo("gone", 0600))
        return;
    start(&o, "gone", O_RDONLY);
    nap_ms(100);
    execl(self, self, "after-exec", (char *)NULL);
    perror("execl");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    char buf[16] = "";
    if (argc > 1)
        return after_exec();
    if (mkfifo("r", 0600) || mkfifo("w", 0600) || mkfifo("intr", 0600) || mkfifo("restart", 0600))
        return 1;
    struct opener o;
    start(&o, "r", O_RDONLY);
    nap_ms(100);
    printf("a reader's open waits, the main thread runs: %s\n", o.done ? "no" : "yes");
    int w = open("r", O_WRONLY);
    ssize_t n = write(w, "hello", 5);
    close(w);
    pthread_join(o.t, NULL);
    n = o.fd >= 0 ? read(o.fd, buf, sizeof buf - 1) : -1;
    printf("its open: %s, it read %zd bytes: %.*s\n", err_name(o.err), n, (int)(n > 0 ? n : 0), buf);
    close(o.fd);

    start(&o, "w", O_WRONLY);
    nap_ms(100);
    printf("a writer's open waits: %s\n", o.done ? "no" : "yes");
    int r = open("w", O_RDONLY);
    pthread_join(o.t, NULL);
    n = o.fd >= 0 ? write(o.fd, "x", 1) : -1;
    printf("its open: %s, it wrote %zd, read back %zd\n", err_name(o.err), n, read(r, buf, 1));
    close(o.fd), close(r);

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART */
    start(&o, "intr", O_RDONLY);
    nap_ms(100);
    pthread_kill(o.t, SIGUSR1);
    pthread_join(o.t, NULL);
    printf("a signal without SA_RESTART: the open %s", err_name(o.err));
    w = open("intr", O_WRONLY | O_NONBLOCK);
    printf(", a writer then finds no reader: %s\n", w < 0 ? err_name(errno) : "a reader is left");

    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    start(&o, "restart", O_RDONLY);
    nap_ms(100);
    pthread_kill(o.t, SIGUSR2);
    nap_ms(100);
    printf("with SA_RESTART it still waits: %s", o.done ? "no" : "yes");
    w = open("restart", O_WRONLY);
    pthread_join(o.t, NULL);
    printf(", then opens: %s\n", err_name(o.err));
    close(w), close(o.fd);
    unlink("r"), unlink("w"), unlink("intr"), unlink("restart");
    exec_waiting(argv[0]);
    return 1;
}
