/* check_text.h: buffervm check's output lines: "==PID== " prefixes, stacks, numbers as memcheck. */
#ifndef BVM_CHECK_TEXT_H
#define BVM_CHECK_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "bvm_abi.h"

/* Lines gathered for one write (a record reaches stderr whole, not interleaved with another
 * process's). Starts zeroed; ct_flush writes and empties it. */
struct check_text {
    char *p;
    size_t len, cap;
};

/* Appends "==PID== " (this monitor process's pid: the guest process's) and the formatted line; the
 * newline is added. Control characters (from file names or symbol tables) are shown as '?'. */
void ct_line(struct check_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The frames of stack s of report r (a validated one): "   at 0x401745: main (bug.c:12)" for the
 * first, "   by ..." for the rest; a frame standing for inlined calls gives a line per call. */
void ct_stack(struct check_text *t, const struct bvm_check_report *r, const struct bvm_check_stack *s);
/* --num-callers: at most n frames (return addresses and frame 0) per stack; 0: the default, 12. */
void ct_set_num_callers(unsigned n);

/* Appends lines gathered earlier (already prefixed). */
void ct_append_text(struct check_text *t, const struct check_text *lines);

/* Writes the lines to the monitor's stderr (fd 2, as memcheck), then forgets them. */
void ct_flush(struct check_text *t);

/* v with thousands separators ("1,520,000"), as memcheck prints sizes and totals; returns buf. */
const char *ct_commas(uint64_t v, char buf[32]);

#endif
