/* user/tests/proc.c: /proc: self, a process's stat, status, cmdline, comm, maps and exe, its
 * cwd and fd/ links, the system's meminfo, uptime, cpuinfo and mounts, a directory that goes
 * with its process, and Twofold's own cr3, ptdump and ptdump-user. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "utest.h"

/* The whole of path, NUL-terminated, in buf; its length, or -1. */
static long slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t used = 0;
    ssize_t n;
    while (used < size - 1 && (n = read(fd, buf + used, size - 1 - used)) > 0)
        used += (size_t)n;
    close(fd);
    buf[used] = '\0';
    return (long)used;
}

UTEST(self_names_the_caller)
{
    char link[32], want[32];
    ssize_t n = readlink("/proc/self", link, sizeof link - 1);
    EXPECT(n > 0);
    link[n > 0 ? n : 0] = '\0';
    snprintf(want, sizeof want, "%d", getpid());
    EXPECT_STREQ(link, want);
    char buf[256];
    EXPECT(slurp("/proc/self/stat", buf, sizeof buf) > 0);
    snprintf(want, sizeof want, "%d (proc) R %d ", getpid(), getppid());
    EXPECT(strncmp(buf, want, strlen(want)) == 0);
    EXPECT(slurp("/proc/self/comm", buf, sizeof buf) > 0);
    EXPECT_STREQ(buf, "proc\n");
}

UTEST(cmdline_holds_the_arguments)
{
    char buf[512];
    long n = slurp("/proc/self/cmdline", buf, sizeof buf);
    EXPECT(n > 0 && buf[n - 1] == '\0');
    EXPECT(strstr(buf, "proc") != NULL);                /* argv[0], this program */
    /* Run again with arguments, it moves argv[2] to another string and writes into argv[3]'s:
     * cmdline shows the bytes where exec put the strings, so the write and not the move. */
    pid_t child = fork();
    if (child == 0) {
        execl(utest_argv0, utest_argv0, "cmdline", "first", "second", (char *)NULL);
        _exit(99);
    }
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EXITED(status, 0);
}

int utest_reexec(int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[1], "cmdline") != 0)
        return 2;
    argv[2] = "moved";
    argv[3][0] = 'S';
    char buf[512];
    long n = slurp("/proc/self/cmdline", buf, sizeof buf);
    size_t head = strlen(buf) + 1;                      /* after argv[0] */
    static const char want[] = "cmdline\0first\0Second";
    return n == (long)(head + sizeof want) && memcmp(buf + head, want, sizeof want) == 0 ? 0 : 1;
}

UTEST(status_and_maps_describe_the_process)
{
    char buf[4096], want[32];
    EXPECT(slurp("/proc/self/status", buf, sizeof buf) > 0);
    snprintf(want, sizeof want, "\nPid:\t%d\n", getpid());
    EXPECT(strncmp(buf, "Name:\tproc\n", 11) == 0 && strstr(buf, want) != NULL);
    EXPECT(slurp("/proc/self/maps", buf, sizeof buf) > 0);
    char line[64];
    snprintf(line, sizeof line, "%08lx-", (unsigned long)((uintptr_t)&buf & ~0xfffUL));
    EXPECT(strstr(buf, "r-xp") != NULL);                /* the program's code */
    EXPECT(strstr(buf, "rw-p") != NULL);                /* its data and stack */
}

UTEST(exe_names_the_program)
{
    char exe[256];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    EXPECT(n > 0);
    exe[n > 0 ? n : 0] = '\0';
    EXPECT(strlen(exe) >= 5 && strcmp(exe + strlen(exe) - 5, "/proc") == 0);
    EXPECT(exe[0] == '/');
}

