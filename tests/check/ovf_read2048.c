// ovf_read2048.c: a long read just past a 2048-byte block, the smallest size with pages of its own
// expect: read 8 at 0 after 2048 alloc'd
#include "corpus.h"

int main(void)
{
    say("reading past a 2048-byte block\n");
    long *p = opaque(malloc(2048)); /*@alloc*/
    keep[0] = p;
    for (int i = 0; i < 256; i++)
        p[i] = i;
    volatile long v = ((volatile long *)p)[256]; /*@access*/
    (void)v;
    return 0;
}
