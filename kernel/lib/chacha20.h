/* kernel/lib/chacha20.h: the ChaCha20 block function (RFC 8439), the core of the kernel's
 * random numbers (kernel/random.c). Pure code, built for the host too, where the RFC's test
 * vectors check it. */
#pragma once
#include <stdint.h>

/* The 64-byte block for a 256-bit key, a 32-bit block counter and a 96-bit nonce. */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64]);
