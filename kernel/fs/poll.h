/* kernel/fs/poll.h: waiting until files are ready (poll, select).
 *
 * A poller looks at each file (file_poll, which never waits); if none is ready, it sleeps
 * until something changes. Whatever makes a file ready or not (a pipe's bytes written or
 * read, an end closed, a line typed) calls poll_notify, which counts the change and wakes
 * every poller to look again. The count closes the gap between a look and the sleep: a
 * poller reads it before looking, and does not sleep if it has moved since. One queue for
 * all, as simple as it gets: every change wakes every poller. */
#pragma once
#include <stdint.h>

/* The bits of poll(2)'s events and revents, Linux's values. */
enum {
    POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
    POLLRDNORM = 0x40, POLLWRNORM = 0x100,
};

/* Something a poller may wait for has changed. Any context, interrupts included. */
void poll_notify(void);

/* How many changes there have been: read before looking at the files. */
uint64_t poll_changes(void);

/* Sleep until there is a change after seen, a signal, or monotonic time deadline (UINT64_MAX:
 * none); it may return early, and the caller looks again. */
void poll_wait(uint64_t seen, uint64_t deadline);
