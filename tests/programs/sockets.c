/* sockets.c: sockets as programs use them, over loopback and local names only: TCP (blocking and
 * non-blocking connect, accept4, shutdown, options), UDP (sendto/recvfrom, sendmmsg/recvmmsg,
 * MSG_TRUNC, MSG_PEEK), AF_UNIX stream, datagram and seqpacket with path and abstract names,
 * descriptors and credentials passed with SCM_RIGHTS/SCM_CREDENTIALS, a server in a thread and
 * one in a child process, poll and epoll on sockets, SIGPIPE, name resolution from /etc/hosts, and
 * the errors of bad arguments. Nothing printed depends on port numbers or pids. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(c) ((c) ? (void)0 : (printf("check failed line %d: %s (errno %d)\n", __LINE__, #c, errno), exit(1)))

static const char *en(long r)
{
    if (r >= 0)
        return "ok";
    switch (errno) {
    case EAGAIN: return "EAGAIN";
    case EINPROGRESS: return "EINPROGRESS";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case EBADF: return "EBADF";
    case ENOTSOCK: return "ENOTSOCK";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPIPE: return "EPIPE";
    case ENOTCONN: return "ENOTCONN";
    case EADDRINUSE: return "EADDRINUSE";
    case EISCONN: return "EISCONN";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case ENOENT: return "ENOENT";
    case EMSGSIZE: return "EMSGSIZE";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    default: return strerror(errno);
    }
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* A listening TCP socket on loopback, its address in *a. */
static int tcp_listener(struct sockaddr_in *a)
{
    int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len = sizeof(*a);
    CHECK(s >= 0);
    CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
    *a = loopback(0);
    CHECK(bind(s, (struct sockaddr *)a, sizeof(*a)) == 0);
    CHECK(listen(s, 8) == 0);
    CHECK(getsockname(s, (struct sockaddr *)a, &len) == 0 && len == sizeof(*a));
    return s;
}

static void test_tcp(void)
{
    struct sockaddr_in a, peer, mine;
    socklen_t len = sizeof(peer);
    char buf[64];
    int l = tcp_listener(&a), v, r;
    printf("tcp: listening on %s, port %s\n", inet_ntoa(a.sin_addr), a.sin_port ? "chosen" : "zero");
    struct pollfd p = {l, POLLIN, 0};
    printf("tcp: poll on the listener before a connect: %d\n", poll(&p, 1, 0));
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r = connect(c, (struct sockaddr *)&a, sizeof(a));
    printf("tcp: non-blocking connect: %s\n", r == 0 || errno == EINPROGRESS ? "0 or EINPROGRESS" : en(r));
    p = (struct pollfd){c, POLLOUT, 0};
    CHECK(poll(&p, 1, 5000) == 1);
    len = sizeof(v);
    CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len) == 0);
    printf("tcp: connected, SO_ERROR %d, poll on the listener %d\n", v, poll(&(struct pollfd){l, POLLIN, 0}, 1, 0));
    len = sizeof(peer);
    int s = accept4(l, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    CHECK(s >= 0);
    len = sizeof(mine);
    CHECK(getsockname(c, (struct sockaddr *)&mine, &len) == 0);
    printf("tcp: accepted: cloexec %d, peer is the client: %d\n", fcntl(s, F_GETFD) & FD_CLOEXEC,
           peer.sin_port == mine.sin_port && peer.sin_addr.s_addr == mine.sin_addr.s_addr);
    len = sizeof(peer);
    CHECK(getpeername(c, (struct sockaddr *)&peer, &len) == 0);
    printf("tcp: client's peer is the listener's address: %d\n", peer.sin_port == a.sin_port);
    int one = 1;
    CHECK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
    len = sizeof(v);
    CHECK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0);
    printf("tcp: TCP_NODELAY %d (len %u)\n", v != 0, len);
    len = sizeof(v);
    CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0);
    printf("tcp: SO_TYPE %d, SO_ACCEPTCONN of the listener ", v);
    CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0);
    printf("%d\n", v);
    CHECK(send(c, "hello", 5, 0) == 5);
    CHECK(write(c, " world", 6) == 6);
    p = (struct pollfd){s, POLLIN, 0};
    CHECK(poll(&p, 1, 5000) == 1);
    usleep(20000);
    r = recv(s, buf, sizeof(buf), MSG_PEEK);
    printf("tcp: peek %d\n", r);
    r = recv(s, buf, sizeof(buf), 0);
    printf("tcp: recv %d \"%.*s\"\n", r, r, buf);
    r = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
    printf("tcp: recv with nothing there, MSG_DONTWAIT: %s\n", en(r));
    CHECK(shutdown(c, SHUT_WR) == 0);
    printf("tcp: after the peer's shutdown: recv %zd\n", recv(s, buf, sizeof(buf), 0));
    r = send(c, "x", 1, MSG_NOSIGNAL);
    printf("tcp: send after SHUT_WR: %s\n", en(r));
    close(s), close(c);
    c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in closed = a;
    close(l);
    r = connect(c, (struct sockaddr *)&closed, sizeof(closed));
    printf("tcp: connect to a closed port: %s\n", en(r));
    close(c);
}

