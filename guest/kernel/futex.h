/* futex.h: futex wakes from inside the kernel (a thread's CLONE_CHILD_CLEARTID word as it ends). */
#ifndef FUTEX_H
#define FUTEX_H

#include "kernel.h"

/* Wakes up to n waiters of the word at uaddr whose bitset meets bitset (the host's too, for a
 * process-shared word in shared memory): how many. */
int64_t futex_wake_word(uint64_t uaddr, bool private, uint32_t bitset, int n);
/* The thread ends (or its process, or it runs a new program): the locks on its robust list it
 * still holds get FUTEX_OWNER_DIED and a waiter each is woken (pthread mutexes' EOWNERDEAD). */
struct thread;
void futex_robust_exit(struct thread *t);

#endif
