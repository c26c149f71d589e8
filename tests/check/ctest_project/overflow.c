#include <stdlib.h>
int main(void)
{
    volatile char *p = malloc(16);
    p[16] = 1; /* one past the end: an invalid write */
    free((void *)p);
    return 0;
}
