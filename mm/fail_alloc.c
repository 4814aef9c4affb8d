/* mm/fail_alloc.c: allocation-failure injection (see fail_alloc.h). */
#include "mm/fail_alloc.h"
#include "kernel/proc/process.h"
#include <string.h>

/* The command line's injection: fail allocation number `nth` (counted from 1 once started),
 * or each `every`-th. nth, every and started are written at boot; counted is atomic. */
static uint64_t nth, every, counted;
static bool started;

/* A decimal number of 1 to 10 digits, above 0; or 0. */
static uint64_t parse_count(const char *s)
{
    uint64_t n = 0;
    size_t digits = strlen(s);
    if (digits == 0 || digits > 10)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    return n;
}

const char *fail_alloc_configure(const char *value)
{
    if (!value)
        return NULL;
    bool repeat = strncmp(value, "every:", 6) == 0;
    uint64_t n = parse_count(repeat ? value + 6 : value);
    if (!n)
        return "failalloc= takes N or every:N, N a positive number";
    *(repeat ? &every : &nth) = n;
    return NULL;
}

void fail_alloc_start(void)
{
    started = true;
}

bool fail_alloc_now(void)
{
    if (!started)                           /* no processes yet (nor per-CPU data, early on) */
        return false;
    struct process *self = current_process();
    if (self && self->fail_nth && --self->fail_nth == 0)
        return true;
    if (!(nth || every))
        return false;
    uint64_t number = __atomic_add_fetch(&counted, 1, __ATOMIC_RELAXED);
    return number == nth || (every && number % every == 0);
}
