/* check_freeres.c: glibc's __libc_freeres at the end of a checked program, as memcheck runs it. */
#include "check_int.h"
#include "hostcall.h"
#include "sched.h"
#include "task.h"
#include "usercopy.h"

/* Where __libc_freeres returns to: below every mapping (Linux's mmap_min_addr), so the fetch
 * faults; a user page fault there while it runs is its return. */
#define CHECK_FREERES_RET 0x8ull

static bool done;    /* run for this program already (or started) */
static bool running; /* the calling thread is in it */
static int exit_status;

void freeres_reset(void) { done = running = false; }

bool check_freeres_start(struct trapframe *tf, int status)
{
    /* (not in a vfork child: glibc's state it would free is its parent's) */
    uint64_t fn = check_on() && !done && !cur_proc->vfork_mm ? hook_freeres_va() : 0, ret = CHECK_FREERES_RET;
    done = true;
    /* below the red zone, aligned as right after a call */
    uint64_t sp = ((tf->rsp - 128) & ~15ull) - 8;
    if (!fn || copy_to_user(sp, &ret, sizeof(ret)))
        return false;
    if (sched_threaded())
        sched_drop_others(true); /* exit_group ends them: now, before it runs */
    tf->rsp = sp;
    tf->rip = fn;
    running = true;
    exit_status = status;
    return true;
}

bool check_freeres_returned(const struct trapframe *tf, uint64_t cr2)
{
    if (!running || cr2 != CHECK_FREERES_RET || tf->rip != CHECK_FREERES_RET)
        return false;
    running = false;
    process_exit_now(exit_status);
}
