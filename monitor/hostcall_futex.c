/* hostcall_futex.c: futexes on shared memory, between the guest's processes (host processes): the
 * host's own futex on the monitor's mapping of the page, which every process maps from one file. */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "hostcall.h"

int64_t hc_futex(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_futex *a = &r->u.futex;
    const uint32_t *word = gm_ptr(c->gm, a->gpa, sizeof *word); /* the host futex only reads it */
    if (!word || (a->gpa & 3))
        return -EFAULT;
    if (!a->bitset || a->clock > BVM_FUTEX_REALTIME || a->deadline < 0)
        return -EINVAL;
    if (a->op == BVM_FUTEX_WAKE) {
        long n = syscall(SYS_futex, word, FUTEX_WAKE_BITSET, (int)(a->val > INT32_MAX ? INT32_MAX : a->val),
                         NULL, NULL, a->bitset);
        return n < 0 ? -errno : n;
    }
    if (a->op != BVM_FUTEX_WAIT)
        return -EINVAL;
    struct timespec ts = {a->deadline / 1000000000, a->deadline % 1000000000};
    int op = FUTEX_WAIT_BITSET | (a->clock == BVM_FUTEX_REALTIME ? FUTEX_CLOCK_REALTIME : 0);
    return safe_syscall(SYS_futex, word, op, a->val, a->clock ? &ts : NULL, NULL, a->bitset);
}
