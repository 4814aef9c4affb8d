/* user/job.c: job control on the console, for tests/test_console.py, done as a shell does
 * it. Run as the first process (the console's session and foreground group), it starts two
 * jobs, each in a process group of its own, and says what becomes of them:
 *   1. a job in the foreground that spins: Ctrl-Z stops it; continued in the background, it
 *      spins on; back in the foreground, Ctrl-\ ends it with SIGQUIT;
 *   2. a job in the background that reads the console: SIGTTIN stops it; put in the
 *      foreground and continued, its read goes on and returns the line typed next.
 * Each step is a line "job: ..." that the test waits for before it types. */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "twofold.h"

/* Wait for the job's next change (stop, continue, end) and say what it was. */
static int report(pid_t job, const char *name)
{
    int status;
    if (waitpid(job, &status, WUNTRACED | WCONTINUED) != job) {
        perror("job: waitpid");
        return -1;
    }
    char how[48];
    printf("job: %s %s\n", name, describe_status(status, how, sizeof how));
    return status;
}

/* Give the console to group, as a shell does before it runs a job in the foreground. */
static void foreground(pid_t group)
{
    if (tcsetpgrp(0, group) != 0)
        perror("job: tcsetpgrp");
}

/* A child in a process group of its own (set by both sides, so neither has to wait). */
static pid_t start(void (*body)(void))
{
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        setpgid(0, 0);
        signal(SIGTTOU, SIG_DFL);
        body();
        _exit(0);
    }
    if (child < 0)
        perror("job: fork");
    else
        setpgid(child, child);
    return child;
}

static void spin(void)
{
    while (tcgetpgrp(0) != getpgrp())   /* the test types Ctrl-Z once this is the foreground */
        sched_yield();
    printf("job: spinning\n");
    for (;;)
        ;
}

static void read_a_line(void)
{
    char line[64];
    ssize_t n = read(0, line, sizeof line);
    printf("job: reader read %zd: %.*s\n", n, n > 0 ? (int)n : 0, line);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGTTOU, SIG_IGN);           /* a shell takes the console back from the background */
    pid_t shell = getpgrp();

    pid_t spinner = start(spin);
    foreground(spinner);
    if (report(spinner, "spinner") < 0)                 /* Ctrl-Z: stopped by SIGTSTP */
        return 1;
    foreground(shell);
    kill(-spinner, SIGCONT);
    report(spinner, "spinner");                         /* continued, in the background */
    foreground(spinner);
    printf("job: spinner in the foreground\n");
    report(spinner, "spinner");                         /* Ctrl-\: killed by SIGQUIT */
    foreground(shell);

    pid_t reader = start(read_a_line);
    report(reader, "reader");                           /* stopped by SIGTTIN */
    foreground(reader);
    kill(-reader, SIGCONT);
    report(reader, "reader");                           /* continued */
    printf("job: reader in the foreground\n");
    report(reader, "reader");                           /* read the line, exited */
    foreground(shell);
    return 0;
}
