/* user/include/utest.h: user-mode tests that report in KTAP, in the style of kernel/ktest.h.
 *
 * A test program is one file of cases; this header supplies its main():
 *
 *     #include "utest.h"
 *
 *     UTEST(getpid_is_positive)
 *     {
 *         EXPECT(SYSCALL(SYS_getpid) > 0);
 *     }
 *
 * UTEST puts a descriptor in the "utests" section; main() runs every case and prints KTAP
 * ("ok N name", "not ok N name" after "# file:line: ..." diagnostics, "ok N name # SKIP why")
 * and exits with the number of failed cases. The harness lists a program's cases from its
 * utest_case_<name> symbols (nm), so names are unique within a program.
 *
 * A failed expectation prints a diagnostic and the case goes on. SKIP(why) ends a case as
 * skipped; TWOFOLD_ONLY() skips it on Linux. run_in_child() runs a part of a case in a child
 * process (for faults, exits and anything that must not touch this process); the child's
 * failed expectations print as the parent's would, before the case's result line.
 *
 * A program that execve()s itself (execve needs something to run) defines
 * utest_reexec(argc, argv): main() calls it instead of the cases when given arguments.
 */
#pragma once
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twofold.h"

struct utest_case {
    const char *name;
    void (*run)(void);
    int line;                   /* where it is defined: cases run in the file's order */
};

#define UTEST(case_name)                                                                     \
    static void utest_body_##case_name(void);                                                \
    __attribute__((used, section("utests"), aligned(8)))                                     \
    static const struct utest_case utest_case_##case_name = { #case_name, utest_body_##case_name, \
                                                             __LINE__ };                     \
    static void utest_body_##case_name(void)

/* The linker's bounds of the "utests" section. */
extern const struct utest_case __start_utests[], __stop_utests[];

/* The running case: its failed expectations, and why it skipped (NULL if it did not). */
static struct {
    int failures;
    const char *skipped;
} utest_now;

/* argv[0] as this program was started (to find files beside it, or run itself again). */
static const char *utest_argv0;

/* Defined by a program that runs itself again with arguments (see above). */
int utest_reexec(int argc, char **argv) __attribute__((weak));

/* Report a failed expectation at file:line. */
__attribute__((format(printf, 3, 4), unused))
static void utest_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# %s:%d: ", file, line);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    utest_now.failures++;
}

#define EXPECT(cond)                                                                         \
    do {                                                                                     \
        if (!(cond))                                                                         \
            utest_fail(__FILE__, __LINE__, "expected %s", #cond);                            \
    } while (0)

#define EXPECT_EQ(actual, expected)                                                          \
    do {                                                                                     \
        long utest_a_ = (long)(actual), utest_e_ = (long)(expected);                         \
        if (utest_a_ != utest_e_)                                                            \
            utest_fail(__FILE__, __LINE__, "expected %s == %s, got %ld (0x%lx), want %ld (0x%lx)", \
                       #actual, #expected, utest_a_, utest_a_, utest_e_, utest_e_);          \
    } while (0)

#define EXPECT_STREQ(actual, expected)                                                       \
    do {                                                                                     \
        const char *utest_a_ = (actual), *utest_e_ = (expected);                             \
        if (strcmp(utest_a_, utest_e_) != 0)                                                 \
            utest_fail(__FILE__, __LINE__, "expected %s == \"%s\", got \"%s\"", #actual,     \
                       utest_e_, utest_a_);                                                  \
    } while (0)

/* A wait status that says the child exited with code, or was killed by signal sig (the core
 * dump bit, if any, does not matter). */
#define EXPECT_EXITED(status, code) utest_expect_status(__FILE__, __LINE__, (status), (code) << 8)
#define EXPECT_KILLED(status, sig) utest_expect_status(__FILE__, __LINE__, (status), (sig))

__attribute__((unused))
static void utest_expect_status(const char *file, int line, int status, int want)
{
    char got[48], wanted[48];
    if ((status & ~0x80) != want)
        utest_fail(file, line, "child: %s; expected: %s", describe_status(status, got, sizeof got),
                   describe_status(want, wanted, sizeof wanted));
}

#define SKIP(why)                                                                            \
    do {                                                                                     \
        utest_now.skipped = (why);                                                           \
        return;                                                                              \
    } while (0)

#define TWOFOLD_ONLY()                                                                       \
    do {                                                                                     \
        if (!on_twofold())                                                                   \
            SKIP("Twofold only; this is Linux");                                             \
    } while (0)

/* Run fn(arg) in a child process, which exits 0 if fn returns with all its expectations
 * held and 1 otherwise. Returns the child's wait status, or -1 if fork or wait4 failed (a
 * failed expectation too). */
__attribute__((unused))
static int run_in_child(void (*fn)(void *), void *arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        utest_now.failures = 0;
        fn(arg);
        fflush(stdout);
        _exit(utest_now.failures ? 1 : 0);
    }
    if (pid < 0) {
        utest_fail(__FILE__, __LINE__, "run_in_child: fork failed");
        return -1;
    }
    int status;
    long r = SYSCALL(SYS_wait4, pid, &status, 0, 0);
    if (r != pid) {
        utest_fail(__FILE__, __LINE__, "run_in_child: wait4(%d) returned %ld", pid, r);
        return -1;
    }
    return status;
}

/* qsort's order of two struct utest_case pointers: by line. */
static int utest_by_line(const void *a, const void *b)
{
    const struct utest_case *const *x = a, *const *y = b;
    return (*x)->line - (*y)->line;
}

int main(int argc, char **argv)
{
    /* Line by line, so nothing waits in the buffer when a case forks or the process dies. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    utest_argv0 = argv[0];
    if (argc > 1) {
        if (utest_reexec)
            return utest_reexec(argc, argv);
        fprintf(stderr, "%s: a test program takes no arguments\n", argv[0]);
        return 2;
    }
    /* The compiler may lay the descriptors out in any order. */
    enum { MAX_CASES = 256 };
    const struct utest_case *cases[MAX_CASES];
    int count = (int)(__stop_utests - __start_utests), failed = 0;
    if (count > MAX_CASES) {
        printf("# utest: %d cases, more than %d\n", count, MAX_CASES);
        return 255;
    }
    for (int i = 0; i < count; i++)
        cases[i] = &__start_utests[i];
    qsort(cases, count, sizeof cases[0], utest_by_line);

    printf("KTAP version 1\n1..%d\n", count);
    for (int i = 0; i < count; i++) {
        const struct utest_case *c = cases[i];
        utest_now.failures = 0;
        utest_now.skipped = NULL;
        c->run();
        if (utest_now.failures) {
            printf("not ok %d %s\n", i + 1, c->name);
            failed++;
        } else if (utest_now.skipped) {
            printf("ok %d %s # SKIP %s\n", i + 1, c->name, utest_now.skipped);
        } else {
            printf("ok %d %s\n", i + 1, c->name);
        }
    }
    return failed < 255 ? failed : 255;
}
