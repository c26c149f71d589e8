/* fail.c: buffervm's own messages and exits, kept apart from the guest program's stderr. */
#include "fail.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
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

/* Appends v in hex to p (async-signal-safe); returns the end. */
static char *hex(char *p, uint64_t v)
{
    int shift = 60;
    *p++ = '0', *p++ = 'x';
    while (shift > 0 && !(v >> shift))
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        *p++ = "0123456789abcdef"[(v >> shift) & 15];
    return p;
}

/* A fault in buffervm itself is a bug in buffervm whatever the program did (its own faults are the
 * guest kernel's to handle): one line says so, then the run dies of the signal as before (the
 * handler is reset; the faulting instruction runs again, or the signal is raised again). */
static void on_crash(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    char line[160], *p = line;
    static const char head[] = "buffervm: internal error: signal ";
    memcpy(p, head, sizeof head - 1), p += sizeof head - 1;
    if (sig >= 10)
        *p++ = (char)('0' + sig / 10);
    *p++ = (char)('0' + sig % 10);
    static const char at[] = " at address ";
    memcpy(p, at, sizeof at - 1), p += sizeof at - 1;
    p = hex(p, (uint64_t)(uintptr_t)si->si_addr);
    static const char tail[] = " (a bug in buffervm, not in the program)\n";
    memcpy(p, tail, sizeof tail - 1), p += sizeof tail - 1;
    ssize_t w = write(msg_fd, line, (size_t)(p - line));
    (void)w;
    if (si->si_code <= 0) /* sent (abort, raise): send it again, now with the default action */
        raise(sig);
}

void fail_catch_crashes(void)
{
    static char stack[64 * 1024];
    stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK | SA_NODEFER;
    sigaltstack(&ss, NULL);
    for (int sig = 1; sig < 32; sig++)
        if (sig == SIGSEGV || sig == SIGILL || sig == SIGFPE || sig == SIGABRT)
            sigaction(sig, &sa, NULL);
}

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
