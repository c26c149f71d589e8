/* inherited_fds.c: the descriptors past stdio buffervm was started with. Read from /proc/self/fd
 * before the monitor has opened anything (the directory's own descriptor left out). */
#include "inherited_fds.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define INHERITED_MAX 1024

static int fds[INHERITED_MAX];
static int nfds;

void inherited_fds_scan(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (!d)
        return; /* no /proc: the program gets stdio only */
    while ((e = readdir(d)) && nfds < INHERITED_MAX) {
        int fd = atoi(e->d_name);
        if (fd > 2 && fd != dirfd(d) && fd < BVM_HOST_FD_MAX && e->d_name[0] != '.')
            fds[nfds++] = fd;
    }
    closedir(d);
}

int inherited_fds_list(struct bvm_inherited_fd *out, int max)
{
    int n = 0;
    for (int i = 0; i < nfds && n < max; i++) {
        int fl = fcntl(fds[i], F_GETFL);
        if (fl >= 0) /* closed meanwhile (never by the monitor, but be sure) */
            out[n++] = (struct bvm_inherited_fd){fds[i], (uint32_t)fl};
    }
    return n;
}
