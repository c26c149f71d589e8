/* policy.c: the sandbox policy. Every check is made on the object a lookup or an open reached
 * (its host fd), never on the string the guest gave: the object's own path (the kernel's name for
 * the fd, after "..", symlinks and races have all been resolved by the host) must lie in a granted
 * tree, so no spelling leaves one. Grants are canonical paths taken once at start. */
#include "policy.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"
#include "fdpub.h"
#include "landlock.h"

enum { G_READ = 1, G_WRITE = 2, G_SYSTEM = 4 /* only world-readable files */ };

struct grant {
    char path[PATH_MAX]; /* canonical, no trailing slash ("/" is "") */
    size_t len;
    int rights;
};

static int sandboxed, net_ok, verbose;
static struct grant grants[POLICY_GRANTS_MAX + 16];
static int ngrants;
static struct stat stdio[3];
static int nstdio;
static pid_t top_pid;

static void add_grant(const char *path, int rights, int must_exist)
{
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        if (must_exist)
            fail("usage", "cannot grant %s: %s", path, strerror(errno));
        return;
    }
    struct grant *g = &grants[ngrants++];
    snprintf(g->path, sizeof g->path, "%s", strcmp(real, "/") ? real : "");
    g->len = strlen(g->path);
    g->rights = rights;
}

/* The file policy once more, as Landlock rules the host enforces on the monitor itself: what
 * buffervm's checks allow, in coarser grain (the way to a grant is listable whole, /proc readable
 * whole, system files whatever their mode). BUFFERVM_DEBUG_HOST_OPEN=PATH makes the monitor open
 * PATH itself once confined, and say what happened (a test's hook). */
static void confine(void)
{
    static const char *const devs[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                       "/dev/tty", "/dev/kvm"};
    int abi = 0, err = landlock_begin(!net_ok);
    if (!err)
        err = landlock_allow("/", LL_LIST) ?: landlock_allow("/proc", LL_READ) ?: landlock_allow("/dev", LL_LIST);
    for (size_t i = 0; !err && i < sizeof devs / sizeof devs[0]; i++)
        err = landlock_allow(devs[i], LL_DATA);
    for (int i = 0; !err && i < ngrants; i++)
        err = landlock_allow(grants[i].len ? grants[i].path : "/", grants[i].rights & G_WRITE ? LL_WRITE : LL_READ);
    for (int fd = 0; !err && fd < 3; fd++) { /* the inherited stdio, where it is a file or a device */
        char link[32];
        struct stat st;
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        if (fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
            err = landlock_allow(link, LL_DATA);
    }
    if (!err)
        err = landlock_commit(&abi);
    if (verbose && err)
        note("sandbox: the host's Landlock does not confine the monitor (%s): buffervm's own checks alone hold",
             strerror(-err));
    (void)abi;
    const char *probe = getenv("BUFFERVM_DEBUG_HOST_OPEN");
    if (probe) {
        int fd = open(probe, O_RDONLY | O_CLOEXEC);
        note("sandbox: debug: the monitor's own open of %s: %s", probe, fd < 0 ? strerror(errno) : "allowed");
        if (fd >= 0)
            close(fd);
    }
}

void policy_init(const struct policy_opts *o, const char *prog_path)
{
    static const char *const system_dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"};
    sandboxed = o->sandbox || o->ngrants > 0;
    net_ok = o->net;
    verbose = o->verbose;
    top_pid = getpid();
    if (!sandboxed)
        return;
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
        add_grant(system_dirs[i], G_READ | G_SYSTEM, 0);
    add_grant(prog_path, G_READ, 1);
    for (int i = 0; i < o->ngrants; i++)
        add_grant(o->grant[i], G_READ | (o->grant_rw[i] ? G_WRITE : 0), 1);
    for (int fd = 0; fd < 3; fd++)
        if (fstat(fd, &stdio[nstdio]) == 0)
            nstdio++;
    confine();
}

int policy_sandboxed(void)
{
    return sandboxed;
}

/* The most specific grant holding path (a later grant of the same tree wins), or NULL. */
static const struct grant *grant_of(const char *path)
{
    const struct grant *best = NULL;
    for (int i = 0; i < ngrants; i++) {
        const struct grant *g = &grants[i];
        if (strncmp(path, g->path, g->len) == 0 && (path[g->len] == 0 || path[g->len] == '/') &&
            (!best || g->len >= best->len))
            best = g;
    }
    return best;
}

/* A directory on the way to a grant ("/" for every grant, "/usr" for "/usr/lib"...). */
static int ancestor(const char *path)
{
    size_t n = strcmp(path, "/") ? strlen(path) : 0;
    for (int i = 0; i < ngrants; i++)
        if (grants[i].len > n && strncmp(grants[i].path, path, n) == 0 && grants[i].path[n] == '/')
            return 1;
    return 0;
}

static int is_stdio(const struct stat *st)
{
    for (int i = 0; i < nstdio; i++)
        if (stdio[i].st_dev == st->st_dev && stdio[i].st_ino == st->st_ino)
            return 1;
    return 0;
}

/* The kernel's name for the object behind fd, without a " (deleted)" mark: 0, or -1 (no name). */
static int object_path(int fd, char *buf, size_t size)
{
    char link[32];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, size - 1);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    static const char deleted[] = " (deleted)";
    size_t k = sizeof deleted - 1;
    if ((size_t)n > k && strcmp(buf + n - k, deleted) == 0)
        buf[n - k] = 0;
    return 0;
}

