/* corpus.h: what the heap-checker corpus programs share (annotations: tests/check/README.md). */
#ifndef CORPUS_H
#define CORPUS_H
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* opaque: P escapes into code the compiler cannot see, so -O2 keeps the allocation, access and
 * free a test is about instead of folding them away (or knowing a block's size and warning). */
static inline void *opaque(void *p)
{
    __asm__ volatile("" : "+r"(p) : : "memory");
    return p;
}

/* keep: blocks a buggy program does not free stay reachable through here (never an error): a
 * block the bug has corrupted is never handed back to the native allocator, which may abort. */
void *volatile keep[4];

/* say: a buggy program's output, flushed before the bug (natively the bug may crash it); it
 * prints nothing after the bug, so its stdout is the same whether or not the bug kills it. */
static inline void say(const char *s)
{
    fputs(s, stdout);
    fflush(stdout);
}

/* scrub_stack: overwrite the dead stack below the caller, so no stale copy of a dropped pointer
 * survives there: memcheck scans only the live stack, and a checker that scanned more would find
 * the copy and call a lost block reachable. */
__attribute__((noinline)) static inline void scrub_stack(void)
{
    volatile char buf[16384];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = 0;
}
#endif
