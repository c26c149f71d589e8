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

/* The slot holding the name of st's socket (peer 0) or of its peer (peer 1), or -1. */
static int slot_of(const struct stat *st, int peer)
{
    for (int k = 0; k < NAMES; k++)
        if (names[k].used && names[k].dev == st->st_dev && names[k].ino == st->st_ino && names[k].peer == peer)
            return k;
    return -1;
}

void sock_name_remember(int fd, int peer, const char *path)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || strlen(path) >= sizeof names[0].path)
        return;
    int k = slot_of(&st, peer); /* a socket's new name replaces its old one */
    unsigned i = k >= 0 ? (unsigned)k : next++ % NAMES;
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
    int k = sun_path[0] && fstat(fd, &st) == 0 ? slot_of(&st, peer) : -1;
    /* the host's is the name bound from the checked directory: its last component */
    if (k < 0 || strlen(names[k].path) >= size || strcmp(last_of(names[k].path), sun_path) != 0)
        return -1;
    snprintf(sun_path, size, "%s", names[k].path);
    return (int)strlen(sun_path);
}

void sock_name_copy(int from, int to)
{
    char path[sizeof names[0].path]; /* (a copy: remembering may reuse the slot) */
    struct stat st;
    int k = fstat(from, &st) == 0 ? slot_of(&st, 0) : -1;
    if (k < 0)
        return;
    snprintf(path, sizeof path, "%s", names[k].path);
    sock_name_remember(to, 0, path);
}
