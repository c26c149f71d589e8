#define _GNU_SOURCE
/* vfork_heap.c: a vfork child shares its parent's memory, heap included (dash allocates in its
 * vfork child before it execs): blocks the child makes, grows and frees are the parent's after,
 * whether the child execs or exits. Under `buffervm check` the parent must see them as its own.
 * Then the mappings a vfork child makes and removes, large blocks (mmap, mremap, munmap in both
 * allocators) and the calls themselves: mmap, mprotect, munmap, madvise, mremap, brk. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG (1u << 20)
static char *volatile big, *volatile big_kept, *volatile mapped, *volatile moved, *volatile gone;
static char *volatile brk_then;
static sigjmp_buf probe_env;

static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(probe_env, 1);
}

/* Whether p can be read here (a removed mapping faults). */
static int readable(const volatile char *p)
{
    struct sigaction sa = {.sa_handler = on_segv}, old;
    sigaction(SIGSEGV, &sa, &old);
    volatile int ok = 0;
    if (sigsetjmp(probe_env, 1) == 0) {
        (void)*p;
        ok = 1;
    }
    sigaction(SIGSEGV, &old, NULL);
    return ok;
}

static void child_maps(void)
{
    big = malloc(BIG); /* mmap'ed by both allocators */
    memset(big, 'b', BIG);
    big_kept = realloc(big_kept, 3 * BIG); /* grown: mremap, or a new mapping and a copy */
    memset(big_kept + 2 * BIG, 'k', BIG);
    mapped = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(mapped + 4096, "mapped by the child");
    mprotect(mapped + 4 * 4096, 4096, PROT_NONE);
    moved = mremap(moved, 4096, 8 * 4096, MREMAP_MAYMOVE); /* the parent's page, moved and grown */
    strcpy(moved + 7 * 4096, "moved by the child");
    munmap(gone, 4096);
    madvise(mapped, 4096, MADV_DONTNEED);
    char *b = sbrk(0);
    if (sbrk(8192) == b) { /* may fail where the break cannot grow: then nothing to see */
        strcpy(b + 4096, "brk by the child");
        brk_then = b;
    }
}

static void maps_round(void)
{
    big_kept = malloc(BIG);
    memset(big_kept, 'p', BIG);
    moved = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(moved, "the parent's page");
    gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    gone[0] = 'g';
    pid_t p = vfork();
    if (p == 0) {
        child_maps();
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    printf("maps: child status %d\n", WEXITSTATUS(st));
    printf("big %c%c, kept %c%c%c\n", big[0], big[BIG - 1], big_kept[0], big_kept[BIG - 1], big_kept[3 * BIG - 1]);
    printf("mapped \"%s\", first page %d, last page readable %d\n", mapped + 4096, mapped[0], readable(mapped + 4 * 4096));
    printf("moved \"%s\" \"%s\", removed page readable %d\n", moved, moved + 7 * 4096, readable(gone));
    if (brk_then)
        printf("brk \"%s\", break moved %d\n", brk_then + 4096, (char *)sbrk(0) >= brk_then + 8192);
    free(big);
    free(big_kept);
}

static char *volatile made, *volatile grown, *volatile kept;

static void child_work(int round)
{
    made = malloc(100);
    snprintf(made, 100, "made by vfork child %d", round);
    grown = realloc(grown, 3000 + (size_t)round); /* the parent's block freed, a new one made */
    memset(grown + 2000, 'g', 1000);
    free(kept); /* the parent's block */
    kept = NULL;
}

int main(void)
{
    grown = malloc(16);
    strcpy(grown, "grown");
    for (int round = 0; round < 2; round++) {
        kept = malloc(40);
        pid_t p = vfork();
        if (p == 0) {
            child_work(round);
            if (round == 0)
                _exit(0);
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        int st;
        waitpid(p, &st, 0);
        printf("round %d: child status %d, made \"%s\", grown \"%s\" %c%c, kept %s\n", round, WEXITSTATUS(st),
               made, grown, grown[2000], grown[2999], kept ? "still there" : "freed by the child");
        free(made);
    }
    free(grown);
    maps_round();
    printf("done\n");
    return 0;
}
