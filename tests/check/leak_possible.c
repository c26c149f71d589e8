// leak_possible.c: a block reached only through a pointer into its middle (possibly lost: not an
// error), next to a reachable block (a global points at it) and a lost one, which makes the run
// report at all
// expect: leak
// option: --errors-for-leak-kinds=possible --error-exitcode=9 => exit=9
#include "corpus.h"

static char *interior;
static char *reachable;

__attribute__((noinline)) static void make(void)
{
    char *p = opaque(malloc(64)); // expect-leak: possible 64 in 1
    interior = p + 8;
    reachable = opaque(malloc(100)); // expect-leak: reachable 100 in 1
    char *lost = opaque(malloc(24)); // expect-leak: definite 24 in 1
    lost[0] = 0;
}

int main(void)
{
    say("keeping a pointer into a block\n");
    make();
    scrub_stack();
    return 0;
}
