/* check_end.c: buffervm check's books for one guest process (errors, contexts, leak records, the
 * heap summary) and what it prints when the process ends, as memcheck does at exit. */
#include "check_report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check_error.h"
#include "check_out.h"
#include "check_supp.h"
#include "check_text.h"
#include "fail.h"
#include "options.h"

/* Until check_init: not `buffervm check`, so a process's end is left alone (error records from a
 * kernel that sends them anyway are still printed as they come). Which loss records are printed
 * and which count as errors (one context each) are the options' (memcheck's defaults differ:
 * --show-leak-kinds and --errors-for-leak-kinds are both definite,possible). */
static struct check_opts opts = {.on = 0, .error_exitcode = 99, .leak_check = LEAK_CHECK_FULL, .quiet = 0,
                                 .show_kinds = CHECK_SHOW_KINDS_DEFAULT, .error_kinds = CHECK_ERROR_KINDS_DEFAULT};

static bool leak_shown(uint32_t kind) { return kind < BVM_LK_COUNT && (opts.show_kinds >> kind & 1); }
static bool leak_counted(uint32_t kind) { return kind < BVM_LK_COUNT && (opts.error_kinds >> kind & 1); }
static const char *const leak_words[BVM_LK_COUNT] = {"definitely lost", "indirectly lost", "possibly lost",
                                                     "still reachable"};

struct leak {
    uint64_t bytes, blocks;
    uint32_t kind, seq;
    struct ce_stack stack; /* the allocation's, symbolised when the record came */
};

/* Error contexts seen: their keys in an open-addressing table (0 stands for itself as 1), each with
 * its number (memcheck's unique) and how many errors it had. */
struct context {
    uint64_t key, count;
    uint32_t unique;
    int supp; /* the suppression that hides it, + 1 (0: none) */
};
struct contexts {
    struct context *c;
    size_t cap, n;
};

static struct {
    uint64_t errors, contexts;
    uint64_t supp_errors, supp_contexts;                            /* hidden by suppressions */
    uint64_t supp_bytes[BVM_LK_COUNT], supp_blocks[BVM_LK_COUNT]; /* loss records hidden */
    struct contexts seen;
    struct check_error *errs; /* the first error of each context, in order */
    size_t nerrs, cap_errs;
    struct leak *leaks;
    size_t nleaks, cap_leaks;
    int have_summary, finished;
    uint64_t lost_bytes[BVM_LK_COUNT], lost_blocks[BVM_LK_COUNT];
    uint64_t allocs, frees, bytes_allocated;
} book;

/* The errors of the tree's processes that have ended, shared by their monitors (made before the
 * first fork): the first process's exit status accounts for them all. */
static uint64_t *tree_errors;
static pid_t top_pid;

void check_init(const struct check_opts *o)
{
    opts = *o;
    ce_set_num_callers(o->num_callers);
    for (int i = 0; i < o->nsuppressions; i++)
        supp_load(o->suppressions[i]);
    void *p = o->on ? mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
    tree_errors = p == MAP_FAILED ? NULL : p;
    top_pid = getpid();
}
uint64_t check_error_count(void) { return book.errors; }

static void *grow(void *p, size_t n, size_t size)
{
    p = realloc(p, n * size);
    if (!p)
        fail("memory", "out of memory");
    return p;
}

/* The context of key (a new one has count 0). */
static struct context *context_of(struct contexts *s, uint64_t key)
{
    key = key ? key : 1;
    if (2 * (s->n + 1) > s->cap) { /* rehash into twice the room */
        struct contexts bigger = {calloc(s->cap ? 2 * s->cap : 1024, sizeof *s->c), s->cap ? 2 * s->cap : 1024, 0};
        if (!bigger.c)
            fail("memory", "out of memory");
        for (size_t i = 0; i < s->cap; i++)
            if (s->c[i].key)
                *context_of(&bigger, s->c[i].key) = s->c[i];
        free(s->c);
        *s = bigger;
    }
    size_t i = (size_t)(key * 0x9e3779b97f4a7c15ull) & (s->cap - 1);
    for (; s->c[i].key; i = (i + 1) & (s->cap - 1))
        if (s->c[i].key == key)
            return &s->c[i];
    s->c[i].key = key;
    s->n++;
    return &s->c[i];
}

/* --gen-suppressions: e's entry after its report, ready to paste (not prefixed, as memcheck). */
static void gen_suppression(struct check_text *t, const struct check_error *e)
{
    char entry[16384];
    if (!opts.gen_suppressions)
        return;
    supp_entry(e, entry, sizeof entry);
    ct_raw(t, entry);
}

