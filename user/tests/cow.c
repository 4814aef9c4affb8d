/* user/tests/cow.c: after fork, parent and child each see their own memory, however it is
 * written: by the program, or by the kernel on its behalf (read() into a buffer). Twofold's
 * fork shares pages read-only and copies one at its first write; Linux does the same. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utest.h"

#define PAGE 4096

static char shared_data[3 * PAGE] = "parent";   /* in .data: present and writable before fork */

UTEST(child_writes_do_not_reach_the_parent)
{
    pid_t pid = fork();
    if (pid == 0) {
        strcpy(shared_data, "child");
        _exit(strcmp(shared_data, "child") != 0);
    }
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_EXITED(status, 0);
    EXPECT_STREQ(shared_data, "parent");
}

UTEST(parent_writes_do_not_reach_the_child)
{
    int to_child[2], from_child[2];
    EXPECT_EQ(pipe(to_child), 0);
    EXPECT_EQ(pipe(from_child), 0);
    memset(shared_data + PAGE, 'a', PAGE);
    pid_t pid = fork();
    if (pid == 0) {
        char go;
        read(to_child[0], &go, 1);                  /* wait until the parent has written */
        char seen = shared_data[PAGE + 100];
        write(from_child[1], &seen, 1);
        _exit(0);
    }
    memset(shared_data + PAGE, 'b', PAGE);
    write(to_child[1], "!", 1);
    char seen = 0;
    EXPECT_EQ(read(from_child[0], &seen, 1), 1);
    EXPECT_EQ(seen, 'a');
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_EXITED(status, 0);
}

UTEST(a_read_into_a_shared_page_copies_it_first)
{
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    memcpy(shared_data + 2 * PAGE, "untouched", 10);
    EXPECT_EQ(write(fds[1], "written!!", 10), 10);
    pid_t pid = fork();
    if (pid == 0) {                                 /* the kernel writes the child's page */
        long n = SYSCALL(SYS_read, fds[0], shared_data + 2 * PAGE, 10);
        _exit(n == 10 && strcmp(shared_data + 2 * PAGE, "written!!") == 0 ? 0 : 1);
    }
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    EXPECT_EXITED(status, 0);
    EXPECT_STREQ(shared_data + 2 * PAGE, "untouched");
}

UTEST(memory_stays_writable_after_the_child_is_gone)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    int status;
    EXPECT_EQ(SYSCALL(SYS_wait4, pid, &status, 0, 0), pid);
    for (int i = 0; i < 3 * PAGE; i += 512)
        shared_data[i] = (char)i;
    int wrong = 0;
    for (int i = 0; i < 3 * PAGE; i += 512)
        wrong += shared_data[i] != (char)i;
    EXPECT_EQ(wrong, 0);
}