static void test_udp(void)
{
    struct sockaddr_in a = loopback(0), b = loopback(0), from;
    socklen_t len = sizeof(a);
    char buf[64];
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHECK(bind(u1, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(u1, (struct sockaddr *)&a, &len) == 0);
    len = sizeof(b);
    CHECK(bind(u2, (struct sockaddr *)&b, sizeof(b)) == 0 && getsockname(u2, (struct sockaddr *)&b, &len) == 0);
    printf("udp: sendto %zd\n", sendto(u2, "datagram one", 12, 0, (struct sockaddr *)&a, sizeof(a)));
    len = sizeof(from);
    memset(&from, 0, sizeof(from));
    ssize_t r = recvfrom(u1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
    printf("udp: recvfrom %zd \"%.*s\", from the sender %d, addrlen %u\n", r, (int)r, buf,
           from.sin_port == b.sin_port, len);
    sendto(u2, "a longer datagram", 17, 0, (struct sockaddr *)&a, sizeof(a));
    r = recv(u1, buf, 4, MSG_TRUNC);
    printf("udp: MSG_TRUNC into 4 bytes: %zd \"%.4s\"\n", r, buf);
    len = 2; /* a short address buffer: the full length comes back */
    sendto(u2, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
    r = recvfrom(u1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
    printf("udp: recvfrom with a 2-byte address buffer: %zd, addrlen %u\n", r, len);
    /* sendmmsg / recvmmsg */
    struct mmsghdr mm[3];
    struct iovec iov[3];
    char rb[3][16];
    const char *msgs[] = {"first", "second", "third!"};
    CHECK(connect(u2, (struct sockaddr *)&a, sizeof(a)) == 0);
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < 3; i++) {
        iov[i] = (struct iovec){(void *)msgs[i], strlen(msgs[i])};
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(u2, mm, 3, 0);
    printf("udp: sendmmsg %d, lengths %u %u %u\n", sent, mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < 3; i++) {
        iov[i] = (struct iovec){rb[i], sizeof(rb[i])};
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    usleep(20000);
    int n = recvmmsg(u1, mm, 3, MSG_WAITFORONE, NULL);
    printf("udp: recvmmsg %d:", n);
    for (int i = 0; i < n; i++)
        printf(" \"%.*s\"", (int)mm[i].msg_len, rb[i]);
    printf("\n");
    r = send(u2, "", 0, 0);
    printf("udp: empty datagram sent %zd, received %zd\n", r, recv(u1, buf, sizeof(buf), 0));
    r = recv(u1, buf, sizeof(buf), MSG_DONTWAIT);
    printf("udp: nothing left: %s\n", en(r));
    /* scatter and gather */
    char p1[3], p2[8];
    struct iovec out[2] = {{"abc", 3}, {"defgh", 5}}, in[2] = {{p1, 3}, {p2, 8}};
    struct msghdr mh = {.msg_iov = out, .msg_iovlen = 2};
    printf("udp: sendmsg of two pieces %zd", sendmsg(u2, &mh, 0));
    mh = (struct msghdr){.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = in, .msg_iovlen = 2};
    r = recvmsg(u1, &mh, 0);
    printf(", recvmsg %zd \"%.3s\" \"%.5s\" namelen %u flags %#x\n", r, p1, p2, mh.msg_namelen, mh.msg_flags);
    close(u1), close(u2);
}

static void test_unix(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX}, got;
    socklen_t len;
    char buf[64];
    strcpy(a.sun_path, "sock.path");
    unlink(a.sun_path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 4) == 0);
    printf("unix: bound a path: it exists %d\n", access("sock.path", F_OK) == 0);
    int r = bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, sizeof(a));
    printf("unix: bind the same path again: %s\n", en(r));
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
    len = sizeof(got);
    int s = accept(l, (struct sockaddr *)&got, &len);
    printf("unix: accepted, the client's address length %u\n", len);
    len = sizeof(got);
    CHECK(getpeername(c, (struct sockaddr *)&got, &len) == 0);
    printf("unix: the client's peer \"%s\"\n", got.sun_path);
    CHECK(write(c, "over unix", 9) == 9);
    r = read(s, buf, sizeof(buf));
    printf("unix: read %d \"%.*s\"\n", r, r, buf);
    close(c), close(s), close(l);
    unlink("sock.path");
    /* abstract names */
    struct sockaddr_un ab = {.sun_family = AF_UNIX};
    memcpy(ab.sun_path, "\0bvm-test-abstract", 19);
    socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 19;
    int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(bind(d1, (struct sockaddr *)&ab, alen) == 0);
    printf("unix: abstract dgram sendto %zd", sendto(d2, "abstract", 8, 0, (struct sockaddr *)&ab, alen));
    len = sizeof(got);
    CHECK(getsockname(d1, (struct sockaddr *)&got, &len) == 0);
    r = recv(d1, buf, sizeof(buf), 0);
    printf(", recv %d \"%.*s\", name length %u, name \"%s\"\n", r, r, buf, len, got.sun_path + 1);
    close(d1), close(d2);
    /* seqpacket: boundaries kept, MSG_TRUNC reported in msg_flags */
    int sp[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0);
    send(sp[0], "packet-one", 10, 0);
    send(sp[0], "two", 3, 0);
    struct iovec iov = {buf, 6};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    r = recvmsg(sp[1], &mh, 0);
    printf("unix: seqpacket recvmsg into 6: %d \"%.*s\" MSG_TRUNC %d;", r, r, buf, !!(mh.msg_flags & MSG_TRUNC));
    r = recv(sp[1], buf, sizeof(buf), 0);
    printf(" next %d \"%.*s\"\n", r, r, buf);
    close(sp[0]), close(sp[1]);
}

/* SCM_RIGHTS: a pipe's write end and a file go over a socketpair; the receiver writes through them. */
static void test_rights(void)
{
    int sp[2], pp[2];
    char cbuf[CMSG_SPACE(3 * sizeof(int))], buf[32];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0 && pipe(pp) == 0);
    int f = open("rights.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int fds[3] = {pp[1], f, pp[1]};
    struct iovec iov = {"R", 1};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_RIGHTS, cm->cmsg_len = CMSG_LEN(sizeof(fds));
    memcpy(CMSG_DATA(cm), fds, sizeof(fds));
    printf("rights: sendmsg with 3 fds: %zd\n", sendmsg(sp[0], &mh, 0));
    memset(cbuf, 0, sizeof(cbuf));
    char c;
    iov = (struct iovec){&c, 1};
    mh = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    ssize_t r = recvmsg(sp[1], &mh, MSG_CMSG_CLOEXEC);
    cm = CMSG_FIRSTHDR(&mh);
    CHECK(r == 1 && cm && cm->cmsg_type == SCM_RIGHTS);
    int n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int), in[3];
    memcpy(in, CMSG_DATA(cm), sizeof(in));
    printf("rights: received %d fds, new numbers %d, cloexec %d, controllen %s, flags %#x\n", n,
           in[0] != pp[1] && in[1] != f && in[0] != in[2], fcntl(in[0], F_GETFD) & FD_CLOEXEC,
           mh.msg_controllen == CMSG_LEN(sizeof(fds)) ? "exact" : "other", mh.msg_flags);
    printf("rights: F_GETFL of the received pipe end: %s\n", (fcntl(in[0], F_GETFL) & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "other");
    CHECK(write(in[0], "through", 7) == 7 && write(in[2], "!", 1) == 1);
    r = read(pp[0], buf, sizeof(buf));
    printf("rights: the pipe got %zd \"%.*s\"\n", r, (int)r, buf);
    CHECK(write(in[1], "file", 4) == 4);
    printf("rights: the shared file offset moved: %ld\n", (long)lseek(f, 0, SEEK_CUR));
    /* a bad fd in SCM_RIGHTS: EBADF, nothing sent */
    mh = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = CMSG_SPACE(sizeof(int))};
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_RIGHTS, cm->cmsg_len = CMSG_LEN(sizeof(int));
    *(int *)CMSG_DATA(cm) = 999;
    r = sendmsg(sp[0], &mh, 0);
    printf("rights: sendmsg of fd 999: %s\n", en(r));
    /* credentials */
    int one = 1;
    CHECK(setsockopt(sp[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0);
    struct ucred uc = {getpid(), getuid(), getgid()}, pc;
    socklen_t len = sizeof(pc);
    CHECK(getsockopt(sp[1], SOL_SOCKET, SO_PEERCRED, &pc, &len) == 0);
    printf("rights: SO_PEERCRED pid is ours %d, uid ours %d\n", pc.pid == getpid(), pc.uid == getuid());
    char cb2[CMSG_SPACE(sizeof(uc))];
    mh = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb2, .msg_controllen = sizeof(cb2)};
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_CREDENTIALS, cm->cmsg_len = CMSG_LEN(sizeof(uc));
    memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
    CHECK(sendmsg(sp[0], &mh, 0) == 1);
    memset(cb2, 0, sizeof(cb2));
    mh = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb2, .msg_controllen = sizeof(cb2)};
    r = recvmsg(sp[1], &mh, 0);
    cm = CMSG_FIRSTHDR(&mh);
    memcpy(&pc, CMSG_DATA(cm), sizeof(pc));
    printf("rights: SCM_CREDENTIALS %zd, type %d, pid is ours %d\n", r, cm->cmsg_type, pc.pid == getpid());
    close(sp[0]), close(sp[1]), close(pp[0]), close(pp[1]), close(f);
    for (int i = 0; i < 3; i++)
        close(in[i]);
    unlink("rights.txt");
}

/* A server thread blocks in accept and recv while the main thread connects and sends. */
static int srv_listener;

static void *server(void *arg)
{
    char buf[64];
    int s = accept(srv_listener, NULL, NULL);
    long total = 0, r;
    while ((r = recv(s, buf, sizeof(buf), 0)) > 0)
        total += r;
    send(s, &total, sizeof(total), 0);
    close(s);
    return arg;
}

static void test_thread_server(void)
{
    struct sockaddr_in a;
    pthread_t t;
    srv_listener = tcp_listener(&a);
    CHECK(pthread_create(&t, NULL, server, NULL) == 0);
    usleep(50000); /* the server waits in accept */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
    static char big[1 << 20];
    memset(big, 'z', sizeof(big));
    ssize_t w = send(c, big, sizeof(big), 0);
    shutdown(c, SHUT_WR);
    long total = 0;
    ssize_t r = recv(c, &total, sizeof(total), MSG_WAITALL);
    pthread_join(t, NULL);
    printf("thread server: sent %zd, the server counted %ld (recv %zd)\n", w, total, r);
    close(c), close(srv_listener);
}

/* SO_RCVTIMEO in a thread of several: the receive and the accept give up with EAGAIN. */
static int to_sock, to_listener;

static void *timed_recv(void *arg)
{
    char c;
    struct timeval tv = {0, 100000};
    setsockopt(to_sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(to_listener, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t r = recv(to_sock, &c, 1, 0);
    printf("timeout: a thread's recv: %s", en(r));
    printf(", its accept: %s\n", en(accept(to_listener, NULL, NULL)));
    return arg;
}

static void test_timeouts(void)
{
    struct sockaddr_in a;
    int sp[2];
    pthread_t t;
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    to_sock = sp[0];
    to_listener = tcp_listener(&a);
    CHECK(pthread_create(&t, NULL, timed_recv, NULL) == 0);
    pthread_join(t, NULL);
    close(sp[0]), close(sp[1]), close(to_listener);
}

/* The server in a child process; the parent connects over a unix name, epoll tells it when the
 * answer is there. */
static void test_fork_server(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, "fork.sock");
    unlink(a.sun_path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 1) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        char buf[64];
        int s = accept(l, NULL, NULL);
        ssize_t r = read(s, buf, sizeof(buf));
        for (ssize_t i = 0; i < r; i++)
            buf[i] = buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i];
        write(s, buf, r);
        _exit(0);
    }
    close(l);
    int c = socket(AF_UNIX, SOCK_STREAM, 0), st;
    CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0);
    write(c, "shout this", 10);
    int n = epoll_wait(ep, &ev, 1, 5000);
    char buf[64];
    ssize_t r = read(c, buf, sizeof(buf));
    waitpid(pid, &st, 0);
    printf("fork server: epoll %d (data %u), answer \"%.*s\", child status %d\n", n, ev.data.u32, (int)r, buf, st);
    close(c), close(ep);
    unlink("fork.sock");
}

