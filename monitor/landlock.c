/* landlock.c: Landlock rules for the monitor process (raw syscalls: no library, and the structs
 * are defined here so that an older linux/landlock.h does not limit the ABI used). */
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYS_ll_create 444
#define SYS_ll_add 445
#define SYS_ll_restrict 446
#define LL_VERSION_QUERY 1u /* LANDLOCK_CREATE_RULESET_VERSION */
#define LL_RULE_PATH 1      /* LANDLOCK_RULE_PATH_BENEATH */

enum {
    FS_EXECUTE = 1 << 0, FS_WRITE_FILE = 1 << 1, FS_READ_FILE = 1 << 2, FS_READ_DIR = 1 << 3,
    FS_REMOVE_DIR = 1 << 4, FS_REMOVE_FILE = 1 << 5, FS_MAKE_CHAR = 1 << 6, FS_MAKE_DIR = 1 << 7,
    FS_MAKE_REG = 1 << 8, FS_MAKE_SOCK = 1 << 9, FS_MAKE_FIFO = 1 << 10, FS_MAKE_BLOCK = 1 << 11,
    FS_MAKE_SYM = 1 << 12, FS_REFER = 1 << 13, FS_TRUNCATE = 1 << 14,
};
#define NET_BIND_TCP 1u
#define NET_CONNECT_TCP 2u
/* What applies to a file rather than a directory. */
#define FS_FILE_RIGHTS (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE)

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
};

struct ll_path_beneath {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

static int ruleset = -1, abi;
static uint64_t handled;

int landlock_begin(int no_net)
{
    abi = (int)syscall(SYS_ll_create, NULL, 0, LL_VERSION_QUERY);
    if (abi < 0)
        return -errno;
    handled = (FS_MAKE_SYM << 1) - 1; /* ABI 1 */
    if (abi >= 2)
        handled |= FS_REFER;
    if (abi >= 3)
        handled |= FS_TRUNCATE;
    struct ll_ruleset_attr attr = {handled, no_net && abi >= 4 ? NET_BIND_TCP | NET_CONNECT_TCP : 0};
    ruleset = (int)syscall(SYS_ll_create, &attr, abi >= 4 ? sizeof attr : sizeof attr.handled_access_fs, 0);
    return ruleset < 0 ? -errno : 0;
}

static uint64_t access_of(int rights, int is_dir)
{
    uint64_t a = 0;
    if (rights & LL_READ)
        a |= FS_READ_FILE | FS_READ_DIR | FS_EXECUTE;
    if (rights & LL_WRITE)
        a |= handled;
    if (rights & LL_DATA)
        a |= FS_READ_FILE | FS_WRITE_FILE;
    if (rights & LL_LIST)
        a |= FS_READ_DIR;
    return a & handled & (is_dir ? ~0ull : (uint64_t)FS_FILE_RIGHTS);
}

int landlock_allow(const char *path, int rights)
{
    struct stat st;
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    struct ll_path_beneath rule = {0, fd};
    int err = fstat(fd, &st) < 0 ? -errno : 0;
    if (!err && (rule.allowed_access = access_of(rights, S_ISDIR(st.st_mode))) != 0 &&
        syscall(SYS_ll_add, ruleset, LL_RULE_PATH, &rule, 0) < 0)
        err = -errno;
    close(fd);
    return err;
}

int landlock_commit(int *abi_out)
{
    *abi_out = abi;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_ll_restrict, ruleset, 0) < 0)
        return -errno;
    close(ruleset);
    ruleset = -1;
    return 0;
}
