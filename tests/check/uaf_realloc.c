// uaf_realloc.c: the old pointer read after realloc moved the block (the checker's realloc always
// moves; natively it may grow in place, and the read is still a bug)
// expect: read 1 at 0 inside 16 free'd
#include "corpus.h"

int main(void)
{
    say("reading through the pointer realloc replaced\n");
    char *p = opaque(malloc(16)); /*@alloc*/
    memcpy(p, "abcdefghijklmno", 16);
    char *q = opaque(realloc(p, 32)); /*@free*/
    keep[0] = q;
    volatile char c = ((volatile char *)p)[0]; /*@access*/
    (void)c;
    return 0;
}
