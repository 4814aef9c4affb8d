/* user/hello.c: the smallest user program: a greeting through musl's printf, then exit 0. */
#include <stdio.h>

int main(void)
{
    printf("Hello from user mode: a static musl program, started from the initrd.\n");
    return 0;
}
