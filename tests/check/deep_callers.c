// deep_callers.c: a heap overflow 30 calls deep. The corpus checks the report; run_callers.sh
// counts its frames: every one down to main with --num-callers=40 (also under memcheck), 12 by
// default, as many as asked below that.
// expect: write 1 at 0 after 24 alloc'd precise
#include "corpus.h"

__attribute__((noinline)) static void dive(int depth, char **keep)
{
    if (depth > 1) {
        dive(depth - 1, keep);
        opaque(keep); /* (no tail call) */
        return;
    }
    char *p = opaque(malloc(24)); /*@alloc*/
    *keep = p;
    say("writing one byte past the block\n");
    p[24] = 1; /*@access*/
}

int main(void)
{
    char *keep = NULL;
    dive(30, &keep);
    free(keep);
    return 0;
}
