/* user/cr3demo.c: CR3 made visible. A parent and its children, all alive at once, each with a
 * second thread, print from every thread its pid, tid, the CPU it runs on and the two CR3
 * values of its address space (Twofold's cr3() call), then say what the numbers show.
 * Exits 0 if every child did. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "twofold.h"

#define CHILDREN 3

/* Print one line: this thread's pid and tid, its CPU, its kernel-mode and user-mode CR3. */
static void report(const char *who)
{
    long kernel = cr3(0), user = cr3(1);
    int tid = (int)syscall(SYS_gettid), cpu = sched_getcpu();
    if (kernel < 0 || user < 0)
        printf("pid %-4d tid %-4d %-6s cr3() failed: %s (this is not Twofold)\n", getpid(), tid, who,
               strerror((int)-(kernel < 0 ? kernel : user)));
    else
        printf("pid %-4d tid %-4d %-6s cpu %d   kernel CR3 %#010lx   user CR3 %#010lx\n", getpid(), tid, who,
               cpu, kernel, user);
}

static void *thread_report(void *who)
{
    report(who);
    return NULL;
}

/* Report from this thread and from a second one of this process. 0, or 1 if no thread. */
static int report_twice(const char *who, const char *second)
{
    report(who);
    pthread_t t;
    if (pthread_create(&t, NULL, thread_report, (void *)second) != 0) {
        perror("cr3demo: pthread_create");
        return 1;
    }
    return pthread_join(t, NULL) != 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);   /* one write per line: the others print in between */
    printf("cr3demo: %d processes, each with its own address space and two threads:\n", CHILDREN + 1);

    /* The children stay alive until the pipe closes, so no two share a recycled table. */
    int hold[2];
    if (pipe(hold) != 0) {
        perror("cr3demo: pipe");
        return 1;
    }
    for (int i = 0; i < CHILDREN; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("cr3demo: fork");
            return 1;
        }
        if (pid == 0) {
            char byte;
            close(hold[1]);
            int failed = report_twice("child", "thread");
            return failed + (int)read(hold[0], &byte, 1);  /* 0 at end of file */
        }
    }
    int failed = report_twice("parent", "thread") ? 1 : 0;     /* after the forks: */
    close(hold[1]);                                            /* the children first */

    int status;
    for (int i = 0; i < CHILDREN; i++)
        if (wait(&status) < 0 || status != 0)
            failed++;
    printf("Each process has a different CR3: switching processes loads another top-level\n"
           "page table. The threads of one process share its CR3, on whichever CPU they run.\n"
           "Kernel and user CR3 are equal unless page-table isolation is on; then user mode\n"
           "runs on a second table that maps almost none of the kernel.\n");
    return failed != 0;
}
