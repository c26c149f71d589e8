/* exec.c: replacing the program image (Linux's fs/exec.c): open and check the file, follow #!
 * scripts, then past the point of no return empty the process, load the ELF and enter it. */
#include "exec.h"

#include "binprm.h"
#include "bvm_linux.h"
#include "cpu.h"
#include "fd.h"
#include "fmt.h"
#include "fpu.h"
#include "gdb.h"
#include "hostcall.h"
#include "mm.h"
#include "procfs.h"
#include "task.h"
#include "script.h"
#include "signal.h"
#include "string.h"
#include "syscall.h"
#include "timer.h"
#include "trap.h"

#define MAX_REWRITES 5               /* #! interpreters in a row; Linux's exec_binprm depth */
#define STACK_INITIAL (128ull << 10) /* like Linux's initial stack expansion */

/* Only a regular file the program may execute (the monitor's access check, effective ids). */
static int check_exec_file(int h)
{
    int64_t r = hc_fstat(h, hc_bounce());
    if (r < 0)
        return (int)r;
    if ((((const struct linux_stat *)hc_bounce())->st_mode & LINUX_S_IFMT) != LINUX_S_IFREG)
        return -LINUX_EACCES;
    struct hc_at_args a = {.dirfd = h, .kpath = "", .access = LINUX_X_OK, .flags = LINUX_AT_EACCESS | LINUX_AT_EMPTY_PATH};
    return (int)hc_at(BVM_HC_FACCESSAT, &a);
}

int exec_open(int dirfd, const char *path, bool nofollow)
{
    static char hpath[BVM_HC_MAX_PATH];
    size_t n = strnlen(path, sizeof(hpath) - 1);
    memcpy(hpath, path, n);
    hpath[n] = 0;
    struct path_at at = {dirfd, -1};
    int err = procfs_rewrite_at(&at, hpath, sizeof(hpath), !nofollow);
    if (err)
        return err;
    /* O_NONBLOCK: a FIFO must not block the open; it is refused right after. */
    int flags = LINUX_O_RDONLY | LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | (nofollow ? LINUX_O_NOFOLLOW : 0);
    int64_t h = hc_path(BVM_HC_OPENAT, at.dirfd, hpath, flags, 0, NULL);
    procfs_path_put(&at);
    if (h < 0)
        return (int)h;
    err = check_exec_file((int)h);
    if (err) {
        hc_close((int)h);
        return err;
    }
    return (int)h;
}

int exec_copy_args(struct binprm *b, uint64_t argv, uint64_t envp, bool user)
{
    int64_t argc = binprm_count(argv, user);
    if (argc < 0)
        return (int)argc;
    int64_t envc = binprm_count(envp, user);
    if (envc < 0)
        return (int)envc;
    b->argc = (uint64_t)argc, b->envc = (uint64_t)envc;
    int err = binprm_stack_limits(b, rlimit_cur(LINUX_RLIMIT_STACK));
    if (!err)
        err = binprm_copy_kernel(b, b->filename);
    b->exec = b->p;
    if (!err)
        err = binprm_copy_strings(b, envp, b->envc, user);
    if (!err)
        err = binprm_copy_strings(b, argv, b->argc, user);
    /* An empty argv gets "" as argv[0], as Linux does, so argv[1] is never envp[0]. */
    if (!err && !b->argc && !(err = binprm_copy_kernel(b, "")))
        b->argc = 1;
    return err;
}

/* The file's first BINPRM_BUF_SIZE bytes, zero padded. */
static int read_head(struct binprm *b)
{
    memset(b->buf, 0, sizeof(b->buf));
    int64_t n = exec_read(b->fd, b->buf, sizeof(b->buf), 0);
    return n < 0 ? (int)n : 0;
}

/* Linux's exec_binprm loop: each #! names the next file to look at, until an ELF. */
static int search_binary(struct binprm *b)
{
    for (int depth = 0; depth <= MAX_REWRITES; depth++) {
        int err = read_head(b);
        if (err)
            return err;
        if (memcmp(b->buf, "\177ELF", 4) == 0)
            return elf_prepare(b);
        err = script_load(b);
        if (err)
            return err;
        hc_close(b->fd);
        b->fd = exec_open(LINUX_AT_FDCWD, b->interp, false);
        if (b->fd < 0)
            return b->fd;
    }
    return -LINUX_ELOOP;
}

