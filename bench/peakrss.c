/* peakrss.c: runs a command and prints its peak resident set in KiB (wait4's ru_maxrss). Static and
 * small, so the fork it runs the command from weighs nothing beside what is measured. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct rusage ru;
    int status;
    if (argc < 2)
        return 2;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(open("/dev/null", 1), 1);
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
        return 1;
    printf("%ld\n", ru.ru_maxrss);
    return 0;
}
