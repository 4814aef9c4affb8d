/* user/init.c: the first process, when the kernel command line names no init=:
 *
 *     init [sh]
 *
 * runs /hello and /cr3demo one after the other and exits 0 if both exited 0 (the kernel then
 * powers off with that status). With "sh" (`make run` gives it) it then becomes the shell,
 * Debian's busybox sh, which stays pid 1: its exit powers off with its status. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "twofold.h"

/* Run path with no arguments in a child and return its wait status, or -1 if it could not
 * be started. */
static int run(const char *path)
{
    char *const argv[] = { (char *)path, NULL };
    pid_t pid = fork();
    if (pid == 0) {
        execve(path, argv, environ);
        perror(path);
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        perror("init");
        return -1;
    }
    return status;
}

int main(int argc, char **argv)
{
    static const char *const programs[] = { "/hello", "/cr3demo" };
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("init: pid %d, running /hello and /cr3demo\n", getpid());
    int failed = 0;
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        char how[48];
        int status = run(programs[i]);
        if (status != 0)
            failed++;
        printf("init: %s %s\n", programs[i],
               status < 0 ? "could not be run" : describe_status(status, how, sizeof how));
    }
    if (failed || argc < 2 || strcmp(argv[1], "sh") != 0)
        return failed != 0;
    char *const shell_argv[] = { "sh", NULL };
    char *const envp[] = { "PATH=/bin:/sbin:/", "HOME=/", "TERM=vt100", NULL };
    printf("init: starting /bin/sh (exit or Ctrl-D powers off)\n");
    execve("/bin/sh", shell_argv, envp);
    perror("/bin/sh");
    return 1;
}
