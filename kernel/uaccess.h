/* kernel/uaccess.h: reading and writing user memory from the kernel.
 *
 * Every user pointer is checked twice: its range must lie below the user limit (so no user
 * pointer can name kernel memory), then the access itself runs with fault recovery, so an
 * unmapped or forbidden page gives -EFAULT instead of a kernel fault.
 */
#pragma once
#include "mm/vm.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether [start, start + len) lies wholly in the user range (Linux's access_ok): the first
 * check of every copy, and what a call that may block checks before it sleeps, so that a
 * buffer no copy could ever reach fails at once. */
static inline bool user_range_ok(uint64_t start, size_t len)
{
    return start <= USER_LIMIT && len <= USER_LIMIT - start;
}

/* 0, or -EFAULT if any byte of the user range is not accessible that way. */
int copy_from_user(void *dst, uint64_t user_src, size_t len);
int copy_to_user(uint64_t user_dst, const void *src, size_t len);

/* Atomically: if the aligned user word holds expected, it gets desired; *seen gets what it
 * held. 0, or -EFAULT (misaligned, out of range, or not writable). */
int cmpxchg_user(uint64_t user_word, uint32_t expected, uint32_t desired, uint32_t *seen);

/* Fill the user range with zeros: 0, or -EFAULT (some bytes may have been written). */
int clear_user(uint64_t user_dst, size_t len);

/* Copy a NUL-terminated string of at most max - 1 characters into dst (max bytes).
 * Its length, or -EFAULT, or -ENAMETOOLONG if no NUL comes within max bytes. */
long copy_string_from_user(char *dst, uint64_t user_src, size_t max);

/* A user path name (at most 4095 bytes: PATH_MAX with its NUL) copied into a buffer of its
 * own, from path_buffer_alloc (kernel/fs/path.h), which path_buffer_free gives back; NULL with
 * *error -EFAULT, -ENAMETOOLONG or -ENOMEM. An empty path is copied: what it means is the
 * caller's to say. */
char *copy_path_from_user(uint64_t user_path, long *error);

/* Turn on stac/clac around user access (where the CPU has SMAP). */
void uaccess_init(int use_stac);

struct trap_frame;

/* A kernel-mode page fault: if it hit a user copy or cmpxchg, give the page or make it
 * fail, and return 1 (resume); 0 if it was not one of them. */
int uaccess_fault(struct trap_frame *frame, uint64_t address);
