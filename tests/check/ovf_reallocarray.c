// ovf_reallocarray.c: a long written just past reallocarray(NULL, 5, 8): 40 bytes (same page)
// expect: write 8 at 0 after 40 alloc'd precise
#include "corpus.h"

int main(void)
{
    say("writing past a reallocarray block\n");
    long *p = opaque(reallocarray(NULL, 5, sizeof(long))); /*@alloc*/
    keep[0] = p;
    p[5] = 5; /*@access*/
    return 0;
}
