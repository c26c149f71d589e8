/* futex.h: futex wakes from inside the kernel (a thread's CLONE_CHILD_CLEARTID word as it ends). */
#ifndef FUTEX_H
#define FUTEX_H

#include "kernel.h"

/* Wakes up to n waiters of the word at uaddr whose bitset meets bitset (the host's too, for a
 * process-shared word in shared memory): how many. */
int64_t futex_wake_word(uint64_t uaddr, bool private, uint32_t bitset, int n);

#endif
