// leak_vfork_child.c: a vfork child allocates before it exits, as dash's child does before it
// execs; the block is the parent's after (the child shares its memory), and the parent drops
// its only pointer. The record's stack is the child's allocation.
// expect: leak
// valgrind: no (valgrind runs a vfork as a fork: the child's block is the child's there)
#include "corpus.h"
#include <sys/wait.h>
#include <unistd.h>

static char *volatile made;

__attribute__((noinline)) static void make(void)
{
    made = opaque(malloc(40)); // expect-leak: definite 40 in 1
    made[0] = 'c';
}

int main(void)
{
    say("dropping a block a vfork child made\n");
    pid_t pid = vfork();
    if (pid == 0) {
        make();
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("the child's block holds '%c'\n", made[0]);
    made = NULL;
    scrub_stack();
    return 0;
}
