/* unit.h: a minimal unit-test harness: one PASS/FAIL line per test function. */
#ifndef BVM_UNIT_H
#define BVM_UNIT_H

#include <stdio.h>

static int unit_failed;
static const char *unit_name;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond) && !unit_failed++)                                                            \
            printf("FAIL %s: %s:%d: expected %s\n", unit_name, __FILE__, __LINE__, #cond);        \
    } while (0)

#define CHECK_EQ(a, b)                                                                            \
    do {                                                                                          \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);            \
        if (a_ != b_ && !unit_failed++)                                                           \
            printf("FAIL %s: %s:%d: %s == 0x%llx, expected 0x%llx\n", unit_name, __FILE__,         \
                   __LINE__, #a, a_, b_);                                                         \
    } while (0)

#define RUN(fn)                                                                                   \
    do {                                                                                          \
        unit_name = #fn;                                                                          \
        unit_failed = 0;                                                                          \
        fn();                                                                                     \
        if (!unit_failed)                                                                         \
            printf("PASS %s\n", #fn);                                                             \
    } while (0)

#endif
