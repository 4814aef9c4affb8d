/* kernel/proc/futex.h: futexes (futex(2)), the kernel half of user-space locks: a thread
 * waits on a 32-bit word of its memory while the word holds the value it expects, and
 * another thread wakes it after changing the word.
 *
 * A waiter is known by its address space and the word's address. Twofold has no memory
 * shared between address spaces, so a "shared" futex (no FUTEX_PRIVATE_FLAG) is the same as
 * a private one: the same address space is the only one that can reach the word.
 */
#pragma once
#include <stdint.h>

struct process;

/* futex(2): op (with FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME allowed) on the word at
 * addr. Linux's results: WAIT and WAIT_BITSET 0 once woken, -EAGAIN if the word did not hold
 * val, -ETIMEDOUT, -EINTR for a signal; the wakes and requeues how many they woke (and
 * moved); -EFAULT, -EINVAL, -ENOSYS (an op Twofold lacks: the PI ops, WAIT_REQUEUE_PI). */
long futex(uint64_t addr, int op, uint32_t val, uint64_t timeout, uint64_t addr2, uint32_t val3);

/* Wake up to n waiters on the word at addr of the current address space: the return. */
long futex_wake(uint64_t addr, int n, uint32_t bitset);

/* The current thread ends: each lock of its robust list (set_robust_list) that it holds is
 * marked FUTEX_OWNER_DIED and one waiter woken, as Linux's exit_robust_list does; then its
 * clear_child_tid word is zeroed and one waiter on it woken (what pthread_join waits for). */
void futex_thread_exit(struct process *self);