/* Whether pid is one of the guest's processes: the first one, or below it in the host's tree. */
static int guest_pid(long pid)
{
    for (int depth = 0; depth < 64 && pid > 1; depth++) {
        char name[64], line[256];
        if (pid == top_pid)
            return 1;
        snprintf(name, sizeof name, "/proc/%ld/stat", pid);
        FILE *f = fopen(name, "r");
        if (!f)
            return 0;
        char *ok = fgets(line, sizeof line, f);
        fclose(f);
        char *close = ok ? strrchr(line, ')') : NULL;
        if (!close || sscanf(close + 1, " %*c %ld", &pid) != 1)
            return 0;
    }
    return 0;
}

/* What of a guest process's /proc/<pid> may be read: its description, never what would reach into
 * another monitor process (its memory, environment, descriptors, mappings, root and cwd links). */
static int proc_info_entry(const char *entry)
{
    static const char *const ok[] = {"", "/stat", "/status", "/statm", "/cmdline", "/comm", "/mounts",
                                     "/mountinfo", "/cgroup", "/task", "/oom_score", "/wchan"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(entry, ok[i]) == 0)
            return 1;
    return 0;
}

/* /proc/<pid>/fd of a guest process: the listing (the kernel lists the guest's own fds in it) and
 * the links of the descriptors its monitor publishes as the guest's (fdpub.h), whose objects are
 * checked as themselves when opened through them. */
static int published_fd_entry(long pid, const char *entry, enum hc_access acc)
{
    if (strcmp(entry, "/fd") == 0)
        return acc == HC_ACC_READ;
    if (strncmp(entry, "/fd/", 4) != 0 || !isdigit((unsigned char)entry[4]) || acc != HC_ACC_LINK)
        return 0;
    char *end;
    long h = strtol(entry + 4, &end, 10);
    return !*end && h < INT32_MAX && fdpub_publishes((int)pid, (int)h);
}

/* /proc: the directory and the system-wide information files to read, the guest's own
 * processes' entries (the monitor's own are refused before this: hostcall_path.c); others hidden. */
static int proc_check(const char *rest, enum hc_access acc)
{
    static const char *const info[] = {"", "/meminfo", "/cpuinfo", "/stat", "/uptime", "/loadavg", "/version",
                                       "/filesystems", "/self", "/thread-self"};
    if (isdigit((unsigned char)rest[1])) {
        char *entry;
        long pid = strtol(rest + 1, &entry, 10);
        if (!guest_pid(pid))
            return -ENOENT;
        if (acc == HC_ACC_META || (acc == HC_ACC_READ && proc_info_entry(entry)))
            return 0;
        return published_fd_entry(pid, entry, acc) ? 0 : -EACCES;
    }
    for (size_t i = 0; i < sizeof info / sizeof info[0]; i++)
        if (strcmp(rest, info[i]) == 0)
            return acc == HC_ACC_META || acc == HC_ACC_READ || acc == HC_ACC_LINK ? 0 : -EACCES;
    if (strncmp(rest, "/sys/", 5) == 0) /* kernel parameters: read only */
        return acc == HC_ACC_WRITE || acc == HC_ACC_DATA ? -EACCES : 0;
    return -ENOENT;
}

/* /dev: the directory, and the harmless devices for reading and writing data (never changed). */
static int dev_check(const char *rest, enum hc_access acc)
{
    static const char *const devs[] = {"", "/null", "/zero", "/full", "/random", "/urandom", "/tty"};
    for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
        if (strcmp(rest, devs[i]) == 0)
            return acc == HC_ACC_WRITE ? -EACCES : 0;
    return -ENOENT;
}

/* Whether the symlink at path leads to a granted object or a directory on the way to one (only
 * its existence and target are shown by this; what it names is checked itself when reached). */
static int link_visible(const char *path)
{
    char target[PATH_MAX];
    if (!realpath(path, target))
        return 0;
    return grant_of(target) || ancestor(target);
}

