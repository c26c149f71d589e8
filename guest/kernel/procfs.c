/* procfs.c: the virtual /proc and /sys files programs read (maps, stat, status, cpuinfo, cpu/online):
 * generated here from the kernel's own state and handed to the program as a host memfd. */
#include "procfs.h"

#include "cred.h"

#include <stdarg.h>

#include "bvm_linux.h"
#include "cpu.h"
#include "fd.h"
#include "fmt.h"
#include "hostcall.h"
#include "mm.h"
#include "palloc.h"
#include "string.h"
#include "task.h"
#include "usercopy.h"

#define GEN_MAX (256u << 10)

static char gen[GEN_MAX];
static uint64_t gen_len;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(gen + gen_len, GEN_MAX - gen_len, fmt, ap);
    va_end(ap);
    gen_len = MIN(gen_len + (uint64_t)(n > 0 ? n : 0), GEN_MAX - 1);
}

/* ---- names of mapped files ---- */
#define NFILES 128
static struct vma_file files[NFILES];
static int nfiles;

/* The host's name for a host fd (readlink of its /proc/self/fd entry): length, or <= 0. */
static int64_t host_fd_path(int host_fd, char *out, size_t size)
{
    struct hc_at_args a = {.dirfd = host_fd | BVM_DIRFD_LINK, .kpath = "", .out = out, .out_len = size - 1};
    int64_t n = hc_at(BVM_HC_READLINKAT, &a);
    out[n > 0 ? n : 0] = 0;
    return n;
}

const struct vma_file *procfs_file_named(const char *path, uint64_t dev, uint64_t ino)
{
    size_t n = strnlen(path, sizeof(files[0].path) - 1);
    for (int i = 0; i < nfiles; i++)
        if (strcmp(files[i].path, path) == 0 && files[i].dev == dev && files[i].ino == ino)
            return &files[i];
    if (nfiles == NFILES)
        return NULL; /* shown as anonymous: only the name is lost */
    struct vma_file *f = &files[nfiles++];
    memcpy(f->path, path, n);
    f->path[n] = 0;
    f->dev = dev;
    f->ino = ino;
    return f;
}

const struct vma_file *procfs_file_of(int host_fd)
{
    static char path[sizeof(files[0].path)];
    int64_t n = host_fd_path(host_fd, path, sizeof(path));
    if (n <= 0)
        return NULL;
    int64_t r = hc_fstat(host_fd, hc_bounce());
    const struct linux_stat *st = hc_bounce();
    return procfs_file_named(path, r == 0 ? st->st_dev : 0, r == 0 ? st->st_ino : 0);
}

/* ---- the program: /proc/self/exe and comm, set by each exec ---- */
static char exe[BVM_HC_MAX_PATH];
static char comm_name[16];

static const char *basename_of(const char *p)
{
    const char *slash = p;
    for (; *p; p++)
        if (*p == '/')
            slash = p + 1;
    return slash;
}

void procfs_set_comm(const char *name)
{
    ksnprintf(comm_name, sizeof(comm_name), "%s", name); /* longer names are cut, as on Linux */
}

void procfs_publish(void)
{
    static char title[BVM_TITLE_MAX];
    uint64_t n = strlen(comm_name) + 1, e = strlen(exe) + 1;
    memcpy(title, comm_name, n);
    memcpy(title + n, exe, e); /* (BVM_HC_MAX_PATH: room is left for arguments) */
    n += e;
    uint64_t args = MIN(cur_as->arg_end - cur_as->arg_start, sizeof(title) - n);
    if (copy_from_user(title + n, cur_as->arg_start, args))
        args = 0;
    process_call(BVM_PROC_SET_TITLE, 0, (int)(n + args), title); /* (only what ps shows is at stake) */
}

const char *procfs_comm(void) { return comm_name; }

const char *thread_name(const struct thread *t) { return t->tid == cur_proc->pid ? comm_name : t->comm; }

void thread_set_name(struct thread *t, const char *name)
{
    if (t->tid != cur_proc->pid) { /* a thread's own name; the process keeps the first's */
        ksnprintf(t->comm, sizeof(t->comm), "%s", name);
        return;
    }
    procfs_set_comm(name);
    procfs_publish();
}
const char *procfs_exe(void) { return exe; }

