/* user/ptdump.c: this process's own address space as the kernel's page tables describe it,
 * through Twofold's ptdump system call. `ptdump` prints the kernel CR3's view (the user half and
 * the whole kernel half), `ptdump user` the user CR3's (with page-table isolation, the user half
 * and the entry area alone). Exits 0, or 1 if the call failed (on Linux, for one), 2 on bad
 * arguments. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "twofold.h"

/* The text of ptdump(which), in a buffer from malloc, and its length in *len; NULL with errno
 * set if the call or an allocation failed. The buffer takes the length the call returns, and is
 * written over before the next call so that every page of it is present: the kernel's copy into
 * it then takes no page fault, which would change the address space in the middle of the dump.
 * Growing the heap can lengthen the text, so the call is repeated until the text fits. */
static char *dump(long which, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    for (;;) {
        long n = ptdump(which, buf, size);
        if (n < 0) {
            free(buf);
            errno = (int)-n;
            return NULL;
        }
        if ((size_t)n <= size) {
            *len = (size_t)n;
            return buf;
        }
        char *bigger = realloc(buf, (size_t)n);
        if (!bigger) {
            free(buf);
            return NULL;
        }
        buf = bigger;
        size = (size_t)n;
        memset(buf, 0, size);
    }
}

/* Write all of buf to standard output with write(2), not stdio, whose buffer's first use
 * would map another page after the dump; 0, or -1 with errno set. */
static int write_all(const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int user = argc == 2 && strcmp(argv[1], "user") == 0;
    if (argc > 2 || (argc == 2 && !user)) {
        fprintf(stderr, "usage: ptdump [user]\n");
        return 2;
    }
    size_t len;
    char *text = dump(user, &len);
    if (!text || write_all(text, len) != 0) {
        int error = errno;
        fprintf(stderr, "ptdump: %s%s\n", strerror(error), on_twofold() ? "" : " (this is not Twofold)");
        return 1;
    }
    free(text);
    return 0;
}