/* The target of link path, in buf (size bytes, NUL-terminated); "" if it has none. */
static const char *link_target(const char *path, char *buf, size_t size)
{
    ssize_t n = readlink(path, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

/* Whether directory path lists name. */
static bool lists(const char *path, const char *name)
{
    DIR *dir = opendir(path);
    bool found = false;
    for (struct dirent *e; dir && (e = readdir(dir));)
        found |= strcmp(e->d_name, name) == 0;
    if (dir)
        closedir(dir);
    return found;
}

UTEST(cwd_and_fd_links_show_the_working_directory_and_descriptors)
{
    char dir[] = "/tmp/proc-XXXXXX", file[64], got[PATH_MAX], cwd[PATH_MAX], link[64], again[64];
    EXPECT(mkdtemp(dir) != NULL);
    EXPECT_EQ(chdir(dir), 0);
    EXPECT(getcwd(cwd, sizeof cwd) != NULL);
    EXPECT_STREQ(link_target("/proc/self/cwd", got, sizeof got), cwd);

    snprintf(file, sizeof file, "%s/f", dir);
    int fd = open("f", O_RDONLY | O_CREAT, 0644);
    EXPECT(fd >= 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    EXPECT_STREQ(link_target(link, got, sizeof got), file);
    struct stat st;
    EXPECT_EQ(lstat(link, &st), 0);
    EXPECT(S_ISLNK(st.st_mode) && (st.st_mode & 0777) == 0500);     /* r-x: open for reading */
    EXPECT(lists("/proc/self/fd", strrchr(link, '/') + 1));
    int same = open(link, O_RDONLY);                    /* opening the link opens the file */
    struct stat direct;
    EXPECT_EQ(fstat(same, &st), 0);
    EXPECT_EQ(stat("f", &direct), 0);
    EXPECT(st.st_ino == direct.st_ino);
    close(same);
    EXPECT_EQ(unlink("f"), 0);
    link_target(link, got, sizeof got);
    EXPECT(strlen(got) >= 9 && strcmp(got + strlen(got) - 9, "(deleted)") == 0);
    close(fd);
    EXPECT_EQ(readlink(link, got, sizeof got), -1);
    EXPECT_EQ(errno, ENOENT);

    int ends[2];
    EXPECT_EQ(pipe(ends), 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", ends[0]);
    snprintf(again, sizeof again, "/proc/self/fd/%d", ends[1]);
    EXPECT(strncmp(link_target(link, got, sizeof got), "pipe:[", 6) == 0);
    EXPECT_STREQ(link_target(again, cwd, sizeof cwd), got);     /* both ends: one pipe */
    EXPECT_EQ(fstat(ends[0], &st), 0);
    snprintf(cwd, sizeof cwd, "pipe:[%lu]", (unsigned long)st.st_ino);
    EXPECT_STREQ(got, cwd);
    EXPECT_EQ(lstat(again, &st), 0);
    EXPECT((st.st_mode & 0777) == 0300);                /* -wx: open for writing */
    close(ends[0]);
    close(ends[1]);
    EXPECT_EQ(chdir("/"), 0);
    EXPECT_EQ(rmdir(dir), 0);
}

UTEST(the_systems_files)
{
    char buf[4096];
    EXPECT(slurp("/proc/meminfo", buf, sizeof buf) > 0);
    unsigned long total = 0, free = 0;
    EXPECT(sscanf(buf, "MemTotal: %lu kB\nMemFree: %lu kB", &total, &free) == 2);
    EXPECT(total > 0 && free > 0 && free <= total);
    double up = -1, idle = -1;
    EXPECT(slurp("/proc/uptime", buf, sizeof buf) > 0 && sscanf(buf, "%lf %lf", &up, &idle) == 2 && up >= 0);
    EXPECT(slurp("/proc/cpuinfo", buf, sizeof buf) > 0 && strncmp(buf, "processor\t: 0\n", 14) == 0);
    EXPECT(slurp("/proc/mounts", buf, sizeof buf) > 0 && strstr(buf, " /proc proc ") != NULL);
    unsigned long long user, nice, system, cpu_idle, cpu0_user;
    EXPECT(slurp("/proc/stat", buf, sizeof buf) > 0);
    EXPECT(sscanf(buf, "cpu %llu %llu %llu %llu", &user, &nice, &system, &cpu_idle) == 4);
    EXPECT(user + system > 0);                          /* the tests themselves ran */
    EXPECT(strstr(buf, "\ncpu0 ") && sscanf(strstr(buf, "\ncpu0 "), "\ncpu0 %llu", &cpu0_user) == 1 && cpu0_user <= user);
    int cpus = 0;                                       /* every CPU's timer ticks, each counted */
    for (const char *line = strstr(buf, "\ncpu0 "); line && strncmp(line, "\ncpu", 4) == 0; line = strchr(line + 1, '\n')) {
        unsigned n;
        unsigned long long ticks[4];
        EXPECT(sscanf(line, "\ncpu%u %llu %llu %llu %llu", &n, &ticks[0], &ticks[1], &ticks[2], &ticks[3]) == 5);
        EXPECT((int)n == cpus && ticks[0] + ticks[2] + ticks[3] > 0);
        cpus++;
    }
    EXPECT(cpus >= 1);
    EXPECT(strstr(buf, "\nctxt ") && strstr(buf, "\nprocesses ") && strstr(buf, "\nprocs_running "));
    double load[3];
    int running = 0, all = 0, last = 0;
    EXPECT(slurp("/proc/loadavg", buf, sizeof buf) > 0);
    EXPECT(sscanf(buf, "%lf %lf %lf %d/%d %d", &load[0], &load[1], &load[2], &running, &all, &last) == 6);
    EXPECT(load[0] >= 0 && running >= 1 && all >= running && last >= getpid());
}

UTEST(a_childs_directory_goes_when_it_is_reaped)
{
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    EXPECT(slurp(path, buf, sizeof buf) > 0);           /* there while it lives or is a zombie */
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EQ(slurp(path, buf, sizeof buf), -1);
    EXPECT_EQ(errno, ENOENT);
}

UTEST(cr3_shows_each_processs_own_tables)
{
    TWOFOLD_ONLY();
    char mine[256], theirs[256];
    EXPECT(slurp("/proc/self/cr3", mine, sizeof mine) > 0);
    unsigned long kernel_cr3, kernel_table, user_cr3, user_table, kernel_pcid, user_pcid;
    EXPECT(sscanf(mine, "kernel CR3 0x%lx: table 0x%lx, PCID %lu\nuser CR3 0x%lx: table 0x%lx, PCID %lu",
                  &kernel_cr3, &kernel_table, &kernel_pcid, &user_cr3, &user_table, &user_pcid) == 6);
    EXPECT_EQ(kernel_cr3 & ~0xfffUL, kernel_table);
    EXPECT_EQ(kernel_table, (unsigned long)SYSCALL(SYS_cr3, 0) & ~0xfffUL);    /* what the CPU runs on */
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    pid_t child = fork();
    if (child == 0) {
        long n = slurp("/proc/self/cr3", theirs, sizeof theirs);
        _exit(n > 0 && write(p[1], theirs, (size_t)n) == n ? 0 : 1);
    }
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    long n = read(p[0], theirs, sizeof theirs - 1);
    EXPECT(n > 0);
    theirs[n > 0 ? n : 0] = '\0';
    EXPECT(strcmp(mine, theirs) != 0);                  /* another process: other tables */
    close(p[0]);
    close(p[1]);
    /* And anyone may read anyone's: init's. */
    EXPECT(slurp("/proc/1/cr3", theirs, sizeof theirs) > 0 && strncmp(theirs, "kernel CR3 0x", 13) == 0);
}

UTEST(ptdump_shows_the_address_space_from_each_table)
{
    TWOFOLD_ONLY();
    static char kernel_view[65536], user_view[65536];
    EXPECT(slurp("/proc/self/ptdump", kernel_view, sizeof kernel_view) > 0);
    EXPECT(slurp("/proc/self/ptdump-user", user_view, sizeof user_view) > 0);
    EXPECT(strncmp(kernel_view, "ptdump cr3=", 11) == 0 && strstr(kernel_view, "ptdump end\n") != NULL);
    EXPECT(strstr(user_view, " user ro x ") != NULL);       /* this program's code, executable
                                                               from the table user mode runs on */
    EXPECT(strstr(kernel_view, " user ") != NULL && strstr(kernel_view, " kernel ") != NULL);
    /* The same table the call prints (what else it shows may change: its buffer is new). */
    static char from_call[65536];
    EXPECT(SYSCALL(SYS_ptdump, 1, from_call, sizeof from_call) > 0);
    EXPECT(strncmp(from_call, user_view, strcspn(user_view, "\n") + 1) == 0);
    int fd = open("/proc/self/cr3", O_WRONLY);
    EXPECT(fd == -1 && errno == EACCES);                /* read-only, even for root */
}

UTEST(prctl_renames_the_process)
{
    char name[16] = { 0 }, buf[64];
    EXPECT_EQ(SYSCALL(SYS_prctl, 15 /* PR_SET_NAME */, "a-name-longer-than-fifteen"), 0);
    EXPECT_EQ(SYSCALL(SYS_prctl, 16 /* PR_GET_NAME */, name), 0);
    EXPECT_STREQ(name, "a-name-longer-t");          /* cut to 15 bytes */
    EXPECT(slurp("/proc/self/comm", buf, sizeof buf) > 0);
    EXPECT_STREQ(buf, "a-name-longer-t\n");
    EXPECT_EQ(SYSCALL(SYS_prctl, 15, "proc"), 0);
    EXPECT_EQ(SYSCALL(SYS_prctl, 15, 8), -EFAULT);
    EXPECT_EQ(SYSCALL(SYS_prctl, 9999, 0), -EINVAL);
}
