/* hostcall_proc.c: process hostcalls: fork, wait, kill, ids and groups, stops; one host process per
 * guest process, so each is the host's own call on the monitor's process. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bvm_linux.h"
#include "check_report.h"
#include "events.h"
#include "fdpub.h"
#include "gdb_stub.h"
#include "hostcall.h"
#include "inherited_fds.h"
#include "ipc.h"
#include "policy.h"
#include "runlimits.h"
#include "lineage.h"
#include "open_wait.h"
#include "tids.h"
#include "title.h"
#include "tree_slots.h"

/* The monitor stops itself with the guest's stop signal, under its default action for a moment, so
 * that its parent (a shell doing job control) sees the program stop; it returns once continued. A
 * SIGTSTP/SIGTTIN/SIGTTOU in an orphaned process group is discarded by the host, as the guest's
 * would be. */
int64_t hc_stop(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    int sig = r->u.stop.signal;
    struct sigaction dfl, old;
    sigset_t one, mask;
    if (sig != SIGSTOP && sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
        return -EINVAL;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, &old); /* fails harmlessly for SIGSTOP, which is always default */
    sigemptyset(&one);
    sigaddset(&one, sig);
    sigprocmask(SIG_UNBLOCK, &one, &mask);
    raise(sig);
    sigprocmask(SIG_SETMASK, &mask, NULL);
    sigaction(sig, &old, NULL);
    (void)c;
    return 0;
}

static void vfork_mem_close(struct hc_ctx *c)
{
    if (c->vfork_mem >= 0)
        close(c->vfork_mem);
    c->vfork_mem = -1;
}

/* A CLONE_VM vfork child's written pages, each its va and 4 KiB, in the file its parent reads. */
#define VFORK_RECORD (8 + GM_PAGE)

static int64_t vfork_pages(struct hc_ctx *c, const struct bvm_hc_proc *a)
{
    struct bvm_vfork_page list[BVM_VFORK_PAGES_MAX];
    if (c->vfork_mem < 0 || a->arg < 0 || a->arg > BVM_VFORK_PAGES_MAX)
        return -EINVAL;
    if (gm_read(c->gm, a->gpa, list, sizeof list[0] * (size_t)a->arg))
        return -EFAULT;
    for (int i = 0; i < a->arg; i++) {
        const void *page = gm_ptr(c->gm, list[i].gpa, GM_PAGE);
        struct iovec iov[2] = {{&list[i].va, 8}, {(void *)page, GM_PAGE}}; /* writev only reads */
        if (!page)
            return -EFAULT;
        if (writev(c->vfork_mem, iov, 2) != (ssize_t)VFORK_RECORD)
            return -ENOSPC;
    }
    return 0;
}

/* The files this process executes (its program and interpreter), as Linux's deny_write_access
 * knows them: the host cannot, since the host process executes buffervm. */
static struct {
    dev_t dev;
    ino_t ino;
} images[2];
static int nimages;

static int64_t exec_image_set(struct hc_ctx *c, int fd)
{
    struct stat st;
    if (fd < 0) {
        nimages = 0;
        return 0;
    }
    if (!hc_fd_ok(c, fd) || fstat(fd, &st) < 0)
        return -EBADF;
    if (nimages == 2)
        return -ENOSPC;
    images[nimages].dev = st.st_dev;
    images[nimages++].ino = st.st_ino;
    return 0;
}

int hc_exec_image(int fd)
{
    struct stat st;
    if (!nimages || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    for (int k = 0; k < nimages; k++)
        if (images[k].dev == st.st_dev && images[k].ino == st.st_ino)
            return 1;
    return 0;
}

static int64_t rusage_of(struct hc_ctx *c, const struct bvm_hc_proc *a)
{
    struct rusage ru;
    if (a->arg != RUSAGE_SELF && a->arg != RUSAGE_CHILDREN)
        return -EINVAL;
    if (getrusage(a->arg, &ru) < 0)
        return -errno;
    return gm_write(c->gm, a->gpa, &ru, sizeof ru);
}

static struct rlimit nofile; /* the open-file limit buffervm was started with */

void hc_rlimits_init(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &nofile) < 0)
        return;
    rl = nofile;
    rl.rlim_cur = rl.rlim_max < HC_MAX_FD ? rl.rlim_max : HC_MAX_FD;
    if (rl.rlim_cur > nofile.rlim_cur)
        setrlimit(RLIMIT_NOFILE, &rl); /* (failing leaves the limit as it was) */
}

