// leak_dead_stack.c: the only copy of a lost block's pointer is in a dead stack frame, far below
// the stack pointer at exit (a deep call chain that returned): a stack is live from its pointer
// up (memcheck's rule), so the block is definitely lost, not reachable through a stale copy
// expect: leak
#include "corpus.h"

__attribute__((noinline)) static void lose(void)
{
    char *volatile p = opaque(malloc(40)); // expect-leak: definite 40 in 1
    p[0] = 1;
}

/* About 100 KiB of frames: lose's lies far below anything the exit path touches. */
__attribute__((noinline)) static void deep(int n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    if (n)
        deep(n - 1);
    else
        lose();
    opaque((void *)pad);
}

int main(void)
{
    say("dropping a block deep in the stack\n");
    deep(100);
    return 0;
}
