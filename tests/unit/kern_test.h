/* kern_test.h: the test harness for shim kernel code compiled for the host, with kpanic/kprintf stand-ins. */
#ifndef KERN_TEST_H
#define KERN_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "kernel.h"

/* The kernel's panic, for code under test: a broken invariant fails the run there. */
_Noreturn void kpanic(const char *file, int line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    int n = snprintf(msg, sizeof msg, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - n, fmt, ap);
    va_end(ap);
    test_report("panic", TEST_FAIL, "%s", msg);
    exit(1);
}

/* The references private file VMAs hold on their host fds (mm.c keeps them as fd holds), counted
 * per fd (modulo 16) so that a test can see them balance. */
int vma_file_refs[16];
void vma_file_ref(int host, int delta)
{
    vma_file_refs[host & 15] += delta;
}

/* The kernel's console: silent here, so only result lines reach the output. */
void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

#endif
