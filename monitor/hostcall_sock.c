/* hostcall_sock.c: SOCK: the socket calls on host sockets. Addresses, option values and control
 * messages arrive in one copy of the guest's struct bvm_sock_msg, checked here before the host sees
 * them: descriptors passed with SCM_RIGHTS must be the guest's own, and only options whose values
 * are plain data (no pointers into the monitor) are let through. */
#include "hostcall.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "events.h"
#include "fail.h"
#include "hostcall_fs.h"
#include "policy.h"
#include "sock_names.h"

/* The families a guest may open: local, internet, and routing information (getaddrinfo's
 * AI_ADDRCONFIG asks netlink). Others are EAFNOSUPPORT, as on a kernel built without them. */
static int64_t sock_family_ok(int domain, int protocol)
{
    switch (domain) {
    case AF_UNIX: case AF_INET: case AF_INET6: return 0;
    case AF_NETLINK: return protocol == NETLINK_ROUTE ? 0 : -EPROTONOSUPPORT;
    default: return -EAFNOSUPPORT;
    }
}

struct sockopt_id {
    int level, name;
};

/* Options with plain values (numbers, structs of numbers, strings). The rest, BPF filters with
 * their pointer first among them, are ENOPROTOOPT, as an option the kernel does not know. */
static const struct sockopt_id plain_opts[] = {
    {SOL_SOCKET, SO_DEBUG}, {SOL_SOCKET, SO_REUSEADDR}, {SOL_SOCKET, SO_TYPE}, {SOL_SOCKET, SO_ERROR},
    {SOL_SOCKET, SO_DONTROUTE}, {SOL_SOCKET, SO_BROADCAST}, {SOL_SOCKET, SO_SNDBUF}, {SOL_SOCKET, SO_RCVBUF},
    {SOL_SOCKET, SO_KEEPALIVE}, {SOL_SOCKET, SO_OOBINLINE}, {SOL_SOCKET, SO_NO_CHECK},
    {SOL_SOCKET, SO_PRIORITY}, {SOL_SOCKET, SO_LINGER}, {SOL_SOCKET, SO_REUSEPORT}, {SOL_SOCKET, SO_PASSCRED},
    {SOL_SOCKET, SO_PEERCRED}, {SOL_SOCKET, SO_RCVLOWAT}, {SOL_SOCKET, SO_SNDLOWAT},
    {SOL_SOCKET, SO_RCVTIMEO_OLD}, {SOL_SOCKET, SO_SNDTIMEO_OLD}, {SOL_SOCKET, SO_RCVTIMEO_NEW},
    {SOL_SOCKET, SO_SNDTIMEO_NEW}, {SOL_SOCKET, SO_BINDTODEVICE}, {SOL_SOCKET, SO_TIMESTAMP_OLD},
    {SOL_SOCKET, SO_TIMESTAMPNS_OLD}, {SOL_SOCKET, SO_TIMESTAMP_NEW}, {SOL_SOCKET, SO_ACCEPTCONN},
    {SOL_SOCKET, SO_PEERSEC}, {SOL_SOCKET, SO_PASSSEC}, {SOL_SOCKET, SO_MARK}, {SOL_SOCKET, SO_PROTOCOL},
    {SOL_SOCKET, SO_DOMAIN}, {SOL_SOCKET, SO_RXQ_OVFL}, {SOL_SOCKET, SO_PEEK_OFF}, {SOL_SOCKET, SO_BUSY_POLL},
    {SOL_SOCKET, SO_INCOMING_CPU}, {SOL_SOCKET, SO_BINDTOIFINDEX}, {SOL_SOCKET, SO_SNDBUFFORCE},
    {SOL_SOCKET, SO_RCVBUFFORCE}, {SOL_SOCKET, SO_PEERGROUPS},
    {IPPROTO_TCP, TCP_NODELAY}, {IPPROTO_TCP, TCP_MAXSEG}, {IPPROTO_TCP, TCP_CORK}, {IPPROTO_TCP, TCP_KEEPIDLE},
    {IPPROTO_TCP, TCP_KEEPINTVL}, {IPPROTO_TCP, TCP_KEEPCNT}, {IPPROTO_TCP, TCP_SYNCNT},
    {IPPROTO_TCP, TCP_LINGER2}, {IPPROTO_TCP, TCP_DEFER_ACCEPT}, {IPPROTO_TCP, TCP_WINDOW_CLAMP},
    {IPPROTO_TCP, TCP_INFO}, {IPPROTO_TCP, TCP_QUICKACK}, {IPPROTO_TCP, TCP_CONGESTION},
    {IPPROTO_TCP, TCP_USER_TIMEOUT}, {IPPROTO_TCP, TCP_FASTOPEN}, {IPPROTO_TCP, TCP_NOTSENT_LOWAT},
    {IPPROTO_TCP, TCP_FASTOPEN_CONNECT}, {IPPROTO_UDP, UDP_CORK}, {IPPROTO_UDP, UDP_SEGMENT},
    {IPPROTO_IP, IP_TOS}, {IPPROTO_IP, IP_TTL}, {IPPROTO_IP, IP_HDRINCL}, {IPPROTO_IP, IP_OPTIONS},
    {IPPROTO_IP, IP_PKTINFO}, {IPPROTO_IP, IP_RECVTTL}, {IPPROTO_IP, IP_RECVTOS}, {IPPROTO_IP, IP_RECVERR},
    {IPPROTO_IP, IP_MTU_DISCOVER}, {IPPROTO_IP, IP_MTU}, {IPPROTO_IP, IP_FREEBIND},
    {IPPROTO_IP, IP_MULTICAST_IF}, {IPPROTO_IP, IP_MULTICAST_TTL}, {IPPROTO_IP, IP_MULTICAST_LOOP},
    {IPPROTO_IP, IP_ADD_MEMBERSHIP}, {IPPROTO_IP, IP_DROP_MEMBERSHIP}, {IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT},
    {IPPROTO_IP, IP_RECVORIGDSTADDR}, {IPPROTO_IPV6, IPV6_V6ONLY}, {IPPROTO_IPV6, IPV6_UNICAST_HOPS},
    {IPPROTO_IPV6, IPV6_MULTICAST_IF}, {IPPROTO_IPV6, IPV6_MULTICAST_HOPS}, {IPPROTO_IPV6, IPV6_MULTICAST_LOOP},
    {IPPROTO_IPV6, IPV6_JOIN_GROUP}, {IPPROTO_IPV6, IPV6_LEAVE_GROUP}, {IPPROTO_IPV6, IPV6_RECVPKTINFO},
    {IPPROTO_IPV6, IPV6_PKTINFO}, {IPPROTO_IPV6, IPV6_TCLASS}, {IPPROTO_IPV6, IPV6_RECVTCLASS},
    {IPPROTO_IPV6, IPV6_RECVERR}, {IPPROTO_IPV6, IPV6_MTU_DISCOVER}, {IPPROTO_IPV6, IPV6_MTU},
    {IPPROTO_IPV6, IPV6_RECVHOPLIMIT}, {SOL_NETLINK, NETLINK_PKTINFO}, {SOL_NETLINK, NETLINK_ADD_MEMBERSHIP},
    {SOL_NETLINK, NETLINK_DROP_MEMBERSHIP}, {SOL_NETLINK, NETLINK_EXT_ACK}, {SOL_NETLINK, NETLINK_GET_STRICT_CHK},
};

