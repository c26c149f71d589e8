/* hello.c: printf of integers and strings in many formats. */
#include <limits.h>
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    printf("%d %u %x %X %o %ld %lld %s %c|%5d|%-5d|%05d\n", -42, 42u, 0xbeefu, 0xbeefu, 8u, LONG_MIN, LLONG_MAX,
           "str", 'c', 7, 7, 7);
    printf("%zu %p %%\n", sizeof(long), (void *)0x1234);
    for (int i = 0; i < 5; i++)
        printf("line %d of %d\n", i + 1, 5);
    fprintf(stderr, "to stderr: %d\n", 99);
    return 0;
}
