/* fdpub.c: published descriptor tables, one per tree slot in memory the tree's monitors share.
 * Only this process's monitor writes its entry; others read it at any time (one aligned word a
 * descriptor, so a reader sees a descriptor's old or new host fd, never a mix). */
#include "fdpub.h"

#include <errno.h>
#include <string.h>

#include "bvm_abi.h"
#include "guestmem.h"
#include "hostcall.h"
#include "tree_slots.h"

struct fd_table {
    uint32_t top;                     /* entries below top may be set */
    uint32_t pad[1023];               /* (the entries start on a page of their own) */
    int32_t host1[BVM_HOST_FD_MAX];   /* guest fd -> its host fd + 1, 0 when not open */
};
_Static_assert(sizeof(struct fd_table) % 4096 == 0, "a table is whole pages");

static struct fd_table *tables;
static struct bvm_fd_log *log_page; /* the kernel's notes (guest RAM), NULL until registered */
static uint64_t log_gpa;

void fdpub_init(void) { tables = tree_slots_table(sizeof *tables); }

static struct fd_table *own_table(void)
{
    int n = tables ? tree_slots_own() : -1;
    return n < 0 ? NULL : &tables[n];
}

/* The table's top as another process may have left it: never past the table's end (the memory is
 * shared with every process of the tree, each its own writer). */
static uint32_t table_top(const struct fd_table *t)
{
    uint32_t top = __atomic_load_n(&t->top, __ATOMIC_ACQUIRE);
    return top < BVM_HOST_FD_MAX ? top : BVM_HOST_FD_MAX;
}

void fdpub_after_fork(void)
{
    int parent = tables ? tree_slots_parent() : -1;
    struct fd_table *t = own_table();
    if (parent < 0 || !t)
        return;
    const struct fd_table *p = &tables[parent];
    uint32_t top = table_top(p);
    memcpy(t->host1, p->host1, top * sizeof *t->host1);
    t->top = top;
}

static void publish(struct fd_table *t, int fd, int host)
{
    if (fd >= (int)t->top)
        __atomic_store_n(&t->top, (uint32_t)fd + 1, __ATOMIC_RELEASE);
    __atomic_store_n(&t->host1[fd], host + 1, __ATOMIC_RELEASE);
}

void fdpub_apply(const struct hc_ctx *c)
{
    if (!log_page || !log_page->n)
        return;
    uint32_t n = log_page->n < BVM_FD_LOG_MAX ? log_page->n : BVM_FD_LOG_MAX;
    struct fd_table *t = own_table();
    if (t && log_page->reset)
        for (uint32_t fd = 0; fd < t->top; fd++)
            publish(t, (int)fd, -1);
    for (uint32_t i = 0; t && i < n; i++) {
        struct bvm_fd_note e = log_page->e[i]; /* one copy, then checked */
        if (e.fd >= 0 && e.fd < BVM_HOST_FD_MAX && (e.host == -1 || hc_fd_ok(c, e.host)))
            publish(t, e.fd, e.host);
    }
    log_page->n = 0;
    log_page->reset = 0;
    gm_written(c->gm, log_gpa, 8);
}

int64_t fdpub_register(struct hc_ctx *c, uint64_t gpa)
{
    if (!log_page) {
        /* RAM only: a file window page can go away under the pointer */
        uint8_t *p = gpa % 4096 ? NULL : gm_ptr_w(c->gm, gpa, sizeof *log_page);
        const struct gm_region *w = c->gm->win;
        if (!p || (w && p >= w->host && p < w->host + w->size))
            return -EFAULT;
        log_page = (struct bvm_fd_log *)p, log_gpa = gpa;
        fdpub_apply(c);
    }
    return 0;
}

void fdpub_host_closed(int host)
{
    struct fd_table *t = tables ? own_table() : NULL;
    for (uint32_t fd = 0; t && fd < t->top; fd++)
        if (t->host1[fd] == host + 1)
            publish(t, (int)fd, -1);
}

static const struct fd_table *table_of(int pid)
{
    int n = tables ? tree_slots_find(pid) : -1;
    return n < 0 ? NULL : &tables[n];
}

int fdpub_host_of(int pid, int fd)
{
    const struct fd_table *t = table_of(pid);
    if (!t)
        return -ESRCH;
    int h1 = fd >= 0 && (uint32_t)fd < table_top(t) ? __atomic_load_n(&t->host1[fd], __ATOMIC_ACQUIRE) : 0;
    return h1 > 0 ? h1 - 1 : -ENOENT;
}

int fdpub_list(int pid, int from, int32_t *out, int max)
{
    const struct fd_table *t = table_of(pid);
    if (!t)
        return -ESRCH;
    uint32_t top = table_top(t);
    int n = 0;
    for (uint32_t fd = from < 0 ? 0 : (uint32_t)from; fd < top && n < max; fd++)
        if (__atomic_load_n(&t->host1[fd], __ATOMIC_ACQUIRE) > 0)
            out[n++] = (int32_t)fd;
    return n;
}

int fdpub_publishes(int pid, int host)
{
    const struct fd_table *t = table_of(pid);
    uint32_t top = t ? table_top(t) : 0;
    for (uint32_t fd = 0; fd < top && host >= 0; fd++)
        if (__atomic_load_n(&t->host1[fd], __ATOMIC_ACQUIRE) == host + 1)
            return 1;
    return 0;
}
