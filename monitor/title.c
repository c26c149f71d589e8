/* title.c: the host process shows the guest program's name and arguments: /proc/<pid>/cmdline
 * reads the memory the kernel's arg_start..arg_end name, which prctl(PR_SET_MM_MAP) points at a copy
 * of the guest's (exact, as Linux shows a process's own); where that is refused, setproctitle's
 * method: the memory where execve put buffervm's own arguments, rewritten. */
#include "title.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/prctl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static char *area;      /* where execve put argv[0]... */
static size_t args_len; /* bytes of the argument strings */
static size_t area_len; /* ... and of the environment strings that follow them */

/* Moves each string of v (NULL-terminated) that lies at the end of the area to the heap; the area
 * grows over it. */
static void take(char **v, char **end)
{
    for (; *v; v++) {
        char *copy = *v == *end ? strdup(*v) : NULL;
        if (copy) {
            *end += strlen(*v) + 1;
            *v = copy;
        }
    }
}

/* The programs the tree's processes run: a table every monitor of the tree shares (made by the
 * first, inherited across fork), a slot per process, claimed by pid and its start time (so that a
 * slot a killed process left behind is never taken for a new process with the same pid). */
#define EXE_SLOTS 1024
struct exe_slot {
    int pid; /* 0: free */
    unsigned long long start;
    char path[4096 - 16];
};
static struct exe_slot *slots;
static int my_slot = -1, my_pid;

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

static struct exe_slot *own_slot(void)
{
    int pid = getpid();
    if (!slots)
        return NULL;
    if (my_slot >= 0 && my_pid == pid)
        return &slots[my_slot];
    unsigned long long me = start_time(pid);
    for (int i = 0; i < EXE_SLOTS; i++) {
        int old = slots[i].pid;
        if (old && (old == pid || start_time(old) == slots[i].start))
            continue; /* in use (a stale slot of this pid's predecessor is left for others to reclaim) */
        if (__atomic_compare_exchange_n(&slots[i].pid, &old, pid, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            slots[i].start = me;
            my_slot = i, my_pid = pid;
            return &slots[i];
        }
    }
    return NULL;
}

void title_after_fork(void)
{
    static char parent[sizeof slots->path];
    if (!slots || my_slot < 0)
        return;
    memcpy(parent, slots[my_slot].path, sizeof parent);
    struct exe_slot *slot = own_slot(); /* (my_pid is the parent's: a new slot) */
    if (slot)
        memcpy(slot->path, parent, sizeof parent);
}

int title_exe_of(int pid, char *buf, size_t size)
{
    unsigned long long t = slots && pid > 0 ? start_time(pid) : 0;
    for (int i = 0; t && i < EXE_SLOTS; i++)
        if (slots[i].pid == pid && slots[i].start == t && slots[i].path[0]) {
            size_t n = strnlen(slots[i].path, sizeof slots[i].path);
            n = n < size ? n : size;
            memcpy(buf, slots[i].path, n);
            return (int)n;
        }
    return -1;
}

void title_init(int argc, char **argv)
{
    void *t = mmap(NULL, EXE_SLOTS * sizeof(struct exe_slot), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    slots = t == MAP_FAILED ? NULL : t;
    if (argc < 1 || !argv[0])
        return;
    char *end = argv[0];
    area = argv[0];
    take(argv, &end);
    args_len = (size_t)(end - area);
    take(environ, &end); /* (getenv reads the copies) */
    area_len = (size_t)(end - area);
}

/* Fields 26-28 and 45-51 of /proc/self/stat: the mm's layout PR_SET_MM_MAP must be given back. */
static bool mm_layout(struct prctl_mm_map *m)
{
    char line[2048];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof line - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return false;
    line[n] = 0;
    unsigned long long v[52] = {0};
    const char *p = strrchr(line, ')');
    int field = 2;
    for (; p && *p && field < 51; field++) { /* p at the space before field + 1 */
        p = strchr(p + 1, ' ');
        if (p)
            v[field + 1] = strtoull(p + 1, NULL, 10);
    }
    if (field < 51)
        return false;
    *m = (struct prctl_mm_map){.start_code = v[26], .end_code = v[27], .start_stack = v[28],
                               .start_data = v[45], .end_data = v[46], .start_brk = v[47],
                               .arg_start = v[48], .arg_end = v[49], .env_start = v[50], .env_end = v[51],
                               .exe_fd = (__u32)-1};
    m->brk = (unsigned long long)syscall(SYS_brk, 0);
    return true;
}

/* Points the kernel's argument range at a copy of cmdline (len bytes, NUL-separated). */
static bool set_args_range(const char *cmdline, size_t len)
{
    static char *copy;
    static size_t copy_len;
    struct prctl_mm_map m;
    if (!len || !mm_layout(&m))
        return false;
    size_t size = (len + 4095) & ~(size_t)4095;
    char *buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return false;
    memcpy(buf, cmdline, len);
    m.arg_start = (unsigned long long)(uintptr_t)buf;
    m.arg_end = m.arg_start + len;
    if (prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&m, sizeof m, 0) != 0) {
        munmap(buf, size);
        return false;
    }
    if (copy)
        munmap(copy, copy_len);
    copy = buf, copy_len = size;
    return true;
}

void title_set(const char *comm, const char *exe, const char *cmdline, size_t len)
{
    char name[16];
    struct exe_slot *slot = own_slot();
    if (slot)
        snprintf(slot->path, sizeof slot->path, "%s", exe);
    strncpy(name, comm, sizeof name - 1);
    name[sizeof name - 1] = 0;
    prctl(PR_SET_NAME, name, 0, 0, 0);
    if (set_args_range(cmdline, len) || !area || !args_len)
        return;
    /* Within the arguments' place: as they are, NUL-separated, the rest NULs (Linux reads that
     * place whole). Longer: Linux reads on into the environment's place up to a NUL when the
     * last byte of the arguments' is not one, so the separators become spaces. */
    if (len <= args_len) {
        memcpy(area, cmdline, len);
        memset(area + len, 0, area_len - len);
        return;
    }
    len = len < area_len ? len : area_len - 1;
    for (size_t i = 0; i < len; i++)
        area[i] = cmdline[i] ? cmdline[i] : ' ';
    memset(area + len, 0, area_len - len);
}
