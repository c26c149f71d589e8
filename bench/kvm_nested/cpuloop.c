/* cpuloop.c: CPU-bound benchmark: N rounds of xorshift arithmetic in registers, no syscalls in the loop. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000000ul;
    unsigned long x = 88172645463325252ul, sum = 0;
    for (unsigned long i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        sum += x & 0xff;
    }
    printf("%lu\n", sum); /* keeps the loop from being optimised away */
    return 0;
}
