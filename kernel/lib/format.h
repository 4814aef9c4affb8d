/* kernel/lib/format.h: printf-style formatting into any sink; the kernel's one formatter.
 *
 * Conversions: %d %i %u %o %x %X %p %s %c %%. Flags '-' (left-justify) and '0' (zero padding),
 * a width and a precision (either may be '*'), length modifiers l, ll and z. These follow
 * C's printf exactly, except %p, which always prints "0x" and 16 hex digits.
 * Pure code: built for the host too, and tested there against the C library.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *ctx, char c);

/* Format into sink(ctx, c), one character at a time; returns the number of characters. */
int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int format(format_sink sink, void *ctx, const char *fmt, ...);

/* As C's vsnprintf/snprintf: writes at most size bytes including the NUL, and returns the
 * length the whole result would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int ksnprintf(char *buf, size_t size, const char *fmt, ...);
