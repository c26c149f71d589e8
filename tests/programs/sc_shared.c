/* sc_shared.c: MAP_SHARED file mappings coherent with the file: writes through a mapping seen by
 * pread and other mappings, pwrite/write seen by the mapping, partial munmap/mprotect/mremap,
 * msync, ftruncate growth, closed fds, map/unmap churn, and the errors (EACCES, ENODEV, EINVAL,
 * EOVERFLOW). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sc_common.h"

#define PG 4096

static char *map(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    return (char *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static long map_ret(size_t len, int prot, int flags, int fd, long off)
{
    return (long)syscall(SYS_mmap, NULL, len, prot, flags, fd, off) == -1 ? -1 : 0;
}

static int make_file(const char *name, size_t len)
{
    int fd = open(name, O_CREAT | O_RDWR | O_TRUNC, 0644);
    char buf[PG];
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof buf ? len - done : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)('a' + (done + i) % 26);
        done += (size_t)write(fd, buf, n);
    }
    return fd;
}

static void show_file(int fd, long off, int n)
{
    char buf[32] = "";
    long got = pread(fd, buf, (size_t)n, off);
    printf("  -> file @%ld: %ld '%.*s'\n", off, got, (int)(got > 0 ? got : 0), buf);
}

/* Writes through the mapping reach the file; the file's writes reach the mapping. */
static void through_the_file(void)
{
    int fd = make_file("sh.dat", 10000);
    char *p = map(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    T("mmap shared rw", p != MAP_FAILED);
    printf("  -> %.5s %c %d (partial page past the end reads 0)\n", p, p[9999], p[10000]);
    memcpy(p + 100, "MAPPED", 6);
    show_file(fd, 100, 6);
    T("pwrite", pwrite(fd, "FILE", 4, 5000));
    printf("  -> mapping @5000: %.4s\n", p + 5000);
    lseek(fd, 8000, SEEK_SET);
    T("write", write(fd, "WRITTEN", 7));
    printf("  -> mapping @8000: %.7s\n", p + 8000);
    int out = open("copy.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
    T("write from the mapping", write(out, p + 95, 16));
    T("read into the mapping", pread(out, p + 9000, 16, 0));
    show_file(fd, 9000, 16);
    close(out);
    T("munmap", syscall(SYS_munmap, p, 3 * PG));
    close(fd);
}

/* Two mappings of one file range, and one at an offset, see each other's writes. */
static void two_mappings(void)
{
    int fd = make_file("two.dat", 3 * PG), fd2 = open("two.dat", O_RDWR);
    char *p = map(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *q = map(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
    char *r = map(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);
    T("second mapping", q != MAP_FAILED && q != p);
    T("mapping at offset", r != MAP_FAILED);
    memcpy(p + PG + 7, "via-p", 5);
    printf("  -> q sees %.5s, r sees %.5s\n", q + PG + 7, r + 7);
    memcpy(q + 2 * PG, "via-q", 5);
    printf("  -> p sees %.5s\n", p + 2 * PG);
    close(fd), close(fd2); /* the mappings keep the file */
    memcpy(q + 20, "after-close", 11);
    printf("  -> p sees %.11s\n", p + 20);
    int fd3 = open("two.dat", O_RDONLY);
    show_file(fd3, 20, 11);
    T("msync MS_SYNC", syscall(SYS_msync, p, 3 * PG, MS_SYNC));
    T("msync MS_ASYNC", syscall(SYS_msync, p + PG, PG, MS_ASYNC));
    T("msync MS_INVALIDATE", syscall(SYS_msync, q, PG, MS_INVALIDATE));
    T("msync EINVAL", syscall(SYS_msync, p + 1, PG, MS_SYNC));
    T("madvise DONTNEED", syscall(SYS_madvise, q, PG, MADV_DONTNEED));
    printf("  -> after DONTNEED the file's bytes stay: %.11s\n", q + 20);
    syscall(SYS_munmap, p, 3 * PG), syscall(SYS_munmap, q, 3 * PG), syscall(SYS_munmap, r, PG);
    close(fd3);
}

/* munmap and mprotect of part of a mapping, MAP_FIXED over part of it, mremap. */
static void parts(void)
{
    int fd = make_file("parts.dat", 4 * PG);
    char *p = map(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    T("munmap the second page", syscall(SYS_munmap, p + PG, PG));
    memcpy(p + 3 * PG, "tail", 4);
    show_file(fd, 3 * PG, 4);
    T("mprotect first page read-only", syscall(SYS_mprotect, p, PG, PROT_READ));
    pwrite(fd, "NEW", 3, 0);
    printf("  -> read-only page shows %.3s\n", p);
    T("mprotect writable again", syscall(SYS_mprotect, p, PG, PROT_READ | PROT_WRITE));
    memcpy(p, "rw", 2);
    show_file(fd, 0, 3);
    char *a = map(p + 2 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    T("MAP_FIXED anonymous over the third page", a == p + 2 * PG);
    memcpy(a, "anon", 4);
    show_file(fd, 2 * PG, 4);
    char *g = (char *)syscall(SYS_mremap, p + 3 * PG, PG, 3 * PG, MREMAP_MAYMOVE);
    T("mremap grow (moves)", g != MAP_FAILED);
    ftruncate(fd, 6 * PG);
    memcpy(g + 2 * PG, "grown", 5);
    show_file(fd, 5 * PG, 5);
    printf("  -> moved page keeps its bytes: %.4s\n", g);
    char *s = (char *)syscall(SYS_mremap, g, 3 * PG, PG, 0);
    T("mremap shrink", s == g);
    syscall(SYS_munmap, p, PG), syscall(SYS_munmap, s, PG);
    close(fd);
}

/* ftruncate growing the file under a mapping makes its pages usable. */
static void grow(void)
{
    int fd = make_file("grow.dat", 100);
    char *p = map(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    T("mmap past the end", p != MAP_FAILED);
    T("ftruncate grow", ftruncate(fd, 3 * PG + 10));
    p[3 * PG + 5] = 'G';
    printf("  -> %d %d\n", p[2 * PG], p[3 * PG + 11]);
    show_file(fd, 3 * PG + 5, 1);
    T("pwrite extends", pwrite(fd, "X", 1, 4 * PG - 1));
    printf("  -> %c\n", p[4 * PG - 1]);
    syscall(SYS_munmap, p, 4 * PG);
    close(fd);
}

/* A mapping across the window's 2 MiB chunks, and a second one overlapping the boundary. */
static void large(void)
{
    int fd = open("large.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
    ftruncate(fd, 5 << 20);
    char *p = map(NULL, 5 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *q = map(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (2 << 20) - PG);
    T("5 MiB mapping", p != MAP_FAILED);
    T("mapping across a 2 MiB boundary", q != MAP_FAILED);
    for (long off = 0; off < (5 << 20); off += 256 * PG)
        p[off] = (char)('A' + off / (256 * PG));
    memcpy(q + PG - 2, "edge", 4);
    printf("  -> %.4s\n", p + (2 << 20) - 2);
    long sum = 0;
    for (long off = 0; off < (5 << 20); off += PG)
        sum += p[off];
    printf("  -> sum %ld\n", sum);
    show_file(fd, 4 << 20, 1);
    syscall(SYS_munmap, p, 5 << 20), syscall(SYS_munmap, q, 2 * PG);
    close(fd);
}

/* memfd and /dev/zero: /dev/zero's shared mappings are each their own memory. */
static void special_files(void)
{
    int m = (int)syscall(SYS_memfd_create, "shm", 0);
    ftruncate(m, 2 * PG);
    char *a = map(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
    char *b = map(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
    T("memfd mappings", a != MAP_FAILED && b != MAP_FAILED);
    strcpy(a + PG, "memfd");
    printf("  -> %s\n", b + PG);
    int z = open("/dev/zero", O_RDWR);
    char *z1 = map(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
    char *z2 = map(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
    T("/dev/zero mappings", z1 != MAP_FAILED && z2 != MAP_FAILED);
    z1[10] = 'z';
    printf("  -> %c %d\n", z1[10], z2[10]);
    close(m), close(z);
}

/* Mapping, closing and unmapping again and again gives everything back (window space, host fds). */
static void churn(void)
{
    int ok = 0;
    for (int i = 0; i < 9000; i++) {
        int fd = open("two.dat", O_RDWR);
        char *p = map(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        if (p == MAP_FAILED)
            continue;
        p[100] = (char)('0' + i % 10);
        ok += syscall(SYS_munmap, p, PG) == 0;
    }
    printf("churn: %d of 9000\n", ok);
    int fd = open("two.dat", O_RDONLY);
    show_file(fd, 100, 1);
    close(fd);
}

static void errors(void)
{
    int ro = open("sh.dat", O_RDONLY), wo = open("sh.dat", O_WRONLY);
    T("mmap EACCES (O_RDONLY, shared rw)", map_ret(PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
    T("mmap EACCES (O_WRONLY)", map_ret(PG, PROT_READ, MAP_SHARED, wo, 0));
    char *p = map(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
    T("mmap shared read-only", p != MAP_FAILED);
    T("mprotect EACCES (O_RDONLY)", syscall(SYS_mprotect, p, PG, PROT_READ | PROT_WRITE));
    pwrite(wo, "RO", 2, 0);
    printf("  -> read-only mapping sees %.2s\n", p);
    T("mmap EINVAL (offset)", map_ret(PG, PROT_READ, MAP_SHARED, ro, 100));
    T("mmap EOVERFLOW", map_ret(2 * PG, PROT_READ, MAP_SHARED, ro, 0x7ffffffffffff000L));
    T("mmap EBADF", map_ret(PG, PROT_READ, MAP_SHARED, 99, 0));
    int pfd[2];
    pipe(pfd);
    T("mmap ENODEV (pipe)", map_ret(PG, PROT_READ, MAP_SHARED, pfd[0], 0));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    T("mmap ENODEV (directory)", map_ret(PG, PROT_READ, MAP_SHARED, dir, 0));
    close(ro), close(wo), close(pfd[0]), close(pfd[1]), close(dir);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    through_the_file();
    two_mappings();
    parts();
    grow();
    large();
    special_files();
    churn();
    errors();
    return 0;
}
