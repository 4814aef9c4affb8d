/* user/syscall_fuzz.c: random system calls against the kernel, which must stay up and lose
 * nothing.
 *
 *     syscall_fuzz [calls=N] [seconds=S] [seed=X] [threads=T]
 *
 * runs children one after another, each making up to CALLS_PER_CHILD calls (with threads=T,
 * in each of T threads at once, which on several CPUs run side by side), most through
 * SYSCALL, one in eight through `int $0x80`, some with AC, DF and NT set: numbers drawn
 * from Linux's table (0..460), Twofold's own (1024..), and random 32- and 64-bit values;
 * arguments drawn from values that find bugs (0, -1, small numbers, a mapped page, a read-only
 * one, one just unmapped, a buffer running into an unmapped page, kernel and non-canonical
 * addresses, huge lengths) or wholly random. A child may die of what it calls (munmap of its
 * own code, say) or block (a read of a pipe it made); a watchdog kills one that has not ended
 * within WATCHDOG_NS. Children report their progress through a pipe, and the run goes on
 * until N calls are made (default 100000) or, with seconds=S, for S seconds; a child that
 * cannot be started (no memory for its pipe or its fork) is skipped, and MAX_UNSTARTED in a
 * row that could not be started or made no call (each killed for want of memory at its first
 * page, say) end the run. Everything follows from the seed (default 1): child i draws from
 * seed and i, so a run repeats.
 *
 * Calls that would reach beyond the child are never made: fork and its kind (a fork bomb),
 * execve, kill and its kind, exit (it only ends the child early), reboot; nor pause and
 * rt_sigsuspend, which only wait for a signal (the watchdog's, a second later). Children work
 * in SANDBOX, so the names they make land there, and it is removed after, with any name they
 * made in / (note_root_names). The fuzzer checks
 * in KTAP afterwards that the calls were made, that every frame came back, and that a program
 * still runs. It is for Twofold: on Linux it would fuzz the host.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "remove_tree.h"
#include "twofold.h"

#define SANDBOX "/tmp/syscall_fuzz"

enum { CALLS_PER_CHILD = 1000, REPORT_EVERY = 64, PROGRESS_FD = 60, LINUX_CALLS = 461,
       TWOFOLD_FIRST = 1024, TWOFOLD_CALLS = 8, MAX_UNSTARTED = 100 };
#define WATCHDOG_NS 1000000000L
#define PAGE 4096UL

/* splitmix64: a small generator whose whole state is one word, so a child's stream is its seed. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Never called: they reach beyond the child, or only end it. */
static int forbidden(long nr)
{
    static const long calls[] = { SYS_fork, SYS_vfork, SYS_clone, 435 /* clone3 */, SYS_execve,
                                  322 /* execveat */, SYS_kill, SYS_tkill, SYS_tgkill, SYS_exit,
                                  SYS_exit_group, SYS_reboot, SYS_pause, SYS_rt_sigsuspend };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if ((long)(int)nr == calls[i])
            return 1;
    return 0;
}

/* The memory a child offers as arguments, made before its first call. */
static struct {
    unsigned long page, read_only, unmapped, edge;
} mem;

static void map_arguments(void)
{
    int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
    mem.page = (unsigned long)mmap(NULL, PAGE, rw, anon, -1, 0);
    mem.read_only = (unsigned long)mmap(NULL, PAGE, PROT_READ, anon, -1, 0);
    mem.unmapped = (unsigned long)mmap(NULL, PAGE, rw, anon, -1, 0);
    munmap((void *)mem.unmapped, PAGE);
    unsigned long two = (unsigned long)mmap(NULL, 2 * PAGE, rw, anon, -1, 0);
    munmap((void *)(two + PAGE), PAGE);
    mem.edge = two + PAGE - 8;          /* 8 bytes, then nothing */
}

static long argument(uint64_t *state)
{
    uint64_t r = next_random(state);
    switch (r % 24) {
    case 0: return 0;
    case 1: return -1;
    case 2: case 3: return (long)(r >> 8) % 8;          /* small numbers, descriptors among them */
    case 4: return 4096;
    case 5: return (long)mem.page;
    case 6: return (long)mem.page + (long)((r >> 8) % PAGE);
    case 7: return (long)mem.read_only;
    case 8: return (long)mem.unmapped;
    case 9: return (long)mem.edge;
    case 10: return (long)0xffff800000000000UL;           /* the direct map */
    case 11: return (long)0xffffffff80100000UL;           /* the kernel image */
    case 12: return (long)0x0000800000000000UL;           /* the first non-canonical address */
    case 13: return (long)0x7ffffffff000UL;               /* the never-mapped last user page */
    case 14: return 1L << 40;
    case 15: return 0x7fffffffffffffffL;
    case 16: return (long)(int32_t)(r >> 32);
    default: return (long)next_random(state);
    }
}

