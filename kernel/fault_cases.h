/* kernel/fault_cases.h: `fault=NAME` makes the kernel fault on purpose, so the test harness
 * can show that it notices a kernel fault (the exception dump and a failing exit status). */
#pragma once

/* Trigger the named fault; does not return for a known name. Prints the known names and
 * returns for an unknown one. */
void fault_case_run(const char *name);
