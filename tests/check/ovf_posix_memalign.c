// ovf_posix_memalign.c: a long written just past an 8192-byte block aligned to 64
// expect: write 8 at 0 after 8192 alloc'd
#include "corpus.h"

int main(void)
{
    say("writing past a posix_memalign block\n");
    void *v;
    if (posix_memalign(&v, 64, 8192) != 0) /*@alloc*/
        return 1;
    long *p = opaque(v);
    keep[0] = p;
    p[1024] = 42; /*@access*/
    return 0;
}
