// free_global.c: the address of a global array freed
// expect: free nonheap
#include "corpus.h"

char global_buf[64];

int main(void)
{
    say("freeing a global\n");
    free(opaque(global_buf)); /*@access*/
    return 0;
}
