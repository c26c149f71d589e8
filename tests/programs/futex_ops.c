/* futex_ops.c: the futex operations one by one, as glibc no longer makes some of them (REQUEUE,
 * CMP_REQUEUE, WAKE_OP, WAKE_BITSET): waiters in threads, each op's result, who woke, the words
 * after; timeouts relative and absolute on both clocks; the errors. Compared with a native run. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* linux/futex.h's (musl-gcc has no kernel headers) */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#define FUTEX_REQUEUE_PRIVATE 131
#define FUTEX_CMP_REQUEUE_PRIVATE 132
#define FUTEX_WAKE_OP_PRIVATE 133
#define FUTEX_WAIT_BITSET_PRIVATE 137
#define FUTEX_WAKE_BITSET_PRIVATE 138
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP(op, oparg, cmp, cmparg) \
    ((((op)&0xf) << 28) | (((cmp)&0xf) << 24) | (((oparg)&0xfff) << 12) | ((cmparg)&0xfff))

static uint32_t f1, f2;

static long fx(uint32_t *uaddr, int op, uint32_t val, const void *timeout_or_val2, uint32_t *uaddr2, uint32_t val3)
{
    return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

static const char *res(long r)
{
    static char buf[32];
    if (r >= 0)
        snprintf(buf, sizeof buf, "%ld", r);
    else
        snprintf(buf, sizeof buf, "%s", errno == EAGAIN ? "EAGAIN" : errno == ETIMEDOUT ? "ETIMEDOUT" :
                                        errno == EINVAL ? "EINVAL" : errno == EFAULT ? "EFAULT" :
                                        errno == ENOSYS ? "ENOSYS" : strerror(errno));
    return buf;
}

struct waiter {
    pthread_t t;
    uint32_t *word, bits;
    long r;
    int err;
};

static void *wait_main(void *arg)
{
    struct waiter *w = arg;
    w->r = w->bits ? fx(w->word, FUTEX_WAIT_BITSET_PRIVATE, *w->word, NULL, NULL, w->bits)
                   : fx(w->word, FUTEX_WAIT_PRIVATE, *w->word, NULL, NULL, 0);
    w->err = errno;
    return NULL;
}

/* The waiters queued on word: a REQUEUE of all of them onto the same word counts them and
 * leaves them as they were (no timing needed to tell who waits or who woke). */
static long waiting(uint32_t *word)
{
    return fx(word, FUTEX_REQUEUE_PRIVATE, 0, (void *)INT_MAX, word, 0);
}

static long queued(void) { return waiting(&f1) + waiting(&f2); }

/* n waiters on word (bits: their WAIT_BITSET masks, 0 for WAIT), all queued when it returns. */
static void start(struct waiter *w, int n, uint32_t *word, const uint32_t *bits)
{
    long before = queued();
    for (int i = 0; i < n; i++) {
        w[i] = (struct waiter){.word = word, .bits = bits ? bits[i] : 0};
        pthread_create(&w[i].t, NULL, wait_main, &w[i]);
    }
    while (queued() < before + n)
        usleep(1000);
}

/* The waiters an op woke: how many fewer are queued than before it. */
static long last;
static void mark(void) { last = queued(); }
static long woken(void)
{
    long now = queued(), k = last - now;
    last = now;
    return k;
}

static void wake_rest(struct waiter *w, int n)
{
    fx(&f1, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    fx(&f2, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    for (int i = 0; i < n; i++)
        pthread_join(w[i].t, NULL);
}

static void requeues(void)
{
    struct waiter w[3];
    f1 = f2 = 0;
    start(w, 3, &f1, NULL);
    mark();
    printf("queued: %ld\n", last);
    printf("CMP_REQUEUE, the word changed: %s\n", res(fx(&f1, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2, &f2, 7)));
    printf("CMP_REQUEUE 1 woken, 2 moved: %s", res(fx(&f1, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2, &f2, 0)));
    printf(", woke %ld, on the words %ld and %ld", woken(), waiting(&f1), waiting(&f2));
    printf("; WAKE of the first word: %s", res(fx(&f1, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0)));
    printf("; of the second: %s\n", res(fx(&f2, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0)));
    wake_rest(w, 3);

    start(w, 3, &f1, NULL);
    mark();
    printf("REQUEUE none woken, all moved: %s", res(fx(&f1, FUTEX_REQUEUE_PRIVATE, 0, (void *)INT_MAX, &f2, 0)));
    printf(", woke %ld, on the words %ld and %ld", woken(), waiting(&f1), waiting(&f2));
    printf("; WAKE 2 of the second word: %s", res(fx(&f2, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0)));
    printf(", woke %ld\n", woken());
    wake_rest(w, 3);
    printf("REQUEUE with a negative count: %s\n", res(fx(&f1, FUTEX_REQUEUE_PRIVATE, 0, (void *)-1L, &f2, 0)));
}

static void wake_ops(void)
{
    struct waiter w[4];
    f1 = f2 = 0;
    start(w, 2, &f1, NULL);
    start(w + 2, 2, &f2, NULL);
#define OP(text, nr1, nr2, op)                                                                           \
    do {                                                                                                 \
        long r_ = (mark(), fx(&f1, FUTEX_WAKE_OP_PRIVATE, nr1, (void *)(nr2), &f2, op));                 \
        printf("WAKE_OP %s: %s, woke %ld (first word %ld, second %ld), the second word %#x\n", text, res(r_), \
               woken(), waiting(&f1), waiting(&f2), f2);                                                 \
    } while (0)
    OP("add 5, old == 0 (true)", 1, 1, FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0));
    OP("or 0x30, old != 5 (false)", 1, 1, FUTEX_OP(FUTEX_OP_OR, 0x30, FUTEX_OP_CMP_NE, 5));
    OP("andn 1<<4, old > 0x30 (true)", 0, 1,
       FUTEX_OP(FUTEX_OP_ANDN, 4, FUTEX_OP_CMP_GT, 0x30) | (FUTEX_OP_OPARG_SHIFT << 28));
    OP("xor 1, old <= 1 (false)", 0, 0, FUTEX_OP(FUTEX_OP_XOR, 1, FUTEX_OP_CMP_LE, 1));
    OP("an unknown op", 0, 0, (7u << 28) | 1);
#undef OP
    wake_rest(w, 4);
}

static void bitsets(void)
{
    static const uint32_t bits[3] = {1, 2, 6};
    struct waiter w[3];
    f1 = 0;
    start(w, 3, &f1, bits);
    mark();
    printf("WAKE_BITSET 4: %s", res(fx(&f1, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 4)));
    printf(", woke %ld", woken());
    printf("; WAKE_BITSET 8: %s", res(fx(&f1, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 8)));
    printf("; WAKE (all bits) 1: %s", res(fx(&f1, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    printf(", woke %ld\n", woken());
    wake_rest(w, 3);
    printf("WAKE_BITSET 0: %s; WAIT_BITSET 0: %s\n", res(fx(&f1, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0)),
           res(fx(&f1, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0)));
}

static struct timespec at(clockid_t clk, long ms)
{
    struct timespec t;
    clock_gettime(clk, &t);
    t.tv_nsec += ms * 1000000;
    t.tv_sec += t.tv_nsec / 1000000000, t.tv_nsec %= 1000000000;
    return t;
}

static void timeouts(void)
{
    struct timespec rel = {0, 20000000}, mono = at(CLOCK_MONOTONIC, 20), real = at(CLOCK_REALTIME, 20);
    struct timespec past = {1, 0}, bad = {0, 1000000000};
    f1 = 0;
    printf("WAIT, another value: %s\n", res(fx(&f1, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0)));
    printf("WAIT 20 ms relative: %s\n", res(fx(&f1, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0)));
    printf("WAIT 20 ms relative, CLOCK_REALTIME: %s\n",
           res(fx(&f1, FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &rel, NULL, 0)));
    printf("WAIT_BITSET until monotonic +20 ms: %s\n",
           res(fx(&f1, FUTEX_WAIT_BITSET_PRIVATE, 0, &mono, NULL, FUTEX_BITSET_MATCH_ANY)));
    printf("WAIT_BITSET until realtime +20 ms: %s\n",
           res(fx(&f1, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &real, NULL, FUTEX_BITSET_MATCH_ANY)));
    printf("WAIT_BITSET until a past time: %s\n",
           res(fx(&f1, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, NULL, FUTEX_BITSET_MATCH_ANY)));
    printf("WAIT with tv_nsec 1e9: %s\n", res(fx(&f1, FUTEX_WAIT_PRIVATE, 0, &bad, NULL, 0)));
    printf("WAIT with an unmapped timeout: %s\n", res(fx(&f1, FUTEX_WAIT_PRIVATE, 0, (void *)8, NULL, 0)));
}

static void errors(void)
{
    char buf[8] __attribute__((aligned(4)));
    printf("WAIT on a misaligned word: %s\n", res(fx((uint32_t *)(buf + 1), FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0)));
    printf("WAKE on a misaligned word: %s\n", res(fx((uint32_t *)(buf + 2), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    printf("WAIT on NULL: %s\n", res(fx(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0)));
    printf("WAKE_OP, the second word unmapped: %s\n",
           res(fx(&f1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, (uint32_t *)8, FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0))));
    printf("CMP_REQUEUE, the second word unmapped: %s\n",
           res(fx(&f1, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, (uint32_t *)8, f1)));
    printf("CLOCK_REALTIME on WAKE: %s\n", res(fx(&f1, FUTEX_WAKE_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0)));
    printf("op 99: %s\n", res(fx(&f1, 99, 0, NULL, NULL, 0)));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    requeues();
    wake_ops();
    bitsets();
    timeouts();
    errors();
    return 0;
}
