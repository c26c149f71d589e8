/* usercopy.c: the only way the kernel touches user memory: checked, page by page, via the physmap. */
#include "usercopy.h"

#include "bvm_linux.h"
#include "events.h"
#include "hostcall.h"
#include "sched.h"
#include "signal.h"
#include "string.h"

bool user_range_ok(uint64_t addr, uint64_t len)
{
    /* Both tests are needed: addr + len may wrap. */
    return len <= USER_TOP && addr <= USER_TOP - len;
}

/* Calls fn on each page piece of [va, va+len); stops at the first error. */
static int user_walk(uint64_t va, size_t len, uint32_t access,
                     void (*fn)(void *kp, size_t off, size_t n, void *ctx), void *ctx)
{
    if (!user_range_ok(va, len))
        return -LINUX_EFAULT;
    size_t done = 0;
    while (done < len) {
        uint64_t pa, cur = va + done;
        size_t n = MIN(len - done, PAGE_SIZE - (cur & (PAGE_SIZE - 1)));
        if (uvm_page(cur_as, cur, access, &pa))
            return -LINUX_EFAULT;
        fn((char *)P2V(pa) + (cur & (PAGE_SIZE - 1)), done, n, ctx);
        done += n;
    }
    return 0;
}

static void piece_from(void *kp, size_t off, size_t n, void *ctx)
{
    memcpy((char *)ctx + off, kp, n);
}

static void piece_to(void *kp, size_t off, size_t n, void *ctx)
{
    memcpy(kp, (const char *)ctx + off, n);
}

int copy_from_user(void *dst, uint64_t src, size_t len)
{
    return user_walk(src, len, ACC_READ, piece_from, dst);
}

int copy_to_user(uint64_t dst, const void *src, size_t len)
{
    return user_walk(dst, len, ACC_WRITE, piece_to, (void *)src);
}

/* Walks a user string up to max bytes, copying it to dst unless dst is NULL: its length, -EFAULT,
 * or -ENAMETOOLONG when no NUL is found within max bytes. */
static int64_t user_str_walk(char *dst, uint64_t src, size_t max)
{
    size_t done = 0;
    while (done < max) {
        uint64_t pa, cur = src + done;
        if (cur >= USER_TOP || uvm_page(cur_as, cur, ACC_READ, &pa))
            return -LINUX_EFAULT;
        const char *kp = (const char *)P2V(pa) + (cur & (PAGE_SIZE - 1));
        size_t n = MIN(max - done, PAGE_SIZE - (cur & (PAGE_SIZE - 1)));
        size_t l = strnlen(kp, n);
        if (dst)
            memcpy(dst + done, kp, l);
        done += l;
        if (l < n) {
            if (dst)
                dst[done] = 0;
            return (int64_t)done;
        }
    }
    return -LINUX_ENAMETOOLONG;
}

int64_t strncpy_from_user(char *dst, uint64_t src, size_t max)
{
    return user_str_walk(dst, src, max);
}

int64_t strnlen_user(uint64_t src, size_t max)
{
    int64_t n = user_str_walk(NULL, src, max);
    return n == -LINUX_ENAMETOOLONG ? (int64_t)max + 1 : n < 0 ? n : n + 1;
}

int64_t user_segs(uint64_t va, uint64_t len, uint32_t access, struct bvm_seg *segs, uint32_t max_segs,
                  uint32_t *nsegs)
{
    uint64_t done = 0;
    uint32_t n = 0;
    len = MIN(len, (uint64_t)BVM_HC_MAX_IO);
    if (!user_range_ok(va, len))
        return -LINUX_EFAULT;
    while (done < len) {
        uint64_t pa, cur = va + done, off = cur & (PAGE_SIZE - 1);
        uint64_t piece = MIN(len - done, PAGE_SIZE - off);
        if (uvm_page(cur_as, cur, access, &pa))
            break;
        pa += off;
        if (n && segs[n - 1].gpa + segs[n - 1].len == pa) {
            segs[n - 1].len += piece; /* physically contiguous with the previous piece */
        } else {
            if (n == max_segs)
                break;
            segs[n].gpa = pa;
            segs[n].len = piece;
            n++;
        }
        done += piece;
    }
    *nsegs = n;
    return done ? (int64_t)done : -LINUX_EFAULT;
}

int64_t user_io(uint32_t hc_nr, int host_fd, uint64_t va, uint64_t len, int64_t off, uint32_t access,
                uint32_t flags)
{
    static struct bvm_seg segs[BVM_HC_MAX_SEGS];
    uint64_t total = 0;
    bool positional = hc_nr == BVM_HC_PREAD || hc_nr == BVM_HC_PWRITE;
    if (!user_range_ok(va, len))
        return -LINUX_EFAULT; /* even for zero bytes, as Linux's access_ok */
    while (total < len) {
        uint32_t nsegs;
        int64_t want = user_segs(va + total, len - total, access, segs, BVM_HC_MAX_SEGS, &nsegs);
        if (want < 0 && !total && (hc_nr == BVM_HC_READ || hc_nr == BVM_HC_PREAD))
            return hc_io(hc_nr, host_fd, segs, 0, off, BVM_IO_BAD_BUFFER); /* at end of file: 0 */
        if (want < 0)
            return total ? (int64_t)total : want;
        bool may_wait = sched_threaded() && (hc_nr == BVM_HC_READ || hc_nr == BVM_HC_WRITE);
        int64_t got = hc_io(hc_nr, host_fd, segs, nsegs, positional ? off + (int64_t)total : 0,
                            flags | (may_wait ? BVM_IO_TRY : 0));
        if (got == -BVM_ENOTREADY) { /* the other threads run while this one waits for the fd */
            sched_wait_fd(host_fd, hc_nr == BVM_HC_READ ? LINUX_POLLIN : LINUX_POLLOUT, -1);
            got = signal_interrupts() ? -LINUX_EINTR : 0;
            if (!got)
                continue;
        }
        /* A wait on a pipe or terminal cut short by an event: give way to a signal (what was
         * moved already counts), else wait again. */
        if (got == -LINUX_EINTR && !events_interrupted())
            continue;
        if (got == -LINUX_EINTR)
            return total ? (int64_t)total : -LINUX_ERESTARTSYS;
        if (got < 0)
            return total ? (int64_t)total : got;
        total += (uint64_t)got;
        if (got < want && !(may_wait && hc_nr == BVM_HC_WRITE))
            break; /* short transfer: end of file, a pipe, or a terminal line */
        /* (a thread's write that moved what fit goes on with the rest, as a blocking write does) */
    }
    return (int64_t)total;
}
