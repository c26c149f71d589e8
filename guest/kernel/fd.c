/* fd.c: the guest's file descriptor table: guest numbers over the monitor's host fds. */
#include "fd.h"

#include "bvm_linux.h"
#include "hostcall.h"
#include "palloc.h"
#include "procfs.h"
#include "signalfd.h"
#include "syscall.h"
#include "task.h"

/* One guest fd. The monitor's inherited 0, 1, 2 are reported as O_RDWR: their real open flags
 * are not known here. */
struct fd_entry {
    int host;        /* -1: free */
    uint32_t status; /* open status flags (F_GETFL) as the guest set them */
    bool cloexec;    /* FD_CLOEXEC (F_GETFD) */
};

/* The table grows a page of FD_CHUNK entries at a time, as a program raises RLIMIT_NOFILE and
 * uses it; the first chunk is every program's. */
#define FD_CHUNK 256
_Static_assert(FD_CHUNK * sizeof(struct fd_entry) <= PAGE_SIZE, "a chunk is a page");
static struct fd_entry first[FD_CHUNK];
static struct fd_entry *chunks[FD_MAX / FD_CHUNK] = {first};
static int nchunks = 1; /* chunks[0, nchunks) exist: fds below nchunks * FD_CHUNK */

/* How many guest fds name each host fd (dups), and how many mappings hold it open (a MAP_SHARED
 * file in the window, filewin.c). */
static uint16_t names[BVM_HOST_FD_MAX];
static uint16_t holds[BVM_HOST_FD_MAX];

/* What the tree's other processes see of the table (/proc/<pid>/fd): changes noted here reach the
 * monitor with the next hostcall; more than the page holds between two, and the whole table is
 * sent again at the end of the syscall (fd_publish). */
static struct bvm_fd_log notes __attribute__((aligned(PAGE_SIZE)));
static bool notes_lost;

static void note(int fd, int host)
{
    if (notes.n < BVM_FD_LOG_MAX)
        notes.e[notes.n++] = (struct bvm_fd_note){fd, host};
    else
        notes_lost = true;
}

static struct fd_entry *entry(int64_t fd)
{
    return fd >= 0 && fd < (int64_t)nchunks * FD_CHUNK ? &chunks[fd / FD_CHUNK][fd % FD_CHUNK] : NULL;
}

#define FOR_EACH_FD(fd, e) \
    for (int fd = 0; fd < nchunks * FD_CHUNK; fd++) \
        for (struct fd_entry *e = entry(fd); e; e = NULL)

void fd_init(void)
{
    const struct bvm_inherited_fd *in = hc_bounce();
    for (int i = 0; i < FD_CHUNK; i++)
        first[i] = (struct fd_entry){.host = -1};
    process_call(BVM_PROC_FD_LOG, 0, 0, &notes);
    for (int i = 0; i < 3; i++)
        fd_install_at(i, i, LINUX_O_RDWR | LINUX_O_LARGEFILE, false);
    /* what buffervm was started with past stdio: the same numbers, as the program would have them */
    int64_t n = process_call(BVM_PROC_INHERITED_FDS, 0, PAGE_SIZE / sizeof *in, hc_bounce());
    for (int64_t i = 0; i < n; i++)
        if (fd_reach(in[i].fd) == 0 && !fd_valid(in[i].fd))
            fd_install_at(in[i].fd, in[i].fd, in[i].flags, false);
}

bool fd_valid(int fd)
{
    const struct fd_entry *e = entry(fd);
    return e && e->host >= 0;
}

int fd_host(int64_t fd)
{
    const struct fd_entry *e = entry(fd);
    return e && e->host >= 0 ? e->host : -LINUX_EBADF;
}

int dirfd_host(int64_t dirfd)
{
    return (int32_t)dirfd == LINUX_AT_FDCWD ? LINUX_AT_FDCWD : fd_host((int32_t)dirfd);
}

int fd_limit(void)
{
    uint64_t soft = rlimit_cur(LINUX_RLIMIT_NOFILE);
    return soft < FD_MAX ? (int)soft : FD_MAX;
}

int fd_table_size(void)
{
    return nchunks * FD_CHUNK;
}

