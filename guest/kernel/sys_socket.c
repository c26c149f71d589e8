/* sys_socket.c: the socket calls, on host sockets through the SOCK hostcall (socketpair is with
 * the pipes, sys_pipe.c). Addresses, option values and control messages go through a struct
 * bvm_sock_msg in the bounce page; data as segments of the program's buffers. A call that may
 * wait is prepared afresh for each try: while its thread waits, the others' hostcalls reuse the
 * request and the bounce page. */
#include "bvm_linux.h"
#include "events.h"
#include "fd.h"
#include "hostcall.h"
#include "sched.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "task.h"
#include "usercopy.h"
#include "socket.h"
#include "wait.h"

struct bvm_hc_sock *sock_req(int host, uint32_t op, int32_t a, int32_t b)
{
    struct bvm_sock_msg *m = sock_msg();
    struct bvm_hostcall *r = hc_req(BVM_HC_SOCK);
    r->u.sock = (struct bvm_hc_sock){.fd = host, .op = op, .a = a, .b = b, .msg_gpa = kva_to_gpa(m),
                                     .flags = sched_threaded() ? BVM_IO_TRY : 0};
    m->name_len = m->data_len = m->msg_flags = 0;
    return &r->u.sock;
}

struct bvm_sock_msg *sock_msg(void)
{
    return hc_bounce();
}

int64_t sock_issue(int host, int16_t events, int64_t (*prep)(void *), void *arg, int64_t timeout_err)
{
    int64_t deadline = -1;
    for (;;) {
        int64_t r = prep(arg);
        if (r < 0)
            return r;
        r = hc_issue();
        if (r == -BVM_ENOTREADY) {
            uint32_t timeout = sock_msg()->wait_ms; /* SO_RCVTIMEO/SO_SNDTIMEO: EAGAIN once past */
            if (timeout && deadline < 0)
                deadline = wait_deadline(timeout);
            if (deadline >= 0 && wait_now_ms() >= deadline)
                return timeout_err;
            sched_wait_fd(host, events, deadline);
            if (!signal_interrupts())
                continue;
            r = -LINUX_EINTR;
        }
        if (r == -LINUX_EINTR && !events_interrupted())
            continue;
        return r == -LINUX_EINTR ? -LINUX_ERESTARTSYS : r;
    }
}

/* An address from the program (move_addr_to_kernel's rules). */
int64_t sock_name_in(struct bvm_sock_msg *m, uint64_t uaddr, uint64_t ulen)
{
    if ((int32_t)ulen < 0 || (uint32_t)ulen > BVM_SOCK_NAME_MAX)
        return -LINUX_EINVAL;
    if (ulen && copy_from_user(m->name, uaddr, (uint32_t)ulen))
        return -LINUX_EFAULT;
    m->name_len = (uint32_t)ulen;
    return 0;
}

/* An address to the program: as much as its *ulenp allows, and the full length in *ulenp. */
int64_t sock_name_out(const struct bvm_sock_msg *m, uint64_t uaddr, uint64_t ulenp)
{
    int32_t len;
    if (!uaddr)
        return 0;
    if (copy_from_user(&len, ulenp, sizeof(len)))
        return -LINUX_EFAULT;
    if (len < 0)
        return -LINUX_EINVAL;
    uint32_t n = MIN((uint32_t)len, MIN(m->name_len, (uint32_t)BVM_SOCK_NAME_MAX));
    if ((n && copy_to_user(uaddr, m->name, n)) || copy_to_user(ulenp, &m->name_len, sizeof(int32_t)))
        return -LINUX_EFAULT;
    return 0;
}

/* An address length pointer the program passed: readable and not negative (checked before
 * the call, as Linux reads it first). */
int64_t sock_name_len_ok(uint64_t uaddr, uint64_t ulenp)
{
    int32_t len;
    if (!uaddr)
        return 0;
    if (copy_from_user(&len, ulenp, sizeof(len)))
        return -LINUX_EFAULT;
    return len < 0 ? -LINUX_EINVAL : 0;
}

