/* mem_full.c: fills guest RAM without touching it from user mode (read(2) from /dev/zero into a
 * large lazy mapping: the kernel's copy fails with EFAULT once no page is left), then asks for
 * things that need memory: mremap to far addresses that need fresh page tables, mmap, brk,
 * mprotect splits, pipe, fork. Each must answer with success or an errno (Linux's ENOMEM),
 * never end the VM; after the filler is unmapped, the same calls work again. Prints one line
 * per step; exits 0 when every answer was success or ENOMEM/EFAULT/EAGAIN. Meant for buffervm
 * with a small --mem (natively it stops at the limit: argv[1] MiB, default 1024). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define FAR(k) ((void *)(uintptr_t)(((uint64_t)(k) << 39) + 0x100000000ull))

static int bad;

static void note(const char *what, long rc)
{
    int e = errno;
    if (rc >= 0 || rc == (long)(intptr_t)MAP_FAILED) {
        if (rc < 0 && e != ENOMEM && e != EFAULT && e != EAGAIN)
            bad++;
        printf("%s: %s\n", what, rc < 0 ? strerror(e) : "ok");
    }
}

/* Populated pages, made before RAM fills up. */
static char *pages[8];

static void make_pages(void)
{
    for (int k = 0; k < 8; k++) {
        pages[k] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (pages[k] != MAP_FAILED)
            pages[k][0] = (char)k;
    }
}

/* mremap each populated page to a far place needing a PDPT, PD and PT of its own: ENOMEM when
 * those tables cannot be had, and then the page is still where it was. */
static void far_moves(const char *when)
{
    char what[64];
    for (int k = 0; k < 8; k++) {
        if (pages[k] == MAP_FAILED)
            continue;
        char *q = mremap(pages[k], 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, FAR(k + 1));
        snprintf(what, sizeof what, "%s mremap far %d", when, k + 1);
        note(what, q == MAP_FAILED ? -1 : 0);
        if (q == MAP_FAILED)
            q = pages[k];
        if (q[0] != (char)k)
            printf("%s: the page lost its contents\n", what), bad++;
        munmap(q, 4096);
    }
}

static void others(const char *when)
{
    char what[64];
    int fd[2];
    snprintf(what, sizeof what, "%s pipe", when);
    long rc = pipe(fd);
    note(what, rc);
    if (rc == 0)
        close(fd[0]), close(fd[1]);
    snprintf(what, sizeof what, "%s brk", when);
    note(what, sbrk(1 << 20) == (void *)-1 ? -1 : 0);
    char *m = mmap(NULL, 16 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    snprintf(what, sizeof what, "%s mmap", when);
    note(what, m == MAP_FAILED ? -1 : 0);
    if (m != MAP_FAILED) {
        snprintf(what, sizeof what, "%s mprotect split", when);
        note(what, mprotect(m + 4096, 4096, PROT_READ));
        munmap(m, 16 << 12);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    int st = 0;
    if (pid > 0)
        waitpid(pid, &st, 0);
    snprintf(what, sizeof what, "%s fork", when);
    note(what, pid < 0 ? -1 : WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : (errno = EINVAL, -1));
}

/* The stack pages the calls below will use, present before RAM is full (a stack page never
 * goes away once there). */
static __attribute__((noinline)) void touch_stack(void)
{
    volatile char stack[256 << 10];
    memset((char *)stack, 1, sizeof stack);
}

/* "touch" mode: stores into every page of a large mapping from user mode; once guest RAM is full
 * the program is killed (SIGKILL, Linux's OOM killer), there is no errno to give. */
static int touch_all(uint64_t size)
{
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return perror("mmap"), 2;
    for (uint64_t off = 0; off < size; off += 4096)
        p[off] = 1;
    printf("touched every page\n");
    return 0;
}

int main(int argc, char **argv)
{
    const uint64_t FILL_MAX = (argc > 1 ? strtoull(argv[1], NULL, 10) : 1024) << 20;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2 && strcmp(argv[2], "touch") == 0)
        return touch_all(FILL_MAX);
    printf("filling guest RAM\n"); /* stdout's buffer and the stack exist before it is full */
    touch_stack();
    int zero = open("/dev/zero", O_RDONLY);
    char *fill = mmap(NULL, FILL_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (zero < 0 || fill == MAP_FAILED)
        return perror("setup"), 2;
    make_pages();
    uint64_t got = 0;
    for (ssize_t n; got < FILL_MAX && (n = read(zero, fill + got, CHUNK)) > 0;)
        got += (uint64_t)n;
    printf("filled: %s\n", got < FILL_MAX ? "guest RAM is full" : "limit reached");
    far_moves("full");
    others("full");
    munmap(fill, FILL_MAX);
    make_pages();
    far_moves("freed");
    others("freed");
    printf("%s\n", bad ? "unexpected errno" : "every answer success or an errno");
    return bad != 0;
}
