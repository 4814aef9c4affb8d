/* user/testrun.c: the user test runner. `testrun [NAME...]` runs each named test program
 * (all of them when none is named: TEST_PROGRAMS, which tools/user.mk makes from the file
 * names in user/tests) from tests/ beside testrun itself (/tests on Twofold), and reports in
 * nested KTAP: a program's own KTAP indented by 4 spaces, then its result line
 * ("ok N NAME", or "not ok N NAME # exited with status S" / "# killed by signal S"). One more
 * top-level case, frames_all_returned, says whether the kernel's free frame count is the same
 * after the last program as before the first. Exits with the number of failed cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "twofold.h"

/* Copy everything readable from fd to stdout, each line indented by 4 spaces, until end of
 * file. at_line_start carries over from one read to the next. */
static void copy_indented(int fd)
{
    char buf[512];
    int at_line_start = 1;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            printf("    # testrun: read from the test's pipe: %s\n", strerror(errno));
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (at_line_start)
                fputs("    ", stdout);
            putchar(buf[i]);
            at_line_start = buf[i] == '\n';
        }
    }
    if (!at_line_start)
        putchar('\n');
}

/* Run the test program at path with its stdout and stderr on a pipe, copy what it prints,
 * and return its wait status (or -1 with a diagnostic if it could not be started). */
static int run_test(const char *path)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        printf("# testrun: pipe: %s\n", strerror(errno));
        return -1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *const argv[] = { (char *)path, NULL };
        dup2(out[1], 1);
        dup2(out[1], 2);
        execve(path, argv, environ);
        fprintf(stderr, "# testrun: execve %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(out[1]);
    if (pid < 0) {
        printf("# testrun: fork: %s\n", strerror(errno));
        close(out[0]);
        return -1;
    }
    copy_indented(out[0]);
    close(out[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        printf("# testrun: wait: %s\n", strerror(errno));
        return -1;
    }
    return status;
}

int main(int argc, char **argv)
{
    static const char *const all_tests[] = { TEST_PROGRAMS };
    const char *const *names = all_tests;
    int count = (int)(sizeof all_tests / sizeof all_tests[0]);
    if (argc > 1) {
        names = (const char *const *)argv + 1;
        count = argc - 1;
    }

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("KTAP version 1\n1..%d\n", count + 1);
    long frames_before = free_frames();
    int failed = 0;
    for (int i = 0; i < count; i++) {
        char path[256], name[256], how[48];
        int status = -1;
        snprintf(name, sizeof name, "tests/%s", names[i]);
        if (path_beside(argv[0], name, path, sizeof path))
            status = run_test(path);
        else
            printf("# testrun: the path of %s is too long\n", names[i]);
        if (status == 0) {
            printf("ok %d %s\n", i + 1, names[i]);
        } else {
            printf("not ok %d %s # %s\n", i + 1, names[i],
                   status < 0 ? "could not be run" : describe_status(status, how, sizeof how));
            failed++;
        }
    }

    long frames_after = free_frames();
    if (frames_before == -ENOSYS) {
        printf("ok %d frames_all_returned # SKIP no free_frames() here (Linux)\n", count + 1);
    } else if (frames_before == frames_after) {
        printf("ok %d frames_all_returned\n", count + 1);
    } else {
        printf("# free frames before the first test %ld, after the last %ld\n", frames_before,
               frames_after);
        printf("not ok %d frames_all_returned\n", count + 1);
        failed++;
    }
    return failed < 255 ? failed : 255;
}
