/* fmt.c: a small snprintf for panics and syscall traces (no floating point). */
#include "fmt.h"

#include <stdint.h>

struct out {
    char *buf;
    size_t size;
    size_t len; /* bytes the full output needs, may exceed size */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, int left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left)
        while (fill-- > 0)
            put(o, pad);
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

static void put_num(struct out *o, uint64_t v, int base, int neg, int upper, int width, int left, char pad)
{
    char tmp[24];
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
        v /= base;
    } while (v);
    if (neg) {
        /* The sign goes before zero padding, so emit it first and shrink the width. */
        if (pad == '0') {
            put(o, '-');
            width--;
        } else {
            tmp[sizeof(tmp) - 1 - n++] = '-';
        }
    }
    put_padded(o, tmp + sizeof(tmp) - n, n, width, left, pad);
}

/* Reads one integer argument of the given length class: 0 int, 1 long, 2 long long. */
static uint64_t get_arg(va_list *ap, int lng, int is_signed, int *neg)
{
    int64_t s;
    *neg = 0;
    if (!is_signed)
        return lng == 0   ? va_arg(*ap, unsigned)
               : lng == 1 ? va_arg(*ap, unsigned long)
                          : va_arg(*ap, unsigned long long);
    s = lng == 0 ? va_arg(*ap, int) : lng == 1 ? va_arg(*ap, long) : va_arg(*ap, long long);
    if (s < 0) {
        *neg = 1;
        return (uint64_t)0 - (uint64_t)s; /* well-defined even for INT64_MIN */
    }
    return (uint64_t)s;
}

static const char *conv(struct out *o, const char *f, va_list *ap)
{
    int left = 0, width = 0, prec = -1, lng = 0, neg, alt = 0;
    char pad = ' ';
    for (; *f == '-' || *f == '0' || *f == '#'; f++)
        *f == '-' ? (left = 1) : *f == '#' ? (alt = 1) : (pad = '0');
    for (; *f >= '0' && *f <= '9'; f++)
        width = width * 10 + (*f - '0');
    if (*f == '.')
        for (prec = 0, f++; *f >= '0' && *f <= '9'; f++)
            prec = prec * 10 + (*f - '0');
    for (; *f == 'l' || *f == 'z'; f++)
        lng = lng < 2 ? lng + 1 : 2;
    switch (*f) {
    case 'd':
    case 'i': {
        uint64_t v = get_arg(ap, lng, 1, &neg);
        put_num(o, v, 10, neg, 0, width, left, pad);
        break;
    }
    case 'u':
        put_num(o, get_arg(ap, lng, 0, &neg), 10, 0, 0, width, left, pad);
        break;
    case 'x':
    case 'X': {
        uint64_t v = get_arg(ap, lng, 0, &neg);
        if (alt && v) { /* C's '#': 0x before a nonzero value */
            put(o, '0');
            put(o, *f);
            width -= 2;
        }
        put_num(o, v, 16, 0, *f == 'X', width, left, pad);
        break;
    }
    case 'o': {
        uint64_t v = get_arg(ap, lng, 0, &neg);
        if (alt && v)
            put(o, '0');
        put_num(o, v, 8, 0, 0, width, left, pad);
        break;
    }
    case 'p':
        put(o, '0');
        put(o, 'x');
        put_num(o, (uint64_t)(uintptr_t)va_arg(*ap, void *), 16, 0, 0, width, left, pad);
        break;
    case 's': {
        const char *s = va_arg(*ap, const char *);
        size_t n = 0;
        if (!s)
            s = "(null)";
        while (s[n] && (prec < 0 || (int)n < prec))
            n++;
        put_padded(o, s, n, width, left, ' ');
        break;
    }
    case 'c':
        put(o, (char)va_arg(*ap, int));
        break;
    case '%':
        put(o, '%');
        break;
    default:
        put(o, '%');
        if (*f)
            put(o, *f);
        else
            return f;
    }
    return f + 1;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    va_list aq;
    va_copy(aq, ap);
    while (*fmt) {
        if (*fmt != '%')
            put(&o, *fmt++);
        else
            fmt = conv(&o, fmt + 1, &aq);
    }
    va_end(aq);
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
