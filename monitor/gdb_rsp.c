/* gdb_rsp.c: gdb's remote serial protocol on one connection: listening, packets, acks, interrupts.
 * Everything here reads bytes from the network: lengths are bounded, nothing is trusted. */
#include "gdb_rsp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RSP_INTERRUPT 0x03

static int listen_unix(const char *path, char *why, size_t whylen)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (!path[0] || strlen(path) >= sizeof a.sun_path) {
        snprintf(why, whylen, "unix:%s: not a usable socket path", path);
        return -1;
    }
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1) < 0) {
        snprintf(why, whylen, "cannot listen on unix:%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* "PORT", ":PORT" or "ADDR:PORT" (IPv4); 127.0.0.1 unless an address is given. */
static int listen_tcp(const char *spec, char *why, size_t whylen)
{
    char host[64] = "127.0.0.1";
    const char *colon = strrchr(spec, ':'), *port = colon ? colon + 1 : spec;
    if (colon && colon > spec) {
        if ((size_t)(colon - spec) >= sizeof host)
            goto bad;
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = 0;
    }
    char *end;
    errno = 0;
    long p = strtol(port, &end, 10);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)p);
    if (!*port || *end || errno || p < 1 || p > 65535 || inet_pton(AF_INET, host, &a.sin_addr) != 1)
        goto bad;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1) < 0) {
        snprintf(why, whylen, "cannot listen on %s:%ld: %s", host, p, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
bad:
    snprintf(why, whylen, "'%s' is not a port, ADDRESS:PORT or unix:PATH", spec);
    return -1;
}

int rsp_listen(const char *spec, char *why, size_t whylen)
{
    return strncmp(spec, "unix:", 5) == 0 ? listen_unix(spec + 5, why, whylen) : listen_tcp(spec, why, whylen);
}

int rsp_accept(struct rsp *r, int lfd, const char *spec, char *why, size_t whylen)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    int unix_path = strncmp(spec, "unix:", 5) == 0;
    int fd;
    do
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    int err = errno;
    close(lfd);
    if (unix_path)
        unlink(spec + 5); /* one connection only: nobody else may come in */
    if (fd < 0) {
        snprintf(why, whylen, "cannot take gdb's connection: %s", strerror(err));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* (fails harmlessly on unix) */
    r->fd = fd;
    return 0;
}

/* The next byte from gdb, or -1 when it is gone. */
static int get_byte(struct rsp *r)
{
    if (r->pos == r->len) {
        ssize_t n;
        do
            n = read(r->fd, r->buf, sizeof r->buf);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            return -1;
        r->pos = 0;
        r->len = (size_t)n;
    }
    return r->buf[r->pos++];
}

static int put(struct rsp *r, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(r->fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One packet's body after '$', up to '#' and the checksum: 1 good, 0 bad (too long, checksum),
 * -1 gone. '}' escapes are undone; the checksum covers the bytes as sent. */
static int read_body(struct rsp *r)
{
    uint8_t sum = 0;
    int c, escaped = 0, fits = 1;
    r->in_len = 0;
    while ((c = get_byte(r)) >= 0 && c != '#') {
        sum = (uint8_t)(sum + c);
        if (c == '}' && !escaped) {
            escaped = 1;
            continue;
        }
        if (r->in_len == RSP_MAX)
            fits = 0;
        else
            r->in[r->in_len++] = (char)(escaped ? c ^ 0x20 : c);
        escaped = 0;
    }
    int h = c < 0 ? -1 : hexval(get_byte(r)), l = h < 0 ? -1 : hexval(get_byte(r));
    if (c < 0)
        return -1;
    r->in[r->in_len] = 0;
    return fits && (r->noack || (h >= 0 && l >= 0 && (uint8_t)(h << 4 | l) == sum));
}

long rsp_recv(struct rsp *r)
{
    for (;;) {
        int c = get_byte(r);
        if (c < 0)
            return -1;
        if (c != '$')
            continue; /* '+', '-', an interrupt while the program stands, noise */
        int ok = read_body(r);
        if (ok < 0)
            return -1;
        if (!r->noack && put(r, ok ? "+" : "-", 1) < 0)
            return -1;
        if (ok)
            return (long)r->in_len;
    }
}

/* Waits for gdb's '+' (it sends '-' for a packet to be sent again): 1, 0 to resend, -1 gone. */
static int await_ack(struct rsp *r)
{
    for (;;) {
        int c = get_byte(r);
        if (c < 0)
            return -1;
        if (c == '+')
            return 1;
        if (c == '-')
            return 0;
        if (c == '$') { /* gdb gave up waiting and sent a packet: take our ack as given */
            r->pos--;
            return 1;
        }
    }
}

int rsp_send(struct rsp *r, const char *data, size_t len)
{
    static char out[2 * RSP_MAX + 4];
    size_t n = 0;
    uint8_t sum = 0;
    out[n++] = '$';
    for (size_t i = 0; i < len && n < sizeof out - 4; i++) {
        char c = data[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            out[n++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        }
        out[n++] = c;
        sum = (uint8_t)(sum + (uint8_t)c);
    }
    n += (size_t)snprintf(out + n, 4, "#%02x", sum);
    for (int tries = 0; tries < 8; tries++) {
        if (put(r, out, n) < 0)
            return -1;
        int a = r->noack ? 1 : await_ack(r);
        if (a)
            return a < 0 ? -1 : 0;
    }
    return -1;
}

int rsp_send_str(struct rsp *r, const char *s) { return rsp_send(r, s, strlen(s)); }

int rsp_interrupted(struct rsp *r)
{
    if (r->fd < 0)
        return 0;
    for (;;) {
        if (r->pos < r->len) {
            if (r->buf[r->pos++] == RSP_INTERRUPT)
                return 1;
            continue;
        }
        ssize_t n = recv(r->fd, r->buf, sizeof r->buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return 1; /* gone: the stop that follows finds it out */
        if (n < 0)
            return 0;
        r->pos = 0;
        r->len = (size_t)n;
    }
}

void rsp_async(struct rsp *r, int on)
{
    if (r->fd < 0)
        return;
    int fl = fcntl(r->fd, F_GETFL);
    if (on) {
        fcntl(r->fd, F_SETOWN, getpid());
        fcntl(r->fd, F_SETSIG, SIGIO);
    }
    fcntl(r->fd, F_SETFL, on ? fl | O_ASYNC : fl & ~O_ASYNC);
}

void rsp_close(struct rsp *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}

void rsp_hex(char *out, const uint8_t *in, size_t n)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = 0;
}

int rsp_unhex(uint8_t *out, const char *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int h = hexval((unsigned char)in[2 * i]), l = h < 0 ? -1 : hexval((unsigned char)in[2 * i + 1]);
        if (l < 0)
            return -1;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return 0;
}

int rsp_num(const char **s, uint64_t *v)
{
    const char *p = *s;
    uint64_t x = 0;
    int d, n = 0;
    while ((d = hexval((unsigned char)*p)) >= 0) {
        if (x >> 60)
            return -1;
        x = x << 4 | (uint64_t)d;
        p++;
        n++;
    }
    if (!n)
        return -1;
    *s = p;
    *v = x;
    return 0;
}
