/* user/tests/threads.c: threads, through musl's pthreads and the raw calls under them: a
 * thread has its own tid and the process's pid, its own TLS, and shares memory, descriptors,
 * the working directory and signal actions; join waits for the end (set_tid_address's word
 * cleared and woken); mutexes, condition variables and barriers hold across CPUs; exit ends
 * one thread and exit_group all; a fault in one kills the process; tgkill reaches one thread;
 * a signal to the process reaches a thread that does not block it; /proc/PID/task lists
 * them; execve in a threaded process ends the other threads. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "utest.h"

static pid_t gettid_raw(void)
{
    return (pid_t)syscall(SYS_gettid);
}

static __thread int tls_value = 7;

struct identity {
    pid_t pid, tid;
    int tls_before, tls_after;
};

static void *who_am_i(void *arg)
{
    struct identity *id = arg;
    id->pid = getpid();
    id->tid = gettid_raw();
    id->tls_before = tls_value;             /* a new thread's TLS starts from the image */
    tls_value = 99;
    id->tls_after = tls_value;
    return arg;
}

UTEST(a_thread_has_its_own_tid_and_tls_and_the_process_pid)
{
    struct identity id = { 0 };
    pthread_t t;
    tls_value = 42;
    EXPECT_EQ(pthread_create(&t, NULL, who_am_i, &id), 0);
    void *ret = NULL;
    EXPECT_EQ(pthread_join(t, &ret), 0);
    EXPECT(ret == &id);
    EXPECT_EQ(id.pid, getpid());
    EXPECT(id.tid > 0 && id.tid != getpid());
    EXPECT_EQ(gettid_raw(), getpid());      /* the first thread's tid is the pid */
    EXPECT_EQ(id.tls_before, 7);
    EXPECT_EQ(id.tls_after, 99);
    EXPECT_EQ(tls_value, 42);               /* the thread's write went to its own copy */
}

static void *open_a_file(void *arg)
{
    *(int *)arg = open("/proc/self/stat", O_RDONLY);
    EXPECT_EQ(chdir("/proc"), 0);
    return NULL;
}

UTEST(threads_share_descriptors_and_the_working_directory)
{
    char before[256];
    EXPECT(getcwd(before, sizeof before) != NULL);
    int fd = -1;
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, open_a_file, &fd), 0);
    EXPECT_EQ(pthread_join(t, NULL), 0);
    EXPECT(fd >= 0);
    char buf[64];
    EXPECT(read(fd, buf, sizeof buf) > 0);  /* the descriptor it opened is this thread's too */
    EXPECT_EQ(close(fd), 0);
    char now[256];
    EXPECT(getcwd(now, sizeof now) != NULL);
    EXPECT_STREQ(now, "/proc");
    EXPECT_EQ(chdir(before), 0);
}

enum { STRESS_THREADS = 8, STRESS_ROUNDS = 20000 };

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static atomic_int cpus_seen;

static void *add_many(void *unused)
{
    (void)unused;
    for (int i = 0; i < STRESS_ROUNDS; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
        if (i % 1000 == 0)
            atomic_fetch_or(&cpus_seen, 1 << (sched_getcpu() & 31));
    }
    return NULL;
}

UTEST(a_mutex_keeps_a_count_exact_across_cpus)
{
    pthread_t t[STRESS_THREADS];
    counter = 0;
    for (int i = 0; i < STRESS_THREADS; i++)
        EXPECT_EQ(pthread_create(&t[i], NULL, add_many, NULL), 0);
    for (int i = 0; i < STRESS_THREADS; i++)
        EXPECT_EQ(pthread_join(t[i], NULL), 0);
    EXPECT_EQ(counter, (long)STRESS_THREADS * STRESS_ROUNDS);
}

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_changed = PTHREAD_COND_INITIALIZER;
static int queued, taken;
enum { ITEMS = 2000 };

static void *consume(void *unused)
{
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        while (!queued && taken < ITEMS)
            pthread_cond_wait(&queue_changed, &queue_lock);
        if (taken == ITEMS) {
            pthread_mutex_unlock(&queue_lock);
            return NULL;
        }
        queued--;
        taken++;
        pthread_cond_broadcast(&queue_changed);
        pthread_mutex_unlock(&queue_lock);
    }
}

