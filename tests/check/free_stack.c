// free_stack.c: the address of a local array freed
// expect: free nonheap
#include "corpus.h"

int main(void)
{
    say("freeing a stack address\n");
    char buf[32];
    buf[0] = 0;
    free(opaque(buf)); /*@access*/
    return 0;
}
