// ovf_aligned_alloc.c: one byte read just past a page-sized, page-aligned block
// expect: read 1 at 0 after 4096 alloc'd
#include "corpus.h"

int main(void)
{
    say("reading past an aligned_alloc block\n");
    char *p = opaque(aligned_alloc(4096, 4096)); /*@alloc*/
    keep[0] = p;
    volatile char c = ((volatile char *)p)[4096]; /*@access*/
    (void)c;
    return 0;
}
