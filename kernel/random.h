/* kernel/random.h: the kernel's random numbers, for getrandom, /dev/random, /dev/urandom and
 * AT_RANDOM: ChaCha20 (kernel/lib/chacha20.h) keyed at boot from the CPU's RDSEED or RDRAND
 * where it has them, and from the time stamp counter, with fast key erasure: after each
 * request the generator's next block becomes its key, so what was handed out cannot be
 * worked back from a later state. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Key the generator (cpu_features must be known). */
void random_init(void);

/* len random bytes into kernel memory. */
void random_get(void *out, size_t len);

/* len random bytes into user memory: len, or -EFAULT if nothing could be written (the bytes
 * written before a fault, otherwise). */
long random_to_user(uint64_t user_buf, size_t len);
