/* check_end.c: buffervm check's books for one guest process (errors, contexts, leak records, the
 * heap summary) and what it prints when the process ends, as memcheck does at exit. */
#include "check_report.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
    struct check_text stack; /* the allocation stack's lines, rendered when the record came */
};

/* Contexts seen: an open-addressing set of keys (0 stands for itself as 1). */
struct keyset {
    uint64_t *k;
    size_t cap, n;
};

static struct {
    uint64_t errors, contexts;
    struct keyset seen;
    struct leak *leaks;
    size_t nleaks, cap_leaks;
    int have_summary, finished;
    uint64_t lost_bytes[BVM_LK_COUNT], lost_blocks[BVM_LK_COUNT];
    uint64_t allocs, frees, bytes_allocated;
} book;

void check_init(const struct check_opts *o)
{
    opts = *o;
    ct_set_num_callers(o->num_callers);
}
uint64_t check_error_count(void) { return book.errors; }

static void *grow(void *p, size_t n, size_t size)
{
    p = realloc(p, n * size);
    if (!p)
        fail("memory", "out of memory");
    return p;
}

/* Adds key; 1 when it was new. */
static int keyset_add(struct keyset *s, uint64_t key)
{
    key = key ? key : 1;
    if (2 * (s->n + 1) > s->cap) { /* rehash into twice the room */
        struct keyset bigger = {calloc(s->cap ? 2 * s->cap : 1024, sizeof(uint64_t)), s->cap ? 2 * s->cap : 1024, 0};
        if (!bigger.k)
            fail("memory", "out of memory");
        for (size_t i = 0; i < s->cap; i++)
            if (s->k[i])
                keyset_add(&bigger, s->k[i]);
        free(s->k);
        *s = bigger;
    }
    size_t i = (size_t)(key * 0x9e3779b97f4a7c15ull) & (s->cap - 1);
    for (; s->k[i]; i = (i + 1) & (s->cap - 1))
        if (s->k[i] == key)
            return 0;
    s->k[i] = key;
    s->n++;
    return 1;
}

int check_count_error(uint64_t key)
{
    book.errors++;
    if (!keyset_add(&book.seen, key))
        return 0;
    book.contexts++;
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
    book.nleaks++;
    if (leak_shown(l->kind))
        ct_stack(&l->stack, r, &r->alloc);
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
        free(book.leaks[i].stack.p);
    free(book.leaks);
    free(book.seen.k);
    memset(&book, 0, sizeof book);
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

static void leak_records(struct check_text *t)
{
    char a[32], b[32];
    if (book.nleaks) /* qsort wants a real array even for none */
        qsort(book.leaks, book.nleaks, sizeof book.leaks[0], by_size);
    for (size_t i = 0; i < book.nleaks; i++) {
        const struct leak *l = &book.leaks[i];
        if (!leak_shown(l->kind))
            continue;
        ct_line(t, "%s bytes in %s blocks are %s in loss record %zu of %zu", ct_commas(l->bytes, a),
                ct_commas(l->blocks, b), leak_words[l->kind], i + 1, book.nleaks);
        if (l->stack.p) /* lines already prefixed */
            ct_append_text(t, &l->stack);
        ct_line(t, "%s", "");
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
    for (int k = 0; k < BVM_LK_COUNT; k++)
        ct_line(t, "%s: %s bytes in %s blocks", label[k], ct_commas(book.lost_bytes[k], a),
                ct_commas(book.lost_blocks[k], b));
    ct_line(t, "        suppressed: 0 bytes in 0 blocks");
    if (opts.leak_check == LEAK_CHECK_SUMMARY)
        ct_line(t, "Rerun with --leak-check=full to see details of leaked memory");
    ct_line(t, "%s", "");
}

static void print_end(void)
{
    struct check_text t = {0};
    if (!opts.quiet)
        book.have_summary ? heap_summary(&t) : ct_line(&t, "%s", "");
    if (opts.leak_check == LEAK_CHECK_FULL)
        leak_records(&t);
    if (!opts.quiet && book.have_summary && opts.leak_check != LEAK_CHECK_NO)
        leak_summary(&t);
    if (!opts.quiet && book.have_summary && opts.leak_check == LEAK_CHECK_NO) {
        ct_line(&t, "For a detailed leak analysis, rerun with: --leak-check=full");
        ct_line(&t, "%s", "");
    }
    if (!opts.quiet)
        ct_line(&t, "ERROR SUMMARY: %llu errors from %llu contexts (suppressed: 0 from 0)",
                (unsigned long long)book.errors, (unsigned long long)book.contexts);
    ct_flush(&t);
}

int check_finish(uint32_t kind, int status)
{
    if (!opts.on)
        return status;
    if (book.errors && !book.finished) { /* a clean run: not a word */
        book.finished = 1;
        print_end();
    }
    return book.errors && kind == BVM_EXIT_STATUS && opts.error_exitcode ? opts.error_exitcode : status;
}
