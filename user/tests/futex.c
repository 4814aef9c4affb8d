/* user/tests/futex.c: futex(2) as Linux has it, through the raw call: WAIT returns EAGAIN
 * when the word moved, ETIMEDOUT after its timeout, EINTR for a signal, 0 when woken; WAKE
 * wakes at most the number asked (and says how many); WAIT_BITSET and WAKE_BITSET match
 * by bits; REQUEUE and CMP_REQUEUE move waiters to another word; WAKE_OP changes a second
 * word atomically and wakes on it when its comparison holds; private and shared words are
 * the same here; a bad address is EFAULT; robust locks held by a thread that ends are
 * marked FUTEX_OWNER_DIED. Waiters are threads (clone through pthreads). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#include "utest.h"

/* Linux's <linux/futex.h>, which musl's headers do not carry. */
enum {
    FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
    FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256,
    FUTEX_WAIT_PRIVATE = FUTEX_WAIT | FUTEX_PRIVATE_FLAG, FUTEX_WAKE_PRIVATE = FUTEX_WAKE | FUTEX_PRIVATE_FLAG,
    FUTEX_REQUEUE_PRIVATE = FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG,
    FUTEX_CMP_REQUEUE_PRIVATE = FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG,
    FUTEX_WAKE_OP_PRIVATE = FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG,
    FUTEX_WAIT_BITSET_PRIVATE = FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
    FUTEX_WAKE_BITSET_PRIVATE = FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG,
    FUTEX_OP_SET = 0, FUTEX_OP_ADD = 1, FUTEX_OP_CMP_EQ = 0, FUTEX_OP_CMP_LT = 2, FUTEX_OP_CMP_GE = 5,
};
#define FUTEX_OP(op, oparg, cmp, cmparg) \
    ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static long futex_call(atomic_int *word, int op, int val, const struct timespec *timeout, atomic_int *word2, int val3)
{
    return syscall(SYS_futex, word, op, val, timeout, word2, val3);
}

/* A thread waiting on a word, and what its wait returned. */
struct waiter {
    pthread_t thread;
    atomic_int tid;
    atomic_int *word;
    int expect;
    int op;
    unsigned bitset;
    atomic_int started, done;
    long result;
    int error;
};

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, (int)syscall(SYS_gettid));
    atomic_store(&w->started, 1);
    errno = 0;
    w->result = futex_call(w->word, w->op, w->expect, NULL, NULL, (int)w->bitset);
    w->error = errno;
    atomic_store(&w->done, 1);
    return NULL;
}

static void start_waiter(struct waiter *w, atomic_int *word, int op, unsigned bitset)
{
    *w = (struct waiter){ .word = word, .expect = atomic_load(word), .op = op, .bitset = bitset };
    EXPECT_EQ(pthread_create(&w->thread, NULL, wait_thread, w), 0);
    while (!atomic_load(&w->started))
        sched_yield();
}

/* Wake up to n on word until `want` waiters have been woken in all (a waiter may not be
 * asleep yet when the first wake comes: wake again until it is). */
static long wake_until(atomic_int *word, int op, int n, int want, unsigned bitset)
{
    long woken = 0;
    for (int tries = 0; tries < 1000000 && woken < want; tries++) {
        woken += futex_call(word, op, n, NULL, NULL, (int)bitset);
        sched_yield();
    }
    return woken;
}

/* Return once w's thread sleeps (its state in /proc/self/task/TID/stat is S): in its wait,
 * as it does nothing else. */
static void wait_until_asleep(struct waiter *w)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", atomic_load(&w->tid));
    for (int tries = 0; tries < 1000000; tries++) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        const char *state = strrchr(buf, ')');
        if (state && state[1] == ' ' && state[2] == 'S')
            return;
        sched_yield();
    }
    EXPECT(!"the waiter never slept");
}

static void finish(struct waiter *w)
{
    EXPECT_EQ(pthread_join(w->thread, NULL), 0);
}

UTEST(wait_on_a_moved_word_is_eagain)
{
    atomic_int word = 1;
    errno = 0;
    EXPECT_EQ(futex_call(&word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0), -1);
    EXPECT_EQ(errno, EAGAIN);
}

