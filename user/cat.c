/* user/cat.c: the console's line discipline made visible, for tests/test_console.py: says
 * "cat: ready", then shows each read from fd 0 as "read N: BYTES" (printable ASCII as it is,
 * every other byte and the backslash as \xHH), and at end of file says "cat: eof" and exits 0.
 * `cat efault` first reads into a user page that is not mapped, which must fail once a line
 * is typed ("cat: bad buffer: -14") and leave the line for the reads after it. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "twofold.h"

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int bad_buffer_first = argc == 2 && strcmp(argv[1], "efault") == 0;
    char *hole = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 4096);
    printf("cat: ready\n");
    if (bad_buffer_first)
        printf("cat: bad buffer: %ld\n", SYSCALL(SYS_read, 0, hole, 16));
    char buf[512];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        printf("read %zd: ", n);
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)buf[i];
            if (c >= ' ' && c <= '~' && c != '\\')
                putchar(c);
            else
                printf("\\x%02x", c);
        }
        putchar('\n');
    }
    if (n < 0) {
        perror("cat: read");
        return 1;
    }
    printf("cat: eof\n");
    return 0;
}