static int sockopt_plain(int level, int name)
{
    for (size_t i = 0; i < sizeof plain_opts / sizeof plain_opts[0]; i++)
        if (plain_opts[i].level == level && plain_opts[i].name == name)
            return 1;
    return 0;
}

/* Calls fn on each descriptor slot of mh's SCM_RIGHTS messages, until one returns an error. */
static int64_t each_right(struct hc_ctx *c, struct msghdr *mh, int64_t (*fn)(struct hc_ctx *, int *))
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        int *fds = (int *)CMSG_DATA(cm);
        for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
            int64_t r = fn(c, &fds[i]);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

/* Sent: the kernel put host fds there; each must be the guest's. */
static int64_t right_sendable(struct hc_ctx *c, int *fd)
{
    return hc_fd_ok(c, *fd) ? 0 : -EBADF;
}

/* Received: the guest's from now on; one the monitor cannot hand over is closed and its slot says
 * -1 (the kernel drops it and reports MSG_CTRUNC). */
static int64_t right_adopt(struct hc_ctx *c, int *fd)
{
    if (hc_fd_adopt(c, *fd) < 0)
        *fd = -1;
    return 0;
}

/* A socket's timeout for the wait of a receive (or accept) or a send, in ms (0: none, as Linux's). */
static uint32_t sock_timeout_ms(int fd, int send)
{
    struct timeval tv;
    socklen_t len = sizeof tv;
    if (getsockopt(fd, SOL_SOCKET, send ? SO_SNDTIMEO : SO_RCVTIMEO, &tv, &len) < 0)
        return 0;
    uint64_t ms = (uint64_t)tv.tv_sec * 1000 + ((uint64_t)tv.tv_usec + 999) / 1000;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* A call that may wait (not on an O_NONBLOCK socket): under BVM_IO_TRY it is made only when poll
 * says it would not wait, else -BVM_ENOTREADY; an event cuts a wait short either way. */
static int64_t may_wait(const struct bvm_hc_sock *a, short events)
{
    struct pollfd p = {a->fd, events, 0};
    if (!(a->flags & BVM_IO_TRY) || hc_fd_nonblocking(a->fd))
        return 0;
    return poll(&p, 1, 0) > 0 ? 0 : -BVM_ENOTREADY;
}

static int64_t sock_accept(struct hc_ctx *c, const struct bvm_hc_sock *a, struct bvm_sock_msg *m)
{
    socklen_t len = sizeof m->name;
    if (a->a & ~SOCK_NONBLOCK)
        return -EINVAL;
    int64_t r = may_wait(a, POLLIN);
    if (r < 0)
        return r;
    r = safe_syscall(SYS_accept4, a->fd, m->name, &len, a->a | SOCK_CLOEXEC, 0, 0);
    m->name_len = len;
    if (r >= 0 && policy_sandboxed())
        sock_name_copy(a->fd, (int)r);
    return r < 0 ? r : hc_fd_adopt(c, (int)r);
}

/* SENDMSG, RECVMSG: the data through the guest's segments, the name and control in m. Under
 * BVM_IO_TRY the host call is made with MSG_DONTWAIT, and EAGAIN (from a socket the program
 * did not make non-blocking) becomes -BVM_ENOTREADY. */
static int64_t sock_msg(struct hc_ctx *c, const struct bvm_hc_sock *a, struct bvm_sock_msg *m)
{
    struct bvm_seg segs[BVM_HC_MAX_SEGS];
    struct iovec iov[BVM_HC_MAX_SEGS];
    uint64_t total;
    int recv = a->op == BVM_SOCK_RECVMSG;
    int n = hc_segs(c, a->segs_gpa, a->nsegs, recv, segs, iov, &total);
    if (n < 0)
        return n;
    struct msghdr mh = {m->name_len ? m->name : NULL, m->name_len, iov, (size_t)n,
                        m->data_len ? m->data : NULL, m->data_len, 0};
    int flags = a->a | (recv ? MSG_CMSG_CLOEXEC : 0);
    int try = (a->flags & BVM_IO_TRY) && !(flags & MSG_DONTWAIT) && !hc_fd_nonblocking(a->fd);
    if (!recv && m->data_len && each_right(c, &mh, right_sendable) < 0)
        return -EBADF;
    long got = safe_syscall(recv ? SYS_recvmsg : SYS_sendmsg, a->fd, &mh, flags | (try ? MSG_DONTWAIT : 0), 0, 0, 0);
    if (got == -EAGAIN && try)
        return -BVM_ENOTREADY;
    if (got < 0 || !recv)
        return got;
    each_right(c, &mh, right_adopt);
    m->name_len = mh.msg_namelen;
    m->data_len = (uint32_t)mh.msg_controllen;
    m->msg_flags = (uint32_t)mh.msg_flags;
    hc_segs_written(c, segs, n, iov, (uint64_t)got);
    return got;
}

static int64_t sock_opt(const struct bvm_hc_sock *a, struct bvm_sock_msg *m)
{
    socklen_t len = m->data_len;
    if (!sockopt_plain(a->a, a->b))
        return -ENOPROTOOPT;
    if (a->op == BVM_SOCK_SETSOCKOPT)
        return setsockopt(a->fd, a->a, a->b, m->data, len) < 0 ? -errno : 0;
    if (getsockopt(a->fd, a->a, a->b, m->data, &len) < 0)
        return -errno;
    m->data_len = len;
    return 0;
}

static int64_t sock_name(const struct bvm_hc_sock *a, struct bvm_sock_msg *m)
{
    socklen_t len = sizeof m->name;
    int rc = a->op == BVM_SOCK_GETSOCKNAME ? getsockname(a->fd, (struct sockaddr *)m->name, &len)
                                           : getpeername(a->fd, (struct sockaddr *)m->name, &len);
    if (rc < 0)
        return -errno;
    struct sockaddr_un *un = (struct sockaddr_un *)m->name;
    int n = policy_sandboxed() && len > sizeof(sa_family_t) && un->sun_family == AF_UNIX
                ? sock_name_recall(a->fd, a->op == BVM_SOCK_GETPEERNAME, un->sun_path, sizeof un->sun_path)
                : -1;
    m->name_len = n < 0 ? len : (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    return 0;
}

static int64_t sock_socket(struct hc_ctx *c, const struct bvm_hc_sock *a)
{
    int64_t r = sock_family_ok(a->a, a->c);
    if (r < 0 || (r = policy_socket(a->a)) < 0)
        return r;
    if (a->b & ~(0xf | SOCK_NONBLOCK))
        return -EINVAL;
    return hc_fd_adopt(c, socket(a->a, a->b | SOCK_CLOEXEC, a->c));
}

/* An AF_UNIX path name in m, copied into p->text (NUL-terminated): 1; an abstract name: 0. */
static int unix_path(const struct bvm_sock_msg *m, struct hc_gpath *p)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)m->name;
    if (!un->sun_path[0])
        return 0;
    size_t n = strnlen(un->sun_path, m->name_len - sizeof(sa_family_t));
    memcpy(p->text, un->sun_path, n);
    p->text[n] = 0;
    return 1;
}