UTEST(a_condition_variable_hands_every_item_over)
{
    pthread_t consumers[3];
    queued = taken = 0;
    for (int i = 0; i < 3; i++)
        EXPECT_EQ(pthread_create(&consumers[i], NULL, consume, NULL), 0);
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&queue_lock);
        while (queued >= 4)
            pthread_cond_wait(&queue_changed, &queue_lock);
        queued++;
        pthread_cond_broadcast(&queue_changed);
        pthread_mutex_unlock(&queue_lock);
    }
    for (int i = 0; i < 3; i++)
        EXPECT_EQ(pthread_join(consumers[i], NULL), 0);
    EXPECT_EQ(taken, ITEMS);
    EXPECT_EQ(queued, 0);
}

enum { BARRIER_THREADS = 4, PHASES = 50 };
static pthread_barrier_t barrier;
static atomic_int arrived[PHASES];
static atomic_int phase_errors;

static void *meet(void *unused)
{
    (void)unused;
    for (int phase = 0; phase < PHASES; phase++) {
        atomic_fetch_add(&arrived[phase], 1);
        pthread_barrier_wait(&barrier);
        if (atomic_load(&arrived[phase]) != BARRIER_THREADS)
            atomic_fetch_add(&phase_errors, 1);     /* one passed before all came */
        pthread_barrier_wait(&barrier);
    }
    return NULL;
}

UTEST(a_barrier_lets_none_through_before_all_arrive)
{
    pthread_t t[BARRIER_THREADS];
    EXPECT_EQ(pthread_barrier_init(&barrier, NULL, BARRIER_THREADS), 0);
    for (int i = 0; i < BARRIER_THREADS; i++)
        EXPECT_EQ(pthread_create(&t[i], NULL, meet, NULL), 0);
    for (int i = 0; i < BARRIER_THREADS; i++)
        EXPECT_EQ(pthread_join(t[i], NULL), 0);
    EXPECT_EQ(atomic_load(&phase_errors), 0);
    EXPECT_EQ(pthread_barrier_destroy(&barrier), 0);
}

static void *exit_the_process(void *unused)
{
    (void)unused;
    exit(5);                                /* exit_group: every thread */
}

static void *sleep_forever(void *unused)
{
    (void)unused;
    for (;;)
        pause();
    return NULL;
}

/* In a child: a thread that sleeps and another that runs body->run, while this one pauses:
 * whatever ends the process ends all three. */
struct thread_body {
    void *(*run)(void *);
};

static void sleeper_and(void *arg)
{
    const struct thread_body *body = arg;
    pthread_t sleeper, t;
    pthread_create(&sleeper, NULL, sleep_forever, NULL);
    pthread_create(&t, NULL, body->run, NULL);
    for (;;)
        pause();
}

UTEST(exit_in_one_thread_ends_the_process)
{
    EXPECT_EXITED(run_in_child(sleeper_and, &(struct thread_body){ exit_the_process }), 5);
}

static void *end_only_this_thread(void *unused)
{
    (void)unused;
    syscall(SYS_exit, 0);                   /* exit(2): this thread alone */
    return NULL;
}

static void main_thread_exits_first(void *unused)
{
    (void)unused;
    pthread_t t;
    pthread_create(&t, NULL, end_only_this_thread, NULL);
    pthread_create(&t, NULL, exit_the_process, NULL);
    syscall(SYS_exit, 0);                   /* the leader ends; the process goes on */
}

UTEST(the_process_outlives_its_first_thread)
{
    EXPECT_EXITED(run_in_child(main_thread_exits_first, NULL), 5);
}

static volatile int *volatile nowhere = (int *)8;

static void *fault(void *unused)
{
    (void)unused;
    *nowhere = 1;
    return NULL;
}

UTEST(a_fault_in_one_thread_kills_the_process)
{
    EXPECT_KILLED(run_in_child(sleeper_and, &(struct thread_body){ fault }), SIGSEGV);
}

static atomic_int usr1_tid;

static void note_tid(int signal)
{
    (void)signal;
    atomic_store(&usr1_tid, gettid_raw());
}

static atomic_int target_tid;
static atomic_int stop_waiting;