static int piped;
static void on_pipe(int sig) { piped = sig; }

static void test_sigpipe(void)
{
    int sp[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    close(sp[1]);
    signal(SIGPIPE, on_pipe);
    ssize_t r = send(sp[0], "x", 1, 0);
    printf("sigpipe: send to a closed peer: %s, SIGPIPE %s\n", en(r), piped == SIGPIPE ? "caught" : "not sent");
    piped = 0;
    r = send(sp[0], "x", 1, MSG_NOSIGNAL);
    printf("sigpipe: with MSG_NOSIGNAL: %s, SIGPIPE %s\n", en(r), piped ? "caught" : "not sent");
    signal(SIGPIPE, SIG_DFL);
    close(sp[0]);
}

static void test_resolve(void)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    int r = getaddrinfo("localhost", "80", &hints, &res);
    if (r != 0) {
        printf("resolve: localhost: %s\n", gai_strerror(r));
        return;
    }
    char host[64];
    struct sockaddr_in *in = (struct sockaddr_in *)res->ai_addr;
    printf("resolve: localhost is %s port %d\n", inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host)),
           ntohs(in->sin_port));
    freeaddrinfo(res);
}

static void test_errors(void)
{
    struct sockaddr_in a = loopback(0);
    int s = socket(AF_INET, SOCK_STREAM, 0), f = open("/dev/null", O_RDONLY);
    char *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    socklen_t len = sizeof(a);
    int v;
    printf("errors: socket(AF_INET, bad type): %s\n", en(socket(AF_INET, 0x7f, 0)));
    printf("errors: socket(AF_INET, SOCK_STREAM, IPPROTO_UDP): %s\n", en(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)));
    printf("errors: socket(12345, ...): %s\n", en(socket(12345, SOCK_STREAM, 0)));
    printf("errors: bind with addrlen 200: %s\n", en(bind(s, (struct sockaddr *)&a, 200)));
    printf("errors: bind with addrlen 2: %s\n", en(bind(s, (struct sockaddr *)&a, 2)));
    printf("errors: bind from an unmapped address: %s\n", en(bind(s, (struct sockaddr *)unmapped, sizeof(a))));
    printf("errors: getsockname on /dev/null: %s\n", en(getsockname(f, (struct sockaddr *)&a, &len)));
    printf("errors: getsockname on fd 99: %s\n", en(getsockname(99, (struct sockaddr *)&a, &len)));
    printf("errors: getsockname into an unmapped length: %s\n", en(getsockname(s, (struct sockaddr *)&a, (socklen_t *)unmapped)));
    printf("errors: getpeername unconnected: %s\n", en(getpeername(s, (struct sockaddr *)&a, &len)));
    printf("errors: send unconnected: %s\n", en(send(s, "x", 1, MSG_NOSIGNAL)));
    printf("errors: accept on an unlistening socket: %s\n", en(accept(s, NULL, NULL)));
    printf("errors: accept4 with bad flags: %s\n", en(accept4(s, NULL, NULL, 0x1234)));
    printf("errors: getsockopt unknown option: %s\n", en(getsockopt(s, SOL_SOCKET, 9999, &v, &len)));
    len = sizeof(v);
    printf("errors: setsockopt from an unmapped value: %s\n", en(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, unmapped, sizeof(v))));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    len = sizeof(a);
    CHECK(bind(u, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(u, (struct sockaddr *)&a, &len) == 0);
    printf("errors: send on unconnected udp: %s\n", en(send(u, "x", 1, 0)));
    printf("errors: sendto from an unmapped buffer: %s\n", en(sendto(u, unmapped, 8, 0, (struct sockaddr *)&a, sizeof(a))));
    struct msghdr mh = {.msg_iov = (struct iovec *)unmapped, .msg_iovlen = 1};
    printf("errors: sendmsg with an unmapped iovec: %s\n", en(sendmsg(u, &mh, 0)));
    printf("errors: sendmsg with an unmapped header: %s\n", en(syscall(SYS_sendmsg, u, unmapped, 0)) /* (musl's sendmsg reads the header itself) */);
    mh = (struct msghdr){.msg_iov = &(struct iovec){"x", 1}, .msg_iovlen = 2000};
    printf("errors: sendmsg with 2000 iovecs: %s\n", en(sendmsg(u, &mh, 0)));
    close(s), close(f), close(u);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(60); /* a lost datagram or connection ends the test, not the suite */
    test_tcp();
    test_udp();
    test_unix();
    test_rights();
    test_thread_server();
    test_timeouts();
    test_fork_server();
    test_sigpipe();
    test_resolve();
    test_errors();
    return 0;
}