void procfs_exec(const char *filename, int host_fd, bool comm_from_file)
{
    if (host_fd_path(host_fd, exe, sizeof(exe)) <= 0)
        ksnprintf(exe, sizeof(exe), "%s", filename);
    procfs_set_comm(basename_of(comm_from_file ? exe : filename));
}

/* ---- /proc/self/maps ---- */
static void gen_maps(void)
{
    for (struct vma *v = vma_next_from(&cur_as->vmas, 0); v; v = vma_next_from(&cur_as->vmas, v->end)) {
        const struct vma_file *f = v->file;
        uint64_t dev = f ? f->dev : 0;
        uint32_t major = (uint32_t)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull));
        uint32_t minor = (uint32_t)((dev & 0xff) | ((dev >> 12) & ~0xffull));
        uint64_t start = gen_len;
        out("%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu", (unsigned long)v->start, (unsigned long)v->end,
            v->prot & 1 ? 'r' : '-', v->prot & 2 ? 'w' : '-', v->prot & 4 ? 'x' : '-',
            v->flags & VMA_SHARED ? 's' : 'p', (unsigned long)(f ? v->pgoff : 0), major, minor,
            (unsigned long)(f ? f->ino : 0));
        const char *name = f ? f->path : v->flags & VMA_HEAP ? "[heap]" : v->flags & VMA_STACK ? "[stack]" : NULL;
        if (name) {
            /* Linux pads the fixed columns to 73 characters before the name. */
            while (gen_len - start < 73)
                out(" ");
            out("%s", name);
        }
        out("\n");
    }
}

/* ---- /proc/self/stat, status, cmdline, comm; /proc/self/task/<tid>/stat, status, comm ---- */
static const struct thread *gen_thread; /* whom the file describes: a thread, or the first for /proc/self */

static void gen_stat(void)
{
    struct addrspace *as = cur_as;
    out("%d (%s) R %d %d %d 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 %d 0 0 ", gen_thread->tid, thread_name(gen_thread),
        (int)process_id(PROCESS_PPID), (int)process_id(PROCESS_PGID), (int)process_id(PROCESS_SID),
        cur_proc->nthreads);
    out("%lu %lu 18446744073709551615 0 0 %lu 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 %lu 0 0 0 0 0\n",
        (unsigned long)((boot->ram_size - palloc_free_pages() * PAGE_SIZE)), 0ul, (unsigned long)as->stack_top,
        (unsigned long)as->brk_start);
}

