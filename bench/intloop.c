/* intloop.c: a CPU-bound integer benchmark (xorshift, multiply, table lookups, branches). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 50000000;
    static unsigned table[4096];
    for (unsigned i = 0; i < 4096; i++)
        table[i] = i * 2654435761u;
    unsigned long long x = 88172645463325252ull, acc = 0;
    for (long i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned t = table[x & 4095];
        acc += (x & 1) ? t * 3u : t >> 2;
        table[(x >> 12) & 4095] ^= (unsigned)acc;
    }
    printf("%llu\n", acc);
    return 0;
}
