/* harness.h: the one harness of the unit and CPU tiers' C tests: a line per test for tests/run.sh. */
#ifndef HARNESS_H
#define HARNESS_H

/* A test is one of:
 *  - a void function run by RUN(fn) or test_run(name, fn): its CHECKs fail it (the first failure
 *    is the one reported; the function returns there) and SKIP skips it;
 *  - one named condition: EXPECT(name, cond, ...);
 *  - a result the tester works out itself (a differential run over many cases): test_report.
 * Each prints one line: "PASS name", "FAIL name: why" or "SKIP name: why".
 * Link tests/harness.c into the test program. */

#include <stdio.h>

/* CHECK(cond) passes "" as its detail format: an empty format is meant, not a slip. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

enum test_result { TEST_FAIL, TEST_PASS, TEST_SKIP };

extern int test_failed;           /* tests failed so far: a main may return test_failed != 0 */
extern enum test_result test_now; /* the result of the test test_run is running, */
extern char test_why[512];        /* and why it failed or was skipped */

/* Print a test's line; fmt says why it failed or was skipped, or adds a detail to a pass. */
void test_report(const char *name, enum test_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Run one test function and print its line. */
void test_run(const char *name, void (*fn)(void));
#define RUN(fn) test_run(#fn, fn)

/* CHECK(cond) or CHECK(cond, fmt, ...): unless cond holds, the running test fails with
 * "file:line: expected cond" (or the formatted detail) and its function returns. */
#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            test_fail_at(__FILE__, __LINE__, #cond, "" __VA_ARGS__);                                         \
            return;                                                                                          \
        }                                                                                                    \
    } while (0)

/* CHECK(a == b), showing both values. */
#define CHECK_EQ(a, b)                                                                                       \
    do {                                                                                                     \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);                       \
        CHECK(a_ == b_, "%s == 0x%llx, expected 0x%llx", #a, a_, b_);                                        \
    } while (0)

/* SKIP(fmt, ...): the running test is skipped for this reason; its function returns. */
#define SKIP(...)                                                                                            \
    do {                                                                                                     \
        snprintf(test_why, sizeof test_why, __VA_ARGS__);                                                    \
        test_now = TEST_SKIP;                                                                                \
        return;                                                                                              \
    } while (0)

/* EXPECT(name, cond) or EXPECT(name, cond, fmt, ...): a test that is one condition. */
#define EXPECT(name, cond, ...) test_expect(name, (cond) != 0, __FILE__, __LINE__, #cond, "" __VA_ARGS__)

/* Behind CHECK (the running test fails; the first reason stays) and EXPECT. */
void test_fail_at(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void test_expect(const char *name, int ok, const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
