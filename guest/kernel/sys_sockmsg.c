/* sys_sockmsg.c: data on sockets: send, recv and their msg and mmsg forms. One call moves its
 * data in pieces of at most one hostcall's segments; the name and control messages go with the
 * first. Descriptors in SCM_RIGHTS are translated both ways (guest fds <-> host fds). */
#include "bvm_linux.h"
#include "fd.h"
#include "hostcall.h"
#include "ktime.h"
#include "sched.h"
#include "signal.h"
#include "socket.h"
#include "string.h"
#include "syscall.h"
#include "task.h"
#include "usercopy.h"
#include "wait.h"

/* A try's data segments, filled by its prep and used by its hostcall at once. */
static struct bvm_seg segs[BVM_HC_MAX_SEGS];

struct msg_call {
    int fd, host;
    bool recv;
    uint32_t flags;         /* the program's MSG_ flags */
    struct linux_msghdr h;  /* the program's header (msg_iov a user address unless kiov) */
    struct linux_iovec one; /* send, recv and the -to/-from forms: their buffer */
    bool kiov;
    uint64_t len;           /* bytes all the iovecs offer */
    uint64_t done;          /* bytes moved by the earlier pieces */
    uint64_t want;          /* bytes this piece offers */
    uint64_t ulenp;         /* where the received address's length goes (0: nowhere) */
    uint64_t uhdr;          /* recvmsg: the program's header, for msg_controllen and msg_flags */
};

static int64_t iov_at(const struct msg_call *mc, uint64_t i, struct linux_iovec *v)
{
    if (mc->kiov) {
        *v = mc->one;
        return 0;
    }
    return copy_from_user(v, mc->h.msg_iov + i * sizeof(*v), sizeof(*v)) ? -LINUX_EFAULT : 0;
}

/* The iovecs as Linux checks them first: at most UIO_MAXIOV, lengths not negative. */
static int64_t iov_check(struct msg_call *mc)
{
    struct linux_iovec v;
    if (!mc->kiov && mc->h.msg_iovlen > LINUX_UIO_MAXIOV)
        return -LINUX_EMSGSIZE;
    mc->len = 0;
    for (uint64_t i = 0; i < (mc->kiov ? 1 : mc->h.msg_iovlen); i++) {
        if (iov_at(mc, i, &v) < 0)
            return -LINUX_EFAULT;
        if ((int64_t)v.iov_len < 0)
            return -LINUX_EINVAL;
        mc->len += v.iov_len;
    }
    return 0;
}

/* Segments for the next piece: from mc->done on, as many as one hostcall takes. */
static int64_t gather(struct msg_call *mc, uint32_t *nsegs)
{
    uint64_t skip = mc->done, got = 0, count = mc->kiov ? 1 : mc->h.msg_iovlen;
    uint32_t n = 0;
    struct linux_iovec v;
    for (uint64_t i = 0; i < count && n < BVM_HC_MAX_SEGS && got < BVM_HC_MAX_IO; i++) {
        if (iov_at(mc, i, &v) < 0)
            return -LINUX_EFAULT;
        if (v.iov_len <= skip) {
            skip -= v.iov_len;
            continue;
        }
        uint64_t len = MIN(v.iov_len - skip, BVM_HC_MAX_IO - got), k;
        uint32_t ns;
        int64_t r = user_segs(v.iov_base + skip, len, mc->recv ? ACC_WRITE : ACC_READ, segs + n,
                              BVM_HC_MAX_SEGS - n, &ns);
        skip = 0;
        if (r < 0 && !got)
            return r;
        if (r < 0)
            break;
        n += ns, got += (k = (uint64_t)r);
        if (k < len)
            break;
    }
    *nsegs = n;
    mc->want = got;
    return 0;
}

/* SCM_RIGHTS going out: guest fds become host fds (EBADF for one that is not open); malformed
 * headers are EINVAL, as Linux's __scm_send. */
