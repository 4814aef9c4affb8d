/* kernel/fs/console.c: the console file and its line discipline.
 *
 * Writes go to the serial port. Typed bytes arrive by interrupt and are edited into a line:
 * each is echoed; backspace (DEL or BS) erases the last one; carriage return is newline; a
 * newline completes the line. Ctrl-D completes the line without a newline, so on an empty
 * line read() returns 0: end of file. Ctrl-C discards the line and sends SIGINT to the
 * foreground process (process_foreground). read() waits for a completed line and returns
 * at most one.
 */
#include "kernel/fs/console.h"
#include "arch/x86_64/drivers/irq.h"
#include "arch/x86_64/drivers/serial.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/wait_queue.h"
#include "kernel/spinlock.h"
#include "kernel/uaccess.h"

enum { TIOCGWINSZ = 0x5413, CHUNK = 256, LINE_MAX = 256, QUEUE = 4096, MAX_LINES = 64,
       CTRL_C = 3, CTRL_D = 4, BACKSPACE = 8, DELETE = 0x7f, ISA_IRQ_COM1 = 4 };

/* Completed lines: their bytes in a ring, their lengths in another (0: end of file). */
static struct {
    char bytes[QUEUE];
    unsigned head, tail;            /* counts of bytes taken and added */
    uint16_t lengths[MAX_LINES];
    unsigned first_line, line_count;
    unsigned consumed;              /* bytes of the first line already read */
    char editing[LINE_MAX];         /* the line being typed */
    unsigned edited;
    struct wait_queue readers;
    struct spinlock lock;
} input;

static long console_write(struct file *f, uint64_t user_buf, size_t len)
{
    (void)f;
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
    if (c == CTRL_C) {
        kprintf("^C\n");
        input.edited = 0;
        int foreground = process_foreground(&console_ops);
        if (foreground)
            process_kill(foreground, SIGINT);
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

static long console_read(struct file *f, uint64_t user_buf, size_t len)
{
    (void)f;
    if (!len)
        return 0;
    uint64_t flags = spin_lock(&input.lock);
    while (!input.line_count) {
        if (current_process()->pending_signal) {
            spin_unlock(&input.lock, flags);
            return -EINTR;
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

static long console_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    (void)f;
    if (cmd != TIOCGWINSZ)
        return -ENOTTY;
    const uint16_t winsize[4] = { 24, 80, 0, 0 };  /* rows, columns, pixel sizes unknown */
    return copy_to_user(arg, winsize, sizeof winsize);
}

const struct file_ops console_ops = {
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
};

void console_init(void)
{
    irq_enable_isa(ISA_IRQ_COM1, console_interrupt);
    serial_enable_receive_interrupt();
}
