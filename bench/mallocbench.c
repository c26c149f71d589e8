/* mallocbench.c: a malloc-heavy benchmark: many small and medium allocations, frees and reallocs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    enum { SLOTS = 4096 };
    static char *slot[SLOTS];
    unsigned long long x = 88172645463325252ull, sum = 0;
    for (long i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned k = (unsigned)(x % SLOTS);
        size_t len = (x >> 20) % 8 == 0 ? 1024 + (x >> 32) % 16384 : 8 + (x >> 32) % 256;
        if (slot[k] && (x >> 40) % 4 == 0) {
            slot[k] = realloc(slot[k], len);
        } else {
            free(slot[k]);
            slot[k] = malloc(len);
        }
        memset(slot[k], (int)i, len < 64 ? len : 64);
        sum += (unsigned char)slot[k][len / 2 < 64 ? len / 2 : 0];
    }
    for (unsigned k = 0; k < SLOTS; k++)
        free(slot[k]);
    printf("%llu\n", sum);
    return 0;
}
