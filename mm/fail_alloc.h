/* mm/fail_alloc.h: allocation-failure injection, to prove that whoever calls frame_alloc or
 * kmalloc survives a NULL: the call fails cleanly, nothing leaks, the kernel stays up.
 *
 * Every frame_alloc and every kmalloc is one allocation (a kmalloc that takes a new slab is
 * two: itself, then its frame). Two ways to make some fail, as Linux's fault injection has:
 * - for the whole system, from the command line: `failalloc=N` fails the Nth allocation made
 *   once the first process is running, `failalloc=every:N` every Nth;
 * - for one process, like Linux's /proc/self/fail-nth: Twofold's system call 1027,
 *   fail_alloc(n), makes the nth allocation made while that process runs fail.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Take the command line's failalloc=VALUE (NULL: none). NULL, or why VALUE is malformed. */
const char *fail_alloc_configure(const char *value);

/* Start injecting: the first process is about to run (until then nothing fails). */
void fail_alloc_start(void);

/* Whether the allocation being made now is to fail. frame_alloc and kmalloc ask. */
bool fail_alloc_now(void);
