/* kernel/fs/console.c: the console file and its line discipline, with Linux's termios.
 *
 * Writes go to the serial port (a newline as CR LF while OPOST and ONLCR are set). Typed
 * bytes arrive by interrupt. With ICANON (the default) they are edited into a line: echoed
 * (ECHO; control characters as ^X with ECHOCTL), VERASE (DEL) or BS erases the last one,
 * VKILL (^U) the whole line, VWERASE (^W) a word; carriage return is newline (ICRNL, or
 * dropped with IGNCR); a newline completes the line, and VEOF (^D) completes it without one,
 * so on an empty line read() returns 0: end of file. read() waits for a completed line and
 * returns at most one. Without ICANON every byte is ready at once, and read() waits as
 * VMIN and VTIME say. With ISIG, VINTR (^C), VSUSP (^Z) and VQUIT (^\) discard the line and
 * send SIGINT, SIGTSTP and SIGQUIT to the foreground process group. TCGETS and TCSETS (also
 * TCSETSW, TCSETSF) read and set all of it; TIOCGWINSZ and TIOCSWINSZ the window size.
 *
 * The console is the terminal of one session (the first process's, until a session leader
 * takes it with TIOCSCTTY), with a foreground process group (TIOCGPGRP, TIOCSPGRP). A
 * process of that session outside the foreground group that reads gets SIGTTIN instead, as
 * on Linux (-EIO if it ignores or blocks SIGTTIN), and one that sets the foreground group
 * SIGTTOU (unless it ignores or blocks it, as shells do).
 */
#include "kernel/fs/console.h"
#include "arch/x86_64/drivers/irq.h"
#include "arch/x86_64/drivers/serial.h"
#include "kernel/errno.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/poll.h"
#include "kernel/printk.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/wait_queue.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"

enum {
    TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TCXONC = 0x540a,
    TCFLSH = 0x540b, TIOCSCTTY = 0x540e, TIOCGPGRP = 0x540f, TIOCSPGRP = 0x5410, TIOCGWINSZ = 0x5413,
    TIOCSWINSZ = 0x5414, FIONREAD = 0x541b, TIOCNOTTY = 0x5422,
    TCIFLUSH = 0, TCIOFLUSH = 2,
    CHUNK = 256, LINE_MAX = 256, QUEUE = 4096, MAX_LINES = 64, BACKSPACE = 8, ISA_IRQ_COM1 = 4,
};

/* Linux's struct termios as TCGETS and TCSETS take it, and the bits Twofold acts on. */
enum { VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSWTC, VSTART, VSTOP, VSUSP, VEOL, VREPRINT,
       VDISCARD, VWERASE, VLNEXT, VEOL2, NCCS = 19 };
enum { IGNCR = 0x80, ICRNL = 0x100, INLCR = 0x40, ISTRIP = 0x20, IXON = 0x400 };
enum { OPOST = 0x1, ONLCR = 0x4 };
enum { ISIG = 0x1, ICANON = 0x2, ECHO = 0x8, ECHOE = 0x10, ECHOK = 0x20, ECHONL = 0x40, NOFLSH = 0x80,
       ECHOCTL = 0x200, ECHOKE = 0x800, IEXTEN = 0x8000 };
struct termios_k {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line;
    uint8_t cc[NCCS];
};

/* What a terminal starts as on Linux: cooked, echoing, with ^C ^\ ^Z ^D ^U ^W and DEL. */
static const struct termios_k default_termios = {
    .iflag = ICRNL | IXON, .oflag = OPOST | ONLCR, .cflag = 0x4bf,      /* B38400 CS8 CREAD HUPCL */
    .lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
    .cc = { [VINTR] = 3, [VQUIT] = 0x1c, [VERASE] = 0x7f, [VKILL] = 0x15, [VEOF] = 4, [VMIN] = 1,
            [VSTART] = 0x11, [VSTOP] = 0x13, [VSUSP] = 0x1a, [VREPRINT] = 0x12, [VDISCARD] = 0xf,
            [VWERASE] = 0x17, [VLNEXT] = 0x16 },
};

