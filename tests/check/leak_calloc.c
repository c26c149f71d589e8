// leak_calloc.c: a calloc'd block of 10 * 10 bytes dropped
// expect: leak
#include "corpus.h"

__attribute__((noinline)) static void lose(void)
{
    char *p = opaque(calloc(10, 10)); // expect-leak: definite 100 in 1
    p[0] = 1;
}

int main(void)
{
    say("dropping a calloc block\n");
    lose();
    scrub_stack();
    return 0;
}