/* bind under the sandbox: the socket is made from the directory the policy let the guest change,
 * so nothing can move it elsewhere meanwhile (the name it keeps is its last component). */
static int64_t unix_bind_sandboxed(struct hc_ctx *c, const struct bvm_hc_sock *a, struct hc_gpath *p)
{
    struct sockaddr_un here = {.sun_family = AF_UNIX};
    int err = hc_path_resolve(c, AT_FDCWD, p, HC_WALK_PARENT, 0, HC_ACC_WRITE);
    if (err)
        return err;
    int cwd = open(".", O_PATH | O_CLOEXEC);
    snprintf(here.sun_path, sizeof here.sun_path, "%s", p->last);
    int64_t r = cwd < 0 || fchdir(p->fd) < 0 ? -errno : 0;
    if (!r && bind(a->fd, (struct sockaddr *)&here, sizeof here) < 0)
        r = -errno;
    if (cwd >= 0 && (fchdir(cwd) < 0 || close(cwd) < 0))
        fail("sandbox", "cannot return to the program's directory: %s", strerror(errno));
    hc_gpath_put(p);
    return r;
}

/* The address a bind, connect or send names, under the sandbox: an AF_UNIX path goes through the
 * path policy like any path (bind: unix_bind_sandboxed, done here: 1 or -errno; connect and send:
 * m's name becomes the checked socket file's fd, *held, which the caller closes); abstract names
 * are refused. 0: the call goes on. */