static int64_t rlimit_of(struct hc_ctx *c, const struct bvm_hc_proc *a)
{
    struct rlimit rl;
    _Static_assert(sizeof rl == sizeof(struct linux_rlimit), "rlimit is Linux's");
    if (getrlimit(a->arg, &rl) < 0)
        return -errno;
    if (a->arg == RLIMIT_NOFILE)
        rl = nofile;
    limits_cap(a->arg, &rl);
    return gm_write(c->gm, a->gpa, &rl, sizeof rl);
}

/* The host's answer to "may one mapping reserve this much?" (Linux's __vm_enough_memory): under
 * vm.overcommit_memory 0, no more than RAM + swap; 1, anything; 2, the commit limit (which Linux
 * counts over all mappings: here for each one alone). In pages. */
static int64_t commit_limit(void)
{
    int mode = 0;
    long long kb = -1;
    char line[128];
    FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
    if (f && fscanf(f, "%d", &mode) != 1)
        mode = 0;
    if (f)
        fclose(f);
    if (mode == 1)
        return INT64_MAX;
    if (mode == 2 && (f = fopen("/proc/meminfo", "r"))) {
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "CommitLimit: %lld kB", &kb) == 1)
                break;
        fclose(f);
        if (kb >= 0)
            return kb / 4;
    }
    struct sysinfo si;
    if (sysinfo(&si) < 0)
        return INT64_MAX;
    return (int64_t)(((unsigned long long)si.totalram + si.totalswap) * si.mem_unit / 4096);
}

/* The host enforces CPU, FSIZE and NPROC on the monitor; NOFILE the kernel does, asking here
 * first. None goes past buffervm's own limits (runlimits.c). */
static int64_t set_rlimit(struct hc_ctx *c, const struct bvm_hc_proc *a)
{
    struct rlimit rl;
    if (a->arg != RLIMIT_CPU && a->arg != RLIMIT_FSIZE && a->arg != RLIMIT_NPROC && a->arg != RLIMIT_NOFILE)
        return -EINVAL;
    if (gm_read(c->gm, a->gpa, &rl, sizeof rl) < 0)
        return -EFAULT;
    int err = limits_check(a->arg, &rl);
    if (err || a->arg == RLIMIT_NOFILE)
        return err;
    return setrlimit(a->arg, &rl) < 0 ? -errno : 0;
}

static int64_t exe_of(struct hc_ctx *c, const struct bvm_hc_proc *a)
{
    char path[4096];
    if (!gm_ptr_w(c->gm, a->gpa, sizeof path))
        return -EFAULT;
    int n = title_exe_of(a->pid, path, sizeof path);
    if (n < 0)
        return -ENOENT;
    gm_write(c->gm, a->gpa, path, (uint64_t)n);
    return n;
}

/* An O_PATH handle on the object behind another process's guest fd arg (or on its link itself),
 * through that process's monitor's /proc/<pid>/fd link: the one magic link crossed on purpose, to a
 * host fd the other monitor publishes as the guest's (still so once opened). */
static int64_t fd_handle(struct hc_ctx *c, const struct bvm_hc_proc *a, int link)
{
    char name[48];
    int h = fdpub_host_of(a->pid, a->arg);
    if (h < 0)
        return h;
    snprintf(name, sizeof name, "/proc/%d/fd/%d", a->pid, h);
    int fd = open(name, O_PATH | O_CLOEXEC | (link ? O_NOFOLLOW : 0));
    if (fd < 0)
        return errno == ENOENT ? -ENOENT : -EACCES;
    if (fdpub_host_of(a->pid, a->arg) != h) { /* closed meanwhile: the number may be anything now */
        close(fd);
        return -ENOENT;
    }
    return hc_fd_adopt(c, fd);
}

static int64_t fds_of(struct hc_ctx *c, const struct bvm_hc_proc *a)
{
    int32_t fds[GM_PAGE / sizeof(int32_t)];
    if (!gm_ptr_w(c->gm, a->gpa, sizeof fds))
        return -EFAULT;
    int n = fdpub_list(a->pid, a->arg, fds, (int)(sizeof fds / sizeof *fds));
    if (n > 0)
        gm_write(c->gm, a->gpa, fds, (uint64_t)n * sizeof *fds);
    return n;
}

