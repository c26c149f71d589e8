/* sys_fuzz.c: an in-guest system call fuzzer. sys_fuzz SEED ROUNDS CALLS: each round a child
 * process (a session of its own) makes CALLS random system calls with hostile arguments (small
 * numbers, descriptors, pointers into a buffer and just past it, NULL, kernel and non-canonical
 * addresses, paths from a short list, random bits) and ends; the parent reaps it, killing it after half
 * a second if it is stuck (a blocking read, a long sleep: legitimate). Meant to run under buffervm as
 * an unprivileged user in a scratch directory, where what matters is buffervm's side: a child's
 * monitor must never fail (status 125) or crash; the parent prints what became of the rounds and
 * exits 1 if any child ended with status 125.
 * Left out: new processes and programs (fork, clone, execve), signals to other processes (kill and
 * its kin are aimed at the caller itself), ptrace and cross-process memory, fallocate (disk space),
 * system administration calls. Exit statuses are kept below 100. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF (64 * 1024)

static uint64_t state;
static uint64_t rnd(void)
{
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state;
}

static char *buf; /* BUF bytes, then an unmapped page */
static const char *const paths[] = {"f", "g", "d", "d/x", "l", ".", "", "/", "/dev/null", "/proc/self/maps",
                                    "/proc/self/fd/0", "/proc/self/exe", "/etc/passwd", "nonexistent/x"};
static const uint64_t odd_addrs[] = {0xffff800000000000ull, 0xffffffff81000000ull, 0x800000000000ull,
                                     0x7ffffffff000ull, 0xffffffffff600000ull, 0x1000ull, 0x10000ull};

static uint64_t arg(void)
{
    switch (rnd() % 12) {
    case 0: return rnd() % 8;
    case 1: return 3 + rnd() % 10;
    case 2: return (uint64_t)-1 - rnd() % 4;
    case 3: return (uint64_t)(uintptr_t)(buf + rnd() % BUF);
    case 4: return (uint64_t)(uintptr_t)paths[rnd() % (sizeof paths / sizeof paths[0])];
    case 5: return 0;
    case 6: return odd_addrs[rnd() % (sizeof odd_addrs / sizeof odd_addrs[0])];
    case 7: return 1ull << (rnd() % 64);
    case 8: return rnd();
    case 9: return (uint64_t)(uintptr_t)(buf + BUF); /* the unmapped page */
    case 10: return rnd() % 4096;
    default: return (uint64_t)(uintptr_t)(buf + BUF - rnd() % 64); /* runs into the unmapped page */
    }
}

static int left_out(long nr)
{
    switch (nr) {
    case SYS_clone: case SYS_fork: case SYS_vfork: case SYS_execve: case SYS_execveat: case 435: /* clone3 */
    case SYS_ptrace: case SYS_process_vm_readv: case SYS_process_vm_writev: case 424: /* pidfd_send_signal */
    case 438: /* pidfd_getfd */ case SYS_fallocate: case SYS_pause: case SYS_reboot: case SYS_kexec_load:
    case SYS_kexec_file_load: case SYS_init_module: case SYS_finit_module: case SYS_delete_module:
    case SYS_mount: case SYS_umount2: case SYS_swapon: case SYS_swapoff: case SYS_pivot_root: case SYS_chroot:
    case SYS_acct: case SYS_settimeofday: case SYS_clock_settime: case SYS_adjtimex: case SYS_clock_adjtime:
    case SYS_sethostname: case SYS_setdomainname: case SYS_iopl: case SYS_ioperm: case SYS_syslog:
        return 1;
    default:
        return nr > 335 && (nr < 424 || nr > 450);
    }
}

static int ends_child(long nr)
{
    return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_kill || nr == SYS_tkill || nr == SYS_tgkill ||
           nr == SYS_rt_sigreturn || nr == SYS_rt_sigqueueinfo || nr == SYS_rt_tgsigqueueinfo;
}

static void one_call(void)
{
    long nr;
    do
        nr = (long)(rnd() % 451);
    while (left_out(nr) || (ends_child(nr) && rnd() % 16)); /* those are rarer: children run longer */
    uint64_t a[6];
    for (int i = 0; i < 6; i++)
        a[i] = arg();
    pid_t self = getpid();
    switch (nr) { /* signals only to itself; exits below 100 */
    case SYS_kill: case SYS_rt_sigqueueinfo: a[0] = (uint64_t)self; break;
    case SYS_tkill: a[0] = (uint64_t)self; break;
    case SYS_tgkill: case SYS_rt_tgsigqueueinfo: a[0] = a[1] = (uint64_t)self; break;
    case SYS_exit: case SYS_exit_group: a[0] %= 100; break;
    }
    syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void child(uint64_t seed, long calls)
{
    setsid();
    state = seed * 0x9e3779b97f4a7c15ull + 1;
    buf = mmap(NULL, BUF + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        _exit(2);
    munmap(buf + BUF, 4096);
    for (int i = 0; i < BUF; i++)
        buf[i] = (char)(rnd() % 8 ? rnd() : 0); /* strings are short */
    struct itimerval it = {{0, 0}, {0, 300000}}; /* a blocked call ends in SIGALRM */
    setitimer(ITIMER_REAL, &it, NULL);
    for (long i = 0; i < calls; i++)
        one_call();
    _exit(0);
}

/* The child's status, or -1 once it was killed for taking more than half a second. */
static int reap(pid_t pid)
{
    int st;
    for (int i = 0; i < 50; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return st;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return fprintf(stderr, "usage: sys_fuzz SEED ROUNDS CALLS\n"), 2;
    if (getuid() == 0 || geteuid() == 0) /* its calls may chmod, chown or unlink what root can */
        return fprintf(stderr, "sys_fuzz: refusing to run as root; run it as an unprivileged user\n"), 2;
    uint64_t seed = strtoull(argv[1], NULL, 10);
    long rounds = atol(argv[2]), calls = atol(argv[3]);
    int exits = 0, signals = 0, stuck = 0, failed = 0;
    for (int s = 1; s < 32; s++)
        if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
            signal(s, SIG_IGN); /* whatever a child manages to send elsewhere */
    FILE *f = fopen("f", "w"), *g = fopen("g", "w");
    if (!f || !g || fputs("some text\n", f) < 0 || fclose(f) || fclose(g) || mkdir("d", 0755) || symlink("f", "l"))
        return perror("setup"), 2;
    for (long r = 0; r < rounds; r++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int s = 1; s < 32; s++)
                signal(s, SIG_DFL);
            child(seed * 100003 + (uint64_t)r, calls);
        }
        if (pid < 0)
            return perror("fork"), 2;
        int st = reap(pid);
        if (st == -1)
            stuck++;
        else if (WIFSIGNALED(st))
            signals++;
        else if (WEXITSTATUS(st) == 125)
            failed++, printf("round %ld (seed %llu): status 125\n", r, (unsigned long long)(seed * 100003 + r));
        else
            exits++;
    }
    printf("%ld rounds of %ld calls: %d exited, %d killed by a signal, %d stuck (killed), %d buffervm failures\n",
           rounds, calls, exits, signals, stuck, failed);
    return failed ? 1 : 0;
}