static int64_t unix_name_sandboxed(struct hc_ctx *c, const struct bvm_hc_sock *a, struct bvm_sock_msg *m,
                                   int *held)
{
    static struct hc_gpath p; /* (large: not on the stack) */
    struct sockaddr_un *un = (struct sockaddr_un *)m->name;
    int named = a->op == BVM_SOCK_BIND || a->op == BVM_SOCK_CONNECT || a->op == BVM_SOCK_SENDMSG;
    if (!named || !policy_sandboxed() || m->name_len <= sizeof(sa_family_t) || un->sun_family != AF_UNIX)
        return 0;
    if (!unix_path(m, &p))
        return -EACCES; /* abstract names: refused under the sandbox */
    char given[sizeof un->sun_path + 1]; /* as the program gave it (the lookup may cut p's copy) */
    size_t n = strnlen(p.text, sizeof given - 1); /* (unix_path took at most sun_path's bytes) */
    memcpy(given, p.text, n);
    given[n] = 0;
    if (a->op == BVM_SOCK_BIND) {
        int64_t r = unix_bind_sandboxed(c, a, &p);
        if (!r)
            sock_name_remember(a->fd, 0, given);
        return r ?: 1;
    }
    int err = hc_path_resolve(c, AT_FDCWD, &p, HC_WALK_FOLLOW, 0, HC_ACC_READ);
    if (err)
        return err;
    if (a->op == BVM_SOCK_CONNECT) /* (remembered before the call: it may wait, or fail) */
        sock_name_remember(a->fd, 1, given);
    *held = p.fd;
    snprintf(un->sun_path, sizeof un->sun_path, "/proc/self/fd/%d", p.fd);
    m->name_len = (uint32_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un->sun_path) + 1);
    return 0;
}


