/* user/tests/cpus.c: processes on several CPUs. Every CPU the system lists is in a process's
 * affinity; a process pinned to a CPU runs there (getcpu), one whose affinity another process
 * changes moves, even while it spins in user mode; a page unmapped or made read-only while the
 * process ran on another CPU is gone on the first one too (the TLB there held it). Cases that
 * need two CPUs skip on one. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "utest.h"

#define PAGE 4096UL
#define AT 0x310000000UL

/* How many CPUs /proc/cpuinfo lists. */
static int cpus_listed(void)
{
    static char buf[65536];
    int fd = open("/proc/cpuinfo", O_RDONLY), count = 0;
    size_t used = 0;
    ssize_t n;
    if (fd < 0)
        return -1;
    while (used < sizeof buf - 1 && (n = read(fd, buf + used, sizeof buf - 1 - used)) > 0)
        used += (size_t)n;
    close(fd);
    buf[used] = '\0';
    for (const char *at = buf; (at = strstr(at, "processor\t")); at++)
        count += at == buf || at[-1] == '\n';
    return count;
}

/* The CPUs this process may run on. */
static cpu_set_t affinity(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    EXPECT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    return set;
}

static int pin(pid_t pid, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(pid, sizeof set, &set);
}

/* The nth CPU of set (n from 0), or -1. */
static int nth_cpu(const cpu_set_t *set, int n)
{
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, set) && n-- == 0)
            return cpu;
    return -1;
}

UTEST(the_affinity_holds_every_cpu_listed)
{
    cpu_set_t set = affinity();
    EXPECT(CPU_COUNT(&set) >= 1);
    EXPECT_EQ(CPU_COUNT(&set), cpus_listed());
}

UTEST(a_pinned_process_runs_on_its_cpu)
{
    cpu_set_t all = affinity();
    for (int i = 0; i < CPU_COUNT(&all); i++) {
        int cpu = nth_cpu(&all, i);
        EXPECT_EQ(pin(0, cpu), 0);
        for (int round = 0; round < 20; round++) {      /* through switches, it stays */
            EXPECT_EQ(sched_getcpu(), cpu);
            sched_yield();
        }
        cpu_set_t now = affinity();
        EXPECT_EQ(CPU_COUNT(&now), 1);
        EXPECT(CPU_ISSET(cpu, &now));
    }
    EXPECT_EQ(sched_setaffinity(0, sizeof all, &all), 0);
    cpu_set_t back = affinity();
    EXPECT(CPU_EQUAL(&back, &all));
}

UTEST(an_affinity_without_a_cpu_that_is_up_is_einval)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    errno = 0;
    EXPECT_EQ(sched_setaffinity(0, sizeof set, &set), -1);
    EXPECT_EQ(errno, EINVAL);
    CPU_SET(CPU_SETSIZE - 1, &set);     /* no such CPU here */
    errno = 0;
    EXPECT_EQ(sched_setaffinity(0, sizeof set, &set), -1);
    EXPECT_EQ(errno, EINVAL);
    errno = 0;
    EXPECT_EQ(sched_getaffinity(0, 4, &set), -1);     /* less than a long */
    EXPECT_EQ(errno, EINVAL);
}

UTEST(the_affinity_of_no_process_is_esrch)
{
    cpu_set_t set = affinity();
    errno = 0;
    EXPECT_EQ(sched_getaffinity(999999, sizeof set, &set), -1);
    EXPECT_EQ(errno, ESRCH);
    errno = 0;
    EXPECT_EQ(sched_setaffinity(999999, sizeof set, &set), -1);
    EXPECT_EQ(errno, ESRCH);
}

/* Field 39 of /proc/pid/stat: the CPU pid runs on, or ran on last. */
static int cpu_of(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *at = strrchr(buf, ')');         /* the name may hold spaces */
    for (int field = 2; at && field < 39; field++)
        at = strchr(at + 1, ' ');
    return at ? atoi(at + 1) : -1;
}

