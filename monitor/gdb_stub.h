/* gdb_stub.h: buffervm --gdb: a gdb remote stub for the program (the boot process of the tree). */
#ifndef BVM_GDB_STUB_H
#define BVM_GDB_STUB_H

#include "hostcall.h"

/* Listens on spec (gdb_rsp.h) and waits for gdb, or with at_error (--gdb-error) lets it in at the
 * program's first heap error; a failure ends buffervm (125). prog is the program's path
 * (qXfer:exec-file); kill: --gdb-detach=kill. */
void gdb_stub_init(const char *spec, const char *prog, int kill, int at_error, int verbose);
/* The connection is fd, already made, the stub's state fresh (tests/fuzz/fuzz_gdb_stub.c). */
void gdb_stub_use_fd(int fd, const char *prog);
/* Whether gdb is connected to this process. */
int gdb_stub_on(void);
/* Whether a reported heap error stops the program for gdb (connected, or waited for). */
int gdb_stub_error_stops(void);
/* From the SIGIO handler (async-signal-safe): whether fd is gdb's connection (noted for
 * gdb_stub_interrupt_due). */
int gdb_stub_io_signal(int fd);
/* In the main flow, while the program runs: whether gdb asked it to stop (or went away). */
int gdb_stub_interrupt_due(void);
/* The program ended: gdb gets W (status) or X (killed by signal status), and the connection closes. */
void gdb_stub_exit(int killed, int status);
/* In a forked monitor: gdb is the parent's. */
void gdb_stub_fork_child(void);

#endif
