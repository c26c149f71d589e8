/* alias_churn.c: run by tests/check/run_recycle.sh with a small alias space (BVM_CHECK_ALIAS_MIB),
 * many times over used by blocks made and freed, while a few live ones move about: buffervm
 * check must recycle alias space to keep going, yet never the chunk the stale pointer kept from
 * the first block still points into, whose use at the end is reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *stale;
static char *keep[64];

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 300000;
    unsigned long sum = 0;
    stale = malloc(3000);
    strcpy(stale, "first");
    free(stale);
    for (int k = 0; k < 64; k++)
        keep[k] = malloc(100);
    for (long i = 0; i < n; i++) {
        size_t len = 16 + (size_t)(i * 7919) % 3000;
        char *p = malloc(len);
        if (!p) {
            printf("malloc failed after %ld blocks\n", i);
            return 1;
        }
        memset(p, (int)i, len);
        sum += (unsigned char)p[len / 2];
        free(p);
        if (i % 1000 == 0) {
            free(keep[i / 1000 % 64]);
            keep[i / 1000 % 64] = malloc(100 + (size_t)i % 500);
        }
    }
    printf("%lu\n", sum);
    for (int k = 0; k < 64; k++)
        free(keep[k]);
    __asm__ volatile("" : : : "memory");
    stale[0] = 'y'; /* a use after free, long after: its chunk was never reused */
    return 0;
}
