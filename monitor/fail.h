/* fail.h: buffervm's own error paths: tagged fatal messages with env/timeout-style exit codes. */
#ifndef BVM_FAIL_H
#define BVM_FAIL_H

/* Exit statuses for buffervm's own failures, as env(1) and timeout(1) use them. */
#define BVM_EXIT_INTERNAL 125 /* buffervm itself failed (setup, host resources) */
#define BVM_EXIT_CANNOT_RUN 126 /* PROG found but cannot be run */
#define BVM_EXIT_NOT_FOUND 127 /* PROG not found */

/* Print "buffervm: <tag>: <message>" on the monitor's own stderr and exit with status. */
_Noreturn void fail_exit(int status, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same with status 125: a host/setup failure. */
#define fail(tag, ...) fail_exit(BVM_EXIT_INTERNAL, tag, __VA_ARGS__)

/* Informational line on the monitor's stderr (used for --verbose). */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The monitor writes its own messages to a private duplicate of the original stderr,
 * so that a guest closing or redirecting fd 2 never swallows or interleaves them. */
void fail_init(void);
int fail_fd(void);
/* A fault of buffervm's own (SIGSEGV, SIGILL, SIGFPE, SIGABRT) prints "internal error" on that
 * stderr before the run dies of it (on an alternate stack: a stack overflow is reported too). */
void fail_catch_crashes(void);

#endif
