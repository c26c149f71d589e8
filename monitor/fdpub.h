/* fdpub.h: each guest process's descriptor table, published to the tree's other processes
 * (their /proc/<pid>/fd): guest fd numbers and the host fds (of that process's monitor) behind them. */
#ifndef BVM_FDPUB_H
#define BVM_FDPUB_H

#include <stdint.h>

struct hc_ctx;

/* Once, before any fork (after tree_slots_init). */
void fdpub_init(void);
/* In a forked child: its table starts as its parent's (fork copies the guest's table too). */
void fdpub_after_fork(void);

/* BVM_PROC_FD_LOG: the kernel's notes page is at gpa (checked once here); its notes are applied. */
int64_t fdpub_register(struct hc_ctx *c, uint64_t gpa);
/* At every hostcall: the notes the kernel wrote since the last, applied (each one checked: only
 * host fds the guest may name are published). */
void fdpub_apply(const struct hc_ctx *c);
/* The guest's host fd was closed: no guest fd is published with it any more. */
void fdpub_host_closed(int host);

/* Another process of the tree: the host fd behind its guest fd (-ENOENT when not open), and its
 * open guest fds >= from, ascending, up to max into out (how many). -ESRCH: pid is no process of
 * the tree that publishes its table. */
int fdpub_host_of(int pid, int fd);
int fdpub_list(int pid, int from, int32_t *out, int max);
/* Whether another process of the tree publishes host fd (its monitor's) as one of its guest fds. */
int fdpub_publishes(int pid, int host);

#endif
