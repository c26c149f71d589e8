// free_interior.c: a pointer 8 bytes into a live 40-byte block freed (the block stays allocated)
// expect: free at 8 inside 40 alloc'd
#include "corpus.h"

int main(void)
{
    say("freeing a pointer into a block\n");
    char *p = opaque(malloc(40)); /*@alloc*/
    keep[0] = p;
    free(p + 8); /*@access*/
    return 0;
}