/* Input ready to read: its bytes in a ring, the lengths of its lines in another (0: end of
 * file; without ICANON the last "line" grows by each byte while raw_open says so); the line
 * being edited; the termios settings and window size; the session whose terminal the
 * console is, and its foreground group. lock protects all of it; lock order: it, then
 * process_lock. */
static struct {
    char bytes[QUEUE];
    unsigned head, tail;            /* counts of bytes taken and added */
    uint16_t lengths[MAX_LINES];
    unsigned first_line, line_count;
    unsigned consumed;              /* bytes of the first line already read */
    bool raw_open;
    char editing[LINE_MAX];         /* the line being typed */
    unsigned edited;
    struct termios_k termios;
    uint16_t winsize[4];            /* rows, columns, pixel width and height */
    struct wait_queue readers;
    int session, foreground;        /* 0: none */
    struct spinlock lock;
} input;

static long console_write(struct file *f, struct write_source src, size_t len, uint64_t *pos)
{
    (void)f, (void)pos;                     /* a stream: no offset */
    char chunk[CHUNK];
    bool crlf = (input.termios.oflag & (OPOST | ONLCR)) == (OPOST | ONLCR);
    for (size_t done = 0; done < len;) {
        size_t n = len - done < CHUNK ? len - done : CHUNK;
        if (write_source_copy(chunk, src, done, n))
            return done ? (long)done : -EFAULT;
        uint64_t flags = console_output_begin();    /* a chunk whole, as kprintf's lines */
        for (size_t i = 0; i < n; i++)
            crlf ? console_sink(NULL, chunk[i]) : serial_putc(chunk[i]);
        console_output_end(flags);
        done += n;
    }
    return (long)len;
}

/* Add n bytes to what is ready to read: as a line of their own, or (raw) onto the raw run
 * still open. Dropped if the rings are full. */
static void make_ready(const char *bytes, unsigned n, bool raw)
{
    bool extend = raw && input.raw_open && input.line_count;
    if ((!extend && input.line_count == MAX_LINES) || input.tail - input.head + n > QUEUE)
        return;
    for (unsigned i = 0; i < n; i++)
        input.bytes[input.tail++ % QUEUE] = bytes[i];
    if (extend)
        input.lengths[(input.first_line + input.line_count - 1) % MAX_LINES] += (uint16_t)n;
    else
        input.lengths[(input.first_line + input.line_count++) % MAX_LINES] = (uint16_t)n;
    input.raw_open = raw;
    wake_all(&input.readers);
    poll_notify();
}

/* Move the line being typed to what is ready to read. */
static void complete_line(void)
{
    make_ready(input.editing, input.edited, false);
    input.edited = 0;
}

/* Echo c as typed (a control character as ^X with ECHOCTL; tab and newline as they are). */
static void echo(char c)
{
    if (c == '\n')
        console_sink(NULL, c);
    else if ((unsigned char)c < 32 && c != '\t' && (input.termios.lflag & ECHOCTL))
        kprintf("^%c", c + '@');
    else if (c == 0x7f && (input.termios.lflag & ECHOCTL))
        kprintf("^?");
    else
        serial_putc(c);
}

/* Erase the last character of the line being edited, on the screen too (ECHOE). */
static void erase_one(void)
{
    if (!input.edited)
        return;
    input.edited--;
    if ((input.termios.lflag & (ECHO | ECHOE)) == (ECHO | ECHOE))
        kprintf("\b \b");
}

