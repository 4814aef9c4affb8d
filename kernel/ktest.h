/* kernel/ktest.h: in-kernel tests, reported in KTAP (the format of Linux's KUnit).
 *
 * A test is a function anywhere in the kernel:
 *
 *     KTEST(format_pads_with_zeros)
 *     {
 *         char buf[8];
 *         ksnprintf(buf, sizeof buf, "%04d", 7);
 *         KEXPECT_STREQ(buf, "0007");
 *     }
 *
 * KTEST puts a descriptor in the .ktests section; `test` on the command line runs them all.
 * Names are unique across the kernel: the harness finds them as ktest_case_<name> symbols.
 * A failed expectation prints a KTAP diagnostic and the test goes on; it reports "not ok". A
 * test that does not apply (one that needs several CPUs, on one) calls ktest_skip.
 */
#pragma once
#include <stdint.h>
#include <string.h>

struct ktest_case {
    const char *name;
    void (*run)(void);
};

#define KTEST(test_name)                                                                     \
    static void ktest_body_##test_name(void);                                                \
    __attribute__((used, section(".ktests"), aligned(8)))                                    \
    static const struct ktest_case ktest_case_##test_name = { #test_name, ktest_body_##test_name }; \
    static void ktest_body_##test_name(void)

__attribute__((format(printf, 3, 4))) void ktest_fail(const char *file, int line, const char *fmt, ...);

/* The running test does not apply here (why: a string constant); it should return at once.
 * KTAP reports it "ok ... # SKIP why". */
void ktest_skip(const char *why);

#define KEXPECT(cond)                                                                        \
    do {                                                                                     \
        if (!(cond))                                                                         \
            ktest_fail(__FILE__, __LINE__, "expected %s", #cond);                            \
    } while (0)

#define KEXPECT_EQ(actual, expected)                                                         \
    do {                                                                                     \
        uint64_t ktest_a_ = (uint64_t)(actual), ktest_e_ = (uint64_t)(expected);             \
        if (ktest_a_ != ktest_e_)                                                            \
            ktest_fail(__FILE__, __LINE__, "expected %s == %s, got 0x%lx, want 0x%lx",       \
                       #actual, #expected, ktest_a_, ktest_e_);                              \
    } while (0)

#define KEXPECT_STREQ(actual, expected)                                                      \
    do {                                                                                     \
        const char *ktest_a_ = (actual), *ktest_e_ = (expected);                             \
        if (strcmp(ktest_a_, ktest_e_) != 0)                                                 \
            ktest_fail(__FILE__, __LINE__, "expected %s == \"%s\", got \"%s\"", #actual,     \
                       ktest_e_, ktest_a_);                                                  \
    } while (0)

/* Run every registered test, printing KTAP; returns the number that failed. */
int ktest_run_all(void);
