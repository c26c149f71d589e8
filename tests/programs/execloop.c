/* execloop.c: re-execs itself argv[1] times, each image dirtying heap, anonymous and shared file
 * memory and failing an execve with too many argument bytes (E2BIG) first; prints sysinfo's freeram
 * per image. Under buffervm that is the kernel's count of
 * free pages, which must be the same in every image (the errors tier checks: exec leaks nothing). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static void dirty_memory(int round)
{
    char *heap = malloc(1 << 20), *anon;
    memset(heap, 1, 1 << 20);
    anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(anon, 2, 1 << 20);
    int fd = open("execloop.bin", O_RDWR | O_CREAT, 0644);
    ftruncate(fd, 8192);
    char *shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    shared[0] = shared[4096] = (char)('a' + round % 26);
}

/* 20 strings of 120 KiB: more than the 2 MiB an 8 MiB stack limit allows. */
static void exec_too_big(void)
{
    char *big = malloc(120 << 10), *argv[21];
    memset(big, 'x', (120 << 10) - 1);
    big[(120 << 10) - 1] = 0;
    for (int i = 0; i < 20; i++)
        argv[i] = big;
    argv[20] = NULL;
    if (execv("/proc/self/exe", argv) == 0 || errno != E2BIG)
        perror("execv of 2.4 MB of arguments");
    free(big);
}

int main(int argc, char **argv)
{
    int left = argc > 1 ? atoi(argv[1]) : 0, round = argc > 2 ? atoi(argv[2]) : 0;
    char a[16], b[16];
    struct sysinfo si;
    dirty_memory(round);
    exec_too_big();
    sysinfo(&si);
    printf("image %d: freeram %lu\n", round, si.freeram);
    fflush(stdout);
    if (left <= 0)
        return 0;
    snprintf(a, sizeof a, "%d", left - 1);
    snprintf(b, sizeof b, "%d", round + 1);
    execv("/proc/self/exe", (char *[]){argv[0], a, b, NULL});
    perror("execv");
    return 1;
}
