// leak_then_abort.c: a block is lost, then the program dies of SIGABRT: the leak is reported all
// the same (memcheck searches for leaks when a program dies of a signal), and the exit status is
// the signal's, as natively
// expect: leak
#include "corpus.h"

__attribute__((noinline)) static void lose(void)
{
    char *p = opaque(malloc(24)); // expect-leak: definite 24 in 1
    p[0] = 1;
}

int main(void)
{
    say("dropping a block, then aborting\n");
    lose();
    scrub_stack();
    abort();
}
