/* tree_slots.h: a slot for each process of this buffervm's tree, in memory every monitor of the
 * tree shares, so that one guest process can read what another publishes about itself (the
 * program it runs: title.c; its descriptor table: fdpub.c). */
#ifndef BVM_TREE_SLOTS_H
#define BVM_TREE_SLOTS_H

#define TREE_SLOTS 1024 /* processes of a tree alive at once that publish anything */

/* Once, in the first monitor, before any fork: the table. */
void tree_slots_init(void);

/* Shared memory for a table of TREE_SLOTS entries of size bytes (a page multiple), entry n for
 * slot n: made at init time (before any fork), so every monitor of the tree maps the same. Pages
 * cost nothing until written; a slot's entry is all zeros again when a process claims it. NULL
 * when it cannot be had. */
void *tree_slots_table(unsigned long size);

/* This process's slot (claimed at the first call): 0 <= n < TREE_SLOTS, or -1 when none is free. */
int tree_slots_own(void);

/* In a forked child, first: the slot it had is its parent's (tree_slots_parent); the next
 * tree_slots_own claims one of its own. */
void tree_slots_after_fork(void);
int tree_slots_parent(void);

/* The slot pid holds, when pid is a live process of the tree that claimed one, else -1. A slot a
 * dead process left is never taken for a new process of the same pid (start times differ). */
int tree_slots_find(int pid);

#endif