int check_error_record(struct check_error *e, uint64_t key)
{
    struct context *cx = context_of(&book.seen, key);
    if (!cx->count++)
        cx->supp = supp_match(e) + 1;
    else if (cx->supp)
        supp_count_again(cx->supp - 1);
    if (cx->supp) {
        book.supp_errors++;
        book.supp_contexts += cx->count == 1;
        ce_free(e);
        return 0;
    }
    book.errors++;
    if (cx->count > 1) {
        book.errs[cx->unique].count++;
        ce_free(e);
        return 0;
    }
    e->unique = cx->unique = (uint32_t)book.nerrs;
    book.contexts++;
    e->count = 1;
    struct check_text t = {0};
    ct_error(&t, e);
    gen_suppression(&t, e);
    ct_flush(&t);
    check_out_error(e);
    if (book.nerrs == book.cap_errs) {
        book.cap_errs = book.cap_errs ? 2 * book.cap_errs : 16;
        book.errs = grow(book.errs, book.cap_errs, sizeof *book.errs);
    }
    book.errs[book.nerrs++] = *e;
    return 1;
}

void check_leak_record(const struct bvm_check_report *r)
{
    if (opts.leak_check != LEAK_CHECK_FULL) /* summary: memcheck neither shows nor counts records */
        return;
    if (book.nleaks == book.cap_leaks) {
        book.cap_leaks = book.cap_leaks ? 2 * book.cap_leaks : 64;
        book.leaks = grow(book.leaks, book.cap_leaks, sizeof book.leaks[0]);
    }
    struct leak *l = &book.leaks[book.nleaks];
    *l = (struct leak){.bytes = r->bytes, .blocks = r->blocks, .kind = r->leak_kind, .seq = (uint32_t)book.nleaks};
    ce_stack_build(&l->stack, r, &r->alloc);
    struct check_error e = {.kind = CE_LEAK + l->kind, .stack = l->stack};
    if (supp_match(&e) >= 0) { /* hidden: counted in the summary's "suppressed" line only */
        book.supp_bytes[l->kind] += l->bytes, book.supp_blocks[l->kind] += l->blocks;
        ce_stack_free(&l->stack);
        return;
    }
    book.nleaks++;
    if (leak_counted(l->kind))
        book.errors++, book.contexts++;
}

void check_summary_record(const struct bvm_check_report *r)
{
    book.have_summary = 1;
    memcpy(book.lost_bytes, r->leak_bytes, sizeof book.lost_bytes);
    memcpy(book.lost_blocks, r->leak_blocks, sizeof book.lost_blocks);
    book.allocs = r->allocs, book.frees = r->frees, book.bytes_allocated = r->bytes_allocated;
}

void check_after_fork(void)
{
    for (size_t i = 0; i < book.nleaks; i++)
        ce_stack_free(&book.leaks[i].stack);
    for (size_t i = 0; i < book.nerrs; i++)
        ce_free(&book.errs[i]);
    free(book.leaks);
    free(book.errs);
    free(book.seen.c);
    memset(&book, 0, sizeof book);
    supp_after_fork();
    check_out_after_fork();
}

/* ---- at exit ---- */

static void heap_summary(struct check_text *t)
{
    char a[32], b[32], c[32];
    uint64_t bytes = 0, blocks = 0;
    for (int k = 0; k < BVM_LK_COUNT; k++)
        bytes += book.lost_bytes[k], blocks += book.lost_blocks[k];
    ct_line(t, "%s", "");
    ct_line(t, "HEAP SUMMARY:");
    ct_line(t, "    in use at exit: %s bytes in %s blocks", ct_commas(bytes, a), ct_commas(blocks, b));
    ct_line(t, "  total heap usage: %s allocs, %s frees, %s bytes allocated", ct_commas(book.allocs, a),
            ct_commas(book.frees, b), ct_commas(book.bytes_allocated, c));
    ct_line(t, "%s", "");
}