/* A connect that went on in the host: -BVM_ENOTREADY while it does, then its result (SO_ERROR). */
static int64_t connect_result(struct hc_ctx *c, int fd)
{
    struct pollfd p = {fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, 0) == 0)
        return -BVM_ENOTREADY;
    hc_fd_bit_set(c->connecting, fd, 0);
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ? -errno : -err;
}

/* CONNECT. Under BVM_IO_TRY, on a socket the program did not make non-blocking, the host's connect
 * is made without waiting: one that would (EINPROGRESS) is -BVM_ENOTREADY, and so is each CONNECT
 * of that socket after it until poll says it is over, then its result. Only a connect that cannot
 * go on in the background (an AF_UNIX listener's full backlog: EAGAIN) waits in the host, holding
 * the vCPU. An event cuts a wait short. */
static int64_t sock_connect(struct hc_ctx *c, const struct bvm_hc_sock *a, struct bvm_sock_msg *m)
{
    if (!(a->flags & BVM_IO_TRY) || hc_fd_nonblocking(a->fd))
        return safe_syscall(SYS_connect, a->fd, m->name, m->name_len, 0, 0, 0);
    if (hc_fd_bit(c->connecting, a->fd))
        return connect_result(c, a->fd);
    int fl = fcntl(a->fd, F_GETFL); /* (the open file's flag, for the one call only) */
    if (fl < 0 || fcntl(a->fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -EBADF;
    int r = connect(a->fd, (struct sockaddr *)m->name, m->name_len), e = errno;
    fcntl(a->fd, F_SETFL, fl);
    if (r < 0 && e == EINPROGRESS)
        return hc_fd_bit_set(c->connecting, a->fd, 1), -BVM_ENOTREADY;
    if (r < 0 && e == EAGAIN)
        return safe_syscall(SYS_connect, a->fd, m->name, m->name_len, 0, 0, 0);
    return r < 0 ? -e : 0;
}

/* The host call itself. */
static int64_t sock_call(struct hc_ctx *c, const struct bvm_hc_sock *a, struct bvm_sock_msg *m)
{
    switch (a->op) {
    case BVM_SOCK_BIND: return bind(a->fd, (struct sockaddr *)m->name, m->name_len) < 0 ? -errno : 0;
    case BVM_SOCK_CONNECT: return sock_connect(c, a, m);
    case BVM_SOCK_LISTEN: return listen(a->fd, a->a) < 0 ? -errno : 0;
    case BVM_SOCK_ACCEPT: return sock_accept(c, a, m);
    case BVM_SOCK_SHUTDOWN: return shutdown(a->fd, a->a) < 0 ? -errno : 0;
    case BVM_SOCK_GETSOCKNAME:
    case BVM_SOCK_GETPEERNAME: return sock_name(a, m);
    case BVM_SOCK_SETSOCKOPT:
    case BVM_SOCK_GETSOCKOPT: return sock_opt(a, m);
    case BVM_SOCK_SENDMSG:
    case BVM_SOCK_RECVMSG: return sock_msg(c, a, m);
    default: return -EINVAL;
    }
}

static int64_t sock_op(struct hc_ctx *c, const struct bvm_hc_sock *a, struct bvm_sock_msg *m)
{
    int held = -1;
    int64_t r = unix_name_sandboxed(c, a, m, &held);
    if (r)
        return r == 1 ? 0 : r; /* refused, or bound already */
    r = sock_call(c, a, m);
    if (held >= 0)
        close(held);
    return r;
}

int64_t hc_sock(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_sock *a = &r->u.sock;
    struct bvm_sock_msg m;
    if (a->op == BVM_SOCK_SOCKET)
        return sock_socket(c, a);
    if (a->op >= BVM_SOCK_COUNT)
        return -EINVAL;
    if (!hc_fd_ok(c, a->fd))
        return -EBADF;
    if (gm_read(c->gm, a->msg_gpa, &m, sizeof m) < 0 || !gm_ptr_w(c->gm, a->msg_gpa, sizeof m))
        return -EFAULT;
    if (m.name_len > sizeof m.name || m.data_len > sizeof m.data)
        return -EINVAL;
    m.msg_flags = m.wait_ms = 0;
    int64_t ret = sock_op(c, a, &m);
    if (ret == -BVM_ENOTREADY)
        m.wait_ms = sock_timeout_ms(a->fd, a->op == BVM_SOCK_SENDMSG || a->op == BVM_SOCK_CONNECT);
    return gm_write(c->gm, a->msg_gpa, &m, sizeof m) < 0 ? -EFAULT : ret;
}
