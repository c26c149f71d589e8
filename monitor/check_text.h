/* check_text.h: buffervm check's output lines: "==PID== " prefixes, stacks, numbers as memcheck. */
#ifndef BVM_CHECK_TEXT_H
#define BVM_CHECK_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "check_error.h"

/* Lines gathered for one write (a record reaches stderr whole, not interleaved with another
 * process's). Starts zeroed; ct_flush writes and empties it. */
struct check_text {
    char *p;
    size_t len, cap;
};

/* Appends "==PID== " (this monitor process's pid: the guest process's) and the formatted line; the
 * newline is added. Control characters (from file names or symbol tables) are shown as '?'. */
void ct_line(struct check_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A stack's lines: "   at 0x401745: main (bug.c:12)" for the first frame, "   by ..." for the rest. */
void ct_stack(struct check_text *t, const struct ce_stack *s);
/* An error as memcheck prints it: the headline, its stack, the lines about the block (each with
 * its stack), a blank line. */
void ct_error(struct check_text *t, const struct check_error *e);

/* Appends text as it is (no prefix: a suppression entry to paste). */
void ct_raw(struct check_text *t, const char *text);

/* Appends lines gathered earlier (already prefixed). */
void ct_append_text(struct check_text *t, const struct check_text *lines);

/* Writes the lines to the monitor's stderr (fd 2, as memcheck) or the fd ct_set_fd gave (-1:
 * nowhere), then forgets them. */
void ct_flush(struct check_text *t);
void ct_set_fd(int fd);

/* v with thousands separators ("1,520,000"), as memcheck prints sizes and totals; returns buf. */
const char *ct_commas(uint64_t v, char buf[32]);

#endif
