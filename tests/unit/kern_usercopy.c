/* kern_usercopy.c: unit tests of user-range checks and the hostcall segment-list builder. */
#include "bvm_linux.h"
#include "hostcall.h"
#include "kern_test.h"
#include "sched.h"
#include "usercopy.h"

/* A fake address space: user page i at UBASE + i*4K is backed by fake_pa[i] (0: not accessible). */
#define UBASE 0x400000ull
#define NPAGES 600
static uint64_t fake_pa[NPAGES];
static struct addrspace fake_as;
struct addrspace *cur_as = &fake_as;

int uvm_page(struct addrspace *as, uint64_t va, uint32_t access, uint64_t *pa)
{
    if (va < UBASE || va >= UBASE + NPAGES * PAGE_SIZE || !fake_pa[(va - UBASE) >> PAGE_SHIFT])
        return -LINUX_EFAULT;
    if (pa)
        *pa = fake_pa[(va - UBASE) >> PAGE_SHIFT];
    return 0;
}

/* hc_io answers from a script: -EINTR for the first eintrs calls, then a transfer of `chunk` bytes
 * (or -ENOSYS when chunk is 0); events_interrupted says whether a signal is waiting. */
static int eintrs, signal_waiting, io_calls, not_ready, fd_waits;
static int64_t chunk;
static uint32_t last_flags;
static struct process proc = {.nthreads = 1};
struct process *cur_proc = &proc;

int64_t hc_io(uint32_t nr, int fd, const struct bvm_seg *segs, uint32_t nsegs, int64_t offset, uint32_t flags)
{
    io_calls++;
    last_flags = flags;
    if ((flags & BVM_IO_TRY) && not_ready > 0) {
        not_ready--;
        return -BVM_ENOTREADY;
    }
    if (eintrs > 0) {
        eintrs--;
        return -LINUX_EINTR;
    }
    uint64_t want = 0;
    for (uint32_t i = 0; i < nsegs; i++)
        want += segs[i].len;
    return chunk ? (int64_t)MIN((uint64_t)chunk, want) : -LINUX_ENOSYS;
}

bool events_interrupted(void)
{
    return signal_waiting;
}

/* A thread of several waiting for its fd: the scheduler's part is not here, only that it waited. */
void sched_wait_fd(int host_fd, int16_t events, int64_t wake_at_ms)
{
    fd_waits++;
}

bool signal_interrupts(void)
{
    return signal_waiting;
}

static void test_ranges(void)
{
    EXPECT("kern_user_range_empty", user_range_ok(0, 0) && user_range_ok(USER_TOP, 0), "empty range refused");
    EXPECT("kern_user_range_last_byte", user_range_ok(USER_TOP - 1, 1), "last user byte refused");
    EXPECT("kern_user_range_past_top", !user_range_ok(USER_TOP, 1) && !user_range_ok(USER_TOP - 1, 2),
           "range past USER_TOP accepted");
    EXPECT("kern_user_range_wrap", !user_range_ok(UINT64_MAX, 2) && !user_range_ok(1, UINT64_MAX),
           "wrapping range accepted");
    EXPECT("kern_user_range_whole", user_range_ok(0, USER_TOP) && !user_range_ok(1, USER_TOP),
           "whole-window edge wrong");
    EXPECT("kern_user_range_kernel", !user_range_ok(0xffff800000000000ull, 8), "kernel address accepted");
}

