/* badptr.c: user pointers into kernel space, NULL and unmapped memory must give EFAULT. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

static void try(const char *what, long r)
{
    printf("%s: %ld errno %d\n", what, r, r < 0 ? errno : 0);
    errno = 0;
}

int main(void)
{
    try("write kernel ptr", syscall(SYS_write, 1, (void *)0xffff800000000000ul, 10));
    try("write kernel text", syscall(SYS_write, 1, (void *)0xffffffff81000000ul, 10));
    try("write NULL", syscall(SYS_write, 1, (void *)0, 5));
    try("write non-canonical", syscall(SYS_write, 1, (void *)0x0000800000000000ul, 5));
    try("write unmapped", syscall(SYS_write, 1, (void *)0x100000000000ul, 5));
    try("read into kernel", syscall(SYS_read, 0, (void *)0xffff800000001000ul, 10));
    try("stat kernel path", syscall(SYS_newfstatat, -100, (void *)0xffff800000000000ul, (void *)0x1000, 0));
    try("fstat to kernel", syscall(SYS_fstat, 1, (void *)0xffff800000000000ul));
    try("write wrapping", syscall(SYS_write, 1, (void *)0x7ffffffff000ul, 0x2000));
    return 0;
}
