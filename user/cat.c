/* user/cat.c: the console's line discipline made visible, for tests/test_console.py: says
 * "cat: ready", then shows each read from fd 0 as "read N: BYTES" (printable ASCII as it is,
 * every other byte and the backslash as \xHH), and at end of file says "cat: eof" and exits 0. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("cat: ready\n");
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
