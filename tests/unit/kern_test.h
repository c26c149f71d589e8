/* kern_test.h: tiny harness for host-side unit tests of shim kernel code (one PASS/FAIL line each). */
#ifndef KERN_TEST_H
#define KERN_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel.h"

static int kt_failed;
static jmp_buf kt_panic_jmp;
static int kt_expect_panic;
static char kt_panic_msg[256];

/* The kernel's panic, for code under test: records the message and unwinds to the test. */
_Noreturn void kpanic(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(kt_panic_msg, sizeof(kt_panic_msg), "%s:%d: ", file, line);
    va_start(ap, fmt);
    vsnprintf(kt_panic_msg + n, sizeof(kt_panic_msg) - n, fmt, ap);
    va_end(ap);
    if (kt_expect_panic)
        longjmp(kt_panic_jmp, 1);
    printf("FAIL panic: %s\n", kt_panic_msg);
    exit(1);
}

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

/* CHECK(name, cond, fmt...): one result line; the run's exit status says whether all passed. */
#define CHECK(name, cond, ...)                                                                               \
    do {                                                                                                     \
        if (cond) {                                                                                          \
            printf("PASS %s\n", name);                                                                       \
        } else {                                                                                             \
            printf("FAIL %s: ", name);                                                                       \
            printf(__VA_ARGS__);                                                                             \
            printf("\n");                                                                                    \
            kt_failed = 1;                                                                                   \
        }                                                                                                    \
    } while (0)

#endif
