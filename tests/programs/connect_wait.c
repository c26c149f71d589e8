/* connect_wait.c: a blocking TCP connect that has to wait (the listener's queue is full, so the
 * host drops the SYN and resends it a second later) lets the other threads run meanwhile, and
 * completes once the queue has room; with SO_SNDTIMEO it gives up with EINPROGRESS, then
 * completes in the background (a second connect: EISCONN); a connect refused is ECONNREFUSED. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr;

/* A connect from a thread of its own; with SO_SNDTIMEO when timeout_ms is set. */
struct connector {
    pthread_t t;
    int timeout_ms;
    volatile int done, err;
};

static const char *err_name(int e)
{
    switch (e) {
    case 0: return "ok";
    case EINPROGRESS: return "EINPROGRESS";
    case EISCONN: return "EISCONN";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EALREADY: return "EALREADY";
    default: return strerror(e);
    }
}

static void *connect_thread(void *arg)
{
    struct connector *c = arg;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {0, c->timeout_ms * 1000};
    if (c->timeout_ms)
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    c->err = connect(s, (struct sockaddr *)&addr, sizeof addr) < 0 ? errno : 0;
    c->done = 1;
    return NULL;
}

static void start(struct connector *c, int timeout_ms)
{
    c->timeout_ms = timeout_ms;
    c->done = 0;
    pthread_create(&c->t, NULL, connect_thread, c);
}

/* Fills the queue of a listener with backlog 0 until a connect would wait: how many it took. */
static int fill(int *fds, int max)
{
    for (int n = 0; n < max; n++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct timeval tv = {0, 200000};
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int r = connect(s, (struct sockaddr *)&addr, sizeof addr);
        fds[n] = s;
        if (r < 0)
            return errno == EINPROGRESS ? n : -1; /* this one waited: the queue is full */
    }
    return -1;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(l, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(l, 0) < 0 ||
        getsockname(l, (struct sockaddr *)&addr, &len) < 0)
        return 1;
    int fds[16];
    int n = fill(fds, 16);
    printf("queue full after some connects; the one that waited with SO_SNDTIMEO: %s\n",
           n > 0 ? "EINPROGRESS" : "did not wait");
    if (n <= 0)
        return 1;
    int again = connect(fds[n], (struct sockaddr *)&addr, sizeof addr);
    printf("connect again while it goes on: %s\n", again < 0 ? err_name(errno) : "ok");

    struct connector waits, gives_up, refused;
    start(&waits, 0);
    start(&gives_up, 200);
    pthread_join(gives_up.t, NULL);
    printf("a thread's connect with SO_SNDTIMEO: %s\n", err_name(gives_up.err));
    struct timespec nap = {0, 300 * 1000 * 1000};
    nanosleep(&nap, NULL);
    printf("main thread ran while the connect waited: %s\n", waits.done ? "no, it was done" : "yes");
    fcntl(l, F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 80; i++) { /* make room: accept everything queued, again as SYNs come */
        int c = accept(l, NULL, NULL);
        if (c < 0)
            nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
        if (waits.done && c < 0)
            break;
    }
    pthread_join(waits.t, NULL);
    printf("the waiting connect: %s\n", err_name(waits.err));
    again = connect(fds[n], (struct sockaddr *)&addr, sizeof addr);
    printf("the timed-out connect, later: %s\n", again < 0 ? err_name(errno) : "ok");

    close(l);
    start(&refused, 0);
    pthread_join(refused.t, NULL);
    printf("connect to a closed port from a thread: %s\n", err_name(refused.err));
    return 0;
}
