/* tests/host/check.h: the assertions of the host unit tests. A failed check prints where
 * and what, and the test goes on; main() ends with `return check_report();`. */
#pragma once
#include <stdio.h>
#include <string.h>

static int check_total, check_failed;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        check_total++;                                                                       \
        if (!(cond)) {                                                                       \
            check_failed++;                                                                  \
            printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                 \
        }                                                                                    \
    } while (0)

#define CHECK_STREQ(actual, expected)                                                        \
    do {                                                                                     \
        const char *check_a_ = (actual), *check_e_ = (expected);                             \
        check_total++;                                                                       \
        if (!check_a_ || strcmp(check_a_, check_e_) != 0) {                                  \
            check_failed++;                                                                  \
            printf("%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual,    \
                   check_a_ ? check_a_ : "(null)", check_e_);                                \
        }                                                                                    \
    } while (0)

static inline int check_report(void)
{
    printf("%d checks, %d failed\n", check_total, check_failed);
    return check_failed != 0;
}
