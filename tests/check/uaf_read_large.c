// uaf_read_large.c: a long read from the middle of a freed 100000-byte block
// expect: read 8 at 50000 inside 100000 free'd
#include "corpus.h"

int main(void)
{
    say("reading a large freed block\n");
    char *p = opaque(malloc(100000)); /*@alloc*/
    memset(p, 1, 100000);
    free(p); /*@free*/
    volatile long v = *(volatile long *)(p + 50000); /*@access*/
    (void)v;
    return 0;
}
