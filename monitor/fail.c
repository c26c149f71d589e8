/* fail.c: buffervm's own messages and exits, kept apart from the guest program's stderr. */
#include "fail.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int msg_fd = 2;

void fail_init(void)
{
    int fd = fcntl(2, F_DUPFD_CLOEXEC, 100);
    if (fd >= 0)
        msg_fd = fd;
}

int fail_fd(void) { return msg_fd; }

static void vmsg(const char *tag, const char *fmt, va_list ap)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "buffervm: ");
    if (tag)
        n += snprintf(buf + n, sizeof buf - n, "%s: ", tag);
    if (n < (int)sizeof buf)
        n += vsnprintf(buf + n, sizeof buf - n, fmt, ap);
    if (n >= (int)sizeof buf - 1)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    ssize_t w = write(msg_fd, buf, n);
    (void)w;
}

void fail_exit(int status, const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(tag, fmt, ap);
    va_end(ap);
    exit(status);
}

void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(NULL, fmt, ap);
    va_end(ap);
}
