// ovf_write3008.c: one byte written 8 bytes past a 3000-byte block, past its 16-byte-rounded end
// (3008): the guard page catches it
// expect: write 1 at 8 after 3000 alloc'd
#include "corpus.h"

int main(void)
{
    say("writing 8 bytes past a 3000-byte block\n");
    char *p = opaque(malloc(3000)); /*@alloc*/
    keep[0] = p;
    keep[1] = malloc(3000); /* natively the write lands in this neighbour */
    p[3008] = 'z'; /*@access*/
    return 0;
}
