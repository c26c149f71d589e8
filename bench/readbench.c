/* readbench.c: a syscall-heavy benchmark: a file read in small pieces (one read() per 512 bytes)
 * into a heap buffer, with a checksum, several times. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: readbench FILE [PASSES]\n");
        return 2;
    }
    int passes = argc > 2 ? atoi(argv[2]) : 1;
    unsigned char *buf = malloc(512);
    unsigned long long sum = 0, calls = 0;
    for (int p = 0; p < passes; p++) {
        int fd = open(argv[1], O_RDONLY);
        if (fd < 0 || !buf) {
            perror(argv[1]);
            return 1;
        }
        ssize_t n;
        while ((n = read(fd, buf, 512)) > 0) {
            calls++;
            for (ssize_t i = 0; i < n; i++)
                sum = sum * 31 + buf[i];
        }
        close(fd);
    }
    free(buf);
    printf("%llu reads, checksum %llu\n", calls, sum);
    return 0;
}
