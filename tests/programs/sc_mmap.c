/* sc_mmap.c: file-backed mmap (private, shared write-back), MAP_FIXED, mprotect, mremap, madvise, msync. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sc_common.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static long map(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static void make_file(const char *name, size_t len)
{
    int fd = open(name, O_CREAT | O_RDWR | O_TRUNC, 0644);
    for (size_t i = 0; i < len; i++) {
        char c = (char)('a' + i % 26);
        write(fd, &c, 1);
    }
    close(fd);
}

static void file_private(void)
{
    make_file("m.dat", 10000); /* two full pages and a partial third */
    int fd = open("m.dat", O_RDONLY);
    char *p = (char *)map(NULL, 12288, PROT_READ, MAP_PRIVATE, fd, 0);
    T("mmap private", p != MAP_FAILED);
    printf("  -> %.5s %c %d %d\n", p, p[9999], p[10000], p[12287]);
    char *q = (char *)map(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 8192);
    T("mmap offset", q != MAP_FAILED);
    printf("  -> %c (offset 8192)\n", q[0]);
    q[0] = 'Z';
    T("private write stays private", pread(fd, (char[1]){0}, 1, 8192) == 1);
    T("mmap EINVAL (offset)", map(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100));
    T("mmap EINVAL (len 0)", map(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0));
    T("mmap EBADF", map(NULL, 4096, PROT_READ, MAP_PRIVATE, 77, 0));
    T("mmap EACCES (shared rw, O_RDONLY)", map(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    int path = open("m.dat", O_PATH), wr = open("m.dat", O_WRONLY);
    T("mmap EBADF (O_PATH)", map(NULL, 4096, PROT_READ, MAP_PRIVATE, path, 0));
    T("mmap EACCES (O_WRONLY)", map(NULL, 4096, PROT_READ, MAP_PRIVATE, wr, 0));
    close(path), close(wr);
    T("munmap", syscall(SYS_munmap, p, 12288));
    T("munmap EINVAL", syscall(SYS_munmap, (char *)q + 1, 4096));
    close(fd);
}

static void file_shared(void)
{
    make_file("s.dat", 5000);
    int fd = open("s.dat", O_RDWR);
    char *p = (char *)map(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    T("mmap shared", p != MAP_FAILED);
    memcpy(p, "SHARED", 6);
    T("msync", syscall(SYS_msync, p, 4096, MS_SYNC));
    char buf[8] = "";
    pread(fd, buf, 6, 0);
    printf("  -> file now %.6s\n", buf);
    memcpy(p + 4990, "END", 3);
    T("msync EINVAL", syscall(SYS_msync, p + 1, 4096, MS_SYNC));
    T("msync EINVAL (flags)", syscall(SYS_msync, p, 4096, MS_SYNC | MS_ASYNC));
    T("munmap shared", syscall(SYS_munmap, p, 8192));
    pread(fd, buf, 3, 4990);
    printf("  -> after munmap %.3s, size %ld\n", buf, (long)lseek(fd, 0, SEEK_END));
    char *q = (char *)map(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    memcpy(q + 10, "closed-fd", 9); /* written back at exit although the fd is closed */
}

static void fixed_and_protect(void)
{
    char *p = (char *)map(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 'x', 4 * 4096);
    char *f = (char *)map(p + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    T("MAP_FIXED replaces", f == p + 4096);
    printf("  -> %c %d %c\n", p[0], p[4096], p[8192]);
    T("MAP_FIXED_NOREPLACE EEXIST", map(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    T("mprotect", syscall(SYS_mprotect, p + 4096, 4096, PROT_READ));
    T("mprotect EINVAL", syscall(SYS_mprotect, p + 1, 4096, PROT_READ));
    T("mprotect ENOMEM", syscall(SYS_mprotect, (void *)0x10000000, 4096, PROT_READ));
    T("madvise DONTNEED", syscall(SYS_madvise, p + 8192, 4096, MADV_DONTNEED));
    printf("  -> zeroed %d kept %c\n", p[8192], p[12288]);
    T("madvise EINVAL", syscall(SYS_madvise, p + 1, 4096, MADV_DONTNEED));
    char *g = (char *)syscall(SYS_mremap, p + 12288, 4096, 3 * 4096, MREMAP_MAYMOVE);
    T("mremap grow", g != MAP_FAILED);
    printf("  -> %c %d\n", g[0], g[8191]);
    T("mremap EINVAL", syscall(SYS_mremap, p + 1, 4096, 8192, MREMAP_MAYMOVE));
    T("mremap EFAULT", syscall(SYS_mremap, (void *)0x10000000, 4096, 8192, MREMAP_MAYMOVE));
}

/* munmap's bounds are Linux's: everything below the top may go, the low pages included (and the
 * program with it: the child dies returning into nothing). */
static void unmap_bounds(void)
{
    /* Linux's overcommit check, for one private writable mapping larger than the machine */
    T("mmap 1 TiB writable", map(NULL, 1ul << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    long nr = (long)map(NULL, 1ul << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    T("mmap 1 TiB NORESERVE", nr != -1 && syscall(SYS_munmap, nr, 1ul << 40) == 0);
    long ro = (long)map(NULL, 1ul << 40, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T("mmap 1 TiB read-only", ro != -1 && syscall(SYS_munmap, ro, 1ul << 40) == 0);
    T("brk 1 TiB more", syscall(SYS_brk, (char *)syscall(SYS_brk, 0) + (1ul << 40)) == syscall(SYS_brk, 0));
    /* /dev/zero mapped privately is anonymous memory: reserving costs nothing until touched */
    int z = open("/dev/zero", O_RDWR);
    char *zp = (char *)map(NULL, 1ul << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
    T("mmap /dev/zero 1 GiB private", zp != (char *)-1 && (zp[123456] = 7) == 7 && zp[0] == 0);
    T("mmap /dev/zero 64 GiB PROT_NONE", map(NULL, 64ul << 30, PROT_NONE, MAP_PRIVATE, z, 0) != -1);
    char *zs = (char *)map(NULL, 4ul << 20, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
    T("mmap /dev/zero 4 MiB shared", zs != (char *)-1 && (zs[3 << 20] = 5) == 5 && zs[(3 << 20) + 1] == 0);
    close(z);
    T("munmap len 0", syscall(SYS_munmap, (void *)0x100000000, 0));
    T("munmap len wraps", syscall(SYS_munmap, (void *)0x100000000, ~0ul));
    T("munmap past the top", syscall(SYS_munmap, (void *)0x7ffffffff000, 4096));
    T("munmap low page", syscall(SYS_munmap, (void *)0, 4096));
    T("munmap low, unaligned", syscall(SYS_munmap, (void *)1, 4096));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        syscall(SYS_munmap, (void *)0, 0x7ffffffff000ul);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("munmap of everything: %s %d\n", WIFSIGNALED(st) ? "signal" : "exit",
           WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    file_private();
    file_shared();
    fixed_and_protect();
    unmap_bounds();
    return 0;
}
