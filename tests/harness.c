/* harness.c: the test harness's result lines and the state of the running test (harness.h). */
#include <stdarg.h>

#include "harness.h"

int test_failed;
enum test_result test_now;
char test_why[512];

void test_report(const char *name, enum test_result r, const char *fmt, ...)
{
    static const char *const word[] = {[TEST_FAIL] = "FAIL", [TEST_PASS] = "PASS", [TEST_SKIP] = "SKIP"};
    char detail[sizeof test_why];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("%s %s%s%s\n", word[r], name, !detail[0] ? "" : r == TEST_PASS ? " " : ": ", detail);
    fflush(stdout); /* out before a later test can crash */
    test_failed += r == TEST_FAIL;
}

void test_run(const char *name, void (*fn)(void))
{
    test_now = TEST_PASS;
    fn();
    test_report(name, test_now, "%s", test_now == TEST_PASS ? "" : test_why);
}

/* "file:line: " and the detail, or else "expected cond". */
static void where(char *buf, size_t n, const char *file, int line, const char *cond, const char *fmt,
                  va_list ap)
{
    int k = snprintf(buf, n, "%s:%d: ", file, line);
    if (fmt[0])
        vsnprintf(buf + k, n - k, fmt, ap);
    else
        snprintf(buf + k, n - k, "expected %s", cond);
}

void test_fail_at(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (test_now == TEST_PASS) /* a helper's CHECK may fail a test that goes on */
        where(test_why, sizeof test_why, file, line, cond, fmt, ap);
    va_end(ap);
    test_now = TEST_FAIL;
}

void test_expect(const char *name, int ok, const char *file, int line, const char *cond, const char *fmt, ...)
{
    char why[sizeof test_why] = "";
    va_list ap;
    va_start(ap, fmt);
    if (!ok)
        where(why, sizeof why, file, line, cond, fmt, ap);
    va_end(ap);
    test_report(name, ok ? TEST_PASS : TEST_FAIL, "%s", why);
}
