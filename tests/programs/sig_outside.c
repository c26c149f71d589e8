/* sig_outside.c: signals sent by another process while the program waits in the kernel (driven by
 * tests/programs/run.sh, kind "signals": it waits for each "stage N" line, then sends the next
 * signal). Checks EINTR versus SA_RESTART, sleeps cut short, ignored signals that do not wake a
 * wait, siginfo from another process, a stop and a continue, and a default action that kills. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sig_common.h"

static int pipefd[2];
static volatile int handled[65], last_code, from_other;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    handled[sig]++;
    last_code = si->si_code;
    from_other = si->si_pid != getpid() && si->si_pid > 0;
    if (sig == SIGINT) {
        char c = 'x';
        if (write(pipefd[1], &c, 1) != 1)
            handled[0]++;
    }
    (void)uc;
}

static void catch(int sig, int flags)
{
    sig_set(sig, NULL, on_sig, flags);
}

static void stage(int n)
{
    printf("stage %d\n", n);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (pipe(pipefd))
        return 1;
    char c;
    catch(SIGUSR1, 0);
    stage(1); /* <- SIGUSR1: read gives way with EINTR */
    errno = 0;
    ssize_t n = read(pipefd[0], &c, 1);
    printf("read: %zd errno %d usr1 %d code %d (SI_USER %d) from another process %d\n", n, errno, handled[SIGUSR1],
           last_code, SI_USER, from_other);

    catch(SIGUSR2, SA_RESTART);
    catch(SIGINT, SA_RESTART);
    stage(2); /* <- SIGUSR2 (restarted), then SIGINT (its handler writes to the pipe) */
    n = read(pipefd[0], &c, 1);
    printf("restarted read: %zd '%c' usr2 %d int %d\n", n, n == 1 ? c : '?', handled[SIGUSR2], handled[SIGINT]);

    catch(SIGHUP, SA_RESTART);
    struct timespec req = {30, 0}, rem = {0, 0};
    stage(3); /* <- SIGHUP: a sleep is never restarted */
    errno = 0;
    int r = nanosleep(&req, &rem);
    printf("nanosleep: %d errno %d hup %d rem left %d\n", r, errno, handled[SIGHUP], rem.tv_sec > 0 && rem.tv_sec < 30);

    catch(SIGQUIT, 0);
    stage(4); /* <- SIGWINCH (ignored by default: the wait goes on), then SIGQUIT */
    errno = 0;
    r = poll(NULL, 0, 30000);
    printf("poll: %d errno %d quit %d\n", r, errno, handled[SIGQUIT]);

    int rt = 40; /* a real-time signal for glibc (SIGRTMIN 34) and musl (35) alike */
    catch(rt, 0);
    sigset_t none;
    sigemptyset(&none);
    stage(5); /* <- SIGRTMIN+3 */
    errno = 0;
    r = sigsuspend(&none);
    printf("sigsuspend: %d errno %d rt %d code %d\n", r, errno, handled[rt], last_code);

    /* the two highest real-time signals (the monitor has host signals of those numbers too) */
    sigset_t rtmax;
    sigemptyset(&rtmax);
    sigaddset(&rtmax, SIGRTMAX - 1);
    sigaddset(&rtmax, SIGRTMAX);
    sigprocmask(SIG_BLOCK, &rtmax, NULL);
    catch(SIGRTMAX - 1, 0);
    catch(SIGRTMAX, 0);
    stage(8); /* <- SIGRTMAX-1, SIGRTMAX */
    for (int i = 0; i < 100 && handled[SIGRTMAX - 1] + handled[SIGRTMAX] < 2; i++)
        sigsuspend(&none);
    printf("rtmax-1 %d rtmax %d code %d\n", handled[SIGRTMAX - 1], handled[SIGRTMAX], last_code);

    catch(SIGCONT, 0);
    stage(6); /* stops itself; <- SIGCONT: it goes on, and its handler runs */
    raise(SIGSTOP);
    printf("continued: cont %d\n", handled[SIGCONT]);

    stage(7); /* <- SIGTERM, default action */
    pause();
    printf("not reached\n");
    return 0;
}
