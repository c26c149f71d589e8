/* malloc_churn.c: many malloc/realloc/free of mixed sizes (small, large, mmap-sized), checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

static unsigned long long rng = 88172645463325252ull;
static unsigned long long next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

int main(void)
{
    static unsigned char *p[SLOTS];
    static size_t len[SLOTS];
    unsigned long long sum = 0;
    for (int round = 0; round < 20000; round++) {
        int i = (int)(next() % SLOTS);
        if (p[i]) {
            for (size_t k = 0; k < len[i]; k += 97)
                sum += p[i][k] ^ (unsigned char)(i + k);
            if (next() % 3 == 0) {
                size_t n = 1 + next() % 5000;
                p[i] = realloc(p[i], n);
                if (n > len[i])
                    for (size_t k = len[i]; k < n; k++)
                        p[i][k] = (unsigned char)(i + k);
                len[i] = n;
                continue;
            }
            free(p[i]);
            p[i] = NULL;
            continue;
        }
        size_t n = next() % 16 == 0 ? 100000 + next() % 300000 : 1 + next() % 2000;
        p[i] = malloc(n);
        if (!p[i])
            return 2;
        for (size_t k = 0; k < n; k++)
            p[i][k] = (unsigned char)(i + k);
        len[i] = n;
    }
    for (int i = 0; i < SLOTS; i++)
        free(p[i]);
    printf("checksum %llu\n", sum);
    return 0;
}
