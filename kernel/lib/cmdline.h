/* kernel/lib/cmdline.h: the kernel command line.
 *
 * Words separated by spaces; each is NAME or NAME=VALUE. One table in cmdline.c says which
 * names exist and what they set; a new option is one line there and one field here.
 * `init=PATH` ends the options: every later word is an argument for that program.
 * Pure code, built for the host too.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum { CMDLINE_MAX = 1024, CMDLINE_MAX_COMPLAINTS = 8, CMDLINE_MAX_INIT_ARGS = 32 };    /* Linux's MAX_INIT_ARGS */

struct cmdline_complaint {
    const char *word;               /* the word as given */
    const char *reason;             /* why it was ignored */
};

struct kernel_options {
    bool quiet;                     /* quiet: no boot banner */
    bool test;                      /* test: run the in-kernel tests, then power off */
    bool ptdump;                    /* ptdump: print the kernel's page tables at boot */
    bool nosmp;                     /* nosmp: start no other CPU */
    const char *maxcpus;            /* maxcpus=N: run at most N CPUs, the boot CPU counted */
    const char *fault;              /* fault=NAME: fault on purpose (kernel/fault_cases.c) */
    const char *kpti;               /* kpti=on|off: page-table isolation (default on) */
    const char *pcid;               /* pcid=on|off|auto: process-context ids (default auto) */
    const char *failalloc;          /* failalloc=N|every:N: failing allocations (mm/fail_alloc.h) */
    const char *init;               /* init=PATH: the first program; the words after it are
                                       its arguments, not kernel options */
    size_t init_arg_count;
    const char *init_args[CMDLINE_MAX_INIT_ARGS];

    /* Words that were ignored, and why; the caller reports them. */
    size_t complaint_count;
    struct cmdline_complaint complaints[CMDLINE_MAX_COMPLAINTS];
    char words[CMDLINE_MAX];        /* a copy of the line, split in place; values point here */
};

/* Parse text into *opts (all defaults first). A word that is unknown or malformed is set
 * aside as a complaint and parsing goes on. Returns NULL, or an error if the line as a whole
 * cannot be taken (too long, too many bad words); *opts then holds defaults only. */
const char *cmdline_parse(const char *text, struct kernel_options *opts);
