/* check_out.c: buffervm check's files: the text log, the XML, JSON and SARIF documents, one set per
 * process of the tree. */
#include "check_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_text.h"
#include "fail.h"
#include "options.h"

static const struct check_opts *opts;
static struct check_run run;
static FILE *xml, *json, *sarif;
static int log_fd = -1;
static struct check_error *leaks; /* the loss records shown, for JSON and SARIF */
static size_t nleaks, cap_leaks;

void check_out_name(const char *pattern, char *out, size_t size)
{
    size_t k = 0;
    for (const char *p = pattern; *p && k + 1 < size; p++) {
        const char *add = NULL;
        char num[16], var[256];
        if (p[0] == '%' && p[1] == 'p') {
            snprintf(num, sizeof num, "%d", (int)getpid());
            add = num, p++;
        } else if (p[0] == '%' && p[1] == '%') {
            add = "%", p++;
        } else if (p[0] == '%' && p[1] == 'q' && p[2] == '{' && strchr(p + 3, '}')) {
            size_t n = (size_t)(strchr(p + 3, '}') - (p + 3));
            snprintf(var, sizeof var, "%.*s", (int)n, p + 3);
            add = getenv(var) ? getenv(var) : "";
            p += 3 + n;
        }
        if (!add) {
            out[k++] = *p;
            continue;
        }
        size_t n = strlen(add);
        n = n < size - 1 - k ? n : size - 1 - k;
        memcpy(out + k, add, n);
        k += n;
    }
    out[k] = 0;
}

/* A file named by one of the options (%p expanded), opened for writing. When it cannot be: in the
 * first process buffervm fails (one line), in a forked child -1 (it writes on into its parent's
 * file: under --sandbox its directory may not be writable any more). */
static int open_named(const char *opt, const char *pattern, int child)
{
    char name[4096];
    check_out_name(pattern, name, sizeof name);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0 && !child)
        fail("check", "cannot open the %s file '%s': %s", opt, name, strerror(errno));
    return fd;
}

/* Whether a file named by pattern is this process's to open: every one the first time, in a
 * forked child the ones whose name has %p (the others it shares with its parent, as valgrind's). */
static int opens(const char *pattern, int child) { return pattern && (!child || strstr(pattern, "%p")); }

/* *f becomes the file pattern names (unchanged when a child cannot open its own). 1: a new one. */
static int reopen(FILE **f, const char *opt, const char *pattern, int child)
{
    int fd = open_named(opt, pattern, child);
    FILE *n = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!n && !child)
        fail("check", "cannot open the %s file: %s", opt, strerror(errno));
    if (!n) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    if (*f)
        fclose(*f);
    *f = n;
    return 1;
}

/* This process's files. */
static void open_files(int child)
{
    int fd, new_xml = 0;
    if (opens(opts->log_file, child) && (fd = open_named("--log-file", opts->log_file, child)) >= 0) {
        if (log_fd >= 0)
            close(log_fd);
        ct_set_fd(log_fd = fd);
    }
    if (opens(opts->xml_file, child)) {
        new_xml = reopen(&xml, "--xml-file", opts->xml_file, child);
    } else if (opts->xml && !opts->xml_file && !child) {
        /* --xml=yes alone: the XML on buffervm's own stderr, in place of the text */
        fd = fcntl(fail_fd(), F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || !(xml = fdopen(fd, "w")))
            fail("check", "cannot write the XML on stderr: %s", strerror(errno));
        ct_set_fd(-1);
        new_xml = 1;
    }
    if (opens(opts->json_file, child))
        reopen(&json, "--json-file", opts->json_file, child);
    if (opens(opts->sarif_file, child))
        reopen(&sarif, "--sarif-file", opts->sarif_file, child);
    if (new_xml) {
        xml_start(xml, &run);
        fflush(xml);
    }
}

void check_out_init(const struct check_opts *o, int argc, char **argv, int prog)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    opts = o;
    run = (struct check_run){argc, argv, prog, (double)now.tv_sec + now.tv_nsec / 1e9};
    if (o->on)
        open_files(0);
}

void check_out_after_fork(void)
{
    for (size_t i = 0; i < nleaks; i++)
        ce_free(&leaks[i]);
    nleaks = 0;
    if (opts && opts->on)
        open_files(1);
}

/* (Where --gdb-error will stop the program: at its first error, after the report.) */
void check_out_error(const struct check_error *e)
{
    if (xml) {
        xml_error(xml, e, opts->gen_suppressions);
        fflush(xml);
    }
}

void check_out_finished(void)
{
    if (xml)
        xml_status(xml, &run, "FINISHED");
}

void check_out_leak(const struct check_error *e)
{
    if (xml)
        xml_error(xml, e, opts->gen_suppressions);
    if (!json && !sarif)
        return;
    if (nleaks == cap_leaks) {
        cap_leaks = cap_leaks ? 2 * cap_leaks : 16;
        if (!(leaks = realloc(leaks, cap_leaks * sizeof *leaks)))
            fail("memory", "out of memory");
    }
    leaks[nleaks] = *e;
    ce_stack_copy(&leaks[nleaks++].stack, &e->stack);
}

void check_out_end(const struct check_totals *t)
{
    if (xml) {
        xml_end(xml, t);
        fflush(xml);
    }
    if (json) {
        json_document(json, &run, t, leaks, nleaks);
        fflush(json);
    }
    if (sarif) {
        sarif_document(sarif, &run, t, leaks, nleaks);
        fflush(sarif);
    }
}
