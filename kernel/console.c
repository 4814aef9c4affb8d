/* kernel/console.c: reading and writing the console from user mode.
 *
 * Writes go to the serial port. Reads take one line, echoed, with backspace; Ctrl-D at the
 * start of a line is end of file. For now reading polls the UART with everything else
 * stopped; interrupt-driven input comes with interrupts.
 */
#include "kernel/console.h"
#include "arch/x86_64/serial.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/uaccess.h"

enum { TIOCGWINSZ = 0x5413, CHUNK = 256 };

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

static long console_read(struct file *f, uint64_t user_buf, size_t len)
{
    (void)f;
    char line[CHUNK];
    size_t n = 0;
    while (n < len && n < CHUNK) {
        char c = serial_getc();
        if (c == 4 && n == 0)               /* Ctrl-D on an empty line: end of file */
            break;
        if (c == '\r')
            c = '\n';
        if (c == 0x7f || c == '\b') {
            if (n) {
                n--;
                kprintf("\b \b");
            }
            continue;
        }
        console_sink(NULL, c);
        line[n++] = c;
        if (c == '\n')
            break;
    }
    return copy_to_user(user_buf, line, n) ? -EFAULT : (long)n;
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
