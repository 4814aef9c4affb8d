/* user/tests/exec.c: execve: its errors (ENOENT, ENOEXEC), and what a program it starts
 * receives: its arguments and environment, the caller's pid, parent and open files (less
 * the close-on-exec ones), and memory of its own. The program it starts is this one again,
 * with arguments that say what to check (utest_reexec below). */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "utest.h"

#define LONG_ARG 10000
#define MANY_ARGS 200

static int data_marker = 1;     /* execve must bring back this initial value */
static int bss_marker;

/* Run this program again with argv (argv[0] is set to its path) and envp; returns the wait
 * status. */
static int exec_self(char **argv, char **envp)
{
    argv[0] = (char *)utest_argv0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        data_marker = bss_marker = -1;
        SYSCALL(SYS_execve, argv[0], argv, envp);
        _exit(127);
    }
    int status = 0x7f7f;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    return status;
}

static char *no_env[] = { NULL };

/* The path of a file in the test data directory (tests/data beside this program). */
static const char *data_file(const char *name)
{
    static char path[256];
    char relative[64];
    snprintf(relative, sizeof relative, "data/%s", name);
    return path_beside(utest_argv0, relative, path, sizeof path);
}

UTEST(execve_missing_file_is_enoent)
{
    char *argv[] = { "nosuch", NULL };
    EXPECT_EQ(SYSCALL(SYS_execve, data_file("nosuch"), argv, no_env), -ENOENT);
    EXPECT_EQ(SYSCALL(SYS_execve, data_file("nosuch/deeper"), argv, no_env), -ENOENT);
    EXPECT_EQ(SYSCALL(SYS_execve, "", argv, no_env), -ENOENT);
    EXPECT_EQ(data_marker, 1);          /* a failed execve leaves the caller as it was */
}

UTEST(execve_not_elf_is_enoexec)
{
    char *argv[] = { "notelf", NULL };
    EXPECT_EQ(SYSCALL(SYS_execve, data_file("notelf"), argv, no_env), -ENOEXEC);
}

/* In a child, which the program would replace (and end with status 0) if it ran. */
static void exec_low_segment(void *unused)
{
    (void)unused;
    char *argv[] = { "low-segment", NULL };
    EXPECT_EQ(SYSCALL(SYS_execve, data_file("low-segment"), argv, no_env), -EPERM);
    _exit(utest_now.failures ? 1 : 2);
}

UTEST(execve_of_a_program_below_64k_is_refused)
{
    TWOFOLD_ONLY();                     /* Linux lets root (CAP_SYS_RAWIO) map there */
    EXPECT_EXITED(run_in_child(exec_low_segment, NULL), 2);
}

/* In a child: an argv array of a whole page of pointers to "x" and no NULL before the
 * unmapped page after it: Linux reads such an array to its end first, so it is -EFAULT, not
 * too many arguments. The same for envp. */
static void array_running_into_a_hole(void *unused)
{
    (void)unused;
    char **page = (char **)SYSCALL(SYS_mmap, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT((long)page > 0);
    EXPECT_EQ(SYSCALL(SYS_munmap, (char *)page + 4096, 4096), 0);
    for (int i = 0; i < 512; i++)
        page[i] = "x";
    char *argv[] = { (char *)utest_argv0, "exit", "3", NULL };
    EXPECT_EQ(SYSCALL(SYS_execve, utest_argv0, page, no_env), -EFAULT);
    EXPECT_EQ(SYSCALL(SYS_execve, utest_argv0, argv, page), -EFAULT);
    EXPECT_EQ(SYSCALL(SYS_execve, utest_argv0, page + 100, no_env), -EFAULT);
}

UTEST(execve_argv_running_into_an_unmapped_page_is_efault)
{
    EXPECT_EXITED(run_in_child(array_running_into_a_hole, NULL), 0);
}

UTEST(execve_exit_status_reaches_the_parent)
{
    char *argv[] = { NULL, "exit", "7", NULL };
    EXPECT_EXITED(exec_self(argv, no_env), 7);
}

UTEST(execve_passes_arguments_and_environment)
{
    static char long_arg[LONG_ARG + 1];
    memset(long_arg, 'x', LONG_ARG);
    char *argv[] = { NULL, "args", "one", "", "two words", long_arg, NULL };
    char *envp[] = { "A=1", "TWOFOLD_TEST=yes", NULL };
    EXPECT_EXITED(exec_self(argv, envp), 0);
}

UTEST(execve_passes_many_arguments)
{
    static char numbers[MANY_ARGS][8];
    char *argv[MANY_ARGS + 3] = { NULL, "many" };
    for (int i = 0; i < MANY_ARGS; i++) {
        snprintf(numbers[i], sizeof numbers[i], "%d", i);
        argv[2 + i] = numbers[i];
    }
    EXPECT_EXITED(exec_self(argv, no_env), 0);
}

UTEST(execve_keeps_pid_and_parent)
{
    int p[2];
    char fd[16];
    EXPECT_EQ(SYSCALL(SYS_pipe, p), 0);
    snprintf(fd, sizeof fd, "%d", p[1]);
    char *argv[] = { NULL, "ids", fd, NULL };
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        argv[0] = (char *)utest_argv0;
        SYSCALL(SYS_execve, argv[0], argv, no_env);
        _exit(127);
    }
    long ids[2] = { 0, 0 };
    EXPECT_EQ(SYSCALL(SYS_read, p[0], ids, sizeof ids), sizeof ids);
    EXPECT_EQ(ids[0], pid);
    EXPECT_EQ(ids[1], SYSCALL(SYS_getpid));
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_EXITED(status, 0);
    SYSCALL(SYS_close, p[0]);
    SYSCALL(SYS_close, p[1]);
}

