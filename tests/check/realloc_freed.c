// realloc_freed.c: realloc of a block already freed
// expect: free at 0 inside 40 free'd
#include "corpus.h"

int main(void)
{
    say("reallocating a freed block\n");
    char *p = opaque(malloc(40)); /*@alloc*/
    free(p); /*@free*/
    keep[0] = realloc(p, 80); /*@access*/
    return 0;
}
