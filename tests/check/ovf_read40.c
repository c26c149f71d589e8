// ovf_read40.c: an int read just past a 40-byte block (ten ints), inside the block's page
// expect: read 4 at 0 after 40 alloc'd precise
#include "corpus.h"

int main(void)
{
    say("reading the eleventh int of ten\n");
    int *a = opaque(malloc(10 * sizeof(int))); /*@alloc*/
    keep[0] = a;
    for (int i = 0; i < 10; i++)
        a[i] = i;
    volatile int v = ((volatile int *)a)[10]; /*@access*/
    (void)v;
    return 0;
}
