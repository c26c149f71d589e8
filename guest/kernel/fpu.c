/* fpu.c: saving, checking and loading the user's x87/SSE state with FXSAVE/FXRSTOR. */
#include "fpu.h"

#include "bvm_linux.h"
#include "string.h"

#define FX_MXCSR 24
#define FX_MXCSR_MASK 28

static uint32_t mxcsr_mask = 0xffbf; /* the architectural default when FXSAVE reports 0 */

static uint32_t get32(const struct fxregs *fx, int off)
{
    uint32_t v;
    memcpy(&v, fx->b + off, sizeof(v));
    return v;
}

void fpu_init(void)
{
    static struct fxregs fx;
    fpu_save(&fx);
    if (get32(&fx, FX_MXCSR_MASK))
        mxcsr_mask = get32(&fx, FX_MXCSR_MASK);
}

void fpu_save(struct fxregs *fx)
{
    __asm__ volatile("fxsave64 %0" : "=m"(*fx));
}

static void fxrstor(const struct fxregs *fx)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(*fx));
}

void fpu_load(const struct fxregs *fx)
{
    fxrstor(fx);
}

void fpu_reset(void)
{
    static struct fxregs clean;
    uint32_t fcw = 0x37f, mxcsr = 0x1f80;
    memcpy(clean.b, &fcw, 2);
    memcpy(clean.b + FX_MXCSR, &mxcsr, 4);
    __asm__ volatile("fninit");
    fxrstor(&clean);
}

bool fpu_image_ok(const struct fxregs *fx)
{
    return !(get32(fx, FX_MXCSR) & ~mxcsr_mask);
}

int fpu_restore(const struct fxregs *fx)
{
    if (!fpu_image_ok(fx))
        return -LINUX_EINVAL;
    fxrstor(fx);
    return 0;
}