static void gen_status(void)
{
    out("Name:\t%s\nUmask:\t0022\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n",
        thread_name(gen_thread), cur_proc->pid, gen_thread->tid, (int)process_id(PROCESS_PPID));
    out("TracerPid:\t0\nUid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\nFDSize:\t%d\nGroups:\t", cred.uid,
        cred.euid, cred.suid, cred.fsuid, cred.gid, cred.egid, cred.sgid, cred.fsgid, fd_table_size());
    const uint32_t *groups;
    int64_t n = kern_groups(&groups);
    for (int64_t i = 0; i < n; i++)
        out(i ? " %u" : "%u", groups[i]);
    out(" \n"); /* Linux's trailing space */
    out("Threads:\t%d\nSigQ:\t0/0\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n", cur_proc->nthreads);
    out("voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

/* The argv strings as they are now on the stack (NUL separators), as Linux reads them. */
static void gen_cmdline(void)
{
    uint64_t n = MIN(cur_as->arg_end - cur_as->arg_start, GEN_MAX - 1 - gen_len);
    if (copy_from_user(gen + gen_len, cur_as->arg_start, n) == 0)
        gen_len += n;
}

static void gen_comm(void) { out("%s\n", thread_name(gen_thread)); }

/* ---- /proc/self/environ: the environment strings on the stack, as the program left them ---- */
static uint64_t env_start, env_end;

void procfs_set_environ(uint64_t start, uint64_t end) { env_start = start, env_end = end; }

static void gen_environ(void)
{
    uint64_t n = MIN(env_end - env_start, GEN_MAX - 1 - gen_len);
    if (copy_from_user(gen + gen_len, env_start, n) == 0)
        gen_len += n;
}

/* ---- /proc/cpuinfo: one CPU, as CPUID describes it ---- */
static const char *const edx1[32] = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", 0,
                                     "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", 0, "clflush", 0, 0,
                                     0, "mmx", "fxsr", "sse", "sse2", 0, 0, 0, 0, 0};
static const char *const ecx1[32] = {"pni", "pclmulqdq", 0, 0, 0, 0, 0, 0, 0, "ssse3", 0, 0, "fma", "cx16", 0,
                                     0, 0, "pcid", 0, "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", 0,
                                     "aes", "xsave", 0, "avx", "f16c", "rdrand", "hypervisor"};
static const char *const ebx7[32] = {"fsgsbase", 0, 0, "bmi1", 0, "avx2", 0, "smep", "bmi2", "erms", "invpcid",
                                     0, 0, 0, 0, 0, "avx512f", "avx512dq", "rdseed", "adx", "smap", 0, 0,
                                     "clflushopt", "clwb", 0, 0, 0, "avx512cd", "sha_ni", "avx512bw",
                                     "avx512vl"};

static void flag_names(const char *const names[32], uint32_t bits)
{
    for (int i = 0; i < 32; i++)
        if ((bits & (1u << i)) && names[i])
            out(" %s", names[i]);
}

static void gen_cpuinfo(void)
{
    uint32_t r[4], v[4], brand[12], one[4], seven[4] = {0};
    char vendor[13];
    cpuid(0, 0, v);
    memcpy(vendor, &v[1], 4), memcpy(vendor + 4, &v[3], 4), memcpy(vendor + 8, &v[2], 4), vendor[12] = 0;
    cpuid(1, 0, one);
    if (v[0] >= 7)
        cpuid(7, 0, seven);
    cpuid(0x80000000, 0, r);
    memset(brand, 0, sizeof(brand));
    for (uint32_t i = 0; i < 3 && r[0] >= 0x80000004; i++)
        cpuid(0x80000002 + i, 0, &brand[i * 4]);
    uint32_t fam = (one[0] >> 8) & 0xf, model = (one[0] >> 4) & 0xf;
    if (fam == 0xf)
        fam += (one[0] >> 20) & 0xff;
    if (fam >= 6)
        model |= ((one[0] >> 16) & 0xf) << 4;
    out("processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %.48s\n", vendor, fam,
        model, (const char *)brand);
    out("stepping\t: %u\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: 0\n",
        one[0] & 0xf);
    out("fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\nflags\t\t:", v[0]);
    flag_names(edx1, one[3]);
    flag_names(ecx1, one[2]);
    flag_names(ebx7, seven[1]);
    out("\nclflush size\t: 64\ncache_alignment\t: 64\n\n");
}

/* ---- dispatch ---- */
static void gen_cpu_list(void) { out("0\n"); }

struct vfile {
    const char *name; /* after "/proc/self/" (self_file) or the full path */
    void (*gen)(void);
};
static const struct vfile self_files[] = {
    {"maps", gen_maps},       {"stat", gen_stat}, {"status", gen_status},
    {"cmdline", gen_cmdline}, {"comm", gen_comm}, {"environ", gen_environ},
};
static const struct vfile global_files[] = {
    {"/proc/cpuinfo", gen_cpuinfo},
    {"/sys/devices/system/cpu/online", gen_cpu_list},
    {"/sys/devices/system/cpu/possible", gen_cpu_list},
    {"/sys/devices/system/cpu/present", gen_cpu_list},
};

static const struct vfile task_files[] = {{"stat", gen_stat}, {"status", gen_status}, {"comm", gen_comm}};

bool procfs_task_file(const char *name, size_t n)
{
    for (size_t i = 0; i < ARRAY_SIZE(task_files); i++)
        if (strlen(task_files[i].name) == n && memcmp(name, task_files[i].name, n) == 0)
            return true;
    return false;
}

/* "task/<tid>/X" of another thread of the process: its file X (gen_thread set), else NULL. */
static void (*task_gen(const char *rest))(void)
{
    int64_t tid = 0;
    if (strncmp(rest, "task/", 5) != 0)
        return NULL;
    for (rest += 5; *rest >= '0' && *rest <= '9' && tid < INT32_MAX; rest++)
        tid = tid * 10 + (*rest - '0');
    const struct thread *t = *rest == '/' ? thread_find((int)tid) : NULL;
    for (size_t i = 0; t && i < ARRAY_SIZE(task_files); i++)
        if (strcmp(rest + 1, task_files[i].name) == 0)
            return gen_thread = t, task_files[i].gen;
    return NULL;
}

static void (*find_gen(const char *path))(void)
{
    const char *rest = procfs_self_rest(path);
    const struct thread *first = thread_find(cur_proc->pid);
    gen_thread = first ? first : cur;
    for (size_t i = 0; rest && i < ARRAY_SIZE(self_files); i++)
        if (strcmp(rest, self_files[i].name) == 0)
            return self_files[i].gen;
    void (*task)(void) = rest ? task_gen(rest) : NULL;
    if (task)
        return task;
    for (size_t i = 0; i < ARRAY_SIZE(global_files); i++)
        if (strcmp(path, global_files[i].name) == 0)
            return global_files[i].gen;
    return NULL;
}

bool procfs_is_virtual(const char *path) { return find_gen(path) != NULL; }

/* comm files opened for writing: a write names their thread */
#define NCOMMS 8
static struct {
    int host, tid; /* host -1: free */
} comms[NCOMMS] = {[0 ... NCOMMS - 1] = {-1, 0}};

int64_t procfs_open_host(const char *path, bool write)
{
    void (*gen_fn)(void) = find_gen(path);
    int slot = 0;
    if (!gen_fn)
        return -LINUX_ENOENT;
    while (write && slot < NCOMMS && comms[slot].host >= 0)
        slot++;
    if (write && (gen_fn != gen_comm || slot == NCOMMS))
        return -LINUX_EACCES;
    gen_len = 0;
    gen_fn();
    int64_t h = hc_newfd(BVM_NEWFD_MEMFD, path, 0, 0); /* a memfd named after the file */
    if (h < 0)
        return h;
    /* The buffer is in the kernel image: physically contiguous, one segment per write. */
    static struct bvm_seg seg;
    for (uint64_t done = 0; done < gen_len;) {
        seg.gpa = kva_to_gpa(gen + done);
        seg.len = MIN(gen_len - done, (uint64_t)BVM_HC_MAX_IO);
        int64_t n = hc_io(BVM_HC_WRITE, (int)h, &seg, 1, 0, 0);
        if (n <= 0) {
            hc_close((int)h);
            return n < 0 ? n : -LINUX_EIO;
        }
        done += (uint64_t)n;
    }
    hc_lseek((int)h, 0, LINUX_SEEK_SET);
    if (write)
        comms[slot].host = (int)h, comms[slot].tid = gen_thread->tid;
    return h;
}

static int comm_slot(int host)
{
    for (int i = 0; host >= 0 && i < NCOMMS; i++)
        if (comms[i].host == host)
            return i;
    return -1;
}

bool procfs_comm_file(int host) { return comm_slot(host) >= 0; }

bool procfs_comm_write(int host, uint64_t ubuf, uint64_t len, int64_t *ret)
{
    char name[16] = {0};
    int i = comm_slot(host);
    if (i < 0)
        return false;
    struct thread *t = thread_find(comms[i].tid);
    /* Linux's comm_write: up to 15 bytes taken as they are (a newline too) */
    if (copy_from_user(name, ubuf, MIN(len, sizeof(name) - 1)))
        *ret = -LINUX_EFAULT;
    else if (!t)
        *ret = -LINUX_ESRCH;
    else
        thread_set_name(t, name), *ret = (int64_t)len;
    return true;
}

/* ---- /proc/self/fd/ as a directory: the guest's fds, not the monitor's; /proc/<pid>/fd/ of
 * another process of the tree: its guest fds, as its monitor publishes them ---- */
#define NFDDIRS 8
static struct {
    int host; /* the handle's host fd (a monitor's /proc/<pid>/fd), -1 when free */
    int pid;  /* 0: the program's own */
    uint64_t pos;
} fddirs[NFDDIRS] = {[0 ... NFDDIRS - 1] = {-1, 0, 0}};

int procfs_fd_dir_pid(const char *path)
{
    const char *rest = procfs_self_rest(path);
    if (rest)
        return strcmp(rest, "fd") == 0 || strcmp(rest, "fd/") == 0 ? 0 : -1;
    int pid = procfs_other_pid(path, &rest);
    if (pid <= 0 || (strcmp(rest, "/fd") != 0 && strcmp(rest, "/fd/") != 0))
        return -1;
    return process_call(BVM_PROC_FD_OF, pid, -1, NULL) == -LINUX_ESRCH ? -1 : pid; /* -ESRCH: not ours */
}

static int fd_dir(int host)
{
    for (int i = 0; i < NFDDIRS; i++)
        if (fddirs[i].host == host)
            return i;
    return -1;
}

bool procfs_fd_dir_opened(int host, int pid)
{
    int i = fd_dir(-1);
    if (i >= 0) {
        fddirs[i].host = host, fddirs[i].pid = pid, fddirs[i].pos = 0;
        return true;
    }
    kprintf("/proc/<pid>/fd: more than %d open listings", NFDDIRS);
    return false;
}

void procfs_host_closed(int host)
{
    for (int i = 0; i < NCOMMS; i++)
        if (comms[i].host == host)
            comms[i].host = -1;
    int i = fd_dir(host);
    if (i >= 0)
        fddirs[i].host = -1;
}

int procfs_fd_dir_pid_host(int host)
{
    int i = fd_dir(host);
    return i < 0 ? -1 : fddirs[i].pid;
}

bool procfs_fd_dir_seek(int host, int64_t off)
{
    int i = fd_dir(host);
    if (i >= 0)
        fddirs[i].pos = (uint64_t)off;
    return i >= 0;
}

/* One record at gen + gen_len; false when it does not fit in max bytes. */
static bool dirent_put(uint64_t max, uint64_t ino, int64_t off, uint8_t type, const char *name)
{
    uint64_t len = (offsetof(struct linux_dirent64, d_name) + strlen(name) + 1 + 7) & ~7ull;
    if (gen_len + len > max)
        return false;
    struct linux_dirent64 *d = (struct linux_dirent64 *)(gen + gen_len);
    memset(d, 0, len);
    d->d_ino = ino, d->d_off = off, d->d_reclen = (uint16_t)len, d->d_type = type;
    memcpy(d->d_name, name, strlen(name) + 1);
    gen_len += len;
    return true;
}

/* The last answer about another process's fds: fds >= from, ascending (one getdents long). */
static struct {
    int pid, n;
    int64_t from;
    int32_t fds[PAGE_SIZE / sizeof(int32_t)] __attribute__((aligned(PAGE_SIZE)));
} batch;

/* The open fd at or after n of the listing's process (the program's own, or one another process
 * of the tree publishes), or -1 when there is none. */
static int64_t next_fd(int pid, int64_t n)
{
    if (!pid) {
        for (; n < fd_table_size(); n++)
            if (fd_valid((int)n))
                return n;
        return -1;
    }
    for (int i = 0; i < batch.n; i++) /* one hostcall answers for many */
        if (batch.pid == pid && batch.fds[i] >= n && batch.from <= n)
            return batch.fds[i];
    int64_t got = process_call(BVM_PROC_FDS_OF, pid, (int)n, batch.fds);
    batch.pid = pid, batch.from = n, batch.n = got > 0 ? (int)got : 0;
    return batch.n ? batch.fds[0] : -1;
}

int64_t procfs_fd_dents(int host, void **out, uint64_t max)
{
    int i = fd_dir(host);
    if (i < 0)
        return -LINUX_EBADF;
    uint64_t *pos = &fddirs[i].pos;
    gen_len = 0;
    batch.n = 0;
    max = MIN(max, (uint64_t)GEN_MAX);
    /* Positions: 0 ".", 1 "..", 2 + n guest fd n. */
    for (;; (*pos)++) {
        char name[16];
        int64_t n = *pos < 2 ? -1 : next_fd(fddirs[i].pid, (int64_t)*pos - 2);
        if (*pos >= 2 && n < 0)
            break;
        *pos = n < 0 ? *pos : 2 + (uint64_t)n;
        ksnprintf(name, sizeof(name), "%s", *pos == 0 ? "." : *pos == 1 ? ".." : "");
        if (n >= 0)
            ksnprintf(name, sizeof(name), "%d", (int)n);
        if (!dirent_put(max, 1000 + *pos, (int64_t)*pos + 1, n >= 0 ? LINUX_DT_LNK : LINUX_DT_DIR, name)) {
            if (gen_len == 0)
                return -LINUX_EINVAL; /* the buffer cannot hold one record */
            break;
        }
    }
    *out = gen;
    return (int64_t)gen_len;
}
