/* xattrs.c: extended attributes on a file, a symlink, an open file and a directory: set, get,
 * list, remove, and the errors (no such attribute, CREATE/REPLACE, a buffer too small, a name
 * empty or too long, a value too large, bad pointers, an O_PATH descriptor). What the file system
 * supports (user.* on tmpfs only since Linux 6.6) shows the same natively and under buffervm. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static void show(const char *what, long r, const char *buf)
{
    if (r < 0)
        printf("%s: -1 errno %d\n", what, errno);
    else if (buf)
        printf("%s: %ld \"%.*s\"\n", what, r, (int)r, buf);
    else
        printf("%s: %ld\n", what, r);
    errno = 0;
}

/* A list's names, NULs shown as '|', sorted so that the file system's order does not matter. */
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void show_list(const char *what, long r, char *buf)
{
    char *names[64];
    int n = 0;
    if (r <= 0) {
        show(what, r, NULL);
        return;
    }
    for (char *p = buf; p < buf + r && n < 64; p += strlen(p) + 1)
        names[n++] = p;
    qsort(names, n, sizeof names[0], cmp);
    printf("%s: %ld", what, r);
    for (int i = 0; i < n; i++)
        printf(" %s", names[i]);
    printf("\n");
}

int main(void)
{
    char buf[256], big[70000], name[300];
    setvbuf(stdout, NULL, _IONBF, 0);
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    if (fd < 0 || symlink("f", "l") < 0 || mkdir("d", 0755) < 0)
        return 1;
    show("get missing", getxattr("f", "user.a", buf, sizeof buf), NULL);
    show("set", setxattr("f", "user.a", "one", 3, 0), NULL);
    show("set create again", setxattr("f", "user.a", "two", 3, XATTR_CREATE), NULL);
    show("set replace missing", setxattr("f", "user.b", "two", 3, XATTR_REPLACE), NULL);
    show("set replace", setxattr("f", "user.a", "three", 5, XATTR_REPLACE), NULL);
    show("set empty value", setxattr("f", "user.empty", "", 0, 0), NULL);
    show("set bad flags", setxattr("f", "user.c", "x", 1, 4), NULL);
    show("get", getxattr("f", "user.a", buf, sizeof buf), buf);
    show("get size", getxattr("f", "user.a", NULL, 0), NULL);
    show("get small", getxattr("f", "user.a", buf, 2), NULL);
    show("get empty", getxattr("f", "user.empty", buf, sizeof buf), buf);
    show("get via link", getxattr("l", "user.a", buf, sizeof buf), buf);
    show("lget on link", lgetxattr("l", "user.a", buf, sizeof buf), NULL);
    show("fget", fgetxattr(fd, "user.a", buf, sizeof buf), buf);
    show_list("list", listxattr("f", buf, sizeof buf), buf);
    show("list size", listxattr("f", NULL, 0), NULL);
    show("list small", listxattr("f", buf, 3), NULL);
    show_list("llist on link", llistxattr("l", buf, sizeof buf), buf);
    show_list("flist", flistxattr(fd, buf, sizeof buf), buf);
    show_list("list dir", listxattr("d", buf, sizeof buf), buf);
    show("set dir", setxattr("d", "user.d", "dd", 2, 0), NULL);
    show("get dir", getxattr("d", "user.d", buf, sizeof buf), buf);
    show("fset", fsetxattr(fd, "user.f", "ff", 2, 0), NULL);
    show("lset on link", lsetxattr("l", "user.l", "ll", 2, 0), NULL);
    show("remove", removexattr("f", "user.a"), NULL);
    show("remove again", removexattr("f", "user.a"), NULL);
    show("fremove", fremovexattr(fd, "user.f"), NULL);
    show("lremove on link", lremovexattr("l", "user.l"), NULL);
    show_list("list after", listxattr("f", buf, sizeof buf), buf);
    show("get unknown namespace", getxattr("f", "nonsense.a", buf, sizeof buf), NULL);
    show("get acl", getxattr("f", "system.posix_acl_access", buf, sizeof buf), NULL);
    show("get empty name", getxattr("f", "", buf, sizeof buf), NULL);
    memset(name, 'n', sizeof name);
    memcpy(name, "user.", 5);
    name[255] = 0;
    show("get name 255", getxattr("f", name, buf, sizeof buf), NULL);
    name[255] = 'n', name[256] = 0;
    show("get name 256", getxattr("f", name, buf, sizeof buf), NULL);
    show("set value too large", setxattr("f", "user.big", big, 65537, 0), NULL);
    show("get no file", getxattr("nofile", "user.a", buf, sizeof buf), NULL);
    show("get bad name ptr", getxattr("f", (char *)8, buf, sizeof buf), NULL);
    show("get bad path ptr", getxattr((char *)8, "user.a", buf, sizeof buf), NULL);
    if (setxattr("f", "user.v", "value", 5, 0) == 0)
        show("get bad buffer", getxattr("f", "user.v", (char *)8, 5), NULL);
    show("set bad value ptr", setxattr("f", "user.w", (char *)8, 5, 0), NULL);
    int opath = open("f", O_PATH);
    show("fget O_PATH", fgetxattr(opath, "user.a", buf, sizeof buf), NULL);
    show("fget bad fd", fgetxattr(99, "user.a", buf, sizeof buf), NULL);
    return 0;
}
