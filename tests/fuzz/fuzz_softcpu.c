/* fuzz_softcpu.c: libFuzzer target for the soft CPU: decoder, interpreter and translator on
 * arbitrary code. The machine is the differential tester's (tests/cpu/difftest_soft.c: long mode,
 * the code at CPL 3 in one page, two scratch pages, ring-0 handlers that halt); the input is the
 * code's length (a byte) and the code, then the general registers (by default pointers into the
 * scratch pages and small numbers) and the scratch memory. Run twice: the first
 * run interprets and counts the block, the second may run it translated. Any crash, sanitizer
 * report or internal error of the CPU is a finding; a run stops after 50 ms (random code loops). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "difftest.h"

static atomic_uint run_gen; /* odd while a run is in progress */

/* Stops a run that has lasted 50 ms: random code may loop forever. */
static void *watchdog(void *arg)
{
    unsigned seen = 0, ticks = 0;
    for (;;) {
        usleep(10000);
        unsigned g = atomic_load(&run_gen);
        ticks = g == seen ? ticks + 1 : 0;
        seen = g;
        if ((g & 1) && ticks >= 5)
            soft_stop();
    }
    return arg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    soft_timeout = 0; /* no SIGALRM: libFuzzer's own -timeout uses it */
    soft_init();
    pthread_t t;
    pthread_create(&t, NULL, watchdog, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dt_case tc;
    static struct dt_result res;
    static const uint64_t regs[16] = {1, 5, 0, DT_SCRATCH + 0x100, 0, DT_SCRATCH + 0x400, DT_SCRATCH + 0x800,
                                      DT_SCRATCH + 0x1000, 8, 0x7f, 0x8000000000000000ull, ~0ull, 3, 64, 0, 2};
    if (size < 1)
        return 0;
    memset(&tc, 0, sizeof tc);
    tc.len = data[0] < size - 1 ? data[0] : (unsigned)(size - 1); /* byte 0: the code's length */
    memcpy(tc.code, data + 1, tc.len);
    data += 1 + tc.len, size -= 1 + tc.len;
    memcpy(tc.in.r, regs, sizeof regs); /* pointers into the scratch pages, unless the input says */
    size_t k = size < sizeof tc.in.r ? size : sizeof tc.in.r;
    memcpy(tc.in.r, data, k);
    data += k, size -= k;
    memcpy(tc.mem, data, size < sizeof tc.mem ? size : sizeof tc.mem);
    tc.in.r[4] = DT_SCRATCH + DT_SCRATCH_RW - 64; /* a usable stack */
    tc.in.rflags = 0x202;
    tc.in.rip = DT_INSN;
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;
    memcpy(tc.in.fx + FX_FCW, &fcw, 2);
    memcpy(tc.in.fx + FX_MXCSR, &mxcsr, 4);
    for (int i = 0; i < 2; i++) {
        res.why[0] = 0;
        atomic_fetch_add(&run_gen, 1);
        soft_run(&tc, &res);
        atomic_fetch_add(&run_gen, 1);
        if (strstr(res.why, "internal error")) {
            fprintf(stderr, "fuzz_softcpu: %s\n", res.why);
            abort();
        }
    }
    return 0;
}
