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

void ct_stack(struct check_text *t, const struct ce_stack *s)
{
    char text[3 * SYM_NAME_MAX + 64];
    for (int i = 0; i < s->n; i++) {
        const struct ce_frame *f = &s->f[i];
        sym_format(f->known ? &f->s : NULL, f->obj, text, sizeof text);
        ct_line(t, "   %s 0x%llX: %s", i ? "by" : "at", (unsigned long long)f->ip, text);
    }
}

void ct_error(struct check_text *t, const struct check_error *e)
{
    static uint32_t last_tid = 1; /* memcheck names the thread when it is not the last one named */
    if (e->tid && e->tid != last_tid)
        ct_line(t, "Thread %u:", last_tid = e->tid);
    ct_line(t, "%s", e->what);
    ct_stack(t, &e->stack);
    for (int i = 0; i < e->naux; i++) {
        ct_line(t, " %s", e->aux[i].what);
        ct_stack(t, &e->aux[i].stack);
    }
    ct_line(t, "%s", "");
}

void ct_raw(struct check_text *t, const char *text) { append(t, text, strlen(text)); }

void ct_append_text(struct check_text *t, const struct check_text *lines)
{
    if (lines->len)
        append(t, lines->p, lines->len);
}

static int out_fd = -2; /* -2: buffervm's stderr; -1: nowhere */

void ct_set_fd(int fd) { out_fd = fd; }

void ct_flush(struct check_text *t)
{
    /* buffervm's own stderr, taken at its start: as memcheck's, the report reaches it even when the
     * program has closed or redirected its fd 2 (tail and tar close it); or the --log-file */
    int fd = out_fd == -2 ? fail_fd() : out_fd;
    for (size_t done = 0; done < t->len && fd >= 0;) {
        ssize_t n = write(fd, t->p + done, t->len - done);
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
