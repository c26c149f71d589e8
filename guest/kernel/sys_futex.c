/* sys_futex.c: futex for a single-threaded process (a wait can only end by a timeout or a signal). */
#include "bvm_linux.h"
#include "syscall.h"
#include "usercopy.h"

/* One thread: a wait whose word still holds val could only be ended by a signal or its timeout,
 * so it returns ETIMEDOUT with a timeout and is reported as a deadlock without one. */
int64_t sys_futex(SYSARGS)
{
    uint32_t op = (uint32_t)a1 & ~(uint32_t)(LINUX_FUTEX_PRIVATE_FLAG | LINUX_FUTEX_CLOCK_REALTIME), word;
    if (a0 & 3)
        return -LINUX_EINVAL;
    switch (op) {
    case LINUX_FUTEX_WAKE:
    case LINUX_FUTEX_WAKE_BITSET:
        return copy_from_user(&word, a0, sizeof(word)) ? -LINUX_EFAULT : 0;
    case LINUX_FUTEX_WAIT:
    case LINUX_FUTEX_WAIT_BITSET:
        if (op == LINUX_FUTEX_WAIT_BITSET && (uint32_t)a5 == 0)
            return -LINUX_EINVAL;
        if (copy_from_user(&word, a0, sizeof(word)))
            return -LINUX_EFAULT;
        if (word != (uint32_t)a2)
            return -LINUX_EAGAIN;
        if (a3)
            return -LINUX_ETIMEDOUT;
        panic("futex wait on %#lx with no other thread: the program would hang forever", (unsigned long)a0);
    default:
        kprintf("futex op %u is not supported (single-thread kernel)", op);
        return -LINUX_ENOSYS;
    }
}
