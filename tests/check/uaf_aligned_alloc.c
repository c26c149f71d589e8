// uaf_aligned_alloc.c: a long written into a freed 128-byte block aligned to 64
// expect: write 8 at 64 inside 128 free'd
#include "corpus.h"

int main(void)
{
    say("writing a freed aligned_alloc block\n");
    long *p = opaque(aligned_alloc(64, 128)); /*@alloc*/
    free(p); /*@free*/
    ((volatile long *)p)[8] = 8; /*@access*/
    return 0;
}
