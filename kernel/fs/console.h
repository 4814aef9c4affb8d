/* kernel/fs/console.h: the console (the serial port) as a file: the first process's
 * descriptors 0, 1 and 2, with a line discipline for what is typed. */
#pragma once
#include "kernel/fs/file.h"

extern const struct file_ops console_ops;

/* Take console input by interrupt (IRQ 4). */
void console_init(void);

/* Make the console session's terminal, with foreground group `foreground`. */
void console_set_session(int session, int foreground);
