// clean_aligned.c: the twin of the aligned and array cases: posix_memalign, aligned_alloc,
// memalign, valloc, reallocarray, calloc, malloc(0), realloc(NULL) and free(NULL), each block
// filled to its last byte and freed: no report
// expect: clean
#include "corpus.h"

static int check(void *p, size_t align, size_t n, const char *what)
{
    if (!p || (uintptr_t)p % align) {
        printf("%s: %s\n", what, p ? "misaligned" : "failed");
        return 1;
    }
    memset(p, 0x5a, n);
    ((volatile char *)p)[n - 1] = 1;
    free(p);
    return 0;
}

int main(void)
{
    static const size_t aligns[] = {16, 32, 64, 256, 4096};
    int bad = 0;
    for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
        size_t a = aligns[i];
        for (size_t n = a; n <= 4 * a + 8192; n += a + 8192 / 4) {
            void *p = NULL;
            bad |= posix_memalign(&p, a, n) != 0;
            bad |= check(p, a, n, "posix_memalign");
            bad |= check(aligned_alloc(a, n), a, n, "aligned_alloc");
            bad |= check(memalign(a, n + 3), a, n + 3, "memalign");
        }
    }
    bad |= check(valloc(100), 4096, 100, "valloc");
    bad |= check(reallocarray(NULL, 13, 7), 16, 91, "reallocarray");
    long *ra = reallocarray(NULL, 4, sizeof(long));
    ra[3] = 3;
    ra = reallocarray(ra, 400, sizeof(long));
    bad |= ra[3] != 3;
    bad |= check(ra, 16, 400 * sizeof(long), "reallocarray grown");
    bad |= check(calloc(33, 3), 16, 99, "calloc");
    free(malloc(0));
    free(NULL);
    char *r = realloc(NULL, 5);
    bad |= check(r, 16, 5, "realloc(NULL)");
    printf("aligned: %s\n", bad ? "BAD" : "ok");
    return bad;
}