static long number(uint64_t *state)
{
    uint64_t r = next_random(state);
    switch (r % 16) {
    case 0: return TWOFOLD_FIRST + (long)((r >> 8) % TWOFOLD_CALLS);
    case 1: return (long)(uint32_t)(r >> 16);
    case 2: return (long)next_random(state);
    default: return (long)((r >> 8) % LINUX_CALLS);
    }
}

/* The call through `int $0x80` (Twofold's second door, with SYSCALL's registers). */
static long int80(long nr, const long a[6])
{
    register long r10 __asm__("r10") = a[3];
    register long r8 __asm__("r8") = a[4];
    register long r9 __asm__("r9") = a[5];
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
                     : "memory");
    return ret;
}

/* The call through SYSCALL with AC, DF and NT set in user mode (the door must clear them). */
static long syscall_odd_flags(long nr, const long a[6])
{
    register long r10 __asm__("r10") = a[3];
    register long r8 __asm__("r8") = a[4];
    register long r9 __asm__("r9") = a[5];
    long ret;
    __asm__ volatile("pushf; orq $0x44400, (%%rsp); popf; syscall; pushf; andq $~0x44400, (%%rsp); popf"
                     : "=a"(ret) : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory", "cc");
    return ret;
}

static long threads_per_child = 1;

/* One thread's calls, drawn from seed; the first thread (reports) tells the parent how far
 * it got. */
static void make_calls(uint64_t seed, bool reports)
{
    uint64_t state = seed;
    for (long made = 0; made < CALLS_PER_CHILD;) {
        long nr = number(&state);
        if (forbidden(nr))
            continue;
        long a[6];
        for (int i = 0; i < 6; i++)
            a[i] = argument(&state);
        unsigned door = (unsigned)next_random(&state) % 16;
        if (door < 2)
            int80(nr, a);
        else if (door == 2)
            syscall_odd_flags(nr, a);
        else
            syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (++made % REPORT_EVERY == 0 && reports)
            SYSCALL(SYS_write, PROGRESS_FD, &made, sizeof made);
    }
}

static void *other_thread(void *seed)
{
    make_calls((uint64_t)seed, false);
    return NULL;
}

/* A child's life: descriptors that cannot block or reach the console (0..2: the read end of
 * a pipe with no writer), its argument memory, its other threads, then the calls. The first
 * thread to finish ends them all. */
__attribute__((noreturn)) static void fuzz_child(uint64_t seed)
{
    int dead[2];
    if (pipe(dead) == 0) {
        close(dead[1]);
        for (int fd = 0; fd < 3; fd++)
            dup2(dead[0], fd);
        close(dead[0]);
    }
    map_arguments();
    if (chdir(SANDBOX) != 0)
        SYSCALL(SYS_exit_group, 1);
    for (long i = 1; i < threads_per_child; i++) {
        pthread_t t;
        pthread_create(&t, NULL, other_thread, (void *)(uintptr_t)(seed * 0x9e3779b97f4a7c15ull + (uint64_t)i));
    }
    make_calls(seed, true);
    SYSCALL(SYS_exit_group, 0);
    __builtin_unreachable();
}

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Run child number `index`; returns the calls it reported, or -1 if it could not be started
 * (with the kernel short of memory, say: failalloc=). */
static long run_child(uint64_t seed, long index, long *killed)
{
    int progress[2];
    if (pipe(progress) != 0)
        return -1;
    if (dup2(progress[1], PROGRESS_FD) != PROGRESS_FD) {
        close(progress[0]);
        close(progress[1]);
        return -1;
    }
    close(progress[1]);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(progress[0]);
        uint64_t state = seed ^ (uint64_t)index * 0xd1342543de82ef95ull;
        fuzz_child(next_random(&state));
    }
    close(PROGRESS_FD);
    if (pid < 0) {
        close(progress[0]);
        return -1;
    }
    long started = now_ns();
    int status;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (now_ns() - started > WATCHDOG_NS) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            ++*killed;
            break;
        }
        struct timespec tick = { 0, 2000000 };
        nanosleep(&tick, NULL);
    }
    long made = 0, report;
    while (read(progress[0], &report, sizeof report) == sizeof report)
        made = report;
    close(progress[0]);
    return made;
}

/* The names in / before the run. A child can reach outside SANDBOX: an absolute path that a
 * random pointer finds among the program's own bytes ("/u", say), or a chdir to "/". What it
 * makes there is taken away with SANDBOX. */
