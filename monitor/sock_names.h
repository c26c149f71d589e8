/* sock_names.h: the names AF_UNIX sockets were given under the sandbox, as the program gave them.
 * A sandboxed bind is made from the checked directory with the last component only, and a connect
 * through the checked socket file's descriptor, so the host records short or /proc names; Linux
 * shows the path the program passed. Kept per socket (its inode: dup, fork and SCM_RIGHTS keep it). */
#ifndef BVM_SOCK_NAMES_H
#define BVM_SOCK_NAMES_H

/* After a successful bind (peer 0) or connect (peer 1) of host fd to path. */
void sock_name_remember(int fd, int peer, const char *path);
/* getsockname (peer 0) or getpeername (peer 1) gave sun_path (room: size bytes) for host fd: put
 * back the remembered path whose last component it is. Returns the new path's length, or -1 when
 * nothing was remembered for it (sun_path untouched). */
int sock_name_recall(int fd, int peer, char *sun_path, unsigned size);
/* accept: the new socket's own name is its listener's. */
void sock_name_copy(int from, int to);

#endif