UTEST(execve_closes_only_cloexec_fds)
{
    int kept[2], closed[2];
    char kept_fd[16], closed_fd[16];
    EXPECT_EQ(SYSCALL(SYS_pipe, kept), 0);
    EXPECT_EQ(SYSCALL(SYS_pipe2, closed, O_CLOEXEC), 0);
    snprintf(kept_fd, sizeof kept_fd, "%d", kept[1]);
    snprintf(closed_fd, sizeof closed_fd, "%d", closed[1]);
    char *argv[] = { NULL, "fds", kept_fd, closed_fd, NULL };
    EXPECT_EXITED(exec_self(argv, no_env), 0);
    for (int i = 0; i < 2; i++) {
        SYSCALL(SYS_close, kept[i]);
        SYSCALL(SYS_close, closed[i]);
    }
}

/* The same beyond the table's first chunk of descriptors (kernel/fs/file.h's FD_CHUNK). */
UTEST(execve_closes_only_cloexec_fds_far_up)
{
    int ends[2];
    char kept_fd[16], closed_fd[16];
    EXPECT_EQ(SYSCALL(SYS_pipe, ends), 0);
    EXPECT_EQ(SYSCALL(SYS_dup2, ends[1], 700), 700);
    EXPECT_EQ(SYSCALL(SYS_dup3, ends[1], 900, O_CLOEXEC), 900);
    snprintf(kept_fd, sizeof kept_fd, "%d", 700);
    snprintf(closed_fd, sizeof closed_fd, "%d", 900);
    char *argv[] = { NULL, "fds", kept_fd, closed_fd, NULL };
    EXPECT_EXITED(exec_self(argv, no_env), 0);
    int fds[] = { ends[0], ends[1], 700, 900 };
    for (int i = 0; i < 4; i++)
        SYSCALL(SYS_close, fds[i]);
}

UTEST(execve_starts_with_fresh_memory)
{
    char *argv[] = { NULL, "fresh", NULL };
    EXPECT_EXITED(exec_self(argv, no_env), 0);
}

/* The program started by the cases above: argv[1] says what to check. Exits 0 if all holds,
 * else with a code that says what did not. */
int utest_reexec(int argc, char **argv)
{
    if (strcmp(argv[1], "exit") == 0 && argc == 3)
        return atoi(argv[2]);
    if (strcmp(argv[1], "args") == 0) {
        if (argc != 6 || argv[6] != NULL)
            return 1;
        if (strcmp(argv[2], "one") || strcmp(argv[3], "") || strcmp(argv[4], "two words"))
            return 2;
        if (strlen(argv[5]) != LONG_ARG || strspn(argv[5], "x") != LONG_ARG)
            return 3;
        int n = 0;
        while (environ[n])
            n++;
        const char *a = getenv("A"), *t = getenv("TWOFOLD_TEST");
        return n == 2 && a && strcmp(a, "1") == 0 && t && strcmp(t, "yes") == 0 ? 0 : 4;
    }
    if (strcmp(argv[1], "many") == 0) {
        if (argc != MANY_ARGS + 2)
            return 1;
        for (int i = 0; i < MANY_ARGS; i++)
            if (atoi(argv[2 + i]) != i)
                return 2;
        return environ[0] == NULL ? 0 : 3;
    }
    if (strcmp(argv[1], "ids") == 0 && argc == 3) {
        long ids[2] = { SYSCALL(SYS_getpid), SYSCALL(SYS_getppid) };
        return SYSCALL(SYS_write, atoi(argv[2]), ids, sizeof ids) == sizeof ids ? 0 : 1;
    }
    if (strcmp(argv[1], "fds") == 0 && argc == 4) {
        /* A zero-byte write says whether a pipe's write end is open. */
        int kept = SYSCALL(SYS_write, atoi(argv[2]), "", 0) == 0;
        int closed = SYSCALL(SYS_write, atoi(argv[3]), "", 0) == -EBADF;
        return (kept ? 0 : 1) | (closed ? 0 : 2);
    }
    if (strcmp(argv[1], "fresh") == 0)
        return data_marker == 1 && bss_marker == 0 ? 0 : 1;
    fprintf(stderr, "%s: unknown arguments\n", argv[0]);
    return 125;
}
