// double_free.c: a 40-byte block freed twice
// expect: free at 0 inside 40 free'd
// build: o2
#include "corpus.h"

int main(void)
{
    say("freeing a block twice\n");
    char *p = opaque(malloc(40)); /*@alloc*/
    free(p); /*@free*/
    free(p); /*@access*/
    return 0;
}
