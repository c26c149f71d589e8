// leak_definite.c: a 40-byte block whose only pointer is dropped
// expect: leak
// build: o2
// option: --leak-check=no => clean
// option: --errors-for-leak-kinds=none => clean
// option: --errors-for-leak-kinds=definite,possible --error-exitcode=7 => exit=7
#include "corpus.h"

__attribute__((noinline)) static void lose(void)
{
    char *p = opaque(malloc(40)); // expect-leak: definite 40 in 1
    p[0] = 1;
}

int main(void)
{
    say("dropping a block\n");
    lose();
    scrub_stack();
    return 0;
}