/* Enters user mode at entry with fresh registers, as Linux's start_thread leaves them. */
static _Noreturn void start_user(uint64_t entry, uint64_t sp)
{
    static struct trapframe tf;
    memset(&tf, 0, sizeof(tf));
    tf.rsp = sp;
    tf.rip = entry;
    tf.cs = BVM_SEL_UCODE;
    tf.ss = BVM_SEL_UDATA;
    tf.rflags = 0x202; /* IF and the always-one bit */
    wrmsr(MSR_FS_BASE, 0);
    wrmsr(MSR_KERNEL_GS_BASE, 0); /* the user's GS base while in the kernel */
    fpu_reset();
    trace_syscall_result(0, true);
    gdb_exec(&tf);
    user_enter(&tf);
}

/* Linux's begin_new_exec: nothing of the old image is left after this. */
static void flush_old_exec(struct binprm *b)
{
    process_exec_single();
    process_mm_release();
    mm_exec_reset(cur_as);
    ipc_exec();
    fd_close_on_exec();
    signal_exec_reset();
    timers_exec_reset();
    procfs_exec(b->filename, b->prog.fd, b->comm_from_file);
}

static _Noreturn void exec_fatal(const struct binprm *b, int err)
{
    trace_syscall_result(0, false);
    kprintf("exec %.100s: the new image cannot be set up (errno %d): killed by SIGSEGV", b->interp, -err);
    hc_exit_signal(LINUX_SIGSEGV, 0xffffffffu, 0, 0, NULL, 0);
}

static _Noreturn void exec_commit(struct binprm *b)
{
    uint64_t entry, interp_base;
    flush_old_exec(b);
    int err = elf_map(b, &entry, &interp_base);
    uint32_t prot = LINUX_PROT_READ | LINUX_PROT_WRITE | (b->prog.info.exec_stack ? LINUX_PROT_EXEC : 0);
    if (!err && !vma_insert(&cur_as->vmas, STACK_TOP - STACK_INITIAL, STACK_TOP, prot, VMA_STACK | VMA_ANON))
        err = -LINUX_ENOMEM;
    if (err)
        exec_fatal(b, err);
    /* the files now executed: writing them is ETXTBSY (the monitor checks opens) */
    process_prctl(BVM_PROC_EXEC_IMAGE, -1);
    process_prctl(BVM_PROC_EXEC_IMAGE, b->prog.fd);
    if (b->elf_interp.fd >= 0)
        process_prctl(BVM_PROC_EXEC_IMAGE, b->elf_interp.fd);
    uint64_t sp = exec_build_stack(b, interp_base);
    if (!sp)
        exec_fatal(b, -LINUX_ENOMEM);
    procfs_publish();
    binprm_end(b);
    start_user(entry, sp);
}

int exec_binprm(struct binprm *b)
{
    int err = search_binary(b);
    if (err)
        return err;
    exec_commit(b);
}

/* The boot program cannot be run: the monitor reports it like a shell's failed exec. */
static _Noreturn void boot_fail(const struct binprm *b, int err)
{
    char msg[120];
    if (strcmp(b->filename, b->interp) == 0)
        ksnprintf(msg, sizeof(msg), "%.100s", b->filename);
    else
        ksnprintf(msg, sizeof(msg), "%.50s: interpreter %.50s", b->filename, b->interp);
    hc_exit_exec(-err, msg);
}

int exec_start(struct binprm *b, const char *filename, int dirfd, const char *path, bool nofollow)
{
    size_t len = strlen(filename);
    if (len >= sizeof(b->filename))
        return -LINUX_ENAMETOOLONG;
    memcpy(b->filename, filename, len + 1);
    memcpy(b->interp, filename, len + 1);
    b->fd = exec_open(dirfd, path, nofollow);
    return b->fd < 0 ? b->fd : 0;
}

_Noreturn void exec_boot_program(void)
{
    struct binprm *b = binprm_begin();
    const char *path = (const char *)(uintptr_t)boot->exec_path;
    int err = exec_start(b, path, LINUX_AT_FDCWD, path, false);
    if (!err)
        err = exec_copy_args(b, boot->argv, boot->envp, false);
    memcpy(b->random, boot->rand_seed, sizeof(b->random));
    if (!err)
        err = exec_binprm(b);
    binprm_end(b);
    boot_fail(b, err);
}