/* --verbose: each refusal named once (the last 64 distinct ones remembered). */
static int refusal(const char *path, enum hc_access acc, int err)
{
    static const char *const what[] = {"looking at", "reading", "reading the link", "changing", "writing"};
    static uint64_t seen[64];
    static unsigned next;
    uint64_t h = 1469598103934665603ull ^ (uint64_t)acc;
    for (const char *c = path; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    if (!verbose || !err)
        return err;
    for (unsigned i = 0; i < 64; i++)
        if (seen[i] == h)
            return err;
    seen[next++ % 64] = h;
    note("sandbox: %s %s refused: %s", what[acc < 5 ? acc : 4], path, strerror(-err));
    return err;
}

static int check_object(int fd, enum hc_access acc, char *path, size_t size);

int policy_check(int fd, enum hc_access acc)
{
    char path[PATH_MAX];
    if (!sandboxed)
        return 0;
    path[0] = 0;
    int err = check_object(fd, acc, path, sizeof path);
    return refusal(path[0] ? path : "(a file without a name)", acc, err);
}

/* policy_check's decision; path gets the object's name. */
static int check_object(int fd, enum hc_access acc, char *path, size_t size)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    if (is_stdio(&st)) /* what the program was given: data both ways, no changes */
        return acc == HC_ACC_WRITE ? -EACCES : 0;
    if (object_path(fd, path, size) < 0)
        return -ENOENT;
    if (path[0] != '/') /* pipes, sockets, anonymous inodes: reached only through fds it holds */
        return 0;
    if (strncmp(path, "/proc", 5) == 0 && (path[5] == 0 || path[5] == '/'))
        return proc_check(path + 5, acc);
    if (strncmp(path, "/dev", 4) == 0 && (path[4] == 0 || path[4] == '/'))
        return dev_check(path + 4, acc);
    if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && acc != HC_ACC_META)
        return -EACCES; /* a device node elsewhere (one made in a grant): never opened */
    const struct grant *g = grant_of(path);
    if (!g && S_ISLNK(st.st_mode)) /* a symlink outside (/bin -> usr/bin): seen if what it names is */
        return (acc == HC_ACC_META || acc == HC_ACC_LINK) && link_visible(path) ? 0 : -ENOENT;
    if (!g) /* the directories leading to a grant can be looked at and listed; the rest is hidden */
        return ancestor(path) && S_ISDIR(st.st_mode) && (acc == HC_ACC_META || acc == HC_ACC_READ) ? 0 : -ENOENT;
    switch (acc) {
    case HC_ACC_META:
    case HC_ACC_LINK: return 0;
    case HC_ACC_READ: return (g->rights & G_SYSTEM) && !(st.st_mode & S_IROTH) ? -EACCES : 0;
    default: return g->rights & G_WRITE ? 0 : -EROFS;
    }
}

int policy_socket(int domain)
{
    if (!sandboxed || net_ok || domain == AF_UNIX)
        return 0;
    char what[48];
    snprintf(what, sizeof what, "a socket of family %d (no --net)", domain);
    return refusal(what, HC_ACC_META, -EACCES);
}

/* A listing of the directory dirfd needs entries hidden: /proc, /dev and the directories on the
 * way to a grant hold names the policy hides; a granted tree shows all its names. */
static int listing_filtered(int dirfd)
{
    char path[PATH_MAX];
    if (!sandboxed || object_path(dirfd, path, sizeof path) < 0 || path[0] != '/')
        return 0;
    return !grant_of(path) || strncmp(path, "/proc", 5) == 0 || strncmp(path, "/dev", 4) == 0;
}

static int entry_visible(int dirfd, const char *name)
{
    if (!strcmp(name, ".") || !strcmp(name, ".."))
        return 1;
    int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int ok = policy_check(fd, HC_ACC_META) == 0;
    close(fd);
    return ok;
}

long policy_filter_dents(int dirfd, char *buf, long n)
{
    if (n <= 0 || !listing_filtered(dirfd))
        return n;
    long out = 0;
    for (long at = 0; at < n;) {
        struct linux_dirent64_hdr {
            uint64_t ino;
            int64_t off;
            unsigned short reclen;
            unsigned char type;
            char name[];
        } *d = (struct linux_dirent64_hdr *)(buf + at);
        unsigned short len = d->reclen;
        if (entry_visible(dirfd, d->name)) {
            memmove(buf + out, d, len);
            out += len;
        }
        at += len;
    }
    return out;
}

/* Signals to the guest's processes in group pg (0: every guest process but this one, as kill -1
 * spares the caller): 0 when one was signalled, else the last refusal, or -ESRCH. */
static int64_t kill_guests(pid_t pg, int sig)
{
    int64_t err = -ESRCH;
    int sent = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        long p = strtol(e->d_name, &end, 10);
        if (*end || p <= 0 || (pg ? getpgid((pid_t)p) != pg : p == getpid()) || !guest_pid(p))
            continue;
        if (kill((pid_t)p, sig) == 0)
            sent = 1;
        else
            err = -errno;
    }
    if (d)
        closedir(d);
    return sent ? 0 : err;
}

int policy_process_visible(pid_t pid) { return !sandboxed || guest_pid(pid); }

int64_t policy_kill(pid_t pid, int sig)
{
    if (!sandboxed)
        return kill(pid, sig) < 0 ? -errno : 0;
    if (pid > 0)
        return !guest_pid(pid) ? -ESRCH : kill(pid, sig) < 0 ? -errno : 0;
    if (pid == -1)
        return kill_guests(0, sig);
    return kill_guests(pid == 0 ? getpgrp() : -pid, sig);
}
