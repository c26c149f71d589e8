/* sys_exec.c: execve and execveat: the program's path and strings, then the shared exec path. */
#include "binprm.h"
#include "bvm_linux.h"
#include "exec.h"
#include "fd.h"
#include "fmt.h"
#include "hostcall.h"
#include "string.h"
#include "syscall.h"
#include "usercopy.h"


/* Linux's execveat naming: a path relative to a dirfd is /dev/fd/N/path, the fd itself
 * (AT_EMPTY_PATH) /dev/fd/N; the script of such a name cannot be run when N is close-on-exec. */
static int open_at_fd(struct binprm *b, int dirfd, const char *path, bool nofollow)
{
    static char name[BVM_HC_MAX_PATH], self[32];
    int h = fd_host(dirfd);
    if (h < 0)
        return h;
    b->path_inaccessible = fd_is_cloexec(dirfd);
    b->comm_from_file = !*path;
    if (!*path) {
        ksnprintf(name, sizeof(name), "/dev/fd/%d", dirfd);
        ksnprintf(self, sizeof(self), "/proc/self/fd/%d", dirfd); /* exec_open's rewrite: fd h */
        return exec_start(b, name, LINUX_AT_FDCWD, self, false);
    }
    if (ksnprintf(name, sizeof(name), "/dev/fd/%d/%s", dirfd, path) >= (int)sizeof(name))
        return -LINUX_ENAMETOOLONG;
    return exec_start(b, name, h, path, nofollow);
}

/* getname, then Linux's do_open_execat: EFAULT/ENAMETOOLONG/ENOENT, EINVAL, EBADF, the lookup. */
static int open_program(struct binprm *b, int dirfd, uint64_t upath, int flags)
{
    static char path[BVM_HC_MAX_PATH];
    int64_t n = strncpy_from_user(path, upath, sizeof(path));
    if (n < 0)
        return (int)n;
    if (n == 0 && !(flags & LINUX_AT_EMPTY_PATH))
        return -LINUX_ENOENT;
    if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -LINUX_EINVAL;
    bool nofollow = (flags & LINUX_AT_SYMLINK_NOFOLLOW) != 0;
    if (dirfd != LINUX_AT_FDCWD && path[0] != '/')
        return open_at_fd(b, dirfd, path, nofollow);
    /* AT_FDCWD with AT_EMPTY_PATH names the working directory itself (refused: not a file). */
    return exec_start(b, path, LINUX_AT_FDCWD, *path ? path : ".", nofollow);
}

/* AT_RANDOM: fresh bytes for each new image (the boot seed if the host has none). */
static void fresh_random(struct binprm *b)
{
    static struct bvm_seg seg;
    seg.gpa = kva_to_gpa(b->random);
    seg.len = sizeof(b->random);
    if (hc_io(BVM_HC_GETRANDOM, 0, &seg, 1, 0, 0) != (int64_t)sizeof(b->random))
        memcpy(b->random, boot->rand_seed, sizeof(b->random));
}

static int64_t do_execveat(int dirfd, uint64_t upath, uint64_t argv, uint64_t envp, int flags)
{
    struct binprm *b = binprm_begin();
    int err = open_program(b, dirfd, upath, flags);
    if (!err)
        err = exec_copy_args(b, argv, envp, true);
    fresh_random(b);
    if (!err)
        err = exec_binprm(b);
    binprm_end(b);
    return err;
}

int64_t sys_execve(SYSARGS)
{
    return do_execveat(LINUX_AT_FDCWD, a0, a1, a2, 0);
}

int64_t sys_execveat(SYSARGS)
{
    return do_execveat((int32_t)a0, a1, a2, a3, (int32_t)a4);
}