/* One typed byte, in interrupt context. */
static void edit(char c)
{
    const struct termios_k *t = &input.termios;
    if (t->iflag & ISTRIP)
        c &= 0x7f;
    if (c == '\r' && (t->iflag & IGNCR))
        return;
    if (c == '\r' && (t->iflag & ICRNL))
        c = '\n';
    else if (c == '\n' && (t->iflag & INLCR))
        c = '\r';
    int signal = !(t->lflag & ISIG) || !c ? 0 : c == t->cc[VINTR] ? SIGINT : c == t->cc[VSUSP] ? SIGTSTP
               : c == t->cc[VQUIT] ? SIGQUIT : 0;
    if (signal) {
        if (t->lflag & ECHO)
            kprintf("^%c\n", c + '@');
        if (!(t->lflag & NOFLSH))
            input.edited = 0;
        if (input.foreground)
            process_kill_group(input.foreground, signal);
        return;
    }
    if (!(t->lflag & ICANON)) {
        make_ready(&c, 1, true);
        if (t->lflag & ECHO)
            echo(c);
        return;
    }
    if (c && c == t->cc[VEOF]) {
        complete_line();
        return;
    }
    if (c && (c == t->cc[VERASE] || c == BACKSPACE)) {
        erase_one();
        return;
    }
    if (c && c == t->cc[VKILL]) {
        while (input.edited)
            erase_one();
        return;
    }
    if (c && c == t->cc[VWERASE] && (t->lflag & IEXTEN)) {
        while (input.edited && input.editing[input.edited - 1] == ' ')
            erase_one();
        while (input.edited && input.editing[input.edited - 1] != ' ')
            erase_one();
        return;
    }
    bool ends = c == '\n' || (c && (c == t->cc[VEOL] || c == t->cc[VEOL2]));
    if (input.edited == LINE_MAX - 1 && !ends)
        return;                     /* the line is full: only its end is taken */
    if ((t->lflag & ECHO) || (c == '\n' && (t->lflag & ECHONL)))
        echo(c);
    input.editing[input.edited++] = c;
    if (ends)
        complete_line();
}

static void console_interrupt(const struct trap_frame *frame)
{
    (void)frame;
    uint64_t flags = spin_lock(&input.lock);
    for (int c; (c = serial_read()) >= 0;)
        edit((char)c);
    spin_unlock(&input.lock, flags);
}

/* Whether the current process may go on with a read (signal SIGTTIN) or a TIOCSPGRP
 * (signal SIGTTOU) of the console, as Linux's tty decides: 0 if it is in the foreground
 * group, outside the console's session, or (SIGTTOU) ignores or blocks the signal; -EIO for
 * a read that ignores or blocks SIGTTIN; otherwise its group gets the signal and the call
 * -ERESTARTSYS, to be made again once the group is continued. input.lock held. */
static long background_check(int signal)
{
    struct process *self = current_process();
    uint64_t flags = process_lock_take();
    int pgid = self->pgid;
    bool background = input.session && self->sid == input.session && pgid != input.foreground;
    const struct signal_state *s = self->signals;
    bool refused = s->actions[signal].handler == SIG_IGN || (s->blocked & SIGNAL_BIT(signal));
    process_lock_drop(flags);
    if (!background)
        return 0;
    if (refused)
        return signal == SIGTTIN ? -EIO : 0;
    process_kill_group(pgid, signal);
    return -ERESTARTSYS;
}

/* How many bytes are ready to read: all of them without ICANON, else the first line's. */
static unsigned ready_bytes(void)
{
    if (!input.line_count)
        return 0;
    if (input.termios.lflag & ICANON)
        return input.lengths[input.first_line] - input.consumed;
    return input.tail - input.head;
}

/* Whether a read of len bytes may return now: a line (ICANON), or as VMIN and VTIME say
 * (expired: VTIME's wait is over). */
static bool read_may_return(size_t len, bool expired)
{
    const struct termios_k *t = &input.termios;
    if (t->lflag & ICANON)
        return input.line_count != 0;
    unsigned have = ready_bytes(), min = t->cc[VMIN];
    if (min == 0)
        return have || t->cc[VTIME] == 0 || expired;
    return have >= (len < min ? len : min) || (have && expired);
}

/* Take up to n ready bytes into out: across lines without ICANON, only from the first line
 * with it. */