enum { ROOT_NAMES = 128 };
static char root_names[ROOT_NAMES][NAME_MAX + 1];
static int root_count;

static void note_root_names(void)
{
    DIR *root = opendir("/");
    for (struct dirent *e; root && (e = readdir(root)) && root_count < ROOT_NAMES;)
        snprintf(root_names[root_count++], sizeof root_names[0], "%s", e->d_name);
    if (root)
        closedir(root);
}

static int was_in_root(const char *name)
{
    for (int i = 0; i < root_count; i++)
        if (strcmp(root_names[i], name) == 0)
            return 1;
    return 0;
}

/* Remove SANDBOX and the names children made in /: 0, or -1. */
static int remove_what_children_made(void)
{
    int result = remove_tree(SANDBOX), strays = 0;
    DIR *root = opendir("/");
    for (struct dirent *e; root && (e = readdir(root));) {
        char path[NAME_MAX + 2];
        if (was_in_root(e->d_name))
            continue;
        snprintf(path, sizeof path, "/%s", e->d_name);
        result |= remove_tree(path);
        strays++;
    }
    if (root)
        closedir(root);
    if (strays)
        printf("# %d names the children made in / removed\n", strays);
    fflush(stdout);
    return result;
}

/* Remove what the children made, in a child of its own: the memory readdir takes is then not
 * this process's, and comes back before frames are counted. A remover that could not start,
 * was killed or could not remove something (with failalloc=, any of its calls may fail for
 * want of memory) is tried again, a few times; what is still there then is a failure. */
static int sandbox_removed(void)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(remove_what_children_made() == 0 ? 0 : 1);
        int status;
        if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
            return 1;
    }
    return 0;
}

/* Whether the program beside this one named `name` runs and exits 0. */
static int program_runs(const char *argv0, const char *name)
{
    char path[256];
    if (!path_beside(argv0, name, path, sizeof path))
        return 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *const argv[] = { path, NULL };
        execve(path, argv, environ);
        _exit(127);
    }
    int status;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
    long target = 100000, seconds = 0;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "calls=", 6) == 0)
            target = atol(argv[i] + 6);
        else if (strncmp(argv[i], "seconds=", 8) == 0)
            seconds = atol(argv[i] + 8);
        else if (strncmp(argv[i], "seed=", 5) == 0)
            seed = strtoull(argv[i] + 5, NULL, 0);
        else if (strncmp(argv[i], "threads=", 8) == 0 && atol(argv[i] + 8) >= 1)
            threads_per_child = atol(argv[i] + 8);
        else {
            fprintf(stderr, "usage: %s [calls=N] [seconds=S] [seed=X] [threads=T]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!on_twofold()) {
        printf("syscall_fuzz: this is not Twofold; it would fuzz this machine's kernel\n");
        return 2;
    }
    printf("KTAP version 1\n1..3\n# seed=%llu %s=%ld threads=%ld\n", (unsigned long long)seed,
           seconds ? "seconds" : "calls", seconds ? seconds : target, threads_per_child);
    note_root_names();
    long frames_before = free_frames(), made = 0, children = 0, killed = 0, unstarted = 0, in_a_row = 0;
    long deadline = now_ns() + seconds * 1000000000L;
    if (mkdir(SANDBOX, 0777) != 0)
        printf("# cannot make %s: %s\n", SANDBOX, strerror(errno));
    while ((seconds ? now_ns() < deadline : made < target) && in_a_row < MAX_UNSTARTED) {
        long calls = run_child(seed, children++, &killed);
        in_a_row = calls <= 0 ? in_a_row + 1 : 0;     /* one that made no call got nowhere */
        unstarted += calls < 0;
        made += calls < 0 ? 0 : calls;
    }
    if (!sandbox_removed())
        printf("# %s could not be removed whole\n", SANDBOX);
    long frames_after = free_frames();
    int failed = 0;
    printf("# %ld calls in %ld children (%ld stopped by the watchdog, %ld not started)\n", made, children,
           killed, unstarted);
    if (in_a_row < MAX_UNSTARTED && (seconds || made >= target))
        printf("ok 1 calls_made\n");
    else
        printf("not ok 1 calls_made\n"), failed++;
    if (frames_before == frames_after) {
        printf("ok 2 frames_all_returned\n");
    } else {
        printf("# free frames before %ld, after %ld\n", frames_before, frames_after);
        printf("not ok 2 frames_all_returned\n");
        failed++;
    }
    if (program_runs(argv[0], "hello"))
        printf("ok 3 a_program_still_runs\n");
    else
        printf("not ok 3 a_program_still_runs\n"), failed++;
    return failed;
}
