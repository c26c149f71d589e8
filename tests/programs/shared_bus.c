/* shared_bus.c: SIGBUS from a MAP_SHARED file mapping: "past-eof" touches a page wholly past the
 * end of the file, "shrunk" a page the program's own ftruncate cut off, "read-eof" passes such a
 * page to pread() (EFAULT, no signal) first, "external" prints "ready", waits (20 s at most) for
 * another process to cut bus.dat to one page, then touches the second. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "past-eof";
    int fd = open("bus.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
    ftruncate(fd, 8192);
    volatile char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    p[0] = 'a', p[4096] = 'b';
    printf("mapped: %c %c\n", p[0], p[4096]);
    if (strcmp(mode, "shrunk") == 0) {
        ftruncate(fd, 4096);
        printf("shrunk; first page still %c\n", p[0]);
        fflush(stdout);
        p[4096] = 'x';
    } else if (strcmp(mode, "external") == 0) {
        printf("ready\n");
        fflush(stdout);
        struct stat st;
        for (time_t end = time(NULL) + 20; time(NULL) < end && fstat(fd, &st) == 0 && st.st_size > 4096;)
            usleep(10000);
        (void)p[4096];
    } else if (strcmp(mode, "read-eof") == 0) {
        long n = pread(fd, (char *)p + 8192, 10, 0);
        printf("pread into a page past the end: %ld %s\n", n, n < 0 && errno == EFAULT ? "EFAULT" : "");
        fflush(stdout);
        p[8192] = 'x';
    } else {
        fflush(stdout);
        (void)p[8192];
    }
    printf("not reached\n");
    return 0;
}