static unsigned take_ready(char *out, unsigned n)
{
    unsigned taken = 0;
    while (taken < n && input.line_count) {
        unsigned line_left = input.lengths[input.first_line] - input.consumed;
        unsigned k = n - taken < line_left ? n - taken : line_left;
        for (unsigned i = 0; i < k; i++)
            out[taken + i] = input.bytes[(input.head + i) % QUEUE];
        taken += k;
        input.head += k;
        input.consumed += k;
        if (input.consumed == input.lengths[input.first_line]) {  /* the whole line (or EOF) */
            input.first_line = (input.first_line + 1) % MAX_LINES;
            input.line_count--;
            input.consumed = 0;
            input.raw_open = input.raw_open && input.line_count;
            if (input.termios.lflag & ICANON)
                break;                      /* one line a read */
        }
    }
    return taken;
}

static long console_read(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    (void)pos;                              /* a stream: no offset */
    if (!len)
        return 0;
    struct process *self = current_process();
    uint64_t flags = spin_lock(&input.lock);
    long stopped = background_check(SIGTTIN);
    if (stopped) {
        spin_unlock(&input.lock, flags);
        return stopped;
    }
    /* VTIME counts from the call when VMIN is 0, else from the first byte (each new byte
     * restarting it, as Linux's inter-byte timer). */
    uint64_t tenths = input.termios.cc[VTIME], deadline = UINT64_MAX;
    unsigned seen = ready_bytes();
    bool expired = false;
    while (!read_may_return(len, expired)) {
        if (signal_pending(self) || (f->flags & O_NONBLOCK)) {
            spin_unlock(&input.lock, flags);
            return f->flags & O_NONBLOCK ? -EAGAIN : -ERESTARTSYS;
        }
        if (tenths && (input.termios.cc[VMIN] == 0 || ready_bytes())) {
            if (deadline == UINT64_MAX || ready_bytes() != seen)
                deadline = time_monotonic_ns() + tenths * (NS_PER_SECOND / 10);
            seen = ready_bytes();
            time_timeout_set(self, deadline);
        }
        sleep_on(&input.readers, &input.lock, flags);
        if (deadline != UINT64_MAX) {
            time_timeout_cancel(self);
            expired = time_monotonic_ns() >= deadline;
        }
        flags = spin_lock(&input.lock);
    }
    /* The bytes are taken only once they reach the caller: a read into a bad buffer leaves
     * them for the next one. The copy runs under the lock, which is safe because a user
     * copy never sleeps (a fault in it gives a page or fails). */
    char chunk[LINE_MAX];
    unsigned want = len < sizeof chunk ? (unsigned)len : sizeof chunk;
    unsigned head = input.head, consumed = input.consumed, first = input.first_line, count = input.line_count;
    bool open = input.raw_open;
    unsigned n = take_ready(chunk, want);
    if (copy_to_user(user_buf, chunk, n)) {
        input.head = head, input.consumed = consumed, input.first_line = first, input.line_count = count;
        input.raw_open = open;
        spin_unlock(&input.lock, flags);
        return -EFAULT;
    }
    spin_unlock(&input.lock, flags);
    return (long)n;
}