static int64_t rights_to_host(uint8_t *c, uint64_t len)
{
    for (uint64_t off = 0; off + sizeof(struct linux_cmsghdr) <= len;) {
        struct linux_cmsghdr *cm = (struct linux_cmsghdr *)(c + off);
        if (cm->cmsg_len < sizeof(*cm) || cm->cmsg_len > len - off)
            return -LINUX_EINVAL;
        if (cm->cmsg_level == LINUX_SOL_SOCKET && cm->cmsg_type == LINUX_SCM_RIGHTS) {
            int32_t *fds = (int32_t *)(cm + 1);
            for (uint64_t i = 0; i < (cm->cmsg_len - sizeof(*cm)) / 4; i++) {
                int h = fd_host(fds[i]);
                if (h < 0)
                    return -LINUX_EBADF;
                fds[i] = h;
            }
        }
        off += LINUX_CMSG_ALIGN(cm->cmsg_len);
    }
    return 0;
}

/* The name and control messages of a send: the program's, fds translated. */
static int64_t send_extras(const struct msg_call *mc, struct bvm_sock_msg *m)
{
    if (mc->h.msg_name && mc->h.msg_namelen) {
        int64_t r = sock_name_in(m, mc->h.msg_name, MIN(mc->h.msg_namelen, (uint32_t)BVM_SOCK_NAME_MAX));
        if (r < 0)
            return r;
    }
    if (!mc->h.msg_controllen)
        return 0;
    if (mc->h.msg_controllen > BVM_SOCK_DATA_MAX)
        return -LINUX_ENOBUFS;
    if (copy_from_user(m->data, mc->h.msg_control, mc->h.msg_controllen))
        return -LINUX_EFAULT;
    m->data_len = (uint32_t)mc->h.msg_controllen;
    return rights_to_host(m->data, m->data_len);
}

static int64_t msg_prep(void *arg)
{
    struct msg_call *mc = arg;
    int32_t flags = (int32_t)(mc->flags & ~(uint32_t)LINUX_MSG_CMSG_CLOEXEC);
    struct bvm_hc_sock *r = sock_req(mc->host, mc->recv ? BVM_SOCK_RECVMSG : BVM_SOCK_SENDMSG, flags, 0);
    struct bvm_sock_msg *m = sock_msg();
    uint32_t n;
    int64_t e = gather(mc, &n);
    if (e < 0)
        return e;
    r->segs_gpa = kva_to_gpa(segs);
    r->nsegs = n;
    if (mc->done) /* name and control go with the first piece */
        return 0;
    if (!mc->recv)
        return send_extras(mc, m);
    m->name_len = mc->ulenp ? BVM_SOCK_NAME_MAX : 0;
    m->data_len = (uint32_t)MIN(mc->h.msg_controllen, (uint64_t)BVM_SOCK_DATA_MAX);
    return 0;
}

/* SCM_RIGHTS coming in: host fds become guest fds; one that cannot be had stays -1, with
 * MSG_CTRUNC, as Linux truncates what does not fit. */
static void rights_to_guest(struct bvm_sock_msg *m, bool cloexec)
{
    uint32_t len = MIN(m->data_len, (uint32_t)BVM_SOCK_DATA_MAX);
    for (uint32_t off = 0; off + sizeof(struct linux_cmsghdr) <= len;) {
        struct linux_cmsghdr *cm = (struct linux_cmsghdr *)(m->data + off);
        if (cm->cmsg_len < sizeof(*cm) || cm->cmsg_len > len - off)
            break;
        if (cm->cmsg_level == LINUX_SOL_SOCKET && cm->cmsg_type == LINUX_SCM_RIGHTS) {
            int32_t *fds = (int32_t *)(cm + 1);
            for (uint64_t i = 0; i < (cm->cmsg_len - sizeof(*cm)) / 4; i++) {
                fds[i] = fds[i] < 0 ? -LINUX_EMFILE : fd_install_received(fds[i], cloexec);
                if (fds[i] < 0) {
                    fds[i] = -1;
                    m->msg_flags |= LINUX_MSG_CTRUNC;
                }
            }
        }
        off += (uint32_t)LINUX_CMSG_ALIGN(cm->cmsg_len);
    }
}

