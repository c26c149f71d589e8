// double_free_memalign.c: a 100-byte block aligned to 64 freed twice
// expect: free at 0 inside 100 free'd
#include "corpus.h"

int main(void)
{
    say("freeing a memalign block twice\n");
    char *p = opaque(memalign(64, 100)); /*@alloc*/
    free(p); /*@free*/
    free(p); /*@access*/
    return 0;
}
