// leak_indirect.c: a three-node list whose head pointer is dropped: the head is definitely lost,
// the two nodes reached only through it indirectly lost
// expect: leak
#include "corpus.h"

struct node {
    struct node *next;
    long value;
};

__attribute__((noinline)) static void lose_list(void)
{
    struct node *head = opaque(malloc(sizeof *head)); // expect-leak: definite 16 in 1
    head->next = NULL;
    head->value = 0;
    for (int i = 1; i <= 2; i++) {
        struct node *n = opaque(malloc(sizeof *n)); // expect-leak: indirect 32 in 2
        n->value = i;
        n->next = head->next;
        head->next = n;
    }
}

int main(void)
{
    say("dropping a list\n");
    lose_list();
    scrub_stack();
    return 0;
}
