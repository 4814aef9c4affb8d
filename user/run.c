/* user/run.c: run programs one after another, as a test harness does, and say how each
 * ended; as the first process it runs programs that do not expect to be init (init gets
 * only the signals it has handlers for). tests/test_selftests.py boots it with Linux's
 * selftests.
 *
 *     run [-t SECONDS] PROGRAM...
 *
 * Each PROGRAM runs in a process group of its own, without arguments, after the line
 * "run: PROGRAM: start"; when it ends (it and whatever it left of its group), the line "run:
 * PROGRAM: exited with status N" or "...: killed by signal N". With -t, a program still
 * running after SECONDS is killed with its group ("run: PROGRAM: timed out after SECONDS s")
 * so that the next one runs: a guard against hangs, not a measure. Exits 0. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "twofold.h"

/* Wait for pid until the deadline (0: none); SIGCHLD is blocked. Returns its wait status, or
 * -1 once the deadline has passed. */
static int wait_until(pid_t pid, const sigset_t *sigchld, time_t deadline)
{
    for (;;) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        if (!deadline) {
            if (waitpid(pid, &status, 0) == pid)
                return status;
            continue;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec >= deadline)
            return -1;
        struct timespec left = { deadline - now.tv_sec, 0 };
        sigtimedwait(sigchld, NULL, &left);     /* a child's end, or the deadline */
    }
}

static void run(const char *program, int seconds, const sigset_t *sigchld)
{
    printf("run: %s: start\n", program);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        sigprocmask(SIG_UNBLOCK, sigchld, NULL);
        char *argv[] = { (char *)program, NULL };
        execv(program, argv);
        printf("run: %s: %s\n", program, strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        printf("run: %s: fork: %s\n", program, strerror(errno));
        return;
    }
    setpgid(pid, pid);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int status = wait_until(pid, sigchld, seconds ? now.tv_sec + seconds : 0);
    kill(-pid, SIGKILL);                /* what is left of its group, or all of it */
    while (waitpid(-pid, NULL, 0) > 0)
        ;
    if (status == -1) {
        waitpid(pid, NULL, 0);
        printf("run: %s: timed out after %d s\n", program, seconds);
        return;
    }
    char how[48];
    printf("run: %s: %s\n", program, describe_status(status, how, sizeof how));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int first = 1, seconds = 0;
    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        seconds = atoi(argv[2]);
        first = 3;
    }
    if (first >= argc || seconds < 0) {
        fprintf(stderr, "usage: run [-t SECONDS] PROGRAM...\n");
        return 2;
    }
    sigset_t sigchld;
    sigemptyset(&sigchld);
    sigaddset(&sigchld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &sigchld, NULL);
    for (int i = first; i < argc; i++)
        run(argv[i], seconds, &sigchld);
    return 0;
}
