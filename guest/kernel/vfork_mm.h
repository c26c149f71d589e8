/* vfork_mm.h: a CLONE_VM vfork child's memory, handed back to its parent (vfork_mm.c). */
#ifndef BVM_VFORK_MM_H
#define BVM_VFORK_MM_H

#include <stdint.h>

/* The child: from here on, what it writes and maps is its parent's too. */
void vfork_mm_begin(void);
/* The child, from the syscall dispatcher while it shares memory: call nr with args returned ret. */
void vfork_mm_note_call(uint64_t nr, const uint64_t args[6], int64_t ret);
/* The child at exec or exit: its mapping calls, then the pages it wrote, go to the monitor. */
void vfork_mm_hand_over(void);
/* The parent, before vfork returns: what the child handed over, applied in order. */
void vfork_mm_take_back(void);

#endif
