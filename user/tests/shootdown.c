/* user/tests/shootdown.c: a change to an address space reaches every CPU running it before
 * the call that made it returns (a TLB shootdown). Threads pinned to the other CPUs spin on a
 * page, so that their TLBs hold it, while this thread unmaps it, makes it read-only, or forks
 * (which makes it copy-on-write); once the call has returned, each of their accesses must
 * fault, or (fork) must no longer reach the page the child now shares. A fault handler counts
 * what got through after the return. Without the shootdown, the other CPUs' TLBs keep the old
 * translation and these cases fail. They need two CPUs, and skip on one. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "utest.h"

#define PAGE 4096UL
enum { TRIES_AFTER = 100000 };

enum change { UNMAP, PROTECT };

struct spinner {
    pthread_t thread;
    int cpu;
    volatile uint64_t *page;
    bool write;
    atomic_int ready;
    long got_through;                   /* accesses that succeeded after the change */
    bool faulted;
    sigjmp_buf out;
};

static atomic_int changed;              /* the change's call has returned */
static __thread struct spinner *running;

static void on_fault(int signal)
{
    (void)signal;
    running->faulted = true;
    siglongjmp(running->out, 1);
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    EXPECT_EQ(sched_setaffinity(0, sizeof set, &set), 0);
}

static void *spin(void *arg)
{
    struct spinner *s = arg;
    running = s;
    pin(s->cpu);
    if (sigsetjmp(s->out, 1))
        return NULL;                    /* the access faulted, as it must */
    for (;;) {
        bool after = atomic_load(&changed);
        if (s->write)
            *s->page = 1;
        else
            (void)*s->page;
        atomic_store(&s->ready, 1);     /* the translation is in this CPU's TLB now */
        if (after && ++s->got_through >= TRIES_AFTER)
            return NULL;
    }
}

/* The CPUs this process may use; their count. */
static int usable_cpus(int cpus[CPU_SETSIZE])
{
    cpu_set_t set;
    CPU_ZERO(&set);
    EXPECT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    int n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set))
            cpus[n++] = cpu;
    return n;
}

/* Spinners on every CPU but the first, which makes the change once they all hold the page. */
static void change_under_spinners(enum change change)
{
    int cpus[CPU_SETSIZE], n = usable_cpus(cpus);
    struct sigaction sa = { .sa_handler = on_fault };
    sigaction(SIGSEGV, &sa, NULL);
    pin(cpus[0]);
    volatile uint64_t *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *page = 7;
    atomic_store(&changed, 0);
    static struct spinner spinners[CPU_SETSIZE];
    for (int i = 1; i < n; i++) {
        spinners[i] = (struct spinner){ .cpu = cpus[i], .page = page, .write = change == PROTECT };
        EXPECT_EQ(pthread_create(&spinners[i].thread, NULL, spin, &spinners[i]), 0);
    }
    for (int i = 1; i < n; i++)
        while (!atomic_load(&spinners[i].ready))
            sched_yield();
    if (change == UNMAP)
        EXPECT_EQ(munmap((void *)page, PAGE), 0);
    else
        EXPECT_EQ(mprotect((void *)page, PAGE, PROT_READ), 0);
    atomic_store(&changed, 1);
    for (int i = 1; i < n; i++) {
        EXPECT_EQ(pthread_join(spinners[i].thread, NULL), 0);
        EXPECT(spinners[i].faulted);
        EXPECT_EQ(spinners[i].got_through, 0);
    }
}

static bool two_cpus(void)
{
    int cpus[CPU_SETSIZE];
    return usable_cpus(cpus) >= 2;
}

static void unmap_case(void *unused)
{
    (void)unused;
    change_under_spinners(UNMAP);
}

static void protect_case(void *unused)
{
    (void)unused;
    change_under_spinners(PROTECT);
}

UTEST(munmap_reaches_the_threads_on_other_cpus)
{
    if (!two_cpus())
        SKIP("one CPU");
    EXPECT_EXITED(run_in_child(unmap_case, NULL), 0);
}

UTEST(mprotect_reaches_the_threads_on_other_cpus)
{
    if (!two_cpus())
        SKIP("one CPU");
    EXPECT_EXITED(run_in_child(protect_case, NULL), 0);
}

/* fork makes a threaded process's pages copy-on-write: a thread that keeps writing on another
 * CPU must from then on write its own copy, never the frame the child now shares. */
struct writer {
    int cpu;
    volatile uint64_t *page;
    atomic_int ready, stop;
};

static void *keep_writing(void *arg)
{
    struct writer *w = arg;
    pin(w->cpu);
    for (uint64_t n = 1; !atomic_load(&w->stop); n++) {
        *w->page = n;
        atomic_store(&w->ready, 1);
    }
    return NULL;
}

static void fork_under_a_writer(void *unused)
{
    (void)unused;
    int cpus[CPU_SETSIZE];
    usable_cpus(cpus);
    pin(cpus[0]);
    volatile uint64_t *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct writer w = { .cpu = cpus[1], .page = page };
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, keep_writing, &w), 0);
    while (!atomic_load(&w.ready))
        sched_yield();
    pid_t child = fork();
    if (child == 0) {
        /* The page as fork found it: nothing may change it now. */
        uint64_t first = *page;
        for (int i = 0; i < 2000; i++) {
            if (*page != first)
                _exit(1);
            sched_yield();
        }
        _exit(0);
    }
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EXITED(status, 0);
    atomic_store(&w.stop, 1);
    EXPECT_EQ(pthread_join(t, NULL), 0);
}

UTEST(fork_reaches_a_thread_writing_on_another_cpu)
{
    if (!two_cpus())
        SKIP("one CPU");
    EXPECT_EXITED(run_in_child(fork_under_a_writer, NULL), 0);
}
