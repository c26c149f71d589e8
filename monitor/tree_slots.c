/* tree_slots.c: the tree's process slots, claimed by pid and start time. */
#include "tree_slots.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct slot {
    int pid; /* 0: free */
    unsigned long long start;
};
static struct slot *slots;
static int my_slot = -1, parent_slot = -1;

/* The per-slot tables (tree_slots_table), cleared for each claim. */
#define MAX_TABLES 4
static struct {
    char *base;
    unsigned long size;
} tables[MAX_TABLES];
static int ntables;

/* A process's start time (field 22 of /proc/<pid>/stat), or 0 when it is gone. */
static unsigned long long start_time(int pid)
{
    char name[32], line[1024];
    snprintf(name, sizeof name, "/proc/%d/stat", pid);
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof line - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    line[n] = 0;
    const char *p = strrchr(line, ')'); /* the name may hold spaces */
    unsigned long long t = 0;
    for (int field = 2; p && *p && field < 22; p++)
        field += *p == ' ';
    return p && sscanf(p, "%llu", &t) == 1 ? t : 0;
}

static void *shared(unsigned long size)
{
    void *t = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return t == MAP_FAILED ? NULL : t;
}

void tree_slots_init(void) { slots = shared(TREE_SLOTS * sizeof *slots); }

void *tree_slots_table(unsigned long size)
{
    char *t = slots && ntables < MAX_TABLES && !(size % 4096) ? shared(TREE_SLOTS * size) : NULL;
    if (t)
        tables[ntables].base = t, tables[ntables++].size = size;
    return t;
}

/* A claimed slot's entries: the pages a dead process wrote are given back to the host. */
static void clear_entries(int n)
{
    for (int i = 0; i < ntables; i++)
        if (madvise(tables[i].base + (unsigned long)n * tables[i].size, tables[i].size, MADV_REMOVE) != 0)
            memset(tables[i].base + (unsigned long)n * tables[i].size, 0, tables[i].size);
}

void tree_slots_after_fork(void)
{
    parent_slot = my_slot;
    my_slot = -1;
}

int tree_slots_parent(void) { return parent_slot; }

int tree_slots_own(void)
{
    int pid = getpid();
    if (!slots || my_slot >= 0)
        return my_slot;
    unsigned long long me = start_time(pid);
    for (int i = 0; i < TREE_SLOTS; i++) {
        int old = slots[i].pid;
        if (old && (old == pid || start_time(old) == slots[i].start))
            continue; /* in use (a stale slot of this pid's predecessor is left for others to reclaim) */
        if (__atomic_compare_exchange_n(&slots[i].pid, &old, pid, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            clear_entries(i);
            slots[i].start = me;
            return my_slot = i;
        }
    }
    return -1;
}

int tree_slots_find(int pid)
{
    unsigned long long t = slots && pid > 0 ? start_time(pid) : 0;
    for (int i = 0; t && i < TREE_SLOTS; i++)
        if (slots[i].pid == pid && slots[i].start == t)
            return i;
    return -1;
}
