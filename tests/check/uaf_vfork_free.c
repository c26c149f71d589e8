// uaf_vfork_free.c: a vfork child frees its parent's 40-byte block before it exits (the child
// shares its parent's memory, heap included); the parent then reads the block. The free's stack
// is the child's call.
// expect: read 4 at 8 inside 40 free'd
// valgrind: no (valgrind runs a vfork as a fork: the child's free is not the parent's there)
#include "corpus.h"
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    say("reading a block a vfork child freed\n");
    int *p = opaque(malloc(40)); /*@alloc*/
    p[2] = 7;
    pid_t pid = vfork();
    if (pid == 0) {
        free(p); /*@free*/
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    volatile int v = ((volatile int *)p)[2]; /*@access*/
    (void)v;
    return 0;
}
