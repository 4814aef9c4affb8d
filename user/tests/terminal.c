/* user/tests/terminal.c: the console as a terminal: Linux's default termios, settings read
 * back as set, raw reads that VMIN and VTIME end with nothing typed, poll in raw mode, the
 * window size and FIONREAD. (What typing does is tests/test_console.py's.) On a host
 * without a terminal on standard input the cases skip. */
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

#include "utest.h"

static struct termios original;

/* Skip the case unless standard input is a terminal; remember its settings to restore. */
#define NEED_A_TERMINAL()                                                                    \
    do {                                                                                     \
        if (tcgetattr(0, &original) != 0)                                                    \
            SKIP("standard input is not this session's terminal");                          \
    } while (0)

static void restore(void)
{
    EXPECT_EQ(tcsetattr(0, TCSANOW, &original), 0);
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

UTEST(a_terminal_starts_cooked_as_on_linux)
{
    TWOFOLD_ONLY();                         /* a host terminal may have been changed */
    NEED_A_TERMINAL();
    EXPECT((original.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG));
    EXPECT((original.c_iflag & ICRNL) && (original.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
    EXPECT(original.c_cc[VINTR] == 3 && original.c_cc[VEOF] == 4 && original.c_cc[VERASE] == 0x7f);
    EXPECT(original.c_cc[VMIN] == 1 && original.c_cc[VTIME] == 0);
}

UTEST(settings_read_back_as_set)
{
    NEED_A_TERMINAL();
    struct termios raw = original, back;
    cfmakeraw(&raw);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    EXPECT_EQ(tcsetattr(0, TCSAFLUSH, &raw), 0);
    EXPECT_EQ(tcgetattr(0, &back), 0);
    EXPECT_EQ(back.c_lflag & (ICANON | ECHO | ISIG), 0u);
    EXPECT_EQ(back.c_oflag & OPOST, 0u);
    EXPECT(back.c_cc[VMIN] == 0 && back.c_cc[VTIME] == 0);
    restore();
    EXPECT_EQ(SYSCALL(SYS_ioctl, 0, TCGETS, 8), -EFAULT);
}

UTEST(raw_reads_end_as_vmin_and_vtime_say)
{
    NEED_A_TERMINAL();
    struct termios raw = original;
    cfmakeraw(&raw);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    EXPECT_EQ(tcsetattr(0, TCSANOW, &raw), 0);
    char c;
    EXPECT_EQ(read(0, &c, 1), 0);           /* nothing typed: at once */
    raw.c_cc[VTIME] = 1;                    /* a tenth of a second */
    EXPECT_EQ(tcsetattr(0, TCSANOW, &raw), 0);
    long start = now_ms();
    EXPECT_EQ(read(0, &c, 1), 0);
    EXPECT(now_ms() - start >= 100);
    struct pollfd fd = { 0, POLLIN, 0 };
    EXPECT_EQ(poll(&fd, 1, 0), 0);
    int pending = -1;
    EXPECT_EQ(ioctl(0, FIONREAD, &pending), 0);
    EXPECT_EQ(pending, 0);
    restore();
}

UTEST(the_window_size_is_kept)
{
    NEED_A_TERMINAL();
    struct winsize old, set = { 30, 100, 0, 0 }, back;
    EXPECT_EQ(ioctl(0, TIOCGWINSZ, &old), 0);
    EXPECT_EQ(ioctl(0, TIOCSWINSZ, &set), 0);
    EXPECT_EQ(ioctl(0, TIOCGWINSZ, &back), 0);
    EXPECT(back.ws_row == 30 && back.ws_col == 100);
    EXPECT_EQ(ioctl(0, TIOCSWINSZ, &old), 0);
}

UTEST(a_pipe_is_no_terminal)
{
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    struct termios t;
    EXPECT_EQ(SYSCALL(SYS_ioctl, p[0], TCGETS, &t), -ENOTTY);
    EXPECT(!isatty(p[0]));
    close(p[0]);
    close(p[1]);
}
