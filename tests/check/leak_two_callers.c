// leak_two_callers.c: one allocating line reached from two callers at the same depth (the same
// return address and stack pointer at malloc's entry, different frames below): two leak records,
// which a stack remembered from one caller's calls must not merge
// expect: leak
#include "corpus.h"

__attribute__((noinline)) static void grab(void)
{
    opaque(malloc(40)); // expect-leak: definite 40 in 1, definite 80 in 2
}

/* Two copies of one function: the same frame, so grab's stack pointer is the same from each. */
__attribute__((noinline)) static void from_a(int n)
{
    for (int i = 0; i < n; i++)
        grab();
}

__attribute__((noinline)) static void from_b(int n)
{
    for (int i = 0; i < n; i++)
        grab();
}

int main(void)
{
    say("dropping three blocks\n");
    for (int k = 0; k < 3; k++) /* b, a, b: one call site, so the stacks differ in from_ only */
        (k == 1 ? from_a : from_b)(1);
    scrub_stack();
    return 0;
}
