/* shared_code.c: code in a file mapped MAP_SHARED and executable, rewritten through the file:
 * pwrite(2), then write(2) at a seek position, then a store through a second, writable mapping
 * of the same file. Each time the next call runs the new code, as on Linux (the soft CPU must
 * not keep code it decoded from the old bytes). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* mov eax, imm32; ret */
static void body(unsigned char *b, int v)
{
    b[0] = 0xb8;
    memcpy(b + 1, &v, 4);
    b[5] = 0xc3;
}

int main(void)
{
    int fd = open("code.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    unsigned char page[4096], b[6];
    memset(page, 0xcc, sizeof page);
    body(page + 64, 1);
    if (fd < 0 || write(fd, page, sizeof page) != sizeof page)
        return perror("code.bin"), 1;
    unsigned char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    unsigned char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (x == MAP_FAILED || w == MAP_FAILED)
        return perror("mmap"), 1;
    int (*fn)(void) = (int (*)(void))(x + 64);
    int loops = 0;
    for (int k = 0; k < 20; k++) /* often enough to be translated */
        loops += fn();
    printf("first: %d (x20 = %d)\n", fn(), loops);
    body(b, 2);
    pwrite(fd, b, sizeof b, 64);
    printf("after pwrite: %d\n", fn());
    body(b, 3);
    lseek(fd, 64, SEEK_SET);
    if (write(fd, b, sizeof b) != sizeof b)
        return perror("write"), 1;
    printf("after write: %d\n", fn());
    body(w + 64, 4);
    printf("after a store through the other mapping: %d\n", fn());
    body(b, 5);
    pwrite(fd, b, sizeof b, 64);
    printf("after pwrite again: %d\n", fn());
    return 0;
}
