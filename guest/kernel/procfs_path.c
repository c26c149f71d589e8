/* procfs_path.c: the program's names for itself (/proc/self/..., /dev/fd/N, /dev/stdin ...) in
 * whatever spelling, turned into what the host must see: the program's own descriptors, its
 * executable and working directory, never the monitor's (which the monitor refuses anyway). */
#include "bvm_linux.h"
#include "fd.h"
#include "fmt.h"
#include "hostcall.h"
#include "procfs.h"
#include "string.h"
#include "task.h"

#define MAX_DEPTH 64

/* A path being rebuilt one component at a time: text, and where each component's '/' is. */
struct cpath {
    char *out;
    size_t size, len;
    int depth;
    size_t at[MAX_DEPTH];
};

static bool comp_is(const struct cpath *c, int i, const char *s)
{
    size_t start = c->at[i] + 1, end = i + 1 < c->depth ? c->at[i + 1] : c->len;
    return i < c->depth && strlen(s) == end - start && memcmp(c->out + start, s, end - start) == 0;
}

static bool push(struct cpath *c, const char *s, size_t n)
{
    if (c->depth == MAX_DEPTH || c->len + 1 + n >= c->size)
        return false;
    c->at[c->depth++] = c->len;
    c->out[c->len++] = '/';
    memcpy(c->out + c->len, s, n);
    c->len += n;
    c->out[c->len] = 0;
    return true;
}

static void truncate_to(struct cpath *c, int depth)
{
    c->len = depth ? c->at[depth] : 0;
    c->depth = depth;
    c->out[c->len] = 0;
}

