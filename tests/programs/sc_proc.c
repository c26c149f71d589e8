/* sc_proc.c: /proc and /sys as programs use them: facts that hold natively and in the VM alike. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char buf[1 << 20];

static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    long n = 0, r;
    if (fd < 0)
        return -1;
    while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    close(fd);
    buf[n] = 0;
    return n;
}

/* The maps line holding addr: its permissions and whether it names a file or [stack]/[heap]. */
static void maps_line(const char *what, unsigned long addr)
{
    for (char *l = buf; *l; l = strchr(l, '\n') + 1) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(l, "%lx-%lx %7s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi) {
            char *nl = strchr(l, '\n');
            *nl = 0;
            char *name = strrchr(l, ' ');
            printf("%s: %s named-like-exe %d stack %d\n", what, perms, strstr(name, "sc_proc") != NULL,
                   strstr(name, "[stack]") != NULL);
            *nl = '\n';
            return;
        }
        if (!strchr(l, '\n'))
            break;
    }
    printf("%s: not found\n", what);
}

int main(int argc, char **argv)
{
    char link[4096], want[4096];
    long n = readlink("/proc/self/exe", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    printf("exe matches argv[0]: %d\n", realpath(argv[0], want) && strcmp(link, want) == 0);
    int fd = open("proc-probe.txt", O_CREAT | O_WRONLY, 0644);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    printf("fd link names the file: %d\n", strstr(link, "/proc-probe.txt") != NULL);
    printf("fd link of a closed fd fails: %d\n", readlink("/proc/self/fd/900", link, sizeof link) < 0);
    /* glibc's fchmodat(AT_SYMLINK_NOFOLLOW) and tar reach files through /proc/self/fd/N */
    dup2(fd, 50);
    struct stat st;
    printf("chmod via /proc/self/fd/50: %d\n", chmod("/proc/self/fd/50", 0640));
    printf("  -> mode %o, stat via fd link %d\n", stat("proc-probe.txt", &st) == 0 ? st.st_mode & 0777 : 0,
           stat("/proc/self/fd/50", &st) == 0 && S_ISREG(st.st_mode));
    printf("lstat /proc/self/exe is a link: %d\n", lstat("/proc/self/exe", &st) == 0 && S_ISLNK(st.st_mode));
    slurp("/proc/self/maps");
    int local;
    maps_line("code", (unsigned long)&main);
    maps_line("stack", (unsigned long)&local);
    slurp("/proc/self/stat");
    printf("stat pid matches: %d\n", atol(buf) == getpid());
    printf("stat comm: %.*s\n", (int)(strchr(buf, ')') - strchr(buf, '(') + 1), strchr(buf, '('));
    slurp("/proc/self/status");
    char *pid = strstr(buf, "\nPid:\t");
    printf("status pid matches: %d\n", pid && atol(pid + 6) == getpid());
    slurp("/proc/self/cmdline");
    printf("cmdline argv[0] matches: %d\n", strcmp(buf, argv[0]) == 0);
    cpu_set_t set;
    sched_getaffinity(0, sizeof set, &set);
    slurp("/proc/cpuinfo");
    int procs = 0;
    for (char *p = buf; (p = strstr(p, "processor\t")) != NULL; p++)
        procs++;
    printf("cpuinfo processors == affinity count: %d\n", procs == CPU_COUNT(&set));
    slurp("/sys/devices/system/cpu/online");
    printf("cpu/online consistent: %d\n", CPU_COUNT(&set) == 1 ? strcmp(buf, "0\n") == 0 : buf[0] == '0');
    printf("sysconf nprocessors == affinity: %d\n", sysconf(_SC_NPROCESSORS_ONLN) == CPU_COUNT(&set));
    return argc > 1;
}