static int64_t set_title(struct hc_ctx *c, const struct bvm_hc_proc *a)
{
    char buf[BVM_TITLE_MAX];
    if (a->arg < 1 || a->arg > BVM_TITLE_MAX || gm_read(c->gm, a->gpa, buf, (uint64_t)a->arg) < 0)
        return -EFAULT;
    size_t comm = strnlen(buf, (size_t)a->arg), exe = comm + 1 + strnlen(buf + comm + 1, (size_t)a->arg - comm - 1);
    if (exe >= (size_t)a->arg)
        return -EINVAL;
    title_set(buf, buf + comm + 1, buf + exe + 1, (size_t)a->arg - exe - 1);
    return 0;
}

static int64_t vfork_fetch(struct hc_ctx *c, const struct bvm_hc_proc *a)
{
    uint64_t va;
    void *page = gm_ptr_w(c->gm, a->gpa, GM_PAGE);
    if (!page)
        return -EFAULT;
    off_t at = (off_t)a->arg * VFORK_RECORD;
    if (c->vfork_mem < 0 || a->arg < 0 || pread(c->vfork_mem, &va, 8, at) != 8 ||
        pread(c->vfork_mem, page, GM_PAGE, at + 8) != GM_PAGE) {
        vfork_mem_close(c); /* all taken (or the child could not finish writing) */
        return -ENOENT;
    }
    gm_written(c->gm, a->gpa, GM_PAGE);
    return (int64_t)va;
}

/* Why a fork failed, where --verbose (or a trace) shows the monitor's notes. */
static void fork_note(const struct hc_ctx *c, const char *why)
{
    char line[320];
    int n = snprintf(line, sizeof line, "buffervm: fork: %s\n", why);
    if (c->trace_fd >= 0 && write(c->trace_fd, line, (size_t)n) < 0)
        return;
}

/* The child's half of FORK: a fresh event queue and a vCPU of its own; tells the parent through
 * ready (one byte: 0 ready, else an errno) and, for vfork, keeps it open until it has run a program. */
static int64_t fork_child(struct hc_ctx *c, const struct bvm_hc_fork *a, int ready, pid_t parent)
{
    char why[256], status = 0;
    events_after_fork();
    lineage_after_fork(parent);
    tree_slots_after_fork();
    title_after_fork();
    fdpub_after_fork();
    tids_after_fork();
    open_wait_after_fork(c); /* the helpers stay with the parent */
    check_after_fork(); /* buffervm check: the child reports its own errors */
    gdb_stub_fork_child(); /* gdb stays with the parent */
    ipc_after_fork(parent); /* it is attached to its parent's shared memory segments too */
    if (c->vfork_fd >= 0) /* its parent's vfork pipe: not the new child's to hold */
        close(c->vfork_fd);
    c->vfork_fd = -1;
    if (c->vcpu->ops->fork_child(c->vcpu, why, sizeof why) < 0) {
        fork_note(c, why);
        status = (char)ENOMEM;
        if (write(ready, &status, 1) != 1)
            _exit(125);
        _exit(125); /* the parent reports the fork as failed; nothing of this child is left */
    }
    struct bvm_fork_out out = {getpid(), getppid()};
    gm_write(c->gm, a->out_gpa, &out, sizeof out);
    if (write(ready, &status, 1) != 1)
        _exit(125);
    if (a->flags & BVM_FORK_VFORK)
        c->vfork_fd = ready;
    else
        close(ready);
    return 0;
}

/* One host process per guest process: the monitor forks, the child rebuilds its vCPU, the parent
 * waits for it to say it is ready (and, for vfork, until it has run a program or ended). */
