// uaf_write_large.c: an int written into a freed 20000-byte block
// expect: write 4 at 4000 inside 20000 free'd
#include "corpus.h"

int main(void)
{
    say("writing a large freed block\n");
    char *p = opaque(malloc(20000)); /*@alloc*/
    memset(p, 2, 20000);
    free(p); /*@free*/
    *(volatile int *)(p + 4000) = 4; /*@access*/
    return 0;
}
