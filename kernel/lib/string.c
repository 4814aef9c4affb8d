/* kernel/lib/string.c: memory and string functions (C semantics). The compiler may also emit
 * calls to memcpy, memmove, memset and memcmp by itself. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The eight (four) bytes at p, at any alignment (x86 loads them as one word). */
static inline uint64_t word_at(const unsigned char *p)
{
    uint64_t w;
    __builtin_memcpy(&w, p, sizeof w);
    return w;
}

static inline uint32_t half_at(const unsigned char *p)
{
    uint32_t w;
    __builtin_memcpy(&w, p, sizeof w);
    return w;
}

/* From 4 to 16 bytes (names, small records) as two loads and two stores that overlap in the
 * middle, without a loop; more eight bytes a step, then the rest a byte at a time: page
 * copies and clears (fork, page faults) move 512 words, not 4096 bytes. Not restrict here
 * (string.h's prototype is): memmove copies overlapping ranges forward through it, so both
 * loads must stay ahead of the stores. */
void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n >= 8 && n <= 16) {
        uint64_t head = word_at(s), tail = word_at(s + n - 8);
        __builtin_memcpy(d, &head, 8);
        __builtin_memcpy(d + n - 8, &tail, 8);
        return dst;
    }
    if (n >= 4 && n < 8) {
        uint32_t head = half_at(s), tail = half_at(s + n - 4);
        __builtin_memcpy(d, &head, 4);
        __builtin_memcpy(d + n - 4, &tail, 4);
        return dst;
    }
    size_t words = n / 8, bytes = n % 8;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(bytes) : : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)                         /* overlapping, destination above: copy backwards */
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t words = n / 8, bytes = n % 8;
    uint64_t pattern = (uint8_t)c * 0x0101010101010101ull;
    __asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(bytes) : "a"(pattern) : "memory");
    return dst;
}

enum { WORD = sizeof(uint64_t) };
#define ONES 0x0101010101010101ull

/* Whether a byte of w is zero (the borrow of w - ONES reaches a byte's top bit only from a
 * byte that was 0). */
static inline bool has_zero_byte(uint64_t w)
{
    return (w - ONES) & ~w & (ONES << 7);
}

/* memcmp, memchr and strlen go eight bytes a step to the word that holds what they look
 * for, then a byte at a time within it: the paths and names of every path lookup pass
 * through them. */
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    size_t i = 0;
    while (i + WORD <= n && word_at(x + i) == word_at(y + i))
        i += WORD;
    for (; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    uint64_t pattern = (uint8_t)c * ONES;
    size_t i = 0;
    while (i + WORD <= n && !has_zero_byte(word_at(p + i) ^ pattern))
        i += WORD;
    for (; i < n; i++)
        if (p[i] == (unsigned char)c)
            return (void *)(p + i);
    return NULL;
}

/* The words it reads are aligned ones, which never reach into the next page, so it reads no
 * byte of a page the string does not reach. */
size_t strlen(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while ((uintptr_t)(p + n) % WORD)
        if (!p[n++])
            return n - 1;
    while (!has_zero_byte(word_at(p + n)))
        n += WORD;
    while (p[n])
        n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = a[i], y = b[i];
        if (x != y || !x)
            return x - y;
    }
    return 0;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, (size_t)-1);
}
