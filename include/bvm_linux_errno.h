/* bvm_linux_errno.h: errno values, and the kernel-internal restart codes a signal turns into EINTR or a restart. */
#ifndef BVM_LINUX_ERRNO_H
#define BVM_LINUX_ERRNO_H

#include <stddef.h>
#include <stdint.h>

/* errno values */
#define LINUX_EPERM 1
#define LINUX_ENOENT 2
#define LINUX_ESRCH 3
#define LINUX_EINTR 4
#define LINUX_EIO 5
#define LINUX_E2BIG 7
#define LINUX_ENOEXEC 8
#define LINUX_EBADF 9
#define LINUX_ECHILD 10
#define LINUX_EAGAIN 11
#define LINUX_ENOMEM 12
#define LINUX_EACCES 13
#define LINUX_EFAULT 14
#define LINUX_EEXIST 17
#define LINUX_ENODEV 19
#define LINUX_ENOTDIR 20
#define LINUX_EISDIR 21
#define LINUX_EINVAL 22
#define LINUX_EMFILE 24
#define LINUX_ENOTTY 25
#define LINUX_EFBIG 27
#define LINUX_ESPIPE 29
#define LINUX_EPIPE 32
#define LINUX_ERANGE 34
#define LINUX_ENAMETOOLONG 36
#define LINUX_ENOSYS 38
#define LINUX_ENOTEMPTY 39
#define LINUX_ELOOP 40
#define LINUX_EOVERFLOW 75
#define LINUX_ENXIO 6
#define LINUX_ENOTBLK 15
#define LINUX_EBUSY 16
#define LINUX_ENFILE 23
#define LINUX_ETXTBSY 26
#define LINUX_ENOSPC 28
#define LINUX_EROFS 30
#define LINUX_EMLINK 31
#define LINUX_EDOM 33
#define LINUX_EDEADLK 35
#define LINUX_ENOLCK 37
#define LINUX_EAFNOSUPPORT 97
#define LINUX_EPROTONOSUPPORT 93
#define LINUX_ESOCKTNOSUPPORT 94
#define LINUX_EDQUOT 122
#define LINUX_EXDEV 18
#define LINUX_ETIMEDOUT 110
#define LINUX_EOPNOTSUPP 95
#define LINUX_ENODATA 61
#define LINUX_EMSGSIZE 90
#define LINUX_ENOBUFS 105
#define LINUX_EISCONN 106
#define LINUX_EINPROGRESS 115

/* a syscall interrupted by a signal: what the return to user turns into EINTR or a restart */
#define LINUX_ERESTARTSYS 512
#define LINUX_ERESTARTNOINTR 513
#define LINUX_ERESTARTNOHAND 514
#define LINUX_ERESTART_RESTARTBLOCK 516

#endif
