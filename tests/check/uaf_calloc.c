// uaf_calloc.c: the last long of a freed calloc'd block (8 * 8 bytes) read
// expect: read 8 at 56 inside 64 free'd
#include "corpus.h"

int main(void)
{
    say("reading a freed calloc block\n");
    long *p = opaque(calloc(8, sizeof(long))); /*@alloc*/
    free(p); /*@free*/
    volatile long v = ((volatile long *)p)[7]; /*@access*/
    (void)v;
    return 0;
}
