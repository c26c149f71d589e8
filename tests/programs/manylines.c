/* manylines.c: print a million lines; piped into `head -1` it must die of SIGPIPE. */
#include <stdio.h>

int main(void)
{
    for (int i = 1; i <= 1000000; i++)
        printf("%d\n", i);
    return 0;
}
