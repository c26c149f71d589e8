/* fpu.h: the user's x87/SSE state, which stays in the CPU while the kernel runs (it uses no FPU). */
#ifndef FPU_H
#define FPU_H

#include "kernel.h"

/* The fxsave image (512 bytes, 16-aligned) the signal frame carries. */
struct fxregs {
    uint8_t b[512];
} __attribute__((aligned(16)));

/* Reads MXCSR_MASK once (which bits FXRSTOR accepts). */
void fpu_init(void);
/* The state of a fresh Linux process or signal handler: FCW 0x37f, MXCSR 0x1f80, registers clear. */
void fpu_reset(void);
void fpu_save(struct fxregs *fx);
/* Whether FXRSTOR takes the image (no MXCSR bit the CPU refuses). */
bool fpu_image_ok(const struct fxregs *fx);
/* Loads an image the program handed back (sigreturn): -EINVAL for MXCSR bits the CPU refuses
 * (FXRSTOR would #GP), nothing loaded then. */
int fpu_restore(const struct fxregs *fx);
/* Loads an image fpu_save made (a thread switched back in). */
void fpu_load(const struct fxregs *fx);

#endif
