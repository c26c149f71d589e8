/* bvm_linux_socket.h: Sockets: families, types, message flags, msghdr and control messages. */
#ifndef BVM_LINUX_SOCKET_H
#define BVM_LINUX_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include "bvm_linux_file.h"

/* socket(2) */
#define LINUX_AF_UNIX 1
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10
#define LINUX_SOCK_STREAM 1
#define LINUX_SOCK_DGRAM 2
#define LINUX_SOCK_SEQPACKET 5
#define LINUX_AF_NETLINK 16
#define LINUX_SOCK_RAW 3
#define LINUX_SOCK_TYPE_MASK 0xf
#define LINUX_SOCK_NONBLOCK LINUX_O_NONBLOCK
#define LINUX_SOCK_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_SOL_SOCKET 1
#define LINUX_SCM_RIGHTS 1
#define LINUX_MSG_PEEK 0x2
#define LINUX_MSG_TRUNC 0x20
#define LINUX_MSG_DONTWAIT 0x40
#define LINUX_MSG_WAITALL 0x100
#define LINUX_MSG_NOSIGNAL 0x4000
#define LINUX_MSG_WAITFORONE 0x10000
#define LINUX_MSG_CMSG_CLOEXEC 0x40000000
#define LINUX_MSG_CTRUNC 0x8
#define LINUX_SOMAXCONN 4096

struct linux_msghdr {
    uint64_t msg_name;
    uint32_t msg_namelen;
    uint32_t pad0;
    uint64_t msg_iov;
    uint64_t msg_iovlen;
    uint64_t msg_control;
    uint64_t msg_controllen;
    uint32_t msg_flags;
    uint32_t pad1;
};
_Static_assert(sizeof(struct linux_msghdr) == 56, "msghdr");

struct linux_mmsghdr {
    struct linux_msghdr msg_hdr;
    uint32_t msg_len;
    uint32_t pad;
};
_Static_assert(sizeof(struct linux_mmsghdr) == 64, "mmsghdr");

struct linux_cmsghdr {
    uint64_t cmsg_len; /* header and data, unaligned */
    int32_t cmsg_level;
    int32_t cmsg_type;
};
_Static_assert(sizeof(struct linux_cmsghdr) == 16, "cmsghdr");
#define LINUX_CMSG_ALIGN(n) (((n) + 7) & ~(uint64_t)7)

#endif
