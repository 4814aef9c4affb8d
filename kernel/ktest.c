/* kernel/ktest.c: the in-kernel test runner (see ktest.h). */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include <stdbool.h>

extern const struct ktest_case __ktests_start[], __ktests_end[];

/* The running test's: the tests run at boot, alone. */
static bool current_failed;
static const char *current_skipped;

void ktest_skip(const char *why)
{
    current_skipped = why;
}

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
    current_failed = true;
    kprintf("    # %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
}

int ktest_run_all(void)
{
    long count = __ktests_end - __ktests_start;
    int failed = 0;
    kprintf("KTAP version 1\n1..%ld\n", count);
    for (long i = 0; i < count; i++) {
        const struct ktest_case *t = &__ktests_start[i];
        current_failed = false;
        current_skipped = NULL;
        t->run();
        failed += current_failed;
        kprintf("%s %ld %s%s%s\n", current_failed ? "not ok" : "ok", i + 1, t->name,
                current_skipped ? " # SKIP " : "", current_skipped ? current_skipped : "");
    }
    kprintf("# ktest: %ld passed, %d failed\n", count - failed, failed);
    return failed;
}
