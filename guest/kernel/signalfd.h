/* signalfd.h: signalfd descriptors: the kernel's pending signals read as a file. */
#ifndef SIGNALFD_H
#define SIGNALFD_H

#include "kernel.h"

/* Whether a host fd is a signalfd, and then the signals it reads (its guest fds share them, as
 * dup'ed fds share the open file). */
bool signalfd_lookup(int host, uint64_t *mask);
/* read on a signalfd: one linux_signalfd_siginfo per pending signal of its set, waiting for one
 * unless nonblock. */
int64_t signalfd_read(int host, uint64_t ubuf, uint64_t len, bool nonblock);
/* Each signalfd's host eventfd readable exactly while a signal of its set is pending: done before
 * the kernel lets the host wait on fds (epoll_wait, the scheduler's idle poll). */
void signalfd_sync(void);
/* The host fd is closed: it stands for nothing any more. */
void signalfd_host_closed(int host);

#endif
