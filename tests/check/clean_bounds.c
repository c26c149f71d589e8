// clean_bounds.c: the twin of the overflow cases: the first and last bytes (and the last long) of
// blocks of many sizes, from malloc, calloc and realloc, touched and freed: no report
// expect: clean
#include "corpus.h"

static const size_t sizes[] = {1,  2,  3,  7,  8,  9,   15,   16,   17,   24,   31,   32,    33,     40,
                               47, 48, 63, 64, 65, 100, 2047, 2048, 2049, 3000, 4095, 4096, 10000, 100000};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static unsigned long touch(volatile unsigned char *p, size_t n)
{
    unsigned long sum = 0;
    p[0] = 1;
    p[n - 1] = 2;
    sum += p[0] + p[n - 1];
    if (n >= 8) {
        *(volatile unsigned long *)(p + n - 8) = n;
        sum += *(volatile unsigned long *)(p + n - 8);
    }
    return sum;
}

int main(void)
{
    unsigned long sum = 0;
    for (size_t i = 0; i < NSIZES; i++) {
        size_t n = sizes[i];
        unsigned char *m = malloc(n), *c = calloc(n, 1), *r = malloc(1);
        if (!m || !c || !r)
            return 1;
        for (size_t k = 0; k < n; k++)
            sum += c[k]; /* calloc's block reads as zeros, every byte of it */
        r = realloc(r, n);
        sum += touch(m, n) + touch(c, n) + touch(r, n);
        free(m);
        free(c);
        free(r);
    }
    printf("sum %lu over %zu sizes\n", sum, NSIZES);
    return 0;
}
