/* check_report.c: the heap checker's reports to the monitor (which names the code and prints). */
#include "check_int.h"
#include "gdb.h"
#include "fmt.h"
#include "hostcall.h"
#include "procfs.h"
#include "string.h"
#include "task.h"

static struct bvm_check_report rep; /* in the kernel image: physically contiguous */

struct bvm_check_report *report_begin(uint32_t kind)
{
    memset(&rep, 0, sizeof(rep));
    rep.kind = kind;
    rep.thread = cur->number;
    return &rep;
}

void report_block(struct bvm_check_report *r, const struct cblock *b)
{
    r->block = b->state == CB_LIVE ? BVM_CB_LIVE : BVM_CB_FREED;
    r->block_addr = b->ptr;
    r->block_size = b->size;
    stack_report(b->alloc_stack, &r->alloc, r);
    if (b->state == CB_FREED)
        stack_report(b->free_stack, &r->freed, r);
}

static int64_t check_call(uint32_t op, const void *buf, uint32_t len)
{
    struct bvm_hostcall *h = hc_req(BVM_HC_CHECK);
    h->u.check = (struct bvm_hc_check){.op = op, .fd = -1, .buf_gpa = kva_to_gpa(buf), .buf_len = len};
    return hc_issue();
}

void report_send(struct bvm_check_report *r)
{
    if (check_call(BVM_CHECK_REPORT, r, sizeof(*r)) == 1)
        gdb_check_error(); /* gdb waits for errors: the program stops here, report printed */
}

void report_noheap(const char *why)
{
    static char text[BVM_HC_MAX_PATH + 160];
    int n = ksnprintf(text, sizeof(text), "%s: %s", procfs_exe(), why);
    check_call(BVM_CHECK_NOHEAP, text, (uint32_t)MIN((size_t)n, sizeof(text) - 1) + 1);
}