static bool is_number(const char *s, size_t n)
{
    if (n == 0 || (n > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool comp_is_pid(const struct cpath *c, int i)
{
    char pid[16];
    ksnprintf(pid, sizeof(pid), "%d", cur_proc->pid);
    return comp_is(c, i, pid);
}

/* Component i (of depth 4, under /proc/self/task) is another thread of the process than its first
 * (whose task/<pid> is the process itself). */
static bool comp_is_other_thread(const struct cpath *c, int i)
{
    size_t start = c->at[i] + 1, end = i + 1 < c->depth ? c->at[i + 1] : c->len;
    int64_t tid = 0;
    if (end - start > 9 || !is_number(c->out + start, end - start))
        return false;
    for (size_t k = start; k < end; k++)
        tid = tid * 10 + (c->out[k] - '0');
    return tid != cur_proc->pid && thread_find((int)tid);
}

/* /proc/thread-self: the first thread's is the process, another's its task directory. */
static bool thread_self(struct cpath *c)
{
    char tid[16];
    truncate_to(c, 1);
    if (cur->tid == cur_proc->pid)
        return push(c, "self", 4);
    ksnprintf(tid, sizeof(tid), "%d", cur->tid);
    return push(c, "self", 4) && push(c, "task", 4) && push(c, tid, strlen(tid));
}

/* The links that lead to /proc/self (thread-self, and task/<pid> for the first thread), and /dev's
 * standard links into it: rewritten as soon as they are complete. Another thread's task directory
 * has the kernel's stat, status and comm; the rest of it is the process's (/proc/self/X). */
static bool alias(struct cpath *c)
{
    static const char *const std[] = {"stdin", "stdout", "stderr"};
    if (c->depth == 2 && comp_is(c, 0, "proc") && comp_is(c, 1, "thread-self"))
        return thread_self(c);
    if (c->depth == 2 && comp_is(c, 0, "proc") && comp_is_pid(c, 1))
        return truncate_to(c, 1), push(c, "self", 4);
    bool task = c->depth >= 4 && comp_is(c, 0, "proc") && comp_is(c, 1, "self") && comp_is(c, 2, "task");
    if (task && c->depth == 4 && comp_is_pid(c, 3))
        return truncate_to(c, 2), true;
    if (task && c->depth == 5 && comp_is_other_thread(c, 3) &&
        !procfs_task_file(c->out + c->at[4] + 1, c->len - c->at[4] - 1)) {
        char name[256];
        size_t n = MIN(c->len - c->at[4] - 1, sizeof(name) - 1);
        memcpy(name, c->out + c->at[4] + 1, n);
        return truncate_to(c, 2), push(c, name, n);
    }
    if (c->depth != 2 || !comp_is(c, 0, "dev"))
        return true;
    for (int i = 0; i < 3; i++)
        if (comp_is(c, 1, std[i])) {
            char n[2] = {(char)('0' + i), 0};
            return truncate_to(c, 0),
                   push(c, "proc", 4) && push(c, "self", 4) && push(c, "fd", 2) && push(c, n, 1);
        }
    if (comp_is(c, 1, "fd"))
        return truncate_to(c, 0), push(c, "proc", 4) && push(c, "self", 4) && push(c, "fd", 2);
    return true;
}

/* "..": only where the parent is known without asking the host (/, /proc, /dev, /proc/self,
 * /proc/self/fd are directories; /proc/self is /proc/<pid>, so its parent is /proc). */
static bool dotdot(struct cpath *c)
{
    if (c->depth == 0)
        return true;
    bool self = c->depth >= 2 && comp_is(c, 0, "proc") && comp_is(c, 1, "self");
    if (c->depth == 1 || (self && c->depth == 2) || (self && c->depth == 3 && comp_is(c, 2, "fd")))
        return truncate_to(c, c->depth - 1), true;
    return false;
}

/* A link past which the rest of the path is the host's to resolve: /proc/self/fd/N, exe, cwd, root. */
static bool at_link(const struct cpath *c)
{
    if (c->depth < 3 || !comp_is(c, 0, "proc") || !comp_is(c, 1, "self"))
        return false;
    return (c->depth == 4 && comp_is(c, 2, "fd")) ||
           (c->depth == 3 && (comp_is(c, 2, "exe") || comp_is(c, 2, "cwd") || comp_is(c, 2, "root")));
}

/* Rebuilds an absolute path under /proc or /dev without "//", "." and the ".." it can resolve,
 * with the aliases above; the rest after a link is kept as it is. False: leave the path alone. */
static bool canon(const char *in, char *out, size_t size, bool follow)
{
    struct cpath c = {out, size, 0, 0, {0}};
    out[0] = 0;
    for (const char *p = in; *p;) {
        if (*p == '/') {
            p++;
            continue;
        }
        if (at_link(&c)) {
            size_t n = strlen(p - 1); /* the '/' before the rest, and the rest */
            if (c.len + n >= size)
                return false;
            memcpy(out + c.len, p - 1, n + 1);
            return true;
        }
        size_t n = 0;
        while (p[n] && p[n] != '/')
            n++;
        bool dot = n == 1 && p[0] == '.', dots = n == 2 && p[0] == '.' && p[1] == '.';
        if (c.depth == 0 && !dot && !dots && !(n == 4 && !strncmp(p, "proc", 4)) &&
            !(n == 3 && !strncmp(p, "dev", 3)))
            return false; /* not /proc or /dev: the host's, as it is */
        /* A final component not followed is the link itself (readlink /dev/stdin, lstat /proc/self). */
        bool final = !p[n] && !follow;
        if (!dot && !(dots ? dotdot(&c) : push(&c, p, n) && (final || alias(&c))))
            return false;
        p += n;
    }
    if (c.depth == 0)
        return false;
    const char *last = in + strlen(in);
    while (last > in && last[-1] != '/')
        last--;
    if (!*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
        return c.len + 1 < size && (out[c.len] = '/', out[c.len + 1] = 0, true); /* must be a directory */
    return true;
}

/* "/proc/self/X": "X", else NULL. Paths are canonical by then (procfs_canon). */
const char *procfs_self_rest(const char *path)
{
    return strncmp(path, "/proc/self/", 11) == 0 ? path + 11 : NULL;
}

/* A decimal number of at most max digits at *s, up to the next '/' or the end: its value, with *s
 * moved past it, or -1. */
static int64_t number_at(const char **s, size_t max)
{
    size_t n = 0;
    int64_t v = 0;
    while ((*s)[n] && (*s)[n] != '/')
        n++;
    if (!is_number(*s, n) || n > max)
        return -1;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + ((*s)[i] - '0');
    *s += n;
    return v;
}

int procfs_other_pid(const char *path, const char **rest)
{
    if (strncmp(path, "/proc/", 6) != 0)
        return -1;
    path += 6;
    int64_t pid = number_at(&path, 9);
    *rest = path;
    return (int)pid;
}

/* readlink of "/proc/<pid>/exe" for another process of the tree: the program it runs, into buf
 * (BVM_HC_MAX_PATH bytes, no NUL), its length; -1 for any other path or process (the host's). */
static int64_t procfs_other_exe(const char *path, char *buf, size_t size)
{
    const char *rest;
    int pid = procfs_other_pid(path, &rest);
    if (pid < 0 || size < BVM_HC_MAX_PATH || strcmp(rest, "/exe") != 0)
        return -1;
    int64_t len = process_call(BVM_PROC_EXE_OF, pid, 0, buf);
    return len < 0 ? -1 : len;
}

int64_t procfs_proc_link(const char *path, char *buf, size_t size)
{
    if (strcmp(path, "/proc/thread-self") == 0)
        return ksnprintf(buf, size, "%d/task/%d", cur_proc->pid, cur->tid);
    return procfs_other_exe(path, buf, size);
}

void procfs_canon(char *path, size_t size, bool follow)
{
    static char tmp[BVM_HC_MAX_PATH];
    if (path[0] == '/' && canon(path, tmp, MIN(size, sizeof(tmp)), follow))
        memcpy(path, tmp, strlen(tmp) + 1);
}

/* rest ("" or "/...") appended to prefix, into path: 0 or -ENAMETOOLONG. */
static int replace(char *path, size_t size, const char *prefix, const char *rest)
{
    static char tmp[BVM_HC_MAX_PATH];
    if (ksnprintf(tmp, sizeof(tmp), "%s%s", prefix, rest) >= (int)MIN(size, sizeof(tmp)))
        return -LINUX_ENAMETOOLONG;
    memcpy(path, tmp, strlen(tmp) + 1);
    return 0;
}

/* The path starts at host fd h's link (bits BVM_DIRFD_*): what follows the descriptor's number
 * (rest: "" or "/...") becomes the path from there; a rest of slashes only needs a directory. */
static int start_at(struct path_at *at, int h, int bits, char *path, size_t size, const char *rest)
{
    at->dirfd = h | bits;
    size_t n = 0;
    while (rest[n] == '/')
        n++;
    return replace(path, size, "", rest[n] ? rest + n : n ? "." : "");
}

/* "fd/N...": starts at the link of guest fd N's host fd, or -ENOENT for a descriptor the program
 * has not open. */
static int rewrite_fd(struct path_at *at, char *path, size_t size, const char *num)
{
    int64_t fd = number_at(&num, 4);
    int h = fd < 0 ? -1 : fd_host((int)fd);
    return h < 0 ? -LINUX_ENOENT : start_at(at, h, BVM_DIRFD_LINK, path, size, num);
}

/* "/proc/<pid>/fd/N..." of another process of the tree: starts at a handle the monitor opens on
 * the object behind its fd N (on the link itself for a final link not followed), or -ENOENT when
 * N is not open there. Another pid's path stays as it is. */
static int rewrite_other_fd(struct path_at *at, char *path, size_t size, bool follow)
{
    const char *rest;
    int pid = procfs_other_pid(path, &rest);
    if (pid < 0 || strncmp(rest, "/fd/", 4) != 0 || !rest[4] || rest[4] == '/')
        return 0;
    rest += 4;
    int64_t fd = number_at(&rest, 5);
    bool link = !follow && !*rest;
    int64_t h = process_call(link ? BVM_PROC_FD_LINK : BVM_PROC_FD_OBJECT, pid,
                             fd < 0 || fd > INT32_MAX ? -1 : (int)fd, NULL);
    if (h == -LINUX_ESRCH)
        return 0;
    if (h < 0)
        return h == -LINUX_EACCES ? (int)h : -LINUX_ENOENT;
    at->handle = (int)h;
    return start_at(at, (int)h, link ? BVM_DIRFD_SELF : BVM_DIRFD_LINK, path, size, rest);
}

int procfs_link(const char *rest, char *buf, size_t size)
{
    if (strcmp(rest, "exe") == 0)
        return ksnprintf(buf, size, "%s", procfs_exe());
    if (strcmp(rest, "root") == 0)
        return ksnprintf(buf, size, "/");
    if (strcmp(rest, "cwd") != 0)
        return -1;
    int64_t n = hc_out(BVM_HC_GETCWD, buf, size);
    return n > 0 ? (int)n - 1 : (int)n;
}

static int rewrite(struct path_at *at, char *path, size_t size, bool follow)
{
    static char target[BVM_HC_MAX_PATH];
    procfs_canon(path, size, follow);
    const char *rest = procfs_self_rest(path);
    if (!rest)
        return rewrite_other_fd(at, path, size, follow);
    if (strncmp(rest, "fd/", 3) == 0 && rest[3] && rest[3] != '/')
        return rewrite_fd(at, path, size, rest + 3);
    size_t n = 0;
    while (rest[n] && rest[n] != '/')
        n++;
    const char *slash = rest[n] ? rest + n : NULL;
    bool link = (n == 3 && (!strncmp(rest, "exe", 3) || !strncmp(rest, "cwd", 3))) ||
                (n == 4 && !strncmp(rest, "root", 4));
    if (!link)
        return 0;
    if (!follow && !slash)
        return 0; /* the link itself: lstat shows a link, readlink answers with procfs_link */
    memcpy(target, rest, n);
    target[n] = 0;
    int len = procfs_link(target, target, sizeof(target));
    if (len < 0)
        return len;
    return replace(path, size, strcmp(target, "/") == 0 && slash ? "" : target, slash ? slash : "");
}

int procfs_rewrite_at(struct path_at *at, char *path, size_t size, bool follow)
{
    at->handle = -1;
    int pid = path[0] && path[0] != '/' ? procfs_fd_dir_pid_host(at->dirfd) : -1;
    if (pid >= 0) { /* a name in a listing of fds: the fd's full name */
        char dir[32];
        ksnprintf(dir, sizeof(dir), pid ? "/proc/%d/fd/" : "/proc/self/fd/", pid);
        int err = replace(path, size, dir, path);
        if (err)
            return err;
    }
    int err = rewrite(at, path, size, follow);
    if (err)
        procfs_path_put(at);
    return err;
}

void procfs_path_put(struct path_at *at)
{
    if (at->handle >= 0)
        hc_close(at->handle);
    at->handle = -1;
}