UTEST(wait_times_out)
{
    atomic_int word = 0;
    struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
    errno = 0;
    EXPECT_EQ(futex_call(&word, FUTEX_WAIT, 0, &ten_ms, NULL, 0), -1);
    EXPECT_EQ(errno, ETIMEDOUT);
    /* WAIT_BITSET's timeout is absolute, on CLOCK_MONOTONIC (or CLOCK_REALTIME if asked). */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    errno = 0;
    EXPECT_EQ(futex_call(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &now, NULL, -1), -1);
    EXPECT_EQ(errno, ETIMEDOUT);
    clock_gettime(CLOCK_REALTIME, &now);
    errno = 0;
    EXPECT_EQ(futex_call(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &now, NULL, -1), -1);
    EXPECT_EQ(errno, ETIMEDOUT);
    struct timespec bad = { 0, 1000 * 1000 * 1000 };
    errno = 0;
    EXPECT_EQ(futex_call(&word, FUTEX_WAIT, 0, &bad, NULL, 0), -1);
    EXPECT_EQ(errno, EINVAL);
}

UTEST(a_bad_address_is_efault_and_a_misaligned_one_einval)
{
    errno = 0;
    EXPECT_EQ(futex_call((atomic_int *)16, FUTEX_WAIT, 0, NULL, NULL, 0), -1);
    EXPECT_EQ(errno, EFAULT);
    atomic_int words[2] = { 0, 0 };
    errno = 0;
    EXPECT_EQ(futex_call((atomic_int *)((char *)words + 1), FUTEX_WAIT, 0, NULL, NULL, 0), -1);
    EXPECT_EQ(errno, EINVAL);
    errno = 0;
    EXPECT_EQ(futex_call(&words[0], 99, 0, NULL, NULL, 0), -1);
    EXPECT_EQ(errno, ENOSYS);
}

/* Three waiters on one word, woken by wakes of `first` and then of `second`: the wakes wake
 * `first_wakes` and then the other ones, and each waiter's wait returns 0. */
static void wake_three(int first, int first_wakes, int second)
{
    atomic_int word = 0;
    struct waiter w[3];
    for (int i = 0; i < 3; i++)
        start_waiter(&w[i], &word, FUTEX_WAIT_PRIVATE, 0);
    EXPECT_EQ(wake_until(&word, FUTEX_WAKE_PRIVATE, first, first_wakes, 0), first_wakes);
    EXPECT_EQ(wake_until(&word, FUTEX_WAKE_PRIVATE, second, 3 - first_wakes, 0), 3 - first_wakes);
    for (int i = 0; i < 3; i++) {
        finish(&w[i]);
        EXPECT_EQ(w[i].result, 0);
    }
    EXPECT_EQ(futex_call(&word, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0), 0);    /* nobody left */
}

UTEST(wake_wakes_as_many_as_asked)
{
    wake_three(1, 1, 2);
}

UTEST(a_wake_of_none_wakes_one_as_on_linux)
{
    wake_three(0, 1, 0);
}

UTEST(shared_and_private_words_are_the_same_word_here)
{
    atomic_int word = 0;
    struct waiter w;
    start_waiter(&w, &word, FUTEX_WAIT, 0);                 /* shared */
    EXPECT_EQ(wake_until(&word, FUTEX_WAKE, 1, 1, 0), 1);
    finish(&w);
    EXPECT_EQ(w.result, 0);
}

UTEST(bitsets_choose_whom_a_wake_wakes)
{
    atomic_int word = 0;
    struct waiter low, high;
    start_waiter(&low, &word, FUTEX_WAIT_BITSET_PRIVATE, 1);
    start_waiter(&high, &word, FUTEX_WAIT_BITSET_PRIVATE, 2);
    EXPECT_EQ(wake_until(&word, FUTEX_WAKE_BITSET_PRIVATE, 2, 1, 2), 1);
    finish(&high);
    EXPECT(!atomic_load(&low.done));
    EXPECT_EQ(wake_until(&word, FUTEX_WAKE_BITSET_PRIVATE, 2, 1, 1), 1);
    finish(&low);
    errno = 0;
    EXPECT_EQ(futex_call(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0), -1);
    EXPECT_EQ(errno, EINVAL);                               /* an empty bitset */
}

