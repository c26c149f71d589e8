// underflow_write.c: one byte written just before a 16-byte block (same page: byte precision)
// expect: write 1 at 1 before 16 alloc'd precise
#include "corpus.h"

int main(void)
{
    say("writing the byte before a block\n");
    char *p = opaque(malloc(16)); /*@alloc*/
    keep[0] = p;
    p[-1] = 0; /*@access*/ /* natively the top byte of the allocator's header, 0 already */
    return 0;
}
