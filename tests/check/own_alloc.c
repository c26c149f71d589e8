// own_alloc.c: an allocator of the program's own (my_alloc and my_free over a static arena, static
// functions: no allocator name) and a use after free in it: buffervm check sees the bug when told
// where the allocator is (--alloc-fn); without, the program runs unchecked, as natively
// expect: read 1 at 5 inside 24 free'd
// check-options: --alloc-fn=malloc=my_alloc --alloc-fn=free=my_free
// option: -q => clean
#include "corpus.h"

static char arena[1 << 16];
static size_t used;

/* The allocator's entries are frame 0 of the alloc and free stacks (the calls go no further). */
__attribute__((noinline)) static void *my_alloc(size_t n)
{ /*@alloc*/
    void *p = arena + used;
    used += (n + 15) & ~(size_t)15;
    return p;
}

__attribute__((noinline)) static void my_free(void *p)
{ /*@free*/
    opaque(p); /* an arena frees nothing */
}

int main(void)
{
    say("reading a block of my own allocator after freeing it\n");
    char *p = opaque(my_alloc(24));
    memset(p, 'x', 24);
    my_free(p);
    volatile char c = p[5]; /*@access*/
    (void)c;
    return 0;
}
