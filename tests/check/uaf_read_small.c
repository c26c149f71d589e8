// uaf_read_small.c: an int read from a freed 40-byte block
// expect: read 4 at 8 inside 40 free'd
// build: o2
// option: --error-exitcode=42 => exit=42
#include "corpus.h"

int main(void)
{
    say("reading a freed block\n");
    int *p = opaque(malloc(40)); /*@alloc*/
    p[2] = 7;
    free(p); /*@free*/
    volatile int v = ((volatile int *)p)[2]; /*@access*/
    (void)v;
    return 0;
}
