// ovf_write3000.c: one byte written just past a 3000-byte block, inside the 8 bytes that round it
// up to 3008 (a multiple of 16): only a byte-precise check sees it
// expect: write 1 at 0 after 3000 alloc'd precise
#include "corpus.h"

int main(void)
{
    say("writing one byte past a 3000-byte block\n");
    char *p = opaque(malloc(3000)); /*@alloc*/
    keep[0] = p;
    keep[1] = malloc(3000); /* natively the write lands in this neighbour's header, never used again */
    p[3000] = 'z'; /*@access*/
    return 0;
}