static void test_segments(void)
{
    static struct bvm_seg segs[BVM_HC_MAX_SEGS];
    uint32_t n = 0;
    for (int i = 0; i < NPAGES; i++)
        fake_pa[i] = 0x10000000ull + (uint64_t)i * PAGE_SIZE; /* all contiguous */
    int64_t got = user_segs(UBASE + 100, 3 * PAGE_SIZE, ACC_READ, segs, BVM_HC_MAX_SEGS, &n);
    EXPECT("kern_segs_contiguous_join",
           got == 3 * PAGE_SIZE && n == 1 && segs[0].gpa == 0x10000000ull + 100 &&
               segs[0].len == 3 * PAGE_SIZE,
           "got %ld n %u", (long)got, n);
    for (int i = 0; i < NPAGES; i++)
        fake_pa[i] = 0x20000000ull + (uint64_t)(NPAGES - i) * 2 * PAGE_SIZE; /* scattered */
    got = user_segs(UBASE + 4000, 200, ACC_READ, segs, BVM_HC_MAX_SEGS, &n);
    EXPECT("kern_segs_page_edge",
           got == 200 && n == 2 && segs[0].len == 96 && segs[1].len == 104 && segs[1].gpa == fake_pa[1],
           "got %ld n %u", (long)got, n);
    got = user_segs(UBASE, 10 * PAGE_SIZE, ACC_READ, segs, 4, &n);
    EXPECT("kern_segs_max_segs", got == 4 * PAGE_SIZE && n == 4, "got %ld n %u", (long)got, n);
    got = user_segs(UBASE + 1, 2u << 20, ACC_READ, segs, BVM_HC_MAX_SEGS, &n);
    EXPECT("kern_segs_max_io", got <= BVM_HC_MAX_IO && got > 0 && n <= BVM_HC_MAX_SEGS, "got %ld n %u",
           (long)got, n);
    fake_pa[5] = 0;
    got = user_segs(UBASE + 3 * PAGE_SIZE, 5 * PAGE_SIZE, ACC_READ, segs, BVM_HC_MAX_SEGS, &n);
    EXPECT("kern_segs_stop_at_hole", got == 2 * PAGE_SIZE && n == 2, "got %ld n %u", (long)got, n);
    got = user_segs(UBASE + 5 * PAGE_SIZE, 10, ACC_READ, segs, BVM_HC_MAX_SEGS, &n);
    EXPECT("kern_segs_first_page_bad", got == -LINUX_EFAULT, "got %ld", (long)got);
    got = user_segs(USER_TOP - 10, 100, ACC_READ, segs, BVM_HC_MAX_SEGS, &n);
    EXPECT("kern_segs_past_top", got == -LINUX_EFAULT, "got %ld", (long)got);
}

/* A wait cut short by an event: retried when no signal needs the call, given up with ERESTARTSYS
 * (or the bytes moved so far) when one does. */
static void test_io_interrupted(void)
{
    for (int i = 0; i < NPAGES; i++)
        fake_pa[i] = 0x10000000ull + (uint64_t)i * PAGE_SIZE;
    eintrs = 2, signal_waiting = 0, chunk = 100, io_calls = 0;
    int64_t got = user_io(BVM_HC_READ, 3, UBASE, 100, 0, ACC_WRITE, 0);
    EXPECT("kern_io_eintr_retried", got == 100 && io_calls == 3, "got %ld after %d calls", (long)got, io_calls);
    eintrs = 1, signal_waiting = 1, io_calls = 0;
    got = user_io(BVM_HC_READ, 3, UBASE, 100, 0, ACC_WRITE, 0);
    EXPECT("kern_io_eintr_signal", got == -LINUX_ERESTARTSYS && io_calls == 1, "got %ld", (long)got);
    eintrs = 0, chunk = 0;
}

/* With threads, a read asks the host not to wait (BVM_IO_TRY) and the thread waits for the fd in
 * the kernel, then reads again; one thread alone lets the host wait. A signal ends the wait. */
static void test_io_threads(void)
{
    chunk = 50, io_calls = 0, fd_waits = 0, not_ready = 2, signal_waiting = 0;
    int64_t got = user_io(BVM_HC_READ, 3, UBASE, 50, 0, ACC_WRITE, 0);
    EXPECT("kern_io_one_thread_no_try", got == 50 && io_calls == 1 && !(last_flags & BVM_IO_TRY) && !fd_waits,
           "got %ld, %d calls, flags %#x", (long)got, io_calls, last_flags);
    proc.nthreads = 2, io_calls = 0;
    got = user_io(BVM_HC_READ, 3, UBASE, 50, 0, ACC_WRITE, 0);
    EXPECT("kern_io_threads_wait_in_kernel", got == 50 && io_calls == 3 && fd_waits == 2,
           "got %ld, %d calls, %d waits", (long)got, io_calls, fd_waits);
    chunk = 40, io_calls = 0, fd_waits = 0, not_ready = 0;
    got = user_io(BVM_HC_WRITE, 3, UBASE, 100, 0, ACC_READ, 0);
    EXPECT("kern_io_threads_write_all", got == 100 && io_calls == 3, "got %ld after %d calls", (long)got, io_calls);
    got = user_io(BVM_HC_READ, 3, UBASE, 100, 0, ACC_WRITE, 0);
    EXPECT("kern_io_threads_read_short", got == 40, "got %ld", (long)got);
    chunk = 50, not_ready = 1, signal_waiting = 1, io_calls = 0;
    got = user_io(BVM_HC_WRITE, 3, UBASE, 50, 0, ACC_READ, 0);
    EXPECT("kern_io_threads_wait_signal", got == -LINUX_ERESTARTSYS && io_calls == 1, "got %ld", (long)got);
    proc.nthreads = 1, signal_waiting = 0, chunk = 0, not_ready = 0;
}

int main(void)
{
    test_ranges();
    test_segments();
    test_io_interrupted();
    test_io_threads();
    return test_failed != 0;
}
