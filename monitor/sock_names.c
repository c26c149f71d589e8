/* sock_names.c: the names AF_UNIX sockets were given under the sandbox (sock_names.h). */
#include "sock_names.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define NAMES 64 /* the most recent ones; an older socket falls back to the host's name for it */

static struct {
    dev_t dev;
    ino_t ino;
    int peer, used;
    char path[108];
} names[NAMES];
static unsigned next;

void sock_name_remember(int fd, int peer, const char *path)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || strlen(path) >= sizeof names[0].path)
        return;
    unsigned i = next++ % NAMES;
    for (unsigned k = 0; k < NAMES; k++) /* a socket's new name replaces its old one */
        if (names[k].used && names[k].dev == st.st_dev && names[k].ino == st.st_ino && names[k].peer == peer)
            i = k;
    names[i].dev = st.st_dev, names[i].ino = st.st_ino, names[i].peer = peer, names[i].used = 1;
    snprintf(names[i].path, sizeof names[i].path, "%s", path);
}

/* The last component of path (after any trailing slashes are ignored: a socket name has none). */
static const char *last_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int sock_name_recall(int fd, int peer, char *sun_path, unsigned size)
{
    struct stat st;
    if (!sun_path[0] || fstat(fd, &st) < 0)
        return -1;
    for (unsigned k = 0; k < NAMES; k++) {
        if (!names[k].used || names[k].dev != st.st_dev || names[k].ino != st.st_ino || names[k].peer != peer)
            continue;
        /* the host's is the name bound from the checked directory: its last component */
        if (strlen(names[k].path) < size && strcmp(last_of(names[k].path), sun_path) == 0) {
            snprintf(sun_path, size, "%s", names[k].path);
            return (int)strlen(sun_path);
        }
    }
    return -1;
}

void sock_name_copy(int from, int to)
{
    char path[sizeof names[0].path] = "";
    struct stat st;
    if (fstat(from, &st) < 0)
        return;
    for (unsigned k = 0; k < NAMES && !path[0]; k++)
        if (names[k].used && names[k].dev == st.st_dev && names[k].ino == st.st_ino && !names[k].peer)
            snprintf(path, sizeof path, "%s", names[k].path);
    if (path[0])
        sock_name_remember(to, 0, path);
}
