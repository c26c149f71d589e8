// leak_posix_memalign.c: a 200-byte block aligned to 32 dropped
// expect: leak
#include "corpus.h"

__attribute__((noinline)) static void lose(void)
{
    void *v;
    if (posix_memalign(&v, 32, 200) == 0) // expect-leak: definite 200 in 1
        ((char *)opaque(v))[0] = 1;
    v = NULL;
}

int main(void)
{
    say("dropping a posix_memalign block\n");
    lose();
    scrub_stack();
    return 0;
}
