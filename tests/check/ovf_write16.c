// ovf_write16.c: one byte written just past a 16-byte block, inside the block's page
// expect: write 1 at 0 after 16 alloc'd precise
// build: o2
#include "corpus.h"

int main(void)
{
    say("writing one byte past a 16-byte block\n");
    char *p = opaque(malloc(16)); /*@alloc*/
    keep[0] = p;
    p[16] = 'x'; /*@access*/
    return 0;
}