int64_t hc_fork(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_fork *a = &r->u.fork;
    char why[256], status = 0;
    int p[2];
    if ((a->flags & ~(BVM_FORK_VFORK | BVM_FORK_SHARED_MM)) || a->flags == BVM_FORK_SHARED_MM)
        return -EINVAL;
    if (!gm_ptr_w(c->gm, a->out_gpa, sizeof(struct bvm_fork_out)))
        return -EFAULT;
    vfork_mem_close(c);
    if ((a->flags & BVM_FORK_SHARED_MM) && (c->vfork_mem = memfd_create("buffervm-vfork", MFD_CLOEXEC)) < 0)
        return -errno;
    if (c->vcpu->ops->fork_prepare(c->vcpu, why, sizeof why) < 0) {
        fork_note(c, why);
        return -ENOMEM;
    }
    if (limits_fork_begin() < 0)
        return -EAGAIN; /* --max-procs */
    if (pipe2(p, O_CLOEXEC) < 0) {
        limits_forked(-1);
        return -errno;
    }
    pid_t self = getpid(), pid = fork();
    if (pid == 0) {
        close(p[0]);
        return fork_child(c, a, p[1], self);
    }
    limits_forked(pid);
    close(p[1]);
    int err = pid < 0 ? errno : 0;
    if (pid > 0 && read(p[0], &status, 1) != 1)
        status = (char)ENOMEM; /* it died before it was ready */
    if (pid > 0 && status) {
        waitpid(pid, NULL, 0);
        err = status == ENOMEM ? ENOMEM : EAGAIN;
    }
    ssize_t n;
    if (!err && (a->flags & BVM_FORK_VFORK)) /* EOF: it ran a program or ended */
        while ((n = read(p[0], &status, 1)) > 0 || (n < 0 && errno == EINTR))
            ;
    close(p[0]);
    if (err)
        vfork_mem_close(c);
    return err ? -err : pid;
}

/* waitid(2) on the host: the guest's children are the monitor's. Blocking waits are cut short by
 * events (-EINTR: the kernel decides whether the call gives way). */
int64_t hc_wait(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_wait *a = &r->u.wait;
    siginfo_t info;
    struct rusage ru;
    _Static_assert(sizeof info == sizeof(struct linux_siginfo), "siginfo is Linux's");
    _Static_assert(sizeof ru == sizeof(struct linux_rusage), "rusage is Linux's");
    if (a->idtype != P_ALL && a->idtype != P_PID && a->idtype != P_PGID)
        return -EINVAL;
    if (a->options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT))
        return -EINVAL;
    if (!gm_ptr_w(c->gm, a->info_gpa, sizeof info) || (a->rusage_gpa && !gm_ptr_w(c->gm, a->rusage_gpa, sizeof ru)))
        return -EFAULT;
    memset(&info, 0, sizeof info);
    memset(&ru, 0, sizeof ru);
    long rc = a->options & WNOHANG ? syscall(SYS_waitid, a->idtype, a->id, &info, a->options, &ru)
                                   : safe_syscall(SYS_waitid, a->idtype, a->id, &info, a->options, &ru, 0);
    if (rc < 0)
        return a->options & WNOHANG ? -errno : rc;
    if (info.si_pid && !(a->options & WNOWAIT) &&
        (info.si_code == CLD_EXITED || info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED))
        ipc_process_gone(info.si_pid); /* its SEM_UNDO, even when it was killed before it could */
    gm_write(c->gm, a->info_gpa, &info, sizeof info);
    if (a->rusage_gpa)
        gm_write(c->gm, a->rusage_gpa, &ru, sizeof ru);
    return 0;
}

/* The kernel's descriptor table at boot: what buffervm was started with past stdio is the
 * program's too, under the same numbers (not under --sandbox: only stdio crosses into it). */
static int64_t inherited_fds(struct hc_ctx *c, const struct bvm_hc_proc *a)
{
    static struct bvm_inherited_fd list[256];
    int max = a->arg < 0 ? 0 : a->arg > 256 ? 256 : a->arg;
    if (!gm_ptr_w(c->gm, a->gpa, (uint64_t)max * sizeof list[0]))
        return -EFAULT;
    int n = policy_sandboxed() ? 0 : inherited_fds_list(list, max);
    for (int i = 0; i < n; i++)
        hc_fd_grant(c, list[i].fd);
    return gm_write(c->gm, a->gpa, list, (uint64_t)n * sizeof list[0]) < 0 ? -EFAULT : n;
}

