/* heap_errors.c: two heap errors for buffervm check --gdb-error (tests/gdb/stub_cases.sh): a read
 * after free, then a double free (both found on either backend; an overflow within the block's page
 * is found on soft only); the lines are found by their markers. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *p = malloc(10);
    p[0] = 'x';
    free(p);
    volatile int c = p[0]; /* USE_AFTER_FREE */
    free(p);      /* DOUBLE_FREE */
    (void)c;
    printf("done\n");
    return 0;
}
