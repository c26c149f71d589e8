#include <stdlib.h>
int main(void)
{
    volatile int *p = malloc(4 * sizeof(int));
    free((void *)p);
    return p[1] == 7; /* a read of freed memory */
}
