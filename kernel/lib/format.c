/* kernel/lib/format.c: the printf engine (see format.h). */
#include "kernel/lib/format.h"
#include <stdbool.h>
#include <stdint.h>

struct conversion {
    bool left_justify;
    bool zero_pad;
    int width;
    int precision;              /* -1: none given */
};

struct output {
    format_sink sink;
    void *ctx;
    int count;
};

static void emit(struct output *out, char c)
{
    out->sink(out->ctx, c);
    out->count++;
}

static void emit_repeated(struct output *out, char c, int n)
{
    while (n-- > 0)
        emit(out, c);
}

static void emit_string(struct output *out, const struct conversion *conv, const char *s)
{
    if (!s)
        s = "(null)";
    int len = 0;
    while (s[len] && (conv->precision < 0 || len < conv->precision))
        len++;
    if (!conv->left_justify)
        emit_repeated(out, ' ', conv->width - len);
    for (int i = 0; i < len; i++)
        emit(out, s[i]);
    if (conv->left_justify)
        emit_repeated(out, ' ', conv->width - len);
}

/* One integer: sign, then zeros up to the precision (or the width with '0'), then digits. */
static void emit_integer(struct output *out, const struct conversion *conv, uint64_t magnitude,
                         bool negative, unsigned base, bool upper, const char *prefix)
{
    const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[24];
    int ndigits = 0;
    while (magnitude) {
        digits[ndigits++] = digit_chars[magnitude % base];
        magnitude /= base;
    }
    if (ndigits == 0 && conv->precision != 0)
        digits[ndigits++] = '0';        /* C: zero with precision 0 prints nothing */

    int prefix_len = 0;
    while (prefix[prefix_len])
        prefix_len++;
    int sign_len = negative ? 1 : 0;
    int zeros = conv->precision > ndigits ? conv->precision - ndigits : 0;
    int body = sign_len + prefix_len + zeros + ndigits;
    if (conv->zero_pad && !conv->left_justify && conv->precision < 0 && conv->width > body) {
        zeros += conv->width - body;
        body = conv->width;
    }

    if (!conv->left_justify)
        emit_repeated(out, ' ', conv->width - body);
    if (negative)
        emit(out, '-');
    for (int i = 0; i < prefix_len; i++)
        emit(out, prefix[i]);
    emit_repeated(out, '0', zeros);
    while (ndigits)
        emit(out, digits[--ndigits]);
    if (conv->left_justify)
        emit_repeated(out, ' ', conv->width - body);
}

/* Parse a decimal number or '*' at *p; a negative '*' width means left-justify. */
static int parse_count(const char **p, va_list *ap)
{
    if (**p == '*') {
        (*p)++;
        return va_arg(*ap, int);
    }
    int n = 0;
    while (**p >= '0' && **p <= '9')
        n = n * 10 + (*(*p)++ - '0');
    return n;
}

int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap_in)
{
    struct output out = { sink, ctx, 0 };
    va_list ap;
    va_copy(ap, ap_in);

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            emit(&out, *p);
            continue;
        }
        const char *start = p++;
        struct conversion conv = { .precision = -1 };
        for (;; p++) {
            if (*p == '-')
                conv.left_justify = true;
            else if (*p == '0')
                conv.zero_pad = true;
            else
                break;
        }
        conv.width = parse_count(&p, &ap);
        if (conv.width < 0) {
            conv.left_justify = true;
            conv.width = -conv.width;
        }
        if (*p == '.') {
            p++;
            conv.precision = parse_count(&p, &ap);
            if (conv.precision < 0)
                conv.precision = -1;    /* C: a negative precision is taken as none */
        }
        int longs = 0;
        bool size_t_arg = false;
        while (*p == 'l') {
            longs++;
            p++;
        }
        if (*p == 'z') {
            size_t_arg = true;
            p++;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = size_t_arg ? (int64_t)va_arg(ap, long)
                      : longs == 0 ? va_arg(ap, int)
                      : longs == 1 ? va_arg(ap, long) : va_arg(ap, long long);
            uint64_t magnitude = v < 0 ? -(uint64_t)v : (uint64_t)v;
            emit_integer(&out, &conv, magnitude, v < 0, 10, false, "");
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uint64_t v = size_t_arg ? va_arg(ap, size_t)
                       : longs == 0 ? va_arg(ap, unsigned)
                       : longs == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned long long);
            emit_integer(&out, &conv, v, false, *p == 'u' ? 10 : *p == 'o' ? 8 : 16, *p == 'X', "");
            break;
        }
        case 'p':
            conv.precision = 16;
            emit_integer(&out, &conv, (uintptr_t)va_arg(ap, void *), false, 16, false, "0x");
            break;
        case 's':
            emit_string(&out, &conv, va_arg(ap, const char *));
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            if (!conv.left_justify)
                emit_repeated(&out, ' ', conv.width - 1);
            emit(&out, c);
            if (conv.left_justify)
                emit_repeated(&out, ' ', conv.width - 1);
            break;
        }
        case '%':
            emit(&out, '%');
            break;
        default:
            /* Unknown conversion: print it as written, so the mistake is visible. */
            for (const char *q = start; q <= p && *q; q++)
                emit(&out, *q);
            if (!*p)
                p--;
            break;
        }
    }
    va_end(ap);
    return out.count;
}

int format(format_sink sink, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_v(sink, ctx, fmt, ap);
    va_end(ap);
    return n;
}

struct buffer_sink {
    char *buf;
    size_t size;
    size_t used;
};

static void buffer_put(void *ctx, char c)
{
    struct buffer_sink *b = ctx;
    if (b->used + 1 < b->size)
        b->buf[b->used] = c;
    b->used++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buffer_sink b = { buf, size, 0 };
    int n = format_v(buffer_put, &b, fmt, ap);
    if (size)
        buf[b.used < size ? b.used : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
