/* kernel/fs/console.c: the console file and its line discipline.
 *
 * Writes go to the serial port. Typed bytes arrive by interrupt and are edited into a line:
 * each is echoed; backspace (DEL or BS) erases the last one; carriage return is newline; a
 * newline completes the line. Ctrl-D completes the line without a newline, so on an empty
 * line read() returns 0: end of file. Ctrl-C, Ctrl-Z and Ctrl-\ discard the line and send
 * SIGINT, SIGTSTP and SIGQUIT to the foreground process group. read() waits for a completed
 * line and returns at most one.
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
#include "kernel/printk.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/wait_queue.h"
#include "kernel/spinlock.h"
#include "kernel/uaccess.h"

enum {
    TIOCSCTTY = 0x540e, TIOCGPGRP = 0x540f, TIOCSPGRP = 0x5410, TIOCGWINSZ = 0x5413, TIOCNOTTY = 0x5422,
    CHUNK = 256, LINE_MAX = 256, QUEUE = 4096, MAX_LINES = 64,
    CTRL_C = 3, CTRL_D = 4, BACKSPACE = 8, CTRL_BACKSLASH = 0x1c, CTRL_Z = 0x1a, DELETE = 0x7f, ISA_IRQ_COM1 = 4,
};

/* Completed lines: their bytes in a ring, their lengths in another (0: end of file); the
 * session whose terminal the console is, and its foreground group. lock protects all of it;
 * lock order: it, then process_lock. */
static struct {
    char bytes[QUEUE];
    unsigned head, tail;            /* counts of bytes taken and added */
    uint16_t lengths[MAX_LINES];
    unsigned first_line, line_count;
    unsigned consumed;              /* bytes of the first line already read */
    char editing[LINE_MAX];         /* the line being typed */
    unsigned edited;
    struct wait_queue readers;
    int session, foreground;        /* 0: none */
    struct spinlock lock;
} input;

static long console_write(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    (void)f, (void)pos;                     /* a stream: no offset */
    char chunk[CHUNK];
    for (size_t done = 0; done < len;) {
        size_t n = len - done < CHUNK ? len - done : CHUNK;
        if (copy_from_user(chunk, user_buf + done, n))
            return done ? (long)done : -EFAULT;
        for (size_t i = 0; i < n; i++)
            console_sink(NULL, chunk[i]);
        done += n;
    }
    return (long)len;
}

/* Move the line being typed to the completed lines (dropped if they are full). */
static void complete_line(void)
{
    if (input.line_count < MAX_LINES && input.tail - input.head + input.edited <= QUEUE) {
        for (unsigned i = 0; i < input.edited; i++)
            input.bytes[input.tail++ % QUEUE] = input.editing[i];
        input.lengths[(input.first_line + input.line_count++) % MAX_LINES] = (uint16_t)input.edited;
        wake_all(&input.readers);
    }
    input.edited = 0;
}

/* One typed byte, in interrupt context. */
static void edit(char c)
{
    int signal = c == CTRL_C ? SIGINT : c == CTRL_Z ? SIGTSTP : c == CTRL_BACKSLASH ? SIGQUIT : 0;
    if (signal) {
        kprintf("^%c\n", c + '@');
        input.edited = 0;
        if (input.foreground)
            process_kill_group(input.foreground, signal);
        return;
    }
    if (c == CTRL_D) {
        complete_line();
        return;
    }
    if (c == DELETE || c == BACKSPACE) {
        if (input.edited) {
            input.edited--;
            kprintf("\b \b");
        }
        return;
    }
    if (c == '\r')
        c = '\n';
    if (input.edited == LINE_MAX - 1 && c != '\n')
        return;                     /* the line is full: only its end is taken */
    console_sink(NULL, c);
    input.editing[input.edited++] = c;
    if (c == '\n')
        complete_line();
}

static void console_interrupt(void)
{
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

static long console_read(struct file *f, uint64_t user_buf, size_t len, uint64_t *pos)
{
    (void)f, (void)pos;                     /* a stream: no offset */
    if (!len)
        return 0;
    uint64_t flags = spin_lock(&input.lock);
    long stopped = background_check(SIGTTIN);
    if (stopped) {
        spin_unlock(&input.lock, flags);
        return stopped;
    }
    while (!input.line_count) {
        if (signal_pending(current_process())) {
            spin_unlock(&input.lock, flags);
            return -ERESTARTSYS;
        }
        sleep_on(&input.readers, &input.lock, flags);
        flags = spin_lock(&input.lock);
    }
    /* The bytes are taken only once they reach the caller: a read into a bad buffer leaves
     * the line for the next one. The copy runs under the lock, which is safe because a user
     * copy never sleeps (a fault in it gives a page or fails). */
    unsigned line_left = input.lengths[input.first_line] - input.consumed;
    size_t n = len < line_left ? len : line_left;
    char line[LINE_MAX];
    for (size_t i = 0; i < n; i++)
        line[i] = input.bytes[(input.head + i) % QUEUE];
    if (copy_to_user(user_buf, line, n)) {
        spin_unlock(&input.lock, flags);
        return -EFAULT;
    }
    input.head += (unsigned)n;
    input.consumed += (unsigned)n;
    if (input.consumed == input.lengths[input.first_line]) {   /* the whole line (or EOF) is read */
        input.first_line = (input.first_line + 1) % MAX_LINES;
        input.line_count--;
        input.consumed = 0;
    }
    spin_unlock(&input.lock, flags);
    return (long)n;
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

static long console_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    (void)f;
    if (cmd == TIOCGWINSZ) {
        const uint16_t winsize[4] = { 24, 80, 0, 0 };  /* rows, columns, pixel sizes unknown */
        return copy_to_user(arg, winsize, sizeof winsize);
    }
    struct process *self = current_process();
    uint64_t flags = process_lock_take();
    int pid = self->pid, sid = self->sid, pgid = self->pgid;
    process_lock_drop(flags);
    flags = spin_lock(&input.lock);
    long result = job_control(cmd, arg, pid, sid, pgid);
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
    .mode = S_IFCHR | 0620,
};

void console_init(void)
{
    irq_enable_isa(ISA_IRQ_COM1, console_interrupt);
    serial_enable_receive_interrupt();
}
