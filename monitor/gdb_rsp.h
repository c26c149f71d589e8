/* gdb_rsp.h: gdb's remote serial protocol on one connection: listening, packets, acks, interrupts. */
#ifndef BVM_GDB_RSP_H
#define BVM_GDB_RSP_H

#include <stddef.h>
#include <stdint.h>

#define RSP_MAX 16384 /* the largest packet payload taken or sent */

struct rsp {
    int fd;    /* the connection, -1: none */
    int noack; /* QStartNoAckMode: no '+' / '-' any more */
    char in[RSP_MAX + 1]; /* the last packet's payload, escapes undone, NUL after it */
    size_t in_len;
    uint8_t buf[4096]; /* bytes read and not yet used */
    size_t pos, len;
};

/* Listens on spec ("PORT": TCP on 127.0.0.1, "ADDR:PORT", or "unix:PATH"): the listening socket,
 * or -1 with the reason in why. */
int rsp_listen(const char *spec, char *why, size_t whylen);
/* Takes one connection on lfd into r, then closes lfd (and removes spec's unix socket file). 0, or
 * -1 with the reason in why. */
int rsp_accept(struct rsp *r, int lfd, const char *spec, char *why, size_t whylen);
/* The next packet into r->in: its length, or -1 when gdb is gone (EOF, an error). A bad checksum
 * is answered '-' (gdb sends again); an interrupt byte between packets is dropped (the program
 * stands already). */
long rsp_recv(struct rsp *r);
/* One packet (escaped as needed). 0, or -1 when gdb is gone. */
int rsp_send(struct rsp *r, const char *data, size_t len);
int rsp_send_str(struct rsp *r, const char *s);
/* While the program runs: whether gdb interrupted it (0x03) or went away; reads without waiting. */
int rsp_interrupted(struct rsp *r);
/* SIGIO (with si_fd) when bytes come from gdb, on or off. */
void rsp_async(struct rsp *r, int on);
void rsp_close(struct rsp *r);

/* Hex helpers: n bytes to 2n digits (NUL-terminated); digits to bytes (-1 on a bad digit). */
void rsp_hex(char *out, const uint8_t *in, size_t n);
int rsp_unhex(uint8_t *out, const char *in, size_t n);
/* A hex number at *s, advanced past it; -1 when there is none or it overflows. */
int rsp_num(const char **s, uint64_t *v);

#endif
