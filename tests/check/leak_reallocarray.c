// leak_reallocarray.c: reallocarray(NULL, 7, 9): 63 bytes, dropped
// expect: leak
#include "corpus.h"

__attribute__((noinline)) static void lose(void)
{
    char *p = opaque(reallocarray(NULL, 7, 9)); // expect-leak: definite 63 in 1
    p[62] = 1;
}

int main(void)
{
    say("dropping a reallocarray block\n");
    lose();
    scrub_stack();
    return 0;
}
