// ovf_write10000.c: one byte written just past a 10000-byte block (a multiple of 16: its end is
// the guard page's start, so no byte precision is needed)
// expect: write 1 at 0 after 10000 alloc'd
// build: o2
#include "corpus.h"

int main(void)
{
    say("writing one byte past a 10000-byte block\n");
    char *p = opaque(malloc(10000)); /*@alloc*/
    keep[0] = p;
    memset(p, 'a', 10000);
    p[10000] = 'z'; /*@access*/
    return 0;
}