UTEST(a_spinning_process_moves_when_its_affinity_changes)
{
    cpu_set_t all = affinity();
    if (CPU_COUNT(&all) < 2)
        SKIP("one CPU");
    int first = nth_cpu(&all, 0), last = nth_cpu(&all, CPU_COUNT(&all) - 1);
    EXPECT_EQ(pin(0, first), 0);
    pid_t child = fork();
    if (child == 0)
        for (;;)                            /* in user mode, never entering the kernel */
            __asm__ volatile("" ::: "memory");
    EXPECT(child > 0);
    /* The child inherited first; it runs there or waits for this process to give it way. */
    EXPECT_EQ(pin(child, last), 0);
    int seen = -1;
    for (int tries = 0; tries < 100000 && seen != last; tries++) {
        seen = cpu_of(child);
        sched_yield();
    }
    EXPECT_EQ(seen, last);
    EXPECT_EQ(sched_getcpu(), first);
    cpu_set_t its;
    EXPECT_EQ(sched_getaffinity(child, sizeof its, &its), 0);
    EXPECT_EQ(CPU_COUNT(&its), 1);
    EXPECT(CPU_ISSET(last, &its));
    kill(child, SIGKILL);
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EQ(sched_setaffinity(0, sizeof all, &all), 0);
}

struct moves {
    int first, second;
};

/* Touch a page on one CPU (its translation is then in that CPU's TLB), unmap it on another,
 * come back and read it: the read must fault. */
static void unmap_elsewhere_then_read(void *arg)
{
    const struct moves *m = arg;
    EXPECT_EQ(pin(0, m->first), 0);
    volatile uint64_t *p = mmap((void *)AT, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *p = 0x5ca1ab1e;
    EXPECT_EQ(pin(0, m->second), 0);
    EXPECT_EQ(sched_getcpu(), m->second);
    EXPECT_EQ(munmap((void *)AT, PAGE), 0);
    EXPECT_EQ(pin(0, m->first), 0);
    EXPECT_EQ(sched_getcpu(), m->first);
    (void)*p;
    EXPECT(!"the read of a page unmapped on another CPU succeeded");
}

/* The same with a write after mprotect(PROT_READ) on the other CPU. */
static void protect_elsewhere_then_write(void *arg)
{
    const struct moves *m = arg;
    EXPECT_EQ(pin(0, m->first), 0);
    volatile uint64_t *p = mmap((void *)AT, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *p = 1;
    EXPECT_EQ(pin(0, m->second), 0);
    EXPECT_EQ(mprotect((void *)AT, PAGE, PROT_READ), 0);
    EXPECT_EQ(pin(0, m->first), 0);
    EXPECT_EQ(*p, 1);
    *p = 2;
    EXPECT(!"the write to a page made read-only on another CPU succeeded");
}

UTEST(a_change_made_on_another_cpu_reaches_this_one)
{
    cpu_set_t all = affinity();
    if (CPU_COUNT(&all) < 2)
        SKIP("one CPU");
    struct moves m = { nth_cpu(&all, 0), nth_cpu(&all, 1) };
    EXPECT_KILLED(run_in_child(unmap_elsewhere_then_read, &m), SIGSEGV);
    EXPECT_KILLED(run_in_child(protect_elsewhere_then_write, &m), SIGSEGV);
}

/* A child pinned to each CPU: each stays there through its switches. */
UTEST(children_pinned_to_every_cpu_stay_on_it)
{
    cpu_set_t all = affinity();
    int n = CPU_COUNT(&all);
    pid_t children[CPU_SETSIZE];
    for (int i = 0; i < n; i++) {
        int cpu = nth_cpu(&all, i);
        if ((children[i] = fork()) == 0) {
            if (pin(0, cpu))
                _exit(2);
            for (int round = 0; round < 200; round++) {
                if (sched_getcpu() != cpu)
                    _exit(3);
                sched_yield();
            }
            _exit(0);
        }
        EXPECT(children[i] > 0);
    }
    for (int i = 0; i < n; i++) {
        int status;
        EXPECT_EQ(waitpid(children[i], &status, 0), children[i]);
        EXPECT_EXITED(status, 0);
    }
}
