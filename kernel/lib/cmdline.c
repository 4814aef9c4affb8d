/* kernel/lib/cmdline.c: the command-line parser (see cmdline.h). */
#include "kernel/lib/cmdline.h"
#include <string.h>

enum option_kind { OPTION_FLAG, OPTION_STRING, OPTION_LAST };   /* LAST: a string, then argv */

struct option_spec {
    const char *name;
    enum option_kind kind;
    size_t offset;                  /* of the bool or const char * in struct kernel_options */
    const char *choices;            /* "a|b|c": the values allowed, or NULL for any */
};

#define OPTION(field, kind, choices) { #field, kind, offsetof(struct kernel_options, field), choices }
static const struct option_spec option_specs[] = {
    OPTION(quiet, OPTION_FLAG, NULL),
    OPTION(test, OPTION_FLAG, NULL),
    OPTION(ptdump, OPTION_FLAG, NULL),
    OPTION(nosmp, OPTION_FLAG, NULL),
    OPTION(maxcpus, OPTION_STRING, NULL),
    OPTION(fault, OPTION_STRING, NULL),
    OPTION(kpti, OPTION_STRING, "on|off"),
    OPTION(pcid, OPTION_STRING, "on|off|auto"),
    OPTION(failalloc, OPTION_STRING, NULL),
    OPTION(init, OPTION_LAST, NULL),
};
#undef OPTION

/* Whether value is one of the '|'-separated choices. */
static bool one_of(const char *value, const char *choices)
{
    size_t len = strlen(value);
    for (const char *c = choices; *c;) {
        const char *end = c;
        while (*end && *end != '|')
            end++;
        if ((size_t)(end - c) == len && strncmp(c, value, len) == 0)
            return true;
        c = *end ? end + 1 : end;
    }
    return false;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Apply one NUL-terminated word; returns NULL, or why it was ignored (the word is then
 * left as it was given, for the complaint). *last: it was an OPTION_LAST. */
static const char *apply_word(char *word, struct kernel_options *opts, bool *last)
{
    char *equals = word;
    while (*equals && *equals != '=')
        equals++;
    size_t name_len = (size_t)(equals - word);

    for (size_t i = 0; i < sizeof option_specs / sizeof option_specs[0]; i++) {
        const struct option_spec *spec = &option_specs[i];
        if (strlen(spec->name) != name_len || strncmp(spec->name, word, name_len) != 0)
            continue;
        char *field = (char *)opts + spec->offset;
        if (spec->kind == OPTION_FLAG) {
            if (*equals)
                return "this option takes no value";
            *(bool *)field = true;
        } else {
            if (!*equals || !equals[1])
                return "this option needs a value (NAME=VALUE)";
            if (spec->choices && !one_of(equals + 1, spec->choices))
                return "this value is not one of the option's choices";
            *equals = '\0';
            *(const char **)field = equals + 1;
            *last = spec->kind == OPTION_LAST;
        }
        return NULL;
    }
    return "unknown option";
}

const char *cmdline_parse(const char *text, struct kernel_options *opts)
{
    memset(opts, 0, sizeof *opts);
    size_t len = strlen(text);
    if (len >= sizeof opts->words)
        return "command line is longer than 1023 characters";
    memcpy(opts->words, text, len + 1);

    bool options_ended = false;
    for (char *p = opts->words; *p; ) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;
        char *word = p;
        while (*p && !is_space(*p))
            p++;
        if (*p)
            *p++ = '\0';

        if (options_ended) {
            if (opts->init_arg_count == CMDLINE_MAX_INIT_ARGS) {
                memset(opts, 0, sizeof *opts);
                return "more than 32 arguments for init";
            }
            opts->init_args[opts->init_arg_count++] = word;
            continue;
        }
        const char *reason = apply_word(word, opts, &options_ended);
        if (!reason)
            continue;
        if (opts->complaint_count == CMDLINE_MAX_COMPLAINTS) {
            memset(opts, 0, sizeof *opts);
            return "more than 8 unknown or malformed options";
        }
        opts->complaints[opts->complaint_count++] = (struct cmdline_complaint){ word, reason };
    }
    return NULL;
}
