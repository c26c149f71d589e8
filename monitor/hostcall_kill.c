/* hostcall_kill.c: KILL, a guest's signal to another process or to one of its threads: the host's
 * own kill, tgkill, tkill, rt_sigqueueinfo and rt_tgsigqueueinfo, to a guest's only under --sandbox.
 * (A signal to one of the caller's own threads never leaves its kernel.) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostcall.h"
#include "policy.h"

/* The process a thread id belongs to (its Tgid), or -1. */
static pid_t thread_group(pid_t tid)
{
    char name[64], line[128];
    long tgid = -1;
    snprintf(name, sizeof name, "/proc/%d/status", (int)tid);
    FILE *f = fopen(name, "re");
    if (!f)
        return -1;
    while (tgid < 0 && fgets(line, sizeof line, f))
        if (sscanf(line, "Tgid: %ld", &tgid) != 1)
            tgid = -1;
    fclose(f);
    return (pid_t)tgid;
}

/* tgkill, or tkill for pid -1. */
static int64_t kill_thread(const struct bvm_hc_kill *a)
{
    if (a->tid <= 0 || (a->pid <= 0 && a->pid != -1))
        return -EINVAL;
    pid_t group = a->pid == -1 ? thread_group(a->tid) : a->pid;
    if (group <= 0 || !policy_process_visible(group))
        return -ESRCH;
    return hc_host_ret(a->pid == -1 ? syscall(SYS_tkill, a->tid, a->sig) : syscall(SYS_tgkill, a->pid, a->tid, a->sig));
}

/* rt_sigqueueinfo and rt_tgsigqueueinfo: the sender's siginfo, which may not pose as the kernel's or
 * as kill's (the host refuses that between processes too). */
static int64_t queue_info(struct hc_ctx *c, const struct bvm_hc_kill *a)
{
    siginfo_t info;
    _Static_assert(sizeof info == 128, "siginfo_t");
    if (gm_read(c->gm, a->info_gpa, &info, sizeof info) < 0)
        return -EFAULT;
    if (info.si_code >= 0 || info.si_code == SI_TKILL)
        return -EPERM;
    if (a->pid <= 0 || (a->op == BVM_KILL_TGQUEUE && a->tid <= 0))
        return a->op == BVM_KILL_TGQUEUE ? -EINVAL : -ESRCH;
    if (!policy_process_visible(a->pid))
        return -ESRCH;
    info.si_signo = a->sig;
    if (a->op == BVM_KILL_QUEUE)
        return hc_host_ret(syscall(SYS_rt_sigqueueinfo, a->pid, a->sig, &info));
    return hc_host_ret(syscall(SYS_rt_tgsigqueueinfo, a->pid, a->tid, a->sig, &info));
}

int64_t hc_kill(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    const struct bvm_hc_kill *a = &r->u.kill;
    switch (a->op) {
    case BVM_KILL_PROCESS: return policy_kill(a->pid, a->sig);
    case BVM_KILL_THREAD: return kill_thread(a);
    case BVM_KILL_QUEUE:
    case BVM_KILL_TGQUEUE: return queue_info(c, a);
    default: return -EINVAL;
    }
}
