/* heap_errors.c: two heap errors for buffervm check --gdb-error (tests/gdb/stub_cases.sh): an
 * overflowing store, then a double free; the lines are found by their markers. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *p = malloc(10);
    p[10] = 'x'; /* OVERFLOW */
    free(p);
    free(p); /* DOUBLE_FREE */
    puts("done");
    return 0;
}
