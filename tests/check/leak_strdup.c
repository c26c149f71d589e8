// leak_strdup.c: strdup's copy (12 bytes) dropped: the allocation happens inside libc's strdup,
// and the stack must still name the line that called strdup
// expect: leak
#include "corpus.h"

__attribute__((noinline)) static void lose(void)
{
    char *s = opaque(strdup("hello world")); // expect-leak: definite 12 in 1
    s[0] = 'H';
}

int main(void)
{
    say("dropping a strdup copy\n");
    lose();
    scrub_stack();
    return 0;
}
