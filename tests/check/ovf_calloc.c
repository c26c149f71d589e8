// ovf_calloc.c: a 2-byte read just past a calloc'd block of 500 * 12 = 6000 bytes
// expect: read 2 at 0 after 6000 alloc'd
#include "corpus.h"

int main(void)
{
    say("reading past a calloc'd block\n");
    char *p = opaque(calloc(500, 12)); /*@alloc*/
    keep[0] = p;
    volatile short v = *(volatile short *)(p + 6000); /*@access*/
    (void)v;
    return 0;
}
