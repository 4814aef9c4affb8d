/* kernel/include/string.h: the part of C's <string.h> the kernel has (kernel/lib/string.c).
 * Kernel code is built with -nostdinc, so this is the <string.h> it sees; host builds of
 * the pure modules see the C library's instead. */
#pragma once
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
