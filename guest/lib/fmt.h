/* fmt.h: a small snprintf for panics and syscall traces (no floating point). */
#ifndef KLIB_FMT_H
#define KLIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Supports %d %i %u %x %X %o %p %s %c %% with flags '-', '0', '#', width, precision for %s
 * and length modifiers l, ll, z. Always NUL-terminates when size > 0; returns the
 * length the full output would have had, like C's snprintf. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
