/* check_report.h: buffervm check on the monitor's side: the CHECK hostcall (hc_check, declared in
 * hostcall.h), reports on stderr in memcheck's shape, error counts and the end of a process. */
#ifndef BVM_CHECK_REPORT_H
#define BVM_CHECK_REPORT_H

#include <stdint.h>

#include "bvm_abi.h"

struct check_opts;

/* buffervm check's options (main, before the run; o->on: `buffervm check`). Until then, or with
 * o->on 0, check_finish prints nothing and changes no status. */
void check_init(const struct check_opts *o);

/* The guest process ended (hc_exit), kind an enum bvm_exit_kind and status its status or signal.
 * When it had errors, prints what memcheck prints at exit (HEAP SUMMARY, the leak records, LEAK
 * SUMMARY, ERROR SUMMARY; with -q only the leak records); with none, prints nothing at all.
 * Returns the status to end with: the error exit code for a normal exit with errors (unless it is
 * 0; the first process counts the errors of the tree's processes that ended before it), else
 * status (a death by signal keeps its signal). Call once per process. */
int check_finish(uint32_t kind, int status);

/* The monitor forked for a guest fork: the child process counts and reports its own errors. */
void check_after_fork(void);

/* Errors counted so far in this process (tests). */
uint64_t check_error_count(void);

/* ---- between check_report.c (hc_check, error records) and check_end.c (counts, leaks, exit) ---- */
/* An access or free error (key: its context, memcheck's kind, size and where-stack): counted; the
 * first of its context is reported (its stacks are taken over: 1), the others freed (0). */
struct check_error;
int check_error_record(struct check_error *e, uint64_t key);
/* A LEAK report (validated): kept for the end; counted when it is an error. */
void check_leak_record(const struct bvm_check_report *r);
/* The SUMMARY report (validated): kept for the end. */
void check_summary_record(const struct bvm_check_report *r);

#endif