static void *wait_for_a_signal(void *unused)
{
    (void)unused;
    atomic_store(&target_tid, gettid_raw());
    while (!atomic_load(&stop_waiting))
        sched_yield();
    return NULL;
}

/* A thread that yields until told to stop (stop_waiter), once it has said its tid; USR1's
 * handler notes who took it. */
static pthread_t start_waiter(void)
{
    struct sigaction sa = { .sa_handler = note_tid };
    EXPECT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    atomic_store(&usr1_tid, 0);
    atomic_store(&target_tid, 0);
    atomic_store(&stop_waiting, 0);
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, wait_for_a_signal, NULL), 0);    /* with SIGUSR1 open */
    while (!atomic_load(&target_tid))
        sched_yield();
    return t;
}

static void stop_waiter(pthread_t t)
{
    atomic_store(&stop_waiting, 1);
    EXPECT_EQ(pthread_join(t, NULL), 0);
    signal(SIGUSR1, SIG_DFL);
}

UTEST(tgkill_reaches_the_thread_it_names)
{
    pthread_t t = start_waiter();
    EXPECT_EQ(syscall(SYS_tgkill, getpid(), atomic_load(&target_tid), SIGUSR1), 0);
    while (!atomic_load(&usr1_tid))
        sched_yield();
    EXPECT_EQ(atomic_load(&usr1_tid), atomic_load(&target_tid));
    errno = 0;
    EXPECT_EQ(syscall(SYS_tgkill, getpid() + 100000, atomic_load(&target_tid), SIGUSR1), -1);
    EXPECT_EQ(errno, ESRCH);                /* that thread, but not of that process */
    stop_waiter(t);
}

UTEST(a_signal_to_the_process_goes_to_a_thread_that_does_not_block_it)
{
    pthread_t t = start_waiter();
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    EXPECT_EQ(pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);    /* this thread blocks it */
    EXPECT_EQ(kill(getpid(), SIGUSR1), 0);
    while (!atomic_load(&usr1_tid))
        sched_yield();
    EXPECT_EQ(atomic_load(&usr1_tid), atomic_load(&target_tid));
    stop_waiter(t);
    EXPECT_EQ(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
}

UTEST(proc_task_lists_every_thread)
{
    pthread_t t = start_waiter();
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", getpid());
    DIR *dir = opendir(path);
    EXPECT(dir != NULL);
    int found = 0, others = 0;
    for (struct dirent *e; dir && (e = readdir(dir));) {
        if (e->d_name[0] == '.')
            continue;
        int tid = atoi(e->d_name);
        found += tid == getpid() || tid == atomic_load(&target_tid);
        others += tid != getpid() && tid != atomic_load(&target_tid);
    }
    if (dir)
        closedir(dir);
    EXPECT_EQ(found, 2);
    EXPECT_EQ(others, 0);
    char stat_path[96], buf[4096];
    snprintf(stat_path, sizeof stat_path, "%s/%d/status", path, atomic_load(&target_tid));
    int fd = open(stat_path, O_RDONLY);
    EXPECT(fd >= 0);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    char tgid[32], tid[32];
    snprintf(tgid, sizeof tgid, "\nTgid:\t%d\n", getpid());
    snprintf(tid, sizeof tid, "\nPid:\t%d\n", atomic_load(&target_tid));
    EXPECT(strstr(buf, tgid) != NULL);
    EXPECT(strstr(buf, tid) != NULL);
    EXPECT(strstr(buf, "\nThreads:\t2\n") != NULL);
    stop_waiter(t);
}

static void exec_with_threads(void *unused)
{
    (void)unused;
    pthread_t t;
    pthread_create(&t, NULL, sleep_forever, NULL);
    pthread_create(&t, NULL, sleep_forever, NULL);
    execl(utest_argv0, utest_argv0, "count-threads", (char *)NULL);
    _exit(99);
}

/* Run again by exec_with_threads: exit with the number of threads this process has. */
int utest_reexec(int argc, char **argv)
{
    (void)argc, (void)argv;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", getpid());
    DIR *dir = opendir(path);
    int threads = 0;
    for (struct dirent *e; dir && (e = readdir(dir));)
        threads += e->d_name[0] != '.';
    return threads;
}

UTEST(execve_leaves_one_thread)
{
    EXPECT_EXITED(run_in_child(exec_with_threads, NULL), 1);
}
