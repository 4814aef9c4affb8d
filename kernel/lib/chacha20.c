/* kernel/lib/chacha20.c: the ChaCha20 block function (see chacha20.h). */
#include "kernel/lib/chacha20.h"

static uint32_t rotate_left(uint32_t x, int n)
{
    return x << n | x >> (32 - n);
}

/* One quarter round on four words of the state. */
static void quarter_round(uint32_t s[16], int a, int b, int c, int d)
{
    s[a] += s[b], s[d] = rotate_left(s[d] ^ s[a], 16);
    s[c] += s[d], s[b] = rotate_left(s[b] ^ s[c], 12);
    s[a] += s[b], s[d] = rotate_left(s[d] ^ s[a], 8);
    s[c] += s[d], s[b] = rotate_left(s[b] ^ s[c], 7);
}

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64])
{
    /* "expand 32-byte k", the key, the counter and the nonce. */
    uint32_t initial[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
    for (int i = 0; i < 8; i++)
        initial[4 + i] = key[i];
    initial[12] = counter;
    for (int i = 0; i < 3; i++)
        initial[13 + i] = nonce[i];
    uint32_t s[16];
    for (int i = 0; i < 16; i++)
        s[i] = initial[i];
    for (int round = 0; round < 10; round++) {      /* twenty rounds: a column and a diagonal */
        quarter_round(s, 0, 4, 8, 12);
        quarter_round(s, 1, 5, 9, 13);
        quarter_round(s, 2, 6, 10, 14);
        quarter_round(s, 3, 7, 11, 15);
        quarter_round(s, 0, 5, 10, 15);
        quarter_round(s, 1, 6, 11, 12);
        quarter_round(s, 2, 7, 8, 13);
        quarter_round(s, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; i++) {                  /* little-endian words */
        uint32_t w = s[i] + initial[i];
        for (int b = 0; b < 4; b++)
            out[4 * i + b] = (uint8_t)(w >> (8 * b));
    }
}
