/* user/spin.c: something for Ctrl-C to stop, for tests/test_console.py: a child says
 * "spin: ready" and spins in user mode forever; the parent waits for it, says how it ended
 * ("spin: child killed by signal 2"), and exits 0. */
#include <stdio.h>
#include <unistd.h>

#include "twofold.h"

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    pid_t pid = fork();
    if (pid == 0) {
        printf("spin: ready\n");
        for (;;)
            ;
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        perror("spin");
        return 1;
    }
    char how[48];
    printf("spin: child %s\n", describe_status(status, how, sizeof how));
    return 0;
}
