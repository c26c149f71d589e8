/* cputime.c: getrusage and times count CPU time, the process's own and its waited children's:
 * each figure is checked against the work done (a busy loop until the process's CPU clock has
 * advanced half a second, whatever the machine's load), not printed. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double clock_of(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}
static double now(void) { return clock_of(CLOCK_MONOTONIC); }

static volatile unsigned long sink;
static void spin(double seconds)
{
    double end = clock_of(CLOCK_PROCESS_CPUTIME_ID) + seconds;
    while (clock_of(CLOCK_PROCESS_CPUTIME_ID) < end)
        for (int i = 0; i < 10000; i++)
            sink += i;
}

static double tv(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

int main(void)
{
    long hz = sysconf(_SC_CLK_TCK);
    struct tms t0, t1;
    clock_t c0 = times(&t0);
    double w0 = now();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double before = tv(ru.ru_utime) + tv(ru.ru_stime); /* (start-up: a VM's making is CPU time too) */
    sleep(1); /* idle: no CPU time */
    getrusage(RUSAGE_SELF, &ru);
    printf("idle second costs under half a second: %d\n", tv(ru.ru_utime) + tv(ru.ru_stime) - before < 0.5);
    spin(0.5);
    getrusage(RUSAGE_SELF, &ru);
    double self = tv(ru.ru_utime) + tv(ru.ru_stime) - before; /* since w0 */
    printf("busy half second counted (0.45 .. wall): %d\n", self >= 0.45 && self <= now() - w0 + 0.05);
    pid_t pid = fork();
    if (pid == 0) {
        spin(0.5);
        _exit(0);
    }
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("children before the wait: %d\n", tv(ru.ru_utime) + tv(ru.ru_stime) < 0.1);
    waitpid(pid, NULL, 0);
    getrusage(RUSAGE_CHILDREN, &ru);
    double kids = tv(ru.ru_utime) + tv(ru.ru_stime);
    printf("child's busy half second counted: %d\n", kids >= 0.45 && kids <= now() - w0);
    clock_t c1 = times(&t1);
    double wall = (double)(c1 - c0) / hz;
    printf("times: elapsed ticks match the wall clock: %d\n", wall > 1.9 && wall < now() - w0 + 0.1);
    printf("times: own and children's CPU ticks: %d %d\n", (t1.tms_utime + t1.tms_stime) * 10 >= 4 * hz,
           (t1.tms_cutime + t1.tms_cstime) * 10 >= 4 * hz);
    return 0;
}
