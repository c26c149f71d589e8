// uaf_write_small.c: a byte written into a freed 24-byte block (natively past the free list's links)
// expect: write 1 at 16 inside 24 free'd
#include "corpus.h"

int main(void)
{
    say("writing a freed block\n");
    char *p = opaque(malloc(24)); /*@alloc*/
    memset(p, 0, 24);
    free(p); /*@free*/
    p[16] = 'u'; /*@access*/
    return 0;
}
