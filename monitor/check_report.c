/* check_report.c: the CHECK hostcall: a file's allocator entries and unwind tables, error reports
 * (memcheck's shape), "heap checking is off". Every request is copied once and validated before use. */
#include "check_report.h"
#include "gdb_stub.h"

#include <errno.h>
#include <string.h>

#include "check_error.h"
#include "check_syms.h"
#include "check_unwind.h"
#include "check_text.h"
#include "hostcall.h"

#define NOHEAP_MAX 512 /* longest reason text taken */

/* ---- validation of a report copy ---- */

static int stack_ok(const struct bvm_check_report *r, const struct bvm_check_stack *s)
{
    if (s->n > BVM_CHECK_MAX_FRAMES)
        return 0;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->f[i].file < -1 || s->f[i].file >= (int32_t)r->nfiles)
            return 0;
    return 1;
}

/* 0, or -EINVAL for anything the printer could trip on. */
static int report_valid(const struct bvm_check_report *r)
{
    if (r->kind == 0 || r->kind >= BVM_CK_COUNT || r->nfiles > BVM_CHECK_MAX_FILES ||
        r->insn_len > sizeof r->insn || r->block > BVM_CB_FREED || r->fn >= BVM_CF_COUNT)
        return -EINVAL;
    if (r->kind == BVM_CK_LEAK && r->leak_kind >= BVM_LK_COUNT)
        return -EINVAL;
    for (uint32_t i = 0; i < r->nfiles; i++)
        if (!memchr(r->files[i], 0, BVM_CHECK_PATH))
            return -EINVAL;
    return stack_ok(r, &r->where) && stack_ok(r, &r->alloc) && stack_ok(r, &r->freed) ? 0 : -EINVAL;
}

/* ---- error records ---- */

/* An error's context: its kind, size and where-stack (memcheck merges errors alike in these). */
static uint64_t context_key(const struct bvm_check_report *r, uint32_t size)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the fields */
    uint64_t parts[3] = {r->kind, r->kind >= BVM_CK_SIZE_MISMATCH ? r->bytes : size,
                         r->kind == BVM_CK_FREE || r->kind >= BVM_CK_MISMATCH ? r->fn : 0};
    for (int i = 0; i < 3 + (int)r->where.n; i++) {
        uint64_t v = i < 3 ? parts[i] : r->where.f[i - 3].pc;
        for (int b = 0; b < 8; b++)
            h = (h ^ ((v >> (8 * b)) & 0xff)) * 0x100000001b3ull;
    }
    return h;
}

/* 1 when the error was reported (not suppressed, not a repeat of its context). */
static int error_record(const struct bvm_check_report *r)
{
    struct check_error e;
    ce_from_report(&e, r);
    return check_error_record(&e, context_key(r, e.size)); /* (takes e's stacks) */
}

/* ---- the four operations ---- */

static int64_t check_report(struct hc_ctx *c, const struct bvm_hc_check *a)
{
    static struct bvm_check_report r; /* the one copy (not on the stack: tens of KiB) */
    if (a->buf_len != sizeof r)
        return -EINVAL;
    if (gm_read(c->gm, a->buf_gpa, &r, sizeof r) < 0)
        return -EFAULT;
    int err = report_valid(&r);
    if (err)
        return err;
    if (r.kind == BVM_CK_LEAK)
        check_leak_record(&r);
    else if (r.kind == BVM_CK_SUMMARY)
        check_summary_record(&r);
    else if (error_record(&r) && gdb_stub_error_stops())
        return 1; /* the kernel stops the program for gdb there (--gdb-error, --gdb) */
    return 0;
}

static int64_t check_syms(struct hc_ctx *c, const struct bvm_hc_check *a)
{
    struct bvm_check_sym sym[BVM_CHECK_MAX_SYMS];
    uint32_t max = a->buf_len / sizeof sym[0];
    if (max == 0)
        return -EINVAL;
    if (max > BVM_CHECK_MAX_SYMS)
        max = BVM_CHECK_MAX_SYMS;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    if (!gm_ptr_w(c->gm, a->buf_gpa, (uint64_t)max * sizeof sym[0]))
        return -EFAULT;
    int n = check_syms_find(a->fd, sym, (int)max);
    return n > 0 && gm_write(c->gm, a->buf_gpa, sym, (uint64_t)n * sizeof sym[0]) < 0 ? -EFAULT : n;
}

static int64_t check_unwind(struct hc_ctx *c, const struct bvm_hc_check *a)
{
    struct bvm_check_unwind u;
    if (a->buf_len < sizeof u)
        return -EINVAL;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    if (!gm_ptr_w(c->gm, a->buf_gpa, sizeof u))
        return -EFAULT;
    check_unwind_find(a->fd, &u);
    return gm_write(c->gm, a->buf_gpa, &u, sizeof u) < 0 ? -EFAULT : 0;
}

static int64_t check_noheap(struct hc_ctx *c, const struct bvm_hc_check *a)
{
    char why[NOHEAP_MAX];
    if (a->buf_len == 0 || a->buf_len > sizeof why)
        return -EINVAL;
    if (gm_read(c->gm, a->buf_gpa, why, a->buf_len) < 0)
        return -EFAULT;
    if (!memchr(why, 0, a->buf_len))
        return -EINVAL;
    struct check_text t = {0};
    ct_line(&t, "buffervm check: heap checking is off for %s", why);
    ct_flush(&t);
    return 0;
}

int64_t hc_check(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_check *a = &r->u.check;
    switch (a->op) {
    case BVM_CHECK_SYMS:
        return check_syms(c, a);
    case BVM_CHECK_REPORT:
        return check_report(c, a);
    case BVM_CHECK_NOHEAP:
        return check_noheap(c, a);
    case BVM_CHECK_UNWIND:
        return check_unwind(c, a);
    default:
        return -EINVAL;
    }
}