UTEST(requeue_moves_waiters_to_another_word)
{
    atomic_int from = 0, to = 0;
    struct waiter w[3];
    for (int i = 0; i < 3; i++)
        start_waiter(&w[i], &from, FUTEX_WAIT_PRIVATE, 0);
    /* Until all three are asleep: wake none, move one at a time, and count them. */
    long moved = 0;
    for (int tries = 0; tries < 1000000 && moved < 3; tries++) {
        moved += futex_call(&from, FUTEX_CMP_REQUEUE_PRIVATE, 0, (struct timespec *)1, &to, 0);
        sched_yield();
    }
    EXPECT_EQ(moved, 3);
    errno = 0;
    EXPECT_EQ(futex_call(&from, FUTEX_CMP_REQUEUE_PRIVATE, 0, (struct timespec *)1, &to, 1), -1);
    EXPECT_EQ(errno, EAGAIN);                               /* from does not hold 1 */
    EXPECT_EQ(futex_call(&from, FUTEX_WAKE_PRIVATE, 3, NULL, NULL, 0), 0);    /* none left there */
    EXPECT_EQ(futex_call(&to, FUTEX_REQUEUE_PRIVATE, 1, (struct timespec *)1, &from, 0), 2);
    EXPECT_EQ(futex_call(&from, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);    /* the one moved back */
    EXPECT_EQ(futex_call(&to, FUTEX_WAKE_PRIVATE, 3, NULL, NULL, 0), 1);      /* the one left */
    for (int i = 0; i < 3; i++)
        finish(&w[i]);
}

UTEST(wake_op_changes_the_second_word_and_wakes_on_it)
{
    atomic_int first = 0, second = 5;
    struct waiter a, b;
    start_waiter(&a, &first, FUTEX_WAIT_PRIVATE, 0);
    start_waiter(&b, &second, FUTEX_WAIT_PRIVATE, 0);
    wait_until_asleep(&a);                  /* b must be asleep before second changes */
    wait_until_asleep(&b);
    /* second += 3, and wake on second if its old value was 5 (it was). */
    EXPECT_EQ(futex_call(&first, FUTEX_WAKE_OP_PRIVATE, 1, (struct timespec *)1, &second,
                         FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5)), 2);
    EXPECT_EQ(atomic_load(&second), 8);
    finish(&a);
    finish(&b);
    /* A comparison that fails wakes nobody on the second word but still changes it. */
    EXPECT_EQ(futex_call(&first, FUTEX_WAKE_OP_PRIVATE, 1, (struct timespec *)1, &second,
                         FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_LT, 0)), 0);
    EXPECT_EQ(atomic_load(&second), 1);
}

static void ignore(int signal)
{
    (void)signal;
}

UTEST(a_signal_ends_a_wait_with_eintr)
{
    struct sigaction sa = { .sa_handler = ignore };        /* no SA_RESTART */
    EXPECT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    atomic_int word = 0;
    struct waiter w;
    start_waiter(&w, &word, FUTEX_WAIT_PRIVATE, 0);
    for (int tries = 0; tries < 1000000 && !atomic_load(&w.done); tries++) {
        pthread_kill(w.thread, SIGUSR1);
        sched_yield();
    }
    finish(&w);
    EXPECT_EQ(w.result, -1);
    EXPECT_EQ(w.error, EINTR);
    signal(SIGUSR1, SIG_DFL);
}

static pthread_mutex_t robust;

static void *lock_and_end(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&robust);
    return NULL;                            /* ends holding it */
}

UTEST(a_robust_lock_held_by_a_thread_that_ended_says_so)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    EXPECT_EQ(pthread_mutex_init(&robust, &attr), 0);
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, lock_and_end, NULL), 0);
    EXPECT_EQ(pthread_join(t, NULL), 0);
    EXPECT_EQ(pthread_mutex_lock(&robust), EOWNERDEAD);
    EXPECT_EQ(pthread_mutex_consistent(&robust), 0);
    EXPECT_EQ(pthread_mutex_unlock(&robust), 0);
    EXPECT_EQ(pthread_mutex_lock(&robust), 0);
    EXPECT_EQ(pthread_mutex_unlock(&robust), 0);
}

/* Set a list head of this process's own (an empty list: its next is itself) and read it back. */
static void set_and_get_a_robust_list(void *unused)
{
    (void)unused;
    struct { void *next; long offset; void *pending; } head = { &head, 0, NULL };
    EXPECT_EQ(syscall(SYS_set_robust_list, &head, sizeof head), 0);
    void *got = NULL;
    size_t len = 0;
    EXPECT_EQ(syscall(SYS_get_robust_list, 0, &got, &len), 0);
    EXPECT(got == &head);
    EXPECT_EQ(len, sizeof head);
    errno = 0;
    EXPECT_EQ(syscall(SYS_set_robust_list, &head, sizeof head - 1), -1);
    EXPECT_EQ(errno, EINVAL);
    errno = 0;
    EXPECT_EQ(syscall(SYS_get_robust_list, 999999, &got, &len), -1);
    EXPECT_EQ(errno, ESRCH);
}

UTEST(set_robust_list_is_read_back_by_get_robust_list)
{
    EXPECT_EXITED(run_in_child(set_and_get_a_robust_list, NULL), 0);
}
