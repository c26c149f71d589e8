/* sc_common.h: the syscall-coverage programs' one line per call: name, return value, errno name. */
#ifndef SC_COMMON_H
#define SC_COMMON_H

#include <errno.h>
#include <stdio.h>

static const char *sc_errname(int e)
{
    static const char *names[] = {
        [1] = "EPERM",   [2] = "ENOENT",  [3] = "ESRCH",   [4] = "EINTR",   [5] = "EIO",
        [7] = "E2BIG",   [8] = "ENOEXEC", [9] = "EBADF",   [11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT",
        [17] = "EEXIST", [18] = "EXDEV",  [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL",
        [24] = "EMFILE", [25] = "ENOTTY", [29] = "ESPIPE", [32] = "EPIPE", [34] = "ERANGE",
        [36] = "ENAMETOOLONG", [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP",
        [75] = "EOVERFLOW", [95] = "EOPNOTSUPP", [110] = "ETIMEDOUT",
    };
    return e > 0 && e < (int)(sizeof names / sizeof names[0]) && names[e] ? names[e] : "E?";
}

/* Evaluates expr once; prints its value and, when it is -1, errno. */
#define T(name, expr)                                                                                        \
    do {                                                                                                     \
        errno = 0;                                                                                           \
        long r_ = (long)(expr);                                                                              \
        int e_ = errno;                                                                                      \
        printf("%-28s %ld %s\n", name, r_, r_ == -1 ? sc_errname(e_) : "");                                  \
    } while (0)

#endif
