/* kernel/proc/signal.h: signal numbers (Linux's). Twofold has no signal handlers yet: every
 * signal sent to a process ends it, as the default action of most signals does. */
#pragma once

enum {
    SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
    SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13,
    SIGALRM = 14, SIGTERM = 15, SIGNAL_MAX = 64,
};

/* "SIGSEGV" for 11; "signal" for numbers without a name here. */
const char *signal_name(int signal);
