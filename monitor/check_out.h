/* check_out.h: where buffervm check's reports go besides stderr's text: --log-file (the text
 * itself), --xml-file (valgrind's XML, protocol 4), --json-file and --sarif-file. Each process of
 * the tree writes its own (a name with %p gets the pid). */
#ifndef BVM_CHECK_OUT_H
#define BVM_CHECK_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "check_error.h"

struct check_opts;

/* A process's books at its end: every error (non-leak) context's first error, with its count. */
struct check_totals {
    uint64_t errors, contexts;
    const struct check_error *errs;
    size_t nerrs;
};

/* The run: buffervm's own arguments and the program's (argv[prog..]), for the documents' headers. */
void check_out_init(const struct check_opts *o, int argc, char **argv, int prog);
/* A forked child: files of its own where the names have %p (else it writes on into its parent's). */
void check_out_after_fork(void);

/* An error context's first error (non-leak), as it happens. */
void check_out_error(const struct check_error *e);
/* The program ended: the XML's FINISHED status (before the loss records, as memcheck). */
void check_out_finished(void);
/* A loss record shown (e lent: copied when kept). */
void check_out_leak(const struct check_error *e);
/* The end: XML's counts and closing, the JSON and SARIF documents. */
void check_out_end(const struct check_totals *t);

/* A file name with valgrind's %p (the pid), %q{VAR} (an environment variable) and %% expanded. */
void check_out_name(const char *pattern, char *out, size_t size);

/* ---- the writers (check_xml.c, check_json.c, check_sarif.c) ---- */
struct check_run {
    int argc;             /* buffervm's own arguments ... */
    char **argv;
    int prog;             /* ... from argv[prog] on: the program's */
    double start;         /* CLOCK_MONOTONIC seconds at the start */
};
/* Text made safe for XML and JSON: control characters and bytes that are not UTF-8 become '?'
 * (XML) or U+FFFD (JSON): symbol and file names come from the guest's files. */
void xml_text(FILE *f, const char *s);
void json_string(FILE *f, const char *s);
/* The length of the UTF-8 sequence s starts with (1 for ASCII), 0 when it is not one. */
int utf8_len(const unsigned char *s);
/* s written with its UTF-8 sequences as they are, each byte that is not UTF-8 as not_utf8, and
 * each ASCII character by ascii (given where it is: it may look ahead). */
void text_out(FILE *f, const char *s, const char *not_utf8, void (*ascii)(FILE *f, const char *at));

void xml_start(FILE *f, const struct check_run *run);
void xml_error(FILE *f, const struct check_error *e, int gen); /* gen: with its suppression entry */
void xml_status(FILE *f, const struct check_run *run, const char *state);
void xml_end(FILE *f, const struct check_totals *t);
/* The whole JSON document (its schema: doc/check-report.schema.json) and SARIF 2.1.0 log of a
 * process: its errors, then the loss records shown. */
void json_document(FILE *f, const struct check_run *run, const struct check_totals *t,
                   const struct check_error *leaks, size_t nleaks);
void sarif_document(FILE *f, const struct check_run *run, const struct check_totals *t,
                    const struct check_error *leaks, size_t nleaks);

#endif
