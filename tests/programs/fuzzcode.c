/* fuzzcode.c: jump into 8 KiB of pseudo-random bytes (seed argv[1]); the errors tier checks that
 * whatever they do, buffervm ends with the guest's own fault or a named internal error. */
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    unsigned long long x = strtoull(argc > 1 ? argv[1] : "1", 0, 10) * 2654435761ull + 1;
    unsigned char *p = mmap(0, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    for (int i = 0; i < 8192; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = (unsigned char)x;
    }
    ((void (*)(void))p)();
    return 0;
}
