/* socket.h: what the socket calls share (sys_socket.c: set-up and names; sys_sockmsg.c: data). */
#ifndef SOCKET_H
#define SOCKET_H

#include "kernel.h"

/* A SOCK request on host fd, returned for more arguments; its struct bvm_sock_msg (lengths zero)
 * is sock_msg(), in the bounce page. */
struct bvm_hc_sock *sock_req(int host, uint32_t op, int32_t a, int32_t b);
struct bvm_sock_msg *sock_msg(void);

/* Issues the request prep(arg) makes, again for each try, for a call that may wait on host fd for
 * events: a thread of several waits while the others run; an event that needs no signal goes on
 * waiting, a signal ends the call (-ERESTARTSYS, Linux's for sockets without timeouts); past the
 * socket's SO_RCVTIMEO/SO_SNDTIMEO it is timeout_err (-EAGAIN; connect's -EINPROGRESS). */
int64_t sock_issue(int host, int16_t events, int64_t (*prep)(void *), void *arg, int64_t timeout_err);

/* An address from the program into m (move_addr_to_kernel's rules: EINVAL past 128 bytes). */
int64_t sock_name_in(struct bvm_sock_msg *m, uint64_t uaddr, uint64_t ulen);
/* m's address to the program: as much as *ulenp allows, the full length back in *ulenp; nothing
 * when uaddr is NULL. */
int64_t sock_name_out(const struct bvm_sock_msg *m, uint64_t uaddr, uint64_t ulenp);
/* The program's address length (when uaddr is given): readable and not negative. */
int64_t sock_name_len_ok(uint64_t uaddr, uint64_t ulenp);

#endif
