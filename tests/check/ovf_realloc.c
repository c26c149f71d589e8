// ovf_realloc.c: a read just past a block grown by realloc to 20000 bytes: the block's allocation
// is the realloc
// expect: read 1 at 0 after 20000 alloc'd
#include "corpus.h"

int main(void)
{
    say("reading past a realloc'd block\n");
    char *p = opaque(malloc(10));
    memcpy(p, "abcdefghi", 10);
    p = opaque(realloc(p, 20000)); /*@alloc*/
    keep[0] = p;
    volatile char c = ((volatile char *)p)[20000]; /*@access*/
    (void)c;
    return 0;
}
