// leak_realloc.c: a block grown by realloc to 300 bytes, then dropped: its allocation is the realloc
// expect: leak
#include "corpus.h"

__attribute__((noinline)) static void lose(void)
{
    char *p = opaque(malloc(10));
    p[0] = 1;
    p = opaque(realloc(p, 300)); // expect-leak: definite 300 in 1
    p[299] = 1;
}

int main(void)
{
    say("dropping a realloc'd block\n");
    lose();
    scrub_stack();
    return 0;
}
