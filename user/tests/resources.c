/* user/tests/resources.c: limits (getrlimit, setrlimit, prlimit64, with RLIMIT_NOFILE
 * obeyed), CPU time (getrusage, times, the CPU-time clocks), sysinfo, getrandom and
 * /dev/urandom, reboot's checks, and the socket calls a system without sockets answers. */
#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

#include "utest.h"

UTEST(limits_read_back_and_the_descriptor_limit_holds)
{
    struct rlimit old, low = { 5, 0 }, back;
    EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
    EXPECT(old.rlim_cur > 0 && old.rlim_cur <= old.rlim_max);
    low.rlim_max = old.rlim_max;
    EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &back), 0);
    EXPECT_EQ(back.rlim_cur, 5u);
    int fds[8], n = 0;
    while (n < 8 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0)
        n++;
    EXPECT(n < 8 && errno == EMFILE);
    for (int i = 0; i < n; i++)
        EXPECT(fds[i] < 5);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
    struct rlimit inverted = { 10, 5 };
    EXPECT_EQ(SYSCALL(SYS_setrlimit, RLIMIT_NOFILE, &inverted), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_getrlimit, 99, &back), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &back), 0);
    EXPECT(back.rlim_cur > 0);
    EXPECT_EQ(SYSCALL(SYS_getrlimit, RLIMIT_NOFILE, 8), -EFAULT);
}

/* Spin until the CPU-time clock has moved by at least ns. */
static void burn(long ns)
{
    struct timespec start, now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
    do
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    while ((now.tv_sec - start.tv_sec) * 1000000000L + now.tv_nsec - start.tv_nsec < ns);
}

UTEST(cpu_time_is_counted_for_the_process_and_its_children)
{
    struct timespec a, b, thread;
    EXPECT_EQ(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a), 0);
    burn(30000000);
    EXPECT_EQ(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b), 0);
    EXPECT(b.tv_sec * 1000000000L + b.tv_nsec - (a.tv_sec * 1000000000L + a.tv_nsec) >= 30000000);
    EXPECT_EQ(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &thread), 0);
    struct rusage self;
    EXPECT_EQ(getrusage(RUSAGE_SELF, &self), 0);
    EXPECT(self.ru_utime.tv_sec * 1000000 + self.ru_utime.tv_usec + self.ru_stime.tv_sec * 1000000
           + self.ru_stime.tv_usec >= 30000);
    pid_t child = fork();
    if (child == 0) {
        burn(30000000);
        _exit(0);
    }
    int status;
    EXPECT_EQ(waitpid(child, &status, 0), child);
    struct rusage children;
    EXPECT_EQ(getrusage(RUSAGE_CHILDREN, &children), 0);
    EXPECT(children.ru_utime.tv_sec * 1000000 + children.ru_utime.tv_usec + children.ru_stime.tv_sec * 1000000
           + children.ru_stime.tv_usec >= 30000);
    struct tms t;
    clock_t ticks = times(&t);
    EXPECT(ticks > 0 && t.tms_utime + t.tms_stime >= 1 && t.tms_cutime + t.tms_cstime >= 1);
    EXPECT_EQ(SYSCALL(SYS_getrusage, 5, &self), -EINVAL);
    struct timespec ts = { 0, 1 };
    EXPECT_EQ(SYSCALL(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL), -EOPNOTSUPP);
}

UTEST(sysinfo_describes_the_machine)
{
    struct sysinfo info;
    EXPECT_EQ(sysinfo(&info), 0);
    EXPECT(info.totalram > 0 && info.freeram > 0 && info.freeram <= info.totalram);
    EXPECT(info.procs >= 1 && info.mem_unit >= 1);
    EXPECT_EQ(SYSCALL(SYS_sysinfo, 8), -EFAULT);
}

UTEST(getrandom_and_dev_urandom_give_fresh_bytes)
{
    unsigned char a[32] = { 0 }, b[32] = { 0 };
    EXPECT_EQ(getrandom(a, sizeof a, 0), 32);
    EXPECT_EQ(getrandom(b, sizeof b, GRND_NONBLOCK), 32);
    EXPECT(memcmp(a, b, sizeof a) != 0);
    int zeros = 0;
    for (size_t i = 0; i < sizeof a; i++)
        zeros += a[i] == 0;
    EXPECT(zeros < 8);
    int fd = open("/dev/urandom", O_RDONLY);
    EXPECT(fd >= 0);
    EXPECT_EQ(read(fd, b, sizeof b), 32);
    EXPECT(memcmp(a, b, sizeof a) != 0);
    close(fd);
    EXPECT_EQ(SYSCALL(SYS_getrandom, a, sizeof a, 0x100), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_getrandom, a, sizeof a, GRND_RANDOM | GRND_INSECURE), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_getrandom, 8, 16, 0), -EFAULT);
    EXPECT_EQ(SYSCALL(SYS_getrandom, a, 0, 0), 0);
}

UTEST(reboot_wants_its_magic_numbers)
{
    EXPECT_EQ(SYSCALL(SYS_reboot, 0x12345678, 672274793, RB_POWER_OFF, 0), -EINVAL);
    EXPECT_EQ(SYSCALL(SYS_reboot, 0xfee1dead, 1, RB_POWER_OFF, 0), -EINVAL);
}

UTEST(without_sockets_files_are_not_sockets)
{
    TWOFOLD_ONLY();                         /* Linux has sockets */
    EXPECT_EQ(SYSCALL(SYS_socket, AF_INET, SOCK_STREAM, 0), -EAFNOSUPPORT);
    EXPECT_EQ(SYSCALL(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, (int[2]){ 0 }), -EAFNOSUPPORT);
}

UTEST(socket_calls_on_a_file_are_enotsock)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int fd = open("/dev/null", O_RDONLY);
    EXPECT_EQ(SYSCALL(SYS_getpeername, fd, &addr, &len), -ENOTSOCK);
    EXPECT_EQ(SYSCALL(SYS_getsockname, fd, &addr, &len), -ENOTSOCK);
    EXPECT_EQ(SYSCALL(SYS_shutdown, fd, SHUT_RDWR), -ENOTSOCK);
    EXPECT_EQ(SYSCALL(SYS_getpeername, 99, &addr, &len), -EBADF);
    close(fd);
}
