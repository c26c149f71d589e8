/* mq_leave.c: for run_tree.sh's check that a run's POSIX message queues are its own. "make NAME":
 * makes queue /NAME and, in a forked child that outlives it, /NAME-child, and unlinks neither;
 * "probe NAME": exit status 0 when /NAME exists (natively: whether the host's namespace has it). */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char name[300];
    if (argc != 3)
        return 2;
    snprintf(name, sizeof name, "/%s", argv[2]);
    if (strcmp(argv[1], "probe") == 0)
        return mq_open(name, O_RDONLY) >= 0 ? 0 : 1;
    if (mq_open(name, O_CREAT | O_RDWR, 0600, NULL) < 0)
        return 3;
    if (fork() == 0) {
        strcat(name, "-child");
        mq_open(name, O_CREAT | O_RDWR, 0600, NULL);
        usleep(300000); /* its parent, the first process, has ended by now */
        _exit(0);
    }
    printf("made\n");
    return 0;
}
