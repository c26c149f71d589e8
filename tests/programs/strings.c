/* strings.c: string and memory functions on long and unaligned buffers, qsort, 128-bit integers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long h = 1469598103934665603ull;
static void mix(const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ull;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void mem_tests(void)
{
    enum { N = 70000 };
    char *a = malloc(N + 64), *b = malloc(N + 64);
    for (int i = 0; i < N + 64; i++)
        a[i] = (char)('a' + (i * 7 + i / 13) % 26);
    for (int off = 0; off < 17; off++) {
        for (size_t len = 0; len < 300; len += 1 + len / 3) {
            memset(b, 0, N + 64);
            memcpy(b + off, a + (16 - off), len);
            memmove(b + off + 1, b + off, len);
            mix(b, len + 32);
            a[len + off] = 0;
            printf("%zu ", strlen(a + off));
            a[len + off] = (char)('a' + ((len + off) * 7 + (len + off) / 13) % 26);
            mix(memchr(a + off, 'q', N), 1);
            printf("%d ", memcmp(a + off, b + off + 1, len) == 0);
        }
        printf("\n");
    }
    a[N] = 0;
    printf("strlen %zu strchr %td strrchr %td strstr %td\n", strlen(a + 3), strchr(a + 5, 'z') - a,
           strrchr(a, 'b') - a, strstr(a, "mtz") ? strstr(a, "mtz") - a : -1);
    memmove(a + 1000, a + 1003, 50000);
    memmove(a + 5003, a + 5000, 50000);
    mix(a, N);
    printf("hash %llx\n", h);
    free(a);
    free(b);
}

static void sort_tests(void)
{
    enum { N = 20000 };
    int *v = malloc(N * sizeof *v);
    unsigned x = 12345;
    for (int i = 0; i < N; i++)
        v[i] = (int)(x = x * 1103515245u + 12345u) >> 3;
    qsort(v, N, sizeof *v, cmp_int);
    long long s = 0;
    for (int i = 0; i < N; i += 997)
        s += v[i], printf("%d ", v[i]);
    printf("\nsum %lld sorted %d\n", s, v[0] <= v[N / 2] && v[N / 2] <= v[N - 1]);
    char *words[] = {"pear", "apple", "fig", "banana", "kiwi", "cherry", "date", "grape"};
    qsort(words, 8, sizeof words[0], cmp_str);
    for (int i = 0; i < 8; i++)
        printf("%s%c", words[i], i == 7 ? '\n' : ' ');
    free(v);
}

static void print_u128(unsigned __int128 v)
{
    char buf[64];
    int n = 0;
    do
        buf[n++] = (char)('0' + (int)(v % 10));
    while ((v /= 10) != 0);
    while (n)
        putchar(buf[--n]);
}

static void int128_tests(void)
{
    unsigned __int128 a = ((unsigned __int128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull;
    unsigned __int128 b = 0xffffffffffffffc5ull;
    __int128 c = -(__int128)a / 7;
    print_u128(a * b), putchar(' ');
    print_u128(a / b), putchar(' ');
    print_u128(a % b), putchar(' ');
    print_u128((unsigned __int128)(c < 0 ? -c : c)), putchar(' ');
    print_u128(a >> 67), putchar(' ');
    print_u128(a << 13), putchar('\n');
    unsigned long long f = 1;
    unsigned __int128 fact = 1;
    for (int i = 1; i <= 33; i++, f++)
        fact *= f;
    print_u128(fact), putchar('\n');
}

int main(void)
{
    mem_tests();
    sort_tests();
    int128_tests();
    return 0;
}