int64_t sys_socket(SYSARGS)
{
    uint32_t type = (uint32_t)a1;
    if (type & ~(uint32_t)(LINUX_SOCK_TYPE_MASK | LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
        return -LINUX_EINVAL;
    sock_req(-1, BVM_SOCK_SOCKET, (int32_t)a0, (int32_t)(type & ~(uint32_t)LINUX_SOCK_CLOEXEC))->c = (int32_t)a2;
    int64_t h = hc_issue();
    if (h < 0)
        return h;
    return fd_install((int)h, LINUX_O_RDWR | (type & LINUX_SOCK_NONBLOCK), (type & LINUX_SOCK_CLOEXEC) != 0);
}

/* bind, connect: an address in. */
struct name_call {
    int host;
    uint32_t op;
    uint64_t uaddr, ulen;
    int tries;
};

static int64_t name_call_prep(void *arg)
{
    struct name_call *nc = arg;
    sock_req(nc->host, nc->op, 0, 0);
    nc->tries++;
    return sock_name_in(sock_msg(), nc->uaddr, nc->ulen);
}

int64_t sys_bind(SYSARGS)
{
    struct name_call nc = {fd_host((int32_t)a0), BVM_SOCK_BIND, a1, a2, 0};
    if (nc.host < 0)
        return nc.host;
    int64_t r = name_call_prep(&nc);
    return r < 0 ? r : hc_issue();
}

int64_t sys_connect(SYSARGS)
{
    struct name_call nc = {fd_host((int32_t)a0), BVM_SOCK_CONNECT, a1, a2, 0};
    if (nc.host < 0)
        return nc.host;
    int64_t r = sock_issue(nc.host, LINUX_POLLOUT, name_call_prep, &nc, -LINUX_EINPROGRESS);
    /* a connect that an event (no signal) cut short, made again after it completed meanwhile */
    return r == -LINUX_EISCONN && nc.tries > 1 ? 0 : r;
}

int64_t sys_listen(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    int32_t backlog = (int32_t)a1;
    sock_req(h, BVM_SOCK_LISTEN, backlog > LINUX_SOMAXCONN ? LINUX_SOMAXCONN : backlog, 0);
    return hc_issue();
}

int64_t sys_shutdown(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    sock_req(h, BVM_SOCK_SHUTDOWN, (int32_t)a1, 0);
    return hc_issue();
}

/* accept, accept4: the new socket a guest fd; the peer's address as getpeername's. */
struct accept_call {
    int host;
    int32_t flags;
};

static int64_t accept_prep(void *arg)
{
    struct accept_call *ac = arg;
    sock_req(ac->host, BVM_SOCK_ACCEPT, ac->flags, 0);
    sock_msg()->name_len = BVM_SOCK_NAME_MAX;
    return 0;
}

int64_t sys_accept4(SYSARGS)
{
    struct accept_call ac = {fd_host((int32_t)a0), (int32_t)(a3 & LINUX_SOCK_NONBLOCK)};
    if (ac.host < 0)
        return ac.host;
    if (a3 & ~(uint64_t)(LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
        return -LINUX_EINVAL;
    int64_t r = sock_name_len_ok(a1, a2);
    if (r < 0)
        return r;
    int64_t h = sock_issue(ac.host, LINUX_POLLIN, accept_prep, &ac, -LINUX_EAGAIN);
    if (h < 0)
        return h;
    r = sock_name_out(sock_msg(), a1, a2);
    int fd = r < 0 ? (int)r : fd_install((int)h, LINUX_O_RDWR | ((uint32_t)a3 & LINUX_SOCK_NONBLOCK),
                                         (a3 & LINUX_SOCK_CLOEXEC) != 0);
    if (r < 0)
        hc_close((int)h); /* Linux too drops the connection it took when the address cannot be written */
    return fd;
}

int64_t sys_accept(SYSARGS) { return sys_accept4(a0, a1, a2, 0, 0, 0); }

static int64_t get_name(int64_t fd, uint32_t op, uint64_t uaddr, uint64_t ulenp)
{
    int h = fd_host((int32_t)fd);
    if (h < 0)
        return h;
    if (!uaddr)
        return -LINUX_EFAULT;
    int64_t r = sock_name_len_ok(uaddr, ulenp);
    if (r < 0)
        return r;
    struct bvm_sock_msg *m = sock_msg();
    sock_req(h, op, 0, 0);
    m->name_len = BVM_SOCK_NAME_MAX;
    r = hc_issue();
    return r < 0 ? r : sock_name_out(m, uaddr, ulenp);
}

int64_t sys_getsockname(SYSARGS) { return get_name(a0, BVM_SOCK_GETSOCKNAME, a1, a2); }
int64_t sys_getpeername(SYSARGS) { return get_name(a0, BVM_SOCK_GETPEERNAME, a1, a2); }

int64_t sys_setsockopt(SYSARGS)
{
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    if ((int32_t)a4 < 0)
        return -LINUX_EINVAL;
    struct bvm_sock_msg *m = sock_msg();
    sock_req(h, BVM_SOCK_SETSOCKOPT, (int32_t)a1, (int32_t)a2);
    if ((uint32_t)a4 > BVM_SOCK_DATA_MAX)
        return -LINUX_EINVAL;
    if (a4 && copy_from_user(m->data, a3, (uint32_t)a4))
        return -LINUX_EFAULT;
    m->data_len = (uint32_t)a4;
    return hc_issue();
}

int64_t sys_getsockopt(SYSARGS)
{
    int32_t len;
    int h = fd_host((int32_t)a0);
    if (h < 0)
        return h;
    if (copy_from_user(&len, a4, sizeof(len)))
        return -LINUX_EFAULT;
    if (len < 0)
        return -LINUX_EINVAL;
    struct bvm_sock_msg *m = sock_msg();
    sock_req(h, BVM_SOCK_GETSOCKOPT, (int32_t)a1, (int32_t)a2);
    m->data_len = MIN((uint32_t)len, (uint32_t)BVM_SOCK_DATA_MAX);
    int64_t r = hc_issue();
    if (r < 0)
        return r;
    len = (int32_t)MIN(m->data_len, (uint32_t)len);
    if ((len && copy_to_user(a3, m->data, (uint32_t)len)) || copy_to_user(a4, &len, sizeof(len)))
        return -LINUX_EFAULT;
    return 0;
}
