/* shared_many.c: many files mapped MAP_SHARED at once (more than the 1024 descriptors a process
 * may have open: a mapping keeps its file without a descriptor), each written through its
 * mapping and read back with read(2); then a file shrunk under one of them (SIGBUS past its end
 * there, the others untouched). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FILES 1500

static char *maps[FILES];
static sigjmp_buf back;

static void on_bus(int sig)
{
    (void)sig;
    siglongjmp(back, 1);
}

int main(void)
{
    char name[32], buf[2];
    int bad = 0;
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "f%04d", i);
        int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || ftruncate(fd, 4096) < 0)
            return perror("create"), 1;
        maps[i] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (maps[i] == MAP_FAILED)
            return printf("mmap of file %d failed\n", i), 1;
        close(fd);
        maps[i][0] = (char)(i % 251), maps[i][4095] = (char)(i % 241);
    }
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "f%04d", i);
        int fd = open(name, O_RDONLY);
        if (pread(fd, buf, 1, 0) != 1 || buf[0] != (char)(i % 251) || pread(fd, buf + 1, 1, 4095) != 1 ||
            buf[1] != (char)(i % 241))
            bad++;
        close(fd);
    }
    printf("%d files mapped shared, %d read back wrong\n", FILES, bad);
    truncate("f0007", 0);
    signal(SIGBUS, on_bus);
    volatile char c = 0;
    int bus = sigsetjmp(back, 1) ? 1 : (c = maps[7][0], 0);
    printf("past the end of the shrunk file: %s; its neighbour still reads %d\n", bus ? "SIGBUS" : "no fault",
           maps[8][0]);
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "f%04d", i);
        munmap(maps[i], 4096);
        unlink(name);
    }
    return 0;
}