/* After the first piece of a receive: the address, control messages and flags to the program. */
static int64_t recv_extras(struct msg_call *mc)
{
    struct bvm_sock_msg *m = sock_msg();
    int64_t r = mc->ulenp ? sock_name_out(m, mc->h.msg_name, mc->ulenp) : 0;
    if (m->data_len)
        rights_to_guest(m, (mc->flags & LINUX_MSG_CMSG_CLOEXEC) != 0);
    /* (the monitor always asks the host for MSG_CMSG_CLOEXEC; the program sees it if it asked) */
    m->msg_flags = (m->msg_flags & ~(uint32_t)LINUX_MSG_CMSG_CLOEXEC) | (mc->flags & LINUX_MSG_CMSG_CLOEXEC);
    if (r < 0 || !mc->uhdr)
        return r;
    uint64_t clen = MIN((uint64_t)m->data_len, mc->h.msg_controllen);
    if ((clen && copy_to_user(mc->h.msg_control, m->data, clen)) ||
        copy_to_user(mc->uhdr + offsetof(struct linux_msghdr, msg_controllen), &clen, sizeof(clen)) ||
        copy_to_user(mc->uhdr + offsetof(struct linux_msghdr, msg_flags), &m->msg_flags, sizeof(m->msg_flags)))
        return -LINUX_EFAULT;
    return 0;
}

/* Whether host socket h is a stream (MSG_WAITALL fills the buffer only there). */
static bool sock_stream(int h)
{
    struct bvm_sock_msg *m = sock_msg();
    sock_req(h, BVM_SOCK_GETSOCKOPT, LINUX_SOL_SOCKET, 3 /* SO_TYPE */);
    m->data_len = sizeof(int32_t);
    int32_t type;
    if (hc_issue() < 0)
        return false;
    memcpy(&type, m->data, sizeof(type));
    return type == LINUX_SOCK_STREAM;
}

/* Whether a piece that moved got bytes is followed by another: a blocking send goes on until all
 * is sent (a thread's send moves what fits without waiting), a MSG_WAITALL receive on a stream
 * until its buffer is full. */
static bool goes_on(struct msg_call *mc, int64_t got)
{
    bool blocking = !(mc->flags & LINUX_MSG_DONTWAIT) && !(fd_status(mc->fd) & LINUX_O_NONBLOCK);
    if (got <= 0 || mc->done >= mc->len || !blocking || ((uint64_t)got < mc->want && !sched_threaded()))
        return false;
    if (!mc->recv)
        return true;
    return (mc->flags & LINUX_MSG_WAITALL) && !(mc->flags & LINUX_MSG_PEEK) && sock_stream(mc->host);
}

static int64_t msg_run(struct msg_call *mc)
{
    int64_t r = iov_check(mc);
    if (r < 0)
        return r;
    for (mc->done = 0;;) {
        int64_t got = sock_issue(mc->host, mc->recv ? LINUX_POLLIN : LINUX_POLLOUT, msg_prep, mc, -LINUX_EAGAIN);
        if (got < 0 && mc->done)
            return (int64_t)mc->done;
        if (got == -LINUX_EPIPE && !mc->recv && !(mc->flags & LINUX_MSG_NOSIGNAL))
            signal_send_simple(LINUX_SIGPIPE, LINUX_SI_USER);
        if (got < 0)
            return got;
        if (mc->recv && !mc->done && (r = recv_extras(mc)) < 0)
            return r;
        mc->done += (uint64_t)MIN((uint64_t)got, mc->want);
        if (mc->recv && (uint64_t)got > mc->want) /* MSG_TRUNC: a datagram's real length */
            return got;
        if (!goes_on(mc, got))
            return (int64_t)mc->done;
    }
}

/* A msg_call for the buffer of send/recv (and the -to/-from forms). */
static int64_t one_buffer(struct msg_call *mc, int64_t fd, bool recv, uint64_t buf, uint64_t len, uint64_t flags)
{
    *mc = (struct msg_call){.fd = (int32_t)fd, .host = fd_host((int32_t)fd), .recv = recv, .flags = (uint32_t)flags,
                            .kiov = true};
    mc->one = (struct linux_iovec){buf, MIN(len, (uint64_t)0x7ffff000)}; /* Linux's MAX_RW_COUNT */
    mc->h.msg_iovlen = 1;
    return mc->host;
}