/* Readable once a line is complete (or end of file typed); always writable. */
static unsigned console_poll(struct file *f)
{
    (void)f;
    uint64_t flags = spin_lock(&input.lock);
    unsigned ready = (input.line_count ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM;
    spin_unlock(&input.lock, flags);
    return ready;
}

/* The job-control ioctls, as Linux's tty does them for a process of session sid. */
static long job_control(unsigned cmd, uint64_t arg, int pid, int sid, int pgid)
{
    int group;
    switch (cmd) {
    case TIOCGPGRP:
        group = input.foreground;
        return sid != input.session ? -ENOTTY : copy_to_user(arg, &group, sizeof group);
    case TIOCSPGRP: {
        if (copy_from_user(&group, arg, sizeof group))
            return -EFAULT;
        if (sid != input.session)
            return -ENOTTY;
        long stopped = background_check(SIGTTOU);
        if (stopped)
            return stopped;
        if (group <= 0)
            return -EINVAL;
        if (!process_group_in_session(group, sid))
            return -EPERM;
        input.foreground = group;
        return 0;
    }
    case TIOCSCTTY:                     /* root may take it from another session (arg 1) */
        if (pid != sid || (input.session && input.session != sid && arg != 1))
            return -EPERM;
        input.session = sid;
        input.foreground = pgid;
        return 0;
    case TIOCNOTTY:
        if (sid != input.session)
            return -ENOTTY;
        if (pid == sid) {               /* the session leader lets go: its session loses it */
            if (input.foreground) {
                process_kill_group(input.foreground, SIGHUP);
                process_kill_group(input.foreground, SIGCONT);
            }
            input.session = input.foreground = 0;
        }
        return 0;
    default:
        return -ENOTTY;
    }
}

/* Drop what was typed and not read, and the line being edited (TCSETSF, TCFLSH). */
static void flush_input(void)
{
    input.head = input.tail;
    input.first_line = input.line_count = input.consumed = input.edited = 0;
    input.raw_open = false;
}

/* New settings. Leaving canonical mode makes the line being edited ready as it is. */
static void set_termios(const struct termios_k *t)
{
    bool was_canonical = input.termios.lflag & ICANON;
    input.termios = *t;
    if (was_canonical && !(t->lflag & ICANON) && input.edited) {
        make_ready(input.editing, input.edited, true);
        input.edited = 0;
    } else if (!was_canonical) {
        input.raw_open = false;
    }
    wake_all(&input.readers);               /* what a read waits for may have changed */
    poll_notify();
}

/* The terminal's settings, input.lock held. */
static long terminal_ioctl(unsigned cmd, uint64_t arg)
{
    struct termios_k t;
    int count;
    switch (cmd) {
    case TCGETS:
        return copy_to_user(arg, &input.termios, sizeof input.termios);
    case TCSETS:
    case TCSETSW:                           /* output is never pending: nothing to drain */
    case TCSETSF:
        if (copy_from_user(&t, arg, sizeof t))
            return -EFAULT;
        if (cmd == TCSETSF)
            flush_input();
        set_termios(&t);
        return 0;
    case TIOCGWINSZ:
        return copy_to_user(arg, input.winsize, sizeof input.winsize);
    case TIOCSWINSZ:
        return copy_from_user(input.winsize, arg, sizeof input.winsize);
    case TCFLSH:
        if (arg > TCIOFLUSH)
            return -EINVAL;
        if (arg != 1)                       /* TCIFLUSH or TCIOFLUSH; output is never queued */
            flush_input();
        return 0;
    case TCXONC:
        return 0;                           /* no flow control on this line */
    case FIONREAD:
        count = (int)(input.tail - input.head);
        return copy_to_user(arg, &count, sizeof count);
    default:
        return -ENOIOCTLCMD;
    }
}

static long console_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    (void)f;
    struct process *self = current_process();
    uint64_t flags = process_lock_take();
    int pid = self->pid, sid = self->sid, pgid = self->pgid;
    process_lock_drop(flags);
    flags = spin_lock(&input.lock);
    long result = terminal_ioctl(cmd, arg);
    if (result == -ENOIOCTLCMD)
        result = job_control(cmd, arg, pid, sid, pgid);
    spin_unlock(&input.lock, flags);
    return result;
}

void console_set_session(int session, int foreground)
{
    uint64_t flags = spin_lock(&input.lock);
    input.session = session;
    input.foreground = foreground;
    spin_unlock(&input.lock, flags);
}

const struct file_ops console_ops = {
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .poll = console_poll,
    .mode = S_IFCHR | 0620,
};

void console_init(void)
{
    input.termios = default_termios;
    input.winsize[0] = 24;
    input.winsize[1] = 80;
    irq_enable_isa(ISA_IRQ_COM1, console_interrupt);
    serial_enable_receive_interrupt();
}
