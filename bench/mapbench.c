/* mapbench.c: mapbench MIB FILE N: N times, map MIB MiB of /dev/zero privately and all of FILE
 * privately, touch one page of each, unmap: what reserving memory and mapping a file cost before
 * anything is used (Linux: nothing until touched). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 4)
        return fprintf(stderr, "usage: mapbench MIB FILE N\n"), 2;
    size_t zero_len = strtoull(argv[1], NULL, 10) << 20;
    int z = open("/dev/zero", O_RDWR), f = open(argv[2], O_RDONLY);
    struct stat st;
    if (z < 0 || f < 0 || fstat(f, &st) < 0)
        return perror("open"), 1;
    unsigned sum = 0;
    for (int i = atoi(argv[3]); i > 0; i--) {
        char *p = mmap(NULL, zero_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
        char *q = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, f, 0);
        if (p == MAP_FAILED || q == MAP_FAILED)
            return perror("mmap"), 1;
        p[zero_len / 2] = 1;
        sum += (unsigned char)p[zero_len / 2] + (unsigned char)q[st.st_size / 2];
        munmap(p, zero_len);
        munmap(q, (size_t)st.st_size);
    }
    printf("%u\n", sum);
    return 0;
}
