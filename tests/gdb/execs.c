/* execs.c: an execve for the gdb tests (tests/gdb/execs.gdb): the program runs itself again with an
 * argument, and the second image exits with status 7. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1) {
        printf("second image: %s\n", argv[1]);
        return 7;
    }
    printf("first image\n");
    fflush(stdout);
    execl("/proc/self/exe", "execs", "again", (char *)0);
    return 1;
}
