/* private_map.c: MAP_PRIVATE file mappings as Linux has them: pages come from the file when first
 * touched (data written to the file between mmap and the first touch shows), writes stay private,
 * the tail of the last page is zero and a page wholly past the end of the file is SIGBUS, MADV_
 * DONTNEED gives a written page back to the file's contents, mremap growth maps the file's next
 * pages, the mapping outlives its descriptor and the file's name, and a forked child's copy is its
 * own. /dev/zero mapped privately is plain memory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
static sigjmp_buf back;
static void on_bus(int sig)
{
    (void)sig;
    siglongjmp(back, 1);
}

/* The byte at p, or -1 when reading it is SIGBUS. */
static int peek(const volatile char *p)
{
    if (sigsetjmp(back, 1))
        return -1;
    return (unsigned char)*p;
}

int main(void)
{
    char buf[PG];
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGBUS, on_bus);
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    for (int i = 0; i < 4; i++) { /* 4 pages and 100 bytes: page i is full of 'a' + i */
        memset(buf, 'a' + i, PG);
        if (write(fd, buf, PG) != PG)
            return 1;
    }
    memset(buf, 'z', 100);
    if (write(fd, buf, 100) != 100)
        return 1;
    char *m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        return perror("mmap"), 1;
    if (pwrite(fd, "NEW", 3, 2 * PG) != 3) /* before page 2 is touched */
        return 1;
    printf("pages: %c %c %.3s %c\n", m[0], m[PG], m + 2 * PG, m[3 * PG + 5]);
    printf("last page: %c, past the file's end in it: %d, next page: %d\n", m[4 * PG], peek(m + 4 * PG + 100),
           peek(m + 5 * PG));
    m[PG] = 'W';
    pread(fd, buf, 1, PG);
    printf("private write: mapping %c, file %c\n", m[PG], buf[0]);
    madvise(m + PG, PG, MADV_DONTNEED);
    printf("after MADV_DONTNEED: %c\n", m[PG]);
    char *s = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG); /* one page, then grown */
    char *g = mremap(s, PG, 3 * PG, MREMAP_MAYMOVE);
    printf("grown by mremap: %c %.3s %c\n", g[0], g + PG, g[2 * PG]);
    mprotect(m + 3 * PG, PG, PROT_READ); /* split */
    munmap(m + 2 * PG, PG);
    printf("after a split and a hole: %c %c %c\n", m[0], m[PG], m[3 * PG]);
    close(fd);
    unlink("file");
    char *late = m + 4 * PG - 1; /* untouched until now: read through the held file */
    printf("after close and unlink: %c\n", *late);
    m[0] = 'P';
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child sees %c, ", m[0]);
        m[0] = 'C';
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("parent keeps %c\n", m[0]);
    int z = open("/dev/zero", O_RDONLY);
    char *zm = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
    zm[5000] = 9;
    printf("/dev/zero private: %d %d\n", zm[0], zm[5000]);
    return 0;
}
