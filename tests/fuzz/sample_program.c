/* tests/fuzz/sample_program.c: a small real program, built with musl-gcc by tools/fuzz.mk:
 * the executables tests/host/test_elf.c checks and the ELF fuzzer's seed. It has code,
 * read-only data, initialised and zeroed data and thread-local storage, so a static build
 * has every kind of segment a musl static program has (PT_LOAD R, RX, RW; PT_TLS). */
#include <stdio.h>

static char zeroed[8192];
static int initialised = 3;
static _Thread_local int per_thread = 4;

int main(int argc, char **argv)
{
    per_thread += argc * initialised;
    snprintf(zeroed, sizeof zeroed, "%s: %d", argv[0], per_thread);
    puts(zeroed);
    return 0;
}