int64_t sys_sendto(SYSARGS)
{
    struct msg_call mc;
    if (one_buffer(&mc, a0, false, a1, a2, a3) < 0)
        return mc.host;
    if (a4 && ((int32_t)a5 < 0 || (uint32_t)a5 > BVM_SOCK_NAME_MAX))
        return -LINUX_EINVAL;
    mc.h.msg_name = a4;
    mc.h.msg_namelen = a4 ? (uint32_t)a5 : 0;
    return msg_run(&mc);
}

int64_t sys_recvfrom(SYSARGS)
{
    struct msg_call mc;
    if (one_buffer(&mc, a0, true, a1, a2, a3) < 0)
        return mc.host;
    int64_t r = sock_name_len_ok(a4, a5);
    if (r < 0)
        return r;
    mc.h.msg_name = a4;
    mc.ulenp = a4 ? a5 : 0;
    return msg_run(&mc);
}

/* sendmsg, recvmsg: the program's header at uhdr. */
static int64_t msg_hdr(int64_t fd, bool recv, uint64_t uhdr, uint32_t flags)
{
    struct msg_call mc = {.fd = (int32_t)fd, .host = fd_host((int32_t)fd), .recv = recv, .flags = flags};
    if (mc.host < 0)
        return mc.host;
    if (copy_from_user(&mc.h, uhdr, sizeof(mc.h)))
        return -LINUX_EFAULT;
    if ((int32_t)mc.h.msg_namelen < 0)
        return -LINUX_EINVAL;
    if (!mc.h.msg_name)
        mc.h.msg_namelen = 0;
    if (recv) {
        mc.uhdr = uhdr;
        mc.ulenp = mc.h.msg_name ? uhdr + offsetof(struct linux_msghdr, msg_namelen) : 0;
    }
    return msg_run(&mc);
}

int64_t sys_sendmsg(SYSARGS) { return msg_hdr(a0, false, a1, (uint32_t)a2); }
int64_t sys_recvmsg(SYSARGS) { return msg_hdr(a0, true, a1, (uint32_t)a2); }

/* sendmmsg, recvmmsg: one message after another, each msg_len written; an error after the first
 * message ends the run with the count. recvmmsg's timeout is looked at after each message, as
 * Linux does; MSG_WAITFORONE waits for the first only. */
static int64_t mmsg(int64_t fd, bool recv, uint64_t vec, uint64_t vlen, uint32_t flags, uint64_t utimeout)
{
    int64_t deadline = -1;
    struct linux_timespec ts;
    if (utimeout) {
        if (copy_from_user(&ts, utimeout, sizeof(ts)))
            return -LINUX_EFAULT;
        if (!ts_valid(&ts))
            return -LINUX_EINVAL;
        deadline = wait_deadline(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    }
    uint64_t n = 0;
    for (vlen = MIN(vlen, (uint64_t)LINUX_UIO_MAXIOV); n < vlen; n++) {
        uint64_t at = vec + n * sizeof(struct linux_mmsghdr);
        uint32_t f = flags & ~(uint32_t)LINUX_MSG_WAITFORONE;
        if (n && (flags & LINUX_MSG_WAITFORONE))
            f |= LINUX_MSG_DONTWAIT;
        int64_t r = msg_hdr(fd, recv, at, f);
        if (r < 0)
            return n ? (int64_t)n : r;
        uint32_t len = (uint32_t)r;
        if (copy_to_user(at + offsetof(struct linux_mmsghdr, msg_len), &len, sizeof(len)))
            return n ? (int64_t)n : -LINUX_EFAULT;
        if (deadline >= 0 && wait_now_ms() >= deadline)
            return (int64_t)n + 1;
    }
    return (int64_t)n;
}

int64_t sys_sendmmsg(SYSARGS) { return mmsg(a0, false, a1, a2, (uint32_t)a3, 0); }
int64_t sys_recvmmsg(SYSARGS) { return mmsg(a0, true, a1, a2, (uint32_t)a3, a4); }
