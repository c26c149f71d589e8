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

#include "tree_slots.h"

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

/* The programs the tree's processes run, one path per tree slot (tree_slots.h). */
struct exe_path {
    char path[4096];
};
static struct exe_path *exes;

void title_after_fork(void)
{
    int parent = tree_slots_parent(), own = tree_slots_own();
    if (exes && parent >= 0 && own >= 0)
        memcpy(exes[own].path, exes[parent].path, sizeof exes->path);
}

int title_exe_of(int pid, char *buf, size_t size)
{
    int n = exes ? tree_slots_find(pid) : -1;
    if (n < 0 || !exes[n].path[0])
        return -1;
    size_t len = strnlen(exes[n].path, sizeof exes[n].path);
    len = len < size ? len : size;
    memcpy(buf, exes[n].path, len);
    return (int)len;
}

void title_init(int argc, char **argv)
{
    exes = tree_slots_table(sizeof *exes);
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
    int own = exes ? tree_slots_own() : -1;
    if (own >= 0)
        snprintf(exes[own].path, sizeof exes[own].path, "%s", exe);
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