int fd_reach(int fd)
{
    while (fd >= nchunks * FD_CHUNK) {
        uint64_t pa = palloc_alloc();
        if (!pa)
            return -LINUX_ENOMEM; /* Linux's when the table cannot grow */
        struct fd_entry *c = P2V(pa);
        for (int i = 0; i < FD_CHUNK; i++)
            c[i] = (struct fd_entry){.host = -1};
        chunks[nchunks++] = c;
    }
    return 0;
}

int fd_free_from(int64_t from)
{
    int limit = fd_limit();
    for (int64_t i = from < 0 ? 0 : from; i < limit; i++) {
        const struct fd_entry *e = entry(i);
        if (!e) /* past the table: free once it has grown there */
            return fd_reach((int)i) ? -LINUX_ENOMEM : (int)i;
        if (e->host < 0)
            return (int)i;
    }
    return -LINUX_EMFILE;
}

void fd_install_at(int fd, int host, uint32_t status, bool cloexec)
{
    struct fd_entry *e = entry(fd);
    kassert(e && e->host < 0 && host >= 0 && host < BVM_HOST_FD_MAX);
    *e = (struct fd_entry){host, status, cloexec};
    names[host]++;
    note(fd, host);
}

int fd_install(int host, uint32_t status, bool cloexec)
{
    int fd = fd_free_from(0);
    if (fd < 0) {
        hc_close(host);
        return fd;
    }
    fd_install_at(fd, host, status, cloexec);
    return fd;
}

int fd_install_received(int host, bool cloexec)
{
    hc_fdop(host, BVM_FDOP_GETFL, NULL, 0);
    int64_t fl = hc_issue();
    return fd_install(host, fl < 0 ? LINUX_O_RDWR : (uint32_t)fl, cloexec);
}

int fd_alias(int ofd, int nfd, bool cloexec)
{
    const struct fd_entry *o = entry(ofd);
    fd_install_at(nfd, o->host, o->status, cloexec);
    return nfd;
}

/* Closes host fd h unless a guest fd (a dup) or a mapping still uses it. */
static int64_t host_close_unused(int h)
{
    if (h >= 0 && h < BVM_HOST_FD_MAX && (holds[h] || names[h]))
        return 0;
    procfs_host_closed(h);
    signalfd_host_closed(h);
    return hc_close(h);
}

int64_t fd_release(int fd)
{
    struct fd_entry *e = entry(fd);
    int h = e->host;
    e->host = -1;
    names[h]--;
    note(fd, -1);
    return host_close_unused(h);
}

void fd_publish(void)
{
    if (!notes_lost && notes.n < BVM_FD_LOG_MAX / 2)
        return;
    if (!notes_lost) {
        process_call(BVM_PROC_FD_LOG, 0, 0, &notes);
        return;
    }
    notes_lost = false;
    notes.n = 0, notes.reset = 1;
    FOR_EACH_FD(fd, e)
        if (e->host >= 0 && (note(fd, e->host), notes.n == BVM_FD_LOG_MAX))
            process_call(BVM_PROC_FD_LOG, 0, 0, &notes);
    process_call(BVM_PROC_FD_LOG, 0, 0, &notes);
}

void fd_close_on_exec(void)
{
    FOR_EACH_FD(fd, e)
        if (e->host >= 0 && e->cloexec)
            fd_release(fd);
}

uint32_t fd_status(int fd)
{
    return fd_valid(fd) ? entry(fd)->status : 0;
}

void fd_set_status(int fd, uint32_t mask, uint32_t want)
{
    int h = entry(fd)->host;
    FOR_EACH_FD(i, e)
        if (e->host == h)
            e->status = (e->status & ~mask) | (want & mask);
}

uint32_t fd_accmode(int fd)
{
    return fd_status(fd) & (LINUX_O_ACCMODE | LINUX_O_PATH);
}

bool fd_is_cloexec(int fd)
{
    return fd_valid(fd) && entry(fd)->cloexec;
}

void fd_set_cloexec(int fd, bool on)
{
    if (fd_valid(fd))
        entry(fd)->cloexec = on;
}

void fd_host_hold(int host)
{
    /* one hold per mapped file, and fewer files than that can be mapped (filewin.c) */
    kassert(host >= 0 && host < BVM_HOST_FD_MAX && holds[host] < UINT16_MAX);
    holds[host]++;
}

void fd_host_put(int host)
{
    if (host < 0 || host >= BVM_HOST_FD_MAX || !holds[host])
        panic("fd_host_put: host fd %d is not held", host);
    if (!--holds[host])
        host_close_unused(host);
}
