// uaf_after_churn.c: a read of a block freed 40000 frees before, in the middle of 100000
// allocations and frees: its record is still kept (and memcheck's 20 MB of freed blocks still hold
// it), found by its address after the alias chunks before and after it were given back
// expect: read 4 at 8 inside 100 free'd
#include "corpus.h"

int main(void)
{
    int *old = NULL;
    for (unsigned i = 0; i < 100000; i++) {
        char *p = malloc(16 + i % 112);
        if (!p)
            return 1;
        p[0] = (char)i;
        if (i == 60000) {
            old = opaque(malloc(100)); /*@alloc*/
            free(old); /*@free*/
        }
        free(p);
    }
    say("reading a block freed long ago\n");
    volatile int v = old[2]; /*@access*/
    (void)v;
    return 0;
}
