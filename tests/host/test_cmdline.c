/* tests/host/test_cmdline.c: kernel/lib/cmdline.c. */
#include "kernel/lib/cmdline.h"
#include "check.h"

static struct kernel_options opts;

static void test_empty_line_gives_defaults(void)
{
    CHECK(cmdline_parse("", &opts) == NULL);
    CHECK(!opts.quiet && !opts.test && opts.fault == NULL && opts.complaint_count == 0);
    CHECK(cmdline_parse("   \t ", &opts) == NULL);
    CHECK(!opts.quiet && opts.complaint_count == 0);
}

static void test_flags_and_values(void)
{
    CHECK(cmdline_parse("  quiet\ttest   fault=ud2 ", &opts) == NULL);
    CHECK(opts.quiet && opts.test);
    CHECK_STREQ(opts.fault, "ud2");
    CHECK(opts.complaint_count == 0);
    CHECK(cmdline_parse("fault=a=b", &opts) == NULL);
    CHECK_STREQ(opts.fault, "a=b");         /* the first '=' splits */
}

static void test_bad_words_are_reported_and_skipped(void)
{
    CHECK(cmdline_parse("quiet=1 fault fault= bogus test", &opts) == NULL);
    CHECK(!opts.quiet && opts.fault == NULL);
    CHECK(opts.test);                       /* the good word after the bad ones still counts */
    CHECK(opts.complaint_count == 4);
    CHECK_STREQ(opts.complaints[0].word, "quiet=1");
    CHECK_STREQ(opts.complaints[0].reason, "this option takes no value");
    CHECK_STREQ(opts.complaints[1].word, "fault");
    CHECK_STREQ(opts.complaints[2].word, "fault=");
    CHECK_STREQ(opts.complaints[2].reason, "this option needs a value (NAME=VALUE)");
    CHECK_STREQ(opts.complaints[3].word, "bogus");
    CHECK_STREQ(opts.complaints[3].reason, "unknown option");
    CHECK(cmdline_parse("quietx testy", &opts) == NULL);     /* no prefix matches */
    CHECK(!opts.quiet && !opts.test && opts.complaint_count == 2);
}

static void test_whole_line_errors(void)
{
    CHECK(cmdline_parse("a b c d e f g h i quiet", &opts) != NULL);
    CHECK(!opts.quiet && opts.complaint_count == 0);        /* nothing half-applied */
    char long_line[CMDLINE_MAX + 1];
    memset(long_line, 'q', CMDLINE_MAX);
    long_line[CMDLINE_MAX] = '\0';
    CHECK(cmdline_parse(long_line, &opts) != NULL);
    long_line[CMDLINE_MAX - 1] = '\0';                      /* 1023 characters fit */
    CHECK(cmdline_parse(long_line, &opts) == NULL);
}

static void test_init_takes_the_rest_as_arguments(void)
{
    CHECK(cmdline_parse("quiet init=/bin/prog -v test bogus=1", &opts) == NULL);
    CHECK(opts.quiet && !opts.test && opts.complaint_count == 0);
    CHECK_STREQ(opts.init, "/bin/prog");
    CHECK(opts.init_arg_count == 3);
    CHECK_STREQ(opts.init_args[0], "-v");
    CHECK_STREQ(opts.init_args[1], "test");     /* an argument, not the kernel's option */
    CHECK_STREQ(opts.init_args[2], "bogus=1");
    char line[256] = "init=/x";                             /* 32 arguments fit, as on Linux */
    for (int i = 1; i <= CMDLINE_MAX_INIT_ARGS; i++)
        snprintf(line + strlen(line), sizeof line - strlen(line), " %d", i);
    CHECK(cmdline_parse(line, &opts) == NULL && opts.init_arg_count == CMDLINE_MAX_INIT_ARGS);
    strcat(line, " 33");
    CHECK(cmdline_parse(line, &opts) != NULL);
    CHECK(cmdline_parse("init=", &opts) == NULL && opts.init == NULL && opts.complaint_count == 1);
}

static void test_choices(void)
{
    CHECK(cmdline_parse("kpti=off pcid=auto", &opts) == NULL);
    CHECK_STREQ(opts.kpti, "off");
    CHECK_STREQ(opts.pcid, "auto");
    CHECK(opts.complaint_count == 0);
    CHECK(cmdline_parse("kpti=of pcid=onn kpti=", &opts) == NULL);
    CHECK(opts.kpti == NULL && opts.pcid == NULL && opts.complaint_count == 3);
    CHECK_STREQ(opts.complaints[0].reason, "this value is not one of the option's choices");
}

int main(void)
{
    test_empty_line_gives_defaults();
    test_flags_and_values();
    test_bad_words_are_reported_and_skipped();
    test_whole_line_errors();
    test_init_takes_the_rest_as_arguments();
    test_choices();
    return check_report();
}
