/* check_text.c: buffervm check's lines on stderr, each "==PID== ", stacks symbolised. */
#include "check_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail.h"
#include "symbolize.h"

#define LINE_MAX_LEN 2048

static void append(struct check_text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p)
            fail("memory", "out of memory");
        t->p = p, t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = 0;
}

void ct_line(struct check_text *t, const char *fmt, ...)
{
    char line[LINE_MAX_LEN];
    int k = snprintf(line, sizeof line, "==%d== ", (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + k, sizeof line - (size_t)k, fmt, ap);
    va_end(ap);
    size_t n = strlen(line);
    for (size_t i = (size_t)k; i < n; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) /* no terminal escapes from a file's names */
            line[i] = '?';
    append(t, line, n);
    append(t, "\n", 1);
}

/* Functions that call main: memcheck shows none below main, and one of these as "(below main)" when
 * main is not on the stack. */
static int below_main(const char *fn)
{
    static const char *const names[] = {"__libc_start_main", "__libc_start_call_main", "__libc_start_main_impl",
                                        "generic_start_main", "libc_start_main_stage2"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(fn, names[i]))
            return 1;
    return 0;
}

/* C++'s operators new and delete, named as memcheck names them ("operator delete(void*, unsigned
 * long)"), from the Itanium-mangled symbol a frame shows when the library has no debug info: 1, or
 * 0 when sym is not one of them (then it is left as it is). */
static int operator_name(const char *sym, char *out, size_t len)
{
    static const char *const ops[][2] = {{"nw", "new"}, {"na", "new[]"}, {"dl", "delete"}, {"da", "delete[]"}};
    static const char *const args[][2] = {{"m", "unsigned long"}, {"Pv", "void*"},
                                          {"St11align_val_t", "std::align_val_t"},
                                          {"RKSt9nothrow_t", "std::nothrow_t const&"}};
    const char *op = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !strncmp(sym, "_Z", 2); i++)
        if (!strncmp(sym + 2, ops[i][0], 2))
            op = ops[i][1];
    if (!op || !sym[4])
        return 0;
    size_t k = (size_t)snprintf(out, len, "operator %s(", op);
    for (const char *p = sym + 4; *p;) {
        size_t i = 0, n = 0;
        while (i < sizeof args / sizeof args[0] && strncmp(p, args[i][0], n = strlen(args[i][0])))
            i++;
        if (i == sizeof args / sizeof args[0] || k >= len)
            return 0;
        k += (size_t)snprintf(out + k, len - k, "%s%s", p == sym + 4 ? "" : ", ", args[i][1]);
        p += n;
    }
    if (k + 2 > len)
        return 0;
    memcpy(out + k, ")", 2);
    return 1;
}

/* One frame: a line per call it stands for (inlined ones first), "at" for the stack's first line.
 * Returns 1 when the stack ends here (main, or below it). */
static int frame_lines(struct check_text *t, const struct bvm_check_report *r, const struct bvm_check_frame *f,
                       int is_return, int *first)
{
    struct sym_frame sf[SYM_MAX_INLINE];
    char text[3 * SYM_NAME_MAX + 64];
    const char *path = f->file >= 0 ? r->files[f->file] : NULL;
    int n = path ? sym_lookup(path, f->file_off, is_return, sf, SYM_MAX_INLINE) : 0, end = 0;
    const char *obj = path ? sym_object_name(path) : NULL;
    if (n) {
        end = !strcmp(sf[n - 1].fn, "main") || below_main(sf[n - 1].fn);
        if (below_main(sf[n - 1].fn))
            snprintf(sf[n - 1].fn, sizeof sf[n - 1].fn, "(below main)");
    }
    for (int i = 0; i < n; i++) {
        char op[sizeof sf[i].fn];
        if (operator_name(sf[i].fn, op, sizeof op))
            memcpy(sf[i].fn, op, sizeof op);
    }
    for (int i = 0; i < (n ? n : 1); i++) {
        sym_format(n ? &sf[i] : NULL, obj, text, sizeof text);
        ct_line(t, "   %s 0x%llX: %s", *first ? "at" : "by", (unsigned long long)f->pc, text);
        *first = 0;
    }
    return end;
}

static uint32_t max_frames = 12; /* --num-callers */

void ct_set_num_callers(unsigned n) { max_frames = n ? n : 12; }

void ct_stack(struct check_text *t, const struct bvm_check_report *r, const struct bvm_check_stack *s)
{
    int first = 1;
    for (uint32_t i = 0; i < s->n && i < BVM_CHECK_MAX_FRAMES && i < max_frames; i++)
        if (frame_lines(t, r, &s->f[i], i > 0, &first))
            break;
}

void ct_append_text(struct check_text *t, const struct check_text *lines)
{
    if (lines->len)
        append(t, lines->p, lines->len);
}

void ct_flush(struct check_text *t)
{
    for (size_t done = 0; done < t->len;) {
        /* buffervm's own stderr, taken at its start: as memcheck's, the report reaches it even
         * when the program has closed or redirected its fd 2 (tail and tar close it) */
        ssize_t n = write(fail_fd(), t->p + done, t->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* stderr gone: the report is lost, the run goes on */
        done += (size_t)n;
    }
    free(t->p);
    memset(t, 0, sizeof *t);
}

const char *ct_commas(uint64_t v, char buf[32])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = 0;
    return buf;
}