int64_t hc_proc(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_proc *a = &r->u.proc;
    switch (a->op) {
    case BVM_PROC_GETPPID: return getppid();
    case BVM_PROC_GETPGID: return hc_host_ret(getpgid(a->pid));
    case BVM_PROC_SETPGID: return hc_host_ret(setpgid(a->pid, a->arg));
    case BVM_PROC_GETSID: return hc_host_ret(getsid(a->pid));
    case BVM_PROC_SETSID: return hc_host_ret(setsid());
    case BVM_PROC_CHILD_REAP:
        events_child_reap(a->arg != 0);
        return 0;
    case BVM_PROC_VFORK_DONE:
        if (c->vfork_fd >= 0)
            close(c->vfork_fd);
        c->vfork_fd = -1;
        vfork_mem_close(c);
        return 0;
    case BVM_PROC_VFORK_PAGES: return vfork_pages(c, a);
    case BVM_PROC_VFORK_FETCH: return vfork_fetch(c, a);
    case BVM_PROC_PDEATHSIG: return a->arg < 0 ? lineage_pdeathsig() : lineage_set_pdeathsig(a->arg);
    case BVM_PROC_SUBREAPER: return a->arg < 0 ? lineage_subreaper() : lineage_set_subreaper(a->arg);
    case BVM_PROC_EXEC_IMAGE: return exec_image_set(c, a->arg);
    case BVM_PROC_RUSAGE: return rusage_of(c, a);
    case BVM_PROC_RLIMIT: return rlimit_of(c, a);
    case BVM_PROC_COMMIT_LIMIT: return commit_limit();
    case BVM_PROC_SET_TITLE: return set_title(c, a);
    case BVM_PROC_SETRLIMIT: return set_rlimit(c, a);
    case BVM_PROC_EXE_OF: return exe_of(c, a);
    case BVM_PROC_THREAD_NEW: return tid_alloc();
    case BVM_PROC_THREAD_END: return tid_free(a->pid);
    case BVM_PROC_INHERITED_FDS: return inherited_fds(c, a);
    case BVM_PROC_FD_LOG: return fdpub_register(c, a->gpa);
    case BVM_PROC_FD_OF: return fdpub_host_of(a->pid, a->arg);
    case BVM_PROC_FDS_OF: return fds_of(c, a);
    case BVM_PROC_FD_OBJECT: return fd_handle(c, a, 0);
    case BVM_PROC_FD_LINK: return fd_handle(c, a, 1);
    case BVM_PROC_CPUMASK_SIZE: {
        static unsigned char mask[BVM_CPUMASK_MAX];
        return hc_host_ret(syscall(SYS_sched_getaffinity, 0, sizeof mask, mask));
    }
    default: return -EINVAL;
    }
}

static int cred_call_ok(long nr)
{
    switch (nr) {
    case SYS_setuid: case SYS_setgid: case SYS_setreuid: case SYS_setregid: case SYS_setresuid:
    case SYS_setresgid: case SYS_setfsuid: case SYS_setfsgid: case SYS_setgroups: case -1:
        return 1;
    default:
        return 0;
    }
}

/* The raw syscalls (the monitor has one thread: libc's all-threads broadcast is not needed). */
int64_t hc_cred(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_cred *a = &r->u.cred;
    struct bvm_cred out;
    uid_t u[3];
    gid_t g[3];
    long rc = 0;
    if (!cred_call_ok(a->nr))
        return -EINVAL;
    if (!gm_ptr_w(c->gm, a->out_gpa, sizeof out))
        return -EFAULT;
    if (a->nr == SYS_setgroups) {
        const void *list = a->args[0] > NGROUPS_MAX ? NULL : gm_ptr(c->gm, a->args[1], a->args[0] * sizeof(gid_t));
        rc = a->args[0] > NGROUPS_MAX ? -EINVAL : !list && a->args[0] ? -EFAULT : 0;
        if (!rc)
            rc = hc_host_ret(syscall(SYS_setgroups, a->args[0], list));
    } else if (a->nr >= 0) {
        rc = syscall(a->nr, a->args[0], a->args[1], a->args[2]);
        rc = a->nr == SYS_setfsuid || a->nr == SYS_setfsgid ? rc : hc_host_ret(rc); /* those two never fail */
    }
    getresuid(&u[0], &u[1], &u[2]);
    getresgid(&g[0], &g[1], &g[2]);
    out = (struct bvm_cred){u[0], u[1], u[2], (uint32_t)syscall(SYS_setfsuid, -1),
                            g[0], g[1], g[2], (uint32_t)syscall(SYS_setfsgid, -1)};
    gm_write(c->gm, a->out_gpa, &out, sizeof out);
    return rc;
}
