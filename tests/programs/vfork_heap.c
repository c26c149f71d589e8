/* vfork_heap.c: a vfork child shares its parent's memory, heap included (dash allocates in its
 * vfork child before it execs): blocks the child makes, grows and frees are the parent's after,
 * whether the child execs or exits. Under `buffervm check` the parent must see them as its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *volatile made, *volatile grown, *volatile kept;

static void child_work(int round)
{
    made = malloc(100);
    snprintf(made, 100, "made by vfork child %d", round);
    grown = realloc(grown, 3000 + (size_t)round); /* the parent's block freed, a new one made */
    memset(grown + 2000, 'g', 1000);
    free(kept); /* the parent's block */
    kept = NULL;
}

int main(void)
{
    grown = malloc(16);
    strcpy(grown, "grown");
    for (int round = 0; round < 2; round++) {
        kept = malloc(40);
        pid_t p = vfork();
        if (p == 0) {
            child_work(round);
            if (round == 0)
                _exit(0);
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        int st;
        waitpid(p, &st, 0);
        printf("round %d: child status %d, made \"%s\", grown \"%s\" %c%c, kept %s\n", round, WEXITSTATUS(st),
               made, grown, grown[2000], grown[2999], kept ? "still there" : "freed by the child");
        free(made);
    }
    free(grown);
    printf("done\n");
    return 0;
}
