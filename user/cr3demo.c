/* user/cr3demo.c: CR3 made visible. A parent and its children, all alive at once, each print
 * their pid and the two CR3 values of their address space (Twofold's cr3() call), then say
 * what the numbers show. Exits 0 if every child did. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "twofold.h"

#define CHILDREN 3

/* Print one line: this process's pid, its kernel-mode and its user-mode CR3. */
static void report(const char *who)
{
    long kernel = cr3(0), user = cr3(1);
    if (kernel < 0 || user < 0)
        printf("pid %-4d %-6s cr3() failed: %s (this is not Twofold)\n", getpid(), who,
               strerror((int)-(kernel < 0 ? kernel : user)));
    else
        printf("pid %-4d %-6s kernel CR3 %#010lx   user CR3 %#010lx\n", getpid(), who, kernel,
               user);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);   /* one write per line: children print in between */
    printf("cr3demo: %d processes, each with its own address space:\n", CHILDREN + 1);
    report("parent");

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
            report("child");
            return (int)read(hold[0], &byte, 1);   /* 0 at end of file */
        }
    }
    close(hold[1]);

    int failed = 0, status;
    for (int i = 0; i < CHILDREN; i++)
        if (wait(&status) < 0 || status != 0)
            failed++;
    printf("Each process has a different CR3: switching processes loads another top-level\n"
           "page table. Kernel and user CR3 are equal unless page-table isolation is on; then\n"
           "user mode runs on a second table that maps almost none of the kernel.\n");
    return failed != 0;
}
