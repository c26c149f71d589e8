// ovf_after_churn.c: an overflow of a block made in the middle of 100000 allocations and frees of
// mixed sizes: the alias space around it has been given back chunk by chunk, the block is found all
// the same
// expect: write 1 at 0 after 3008 alloc'd
#include "corpus.h"

int main(void)
{
    char *mid = NULL;
    for (unsigned i = 0; i < 100000; i++) {
        char *p = malloc(i % 16 ? 16 + i % 240 : 5000);
        if (!p)
            return 1;
        p[0] = (char)i;
        if (i == 50000)
            mid = opaque(malloc(3008)); /*@alloc*/
        free(p);
    }
    keep[0] = mid;
    say("writing past a block made long ago\n");
    mid[3008] = 1; /*@access*/
    return 0;
}
