/* kernel/random.c: the kernel's random numbers (see random.h). */
#include "kernel/random.h"
#include "arch/x86_64/cpu_features.h"
#include "kernel/errno.h"
#include "kernel/lib/chacha20.h"
#include "kernel/spinlock.h"
#include "kernel/uaccess.h"
#include <string.h>

/* The generator's key, nonce and block counter; lock protects them. */
static struct {
    uint32_t key[8];
    uint32_t nonce[3];
    uint32_t counter;
    struct spinlock lock;
} generator;

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* 64 bits from RDSEED (true random) or else RDRAND (the CPU's own CSPRNG), each retried a few
 * times as Intel advises; 0 when the CPU has neither or they keep failing. */
static uint64_t cpu_random(void)
{
    for (int tries = 0; tries < 10; tries++) {
        uint64_t value;
        uint8_t ok;
        if (cpu_features.rdseed)
            __asm__ volatile("rdseed %0; setc %1" : "=r"(value), "=qm"(ok));
        else if (cpu_features.rdrand)
            __asm__ volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok));
        else
            return 0;
        if (ok)
            return value;
    }
    return 0;
}

void random_init(void)
{
    /* Whatever the CPU gives, and the TSC's low bits (the time the boot took varies), go into
     * a first key, which one block of ChaCha20 spreads over the real one. */
    uint32_t seed[8], nonce[3] = { 0 };
    for (int i = 0; i < 8; i += 2) {
        uint64_t value = cpu_random() ^ rdtsc() * 0x9e3779b97f4a7c15ull;
        seed[i] = (uint32_t)value;
        seed[i + 1] = (uint32_t)(value >> 32);
    }
    uint8_t block[64];
    chacha20_block(seed, 0, nonce, block);
    uint64_t flags = spin_lock(&generator.lock);
    memcpy(generator.key, block, sizeof generator.key);
    memcpy(generator.nonce, block + 32, sizeof generator.nonce);
    spin_unlock(&generator.lock, flags);
}

void random_get(void *out, size_t len)
{
    uint8_t block[64], *to = out;
    uint64_t flags = spin_lock(&generator.lock);
    generator.nonce[2] ^= (uint32_t)rdtsc();        /* a little more, for free */
    for (size_t done = 0; done < len; done += sizeof block) {
        chacha20_block(generator.key, generator.counter++, generator.nonce, block);
        memcpy(to + done, block, len - done < sizeof block ? len - done : sizeof block);
    }
    chacha20_block(generator.key, generator.counter++, generator.nonce, block);
    memcpy(generator.key, block, sizeof generator.key);                 /* fast key erasure */
    spin_unlock(&generator.lock, flags);
    memset(block, 0, sizeof block);
}

long random_to_user(uint64_t user_buf, size_t len)
{
    uint8_t chunk[256];
    size_t done = 0;
    while (done < len) {
        size_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        random_get(chunk, n);
        if (copy_to_user(user_buf + done, chunk, n))
            break;
        done += n;
    }
    memset(chunk, 0, sizeof chunk);
    return done || !len ? (long)done : -EFAULT;
}
