/* target.c: the program the gdb tests debug (tests/gdb/run.sh): calls with arguments, a global
 * that changes, a raw syscall, a handled signal and, with argument "fault", a bad store; with
 * "read", it first says "waiting" on stderr and waits for a line on stdin (gdb interrupts it
 * there). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int counter;
int seen; /* written once, then read: an access watchpoint's */
long last_pid;
static volatile int *nowhere = (int *)16;

struct point {
    int x, y;
    const char *name;
};

static int add(int a, int b)
{
    counter += a;
    return a + b;
}

static int scale(const struct point *p, int k)
{
    return (p->x + p->y) * k;
}

long raw_getpid(void)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(39L) : "rcx", "r11", "memory");
    return r;
}

static void on_usr1(int sig)
{
    counter += 1000;
    write(1, "usr1\n", 5);
}

int main(int argc, char **argv)
{
    char line[64];
    if (argc > 1 && !strcmp(argv[1], "read")) {
        fputs("waiting\n", stderr); /* (the test interrupts once it sees this) */
        if (fgets(line, sizeof line, stdin))
            printf("line %s", line);
    }
    int total = 0;
    for (int i = 0; i < 5; i++)
        total = add(total, i);
    struct point pt = {3, 4, "pt"};
    int s = scale(&pt, total);
    seen = s;
    last_pid = raw_getpid();
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("total %d scale %d counter %d pid %s\n", total, seen, counter, last_pid == getpid() ? "ok" : "bad");
    fflush(stdout);
    if (argc > 1 && !strcmp(argv[1], "fault"))
        *nowhere = 1;
    return total == 10 ? 0 : 3;
}