/* By bytes, then blocks, then arrival: memcheck's order of loss records. */
static int by_size(const void *x, const void *y)
{
    const struct leak *a = x, *b = y;
    if (a->bytes != b->bytes)
        return a->bytes < b->bytes ? -1 : 1;
    if (a->blocks != b->blocks)
        return a->blocks < b->blocks ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Loss record i (sorted) as an error: "48 bytes in 1 blocks are definitely lost in loss record 2
 * of 2", the allocation's stack (lent, not copied). */
static void leak_error(struct check_error *e, size_t i)
{
    char a[32], b[32];
    const struct leak *l = &book.leaks[i];
    memset(e, 0, sizeof *e);
    e->kind = CE_LEAK + l->kind;
    e->unique = (uint32_t)(book.nerrs + i);
    snprintf(e->what, sizeof e->what, "%s bytes in %s blocks are %s in loss record %zu of %zu", ct_commas(l->bytes, a),
             ct_commas(l->blocks, b), leak_words[l->kind], i + 1, book.nleaks);
    e->stack = l->stack;
    e->leaked_bytes = l->bytes, e->leaked_blocks = l->blocks;
}

/* The loss records shown: to the outputs, and to t when it is given. */
static void leak_records(struct check_text *t)
{
    if (book.nleaks) /* qsort wants a real array even for none */
        qsort(book.leaks, book.nleaks, sizeof book.leaks[0], by_size);
    for (size_t i = 0; i < book.nleaks; i++) {
        struct check_error e;
        if (!leak_shown(book.leaks[i].kind))
            continue;
        leak_error(&e, i);
        if (t) {
            ct_line(t, "%s", e.what);
            ct_stack(t, &e.stack);
            ct_line(t, "%s", "");
            gen_suppression(t, &e);
        }
        check_out_leak(&e);
    }
}

static void leak_summary(struct check_text *t)
{
    char a[32], b[32];
    uint64_t blocks = 0;
    for (int k = 0; k < BVM_LK_COUNT; k++)
        blocks += book.lost_blocks[k];
    if (blocks == 0) {
        ct_line(t, "All heap blocks were freed -- no leaks are possible");
        ct_line(t, "%s", "");
        return;
    }
    static const char *const label[BVM_LK_COUNT] = {"   definitely lost", "   indirectly lost", "     possibly lost",
                                                    "   still reachable"};
    ct_line(t, "LEAK SUMMARY:");
    uint64_t sbytes = 0, sblocks = 0;
    for (int k = 0; k < BVM_LK_COUNT; k++) {
        uint64_t sb = book.supp_bytes[k] < book.lost_bytes[k] ? book.supp_bytes[k] : book.lost_bytes[k];
        uint64_t sn = book.supp_blocks[k] < book.lost_blocks[k] ? book.supp_blocks[k] : book.lost_blocks[k];
        ct_line(t, "%s: %s bytes in %s blocks", label[k], ct_commas(book.lost_bytes[k] - sb, a),
                ct_commas(book.lost_blocks[k] - sn, b));
        sbytes += sb, sblocks += sn;
    }
    ct_line(t, "        suppressed: %s bytes in %s blocks", ct_commas(sbytes, a), ct_commas(sblocks, b));
    if (opts.leak_check == LEAK_CHECK_SUMMARY)
        ct_line(t, "Rerun with --leak-check=full to see details of leaked memory");
    ct_line(t, "%s", "");
}

/* What memcheck prints at exit; the loss records also go to the outputs (and only there when
 * print is 0: a run without errors prints nothing). */
static void print_end(int print)
{
    struct check_text t = {0};
    if (print && !opts.quiet)
        book.have_summary ? heap_summary(&t) : ct_line(&t, "%s", "");
    if (opts.leak_check == LEAK_CHECK_FULL)
        leak_records(print ? &t : NULL);
    if (print && !opts.quiet && book.have_summary && opts.leak_check != LEAK_CHECK_NO)
        leak_summary(&t);
    if (print && !opts.quiet && book.have_summary && opts.leak_check == LEAK_CHECK_NO) {
        ct_line(&t, "For a detailed leak analysis, rerun with: --leak-check=full");
        ct_line(&t, "%s", "");
    }
    if (print && !opts.quiet)
        ct_line(&t, "ERROR SUMMARY: %llu errors from %llu contexts (suppressed: %llu from %llu)",
                (unsigned long long)book.errors, (unsigned long long)book.contexts,
                (unsigned long long)book.supp_errors, (unsigned long long)book.supp_contexts);
    ct_flush(&t);
}

int check_finish(uint32_t kind, int status)
{
    if (!opts.on)
        return status;
    uint64_t errors = book.errors;
    if (!book.finished) {
        book.finished = 1;
        check_out_finished();
        print_end(book.errors != 0); /* a clean run: not a word */
        struct check_totals totals = {book.errors, book.contexts, book.errs, book.nerrs};
        check_out_end(&totals);
        if (tree_errors)
            errors = __atomic_add_fetch(tree_errors, book.errors, __ATOMIC_SEQ_CST);
        if (getpid() != top_pid)
            errors = book.errors;
    }
    return errors && kind == BVM_EXIT_STATUS && opts.error_exitcode ? opts.error_exitcode : status;
}
