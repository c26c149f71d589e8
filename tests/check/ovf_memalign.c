// ovf_memalign.c: one byte written just past a 48-byte block aligned to 32 (same page)
// expect: write 1 at 0 after 48 alloc'd precise
#include "corpus.h"

int main(void)
{
    say("writing past a memalign block\n");
    char *p = opaque(memalign(32, 48)); /*@alloc*/
    keep[0] = p;
    p[48] = 1; /*@access*/
    return 0;
}
