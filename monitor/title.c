/* title.c: the host process shows the guest program's name and arguments (setproctitle's method:
 * Linux's /proc/<pid>/cmdline reads the memory where execve put the arguments). */
#include "title.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

extern char **environ;

static char *area;      /* where execve put argv[0]... */
static size_t args_len; /* bytes of the argument strings */
static size_t area_len; /* ... and of the environment strings that follow them */

/* Moves each string of v (NULL-terminated) that lies at the end of the area to the heap; the area
 * grows over it. */
static void take(char **v, char **end)
{
    for (; *v; v++) {
        size_t n = strlen(*v) + 1;
        char *copy = strdup(*v);
        if (*v == *end && copy) {
            *end += n;
            *v = copy;
        }
    }
}

void title_init(int argc, char **argv)
{
    if (argc < 1 || !argv[0])
        return;
    char *end = argv[0];
    area = argv[0];
    take(argv, &end);
    args_len = (size_t)(end - area);
    take(environ, &end); /* (getenv reads the copies) */
    area_len = (size_t)(end - area);
}

void title_set(const char *comm, const char *cmdline, size_t len)
{
    char name[16];
    strncpy(name, comm, sizeof name - 1);
    name[sizeof name - 1] = 0;
    prctl(PR_SET_NAME, name, 0, 0, 0);
    if (!area || !args_len)
        return;
    /* Within the arguments' place: as they are, NUL-separated, the rest NULs (Linux reads that
     * place whole). Longer: Linux reads on into the environment's place up to a NUL when the
     * last byte of the arguments' is not one, so the separators become spaces. */
    if (len <= args_len) {
        memcpy(area, cmdline, len);
        memset(area + len, 0, area_len - len);
        return;
    }
    len = len < area_len ? len : area_len - 1;
    for (size_t i = 0; i < len; i++)
        area[i] = cmdline[i] ? cmdline[i] : ' ';
    memset(area + len, 0, area_len - len);
}
