/* task.c: the process and thread structures (one of each until threads and fork arrive). */
#include "task.h"

#include "string.h"

static struct process proc0;
static struct thread thread0;
struct thread *cur = &thread0;
struct process *cur_proc = &proc0;

void task_init(void)
{
    memset(&proc0, 0, sizeof(proc0));
    memset(&thread0, 0, sizeof(thread0));
    proc0.pid = boot->pid;
    thread0.tid = boot->pid;
    thread0.altstack.ss_flags = LINUX_SS_DISABLE;
    /* What execve passes on: ignored dispositions and the mask (SIGKILL and SIGSTOP never). */
    for (int sig = 1; sig <= LINUX_NSIG; sig++)
        if ((boot->sig_ignored & SIGBIT(sig)) && sig != LINUX_SIGKILL && sig != LINUX_SIGSTOP)
            proc0.action[sig].handler = LINUX_SIG_IGN;
    thread0.blocked = boot->sig_blocked & ~(SIGBIT(LINUX_SIGKILL) | SIGBIT(LINUX_SIGSTOP));
    if (proc0.action[LINUX_SIGCHLD].handler == LINUX_SIG_IGN)
        process_child_reap(true); /* as the host would for a program started with SIGCHLD ignored */
}
