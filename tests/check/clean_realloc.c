// clean_realloc.c: the twin of uaf_realloc: a buffer grown and shrunk by realloc, used only
// through the pointer realloc returned; its contents survive every move: no report
// expect: clean
#include "corpus.h"

int main(void)
{
    size_t n = 1;
    unsigned char *p = malloc(n);
    p[0] = 0;
    while (n < 70000) {
        size_t m = n * 3 / 2 + 1;
        p = realloc(p, m);
        for (size_t k = n; k < m; k++)
            p[k] = (unsigned char)k;
        n = m;
    }
    unsigned long sum = 0;
    for (size_t k = 1; k < n; k++)
        sum += p[k] == (unsigned char)k;
    p = realloc(p, 10); /* shrink */
    p = realloc(p, 10); /* same size */
    for (size_t k = 1; k < 10; k++)
        sum += p[k] == (unsigned char)k;
    free(p);
    printf("%lu of %zu bytes survived\n", sum, n - 1 + 9);
    return 0;
}
