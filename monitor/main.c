/* main.c: buffervm's setup sequence: options, program checks, VM, boot, run, and the ending. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "check_out.h"
#include "check_report.h"
#include "check_syms.h"
#include "bvm_abi.h"
#include "cpuid.h"
#include "disasm.h"
#include "fail.h"
#include "fdpub.h"
#include "gdb_stub.h"
#include "guestmem.h"
#include "hostcall.h"
#include "inherited_fds.h"
#include "ipc.h"
#include "policy.h"
#include "runlimits.h"
#include "syscall_filter.h"
#include "lineage.h"
#include "options.h"
#include "title.h"
#include "tree_slots.h"
#include "prog.h"
#include "run.h"
#include "vcpu.h"

extern const uint8_t bvm_kernel_elf[], bvm_kernel_elf_end[];
extern const uint8_t bvm_bootstrap_bin[], bvm_bootstrap_bin_end[];
extern char **environ;

/* --backend: kvm when asked (failing if it cannot be had), soft when asked, and auto: kvm when a
 * hardware /dev/kvm opens, else soft, saying why under --verbose. */
static struct vcpu *make_vcpu(const struct options *o, struct guestmem *gm, const struct cpuid_table *t)
{
    char why[256] = "";
    struct vcpu *v = NULL;
    if (o->backend != BACKEND_SOFT) {
        v = vcpu_kvm_create(gm, t, o->backend == BACKEND_AUTO, why, sizeof why);
        if (!v && o->backend == BACKEND_KVM)
            fail("kvm", "%s", why);
        if (v && o->verbose)
            note("backend kvm: /dev/kvm opened");
    }
    if (!v) {
        char why2[256];
        v = vcpu_soft_create(gm, t, why2, sizeof why2);
        if (!v)
            fail("soft", "%s", why2);
        if (o->verbose)
            note("backend soft: %s", o->backend == BACKEND_SOFT ? "requested with --backend soft" : why);
    }
    return v;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        fail("kernel", "%s: %s", path, strerror(errno));
    uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size)
        fail("kernel", "%s: cannot read", path);
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

static const char *vector_name(uint32_t v)
{
    static const char *const n[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?",
                                    "#TS", "#NP", "#SS", "#GP", "#PF", "?", "#MF", "#AC", "#MC", "#XM"};
    return v < sizeof n / sizeof n[0] ? n[v] : "fault";
}

/* --verbose: one line describing the fault that killed the program. */
static void describe_fault(const struct bvm_hc_exit *x)
{
    if (x->fault_vector == 0xffffffffu) {
        note("program killed by signal %d (%s)", x->status, strsignal(x->status));
        return;
    }
    char text[128], bytes[64] = "";
    for (uint32_t i = 0, n = 0; i < x->insn_len && n < sizeof bytes - 3; i++)
        n += (uint32_t)snprintf(bytes + n, sizeof bytes - n, "%s%02x", i ? " " : "", x->insn[i]);
    disasm_one(x->insn, x->insn_len, x->fault_rip, text, sizeof text);
    note("%s: %s at address 0x%llx, rip 0x%llx: %s (%s)", strsignal(x->status), vector_name(x->fault_vector),
         (unsigned long long)x->fault_addr, (unsigned long long)x->fault_rip, bytes[0] ? bytes : "??", text);
}

/* End buffervm the way the program ended: same status, or the same signal (no core). */
static _Noreturn void finish(const struct run_result *r, const struct hc_ctx *hc, const struct options *o)
{
    if (r->kind != -1) /* the program ended (not the VM): its processes live on, as a shell's do */
        lineage_program_ended();
    if (r->kind == BVM_EXIT_STATUS)
        exit(r->status & 0xff);
    if (r->kind == BVM_EXIT_PANIC)
        fail("kernel panic", "%s", hc->exit.text);
    if (r->kind == BVM_EXIT_EXEC) /* as env(1) reports a failed exec */
        fail_exit(r->status == ENOENT || r->status == ENOTDIR ? BVM_EXIT_NOT_FOUND : BVM_EXIT_CANNOT_RUN,
                  NULL, "%s: %s", hc->exit.text, strerror(r->status));
    if (r->kind != BVM_EXIT_SIGNAL)
        fail("vm", "%s", r->why);
    if (r->status <= 0 || r->status >= NSIG)
        fail("kernel", "program ended by invalid signal number %d", r->status);
    if (o->verbose)
        describe_fault(&hc->exit);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(r->status, SIG_DFL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, r->status);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    raise(r->status);
    exit(128 + r->status); /* a signal whose default action is not to terminate */
}

/* Syscall and hostcall traces, and the kernel's own notes under --verbose, go here. */
static int open_trace(const struct options *o)
{
    if (!o->trace_syscalls && !o->trace_hostcalls)
        return o->verbose ? fail_fd() : -1;
    if (!o->trace_file)
        return fail_fd();
    int fd = open(o->trace_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        fail("trace", "%s: %s", o->trace_file, strerror(errno));
    return fd;
}

/* BVM_CHECK_ALIAS_MIB=N: the heap checker starts with N MiB of alias space, so that a test reaches
 * its recycling (tests/check/run_recycle.sh); 0 or unset: all of it. */
static uint32_t alias_mib_env(void)
{
    const char *e = getenv("BVM_CHECK_ALIAS_MIB");
    long v = e ? strtol(e, NULL, 10) : 0;
    return v > 0 && v < (1L << 24) ? (uint32_t)v : 0;
}

static void boot_vm(const struct options *o, char **argv, const char *path, struct guestmem *gm, struct vcpu *v)
{
    struct boot_args a = {
        .argc = 0, .argv = argv + o->prog_index, .envp = environ, .exec_path = path,
        .flags = (o->trace_syscalls ? BVM_BOOT_TRACE_SYSCALLS : 0) |
                 (o->strict_syscalls ? BVM_BOOT_STRICT_SYSCALLS : 0) | (o->verbose ? BVM_BOOT_VERBOSE : 0) |
                 (o->check.on ? BVM_BOOT_CHECK : 0) | (o->check.on && !o->check.trace_children ? BVM_BOOT_CHECK_NO_EXEC : 0) |
                 (o->gdb && !o->gdb_at_error ? BVM_BOOT_GDB : 0),
        .check_frames = o->check.num_callers,
        .check_alias_mib = alias_mib_env(),
        .kernel = bvm_kernel_elf, .kernel_len = (size_t)(bvm_kernel_elf_end - bvm_kernel_elf),
        .bootstrap = bvm_bootstrap_bin, .bootstrap_len = (size_t)(bvm_bootstrap_bin_end - bvm_bootstrap_bin),
    };
    while (a.argv[a.argc])
        a.argc++;
    if (o->kernel_file)
        a.kernel = read_file(o->kernel_file, &a.kernel_len);
    struct vcpu_boot_state st;
    int status;
    char why[256];
    if (boot_prepare(gm, &a, &st, &status, why, sizeof why) < 0)
        fail_exit(status, NULL, "%s", why);
    int err = v->ops->set_state(v, &st);
    if (err)
        fail(v->ops->name, "cannot set the initial vCPU state: %s", strerror(-err));
}

int main(int argc, char **argv)
{
    inherited_fds_scan(); /* before the monitor opens a descriptor of its own */
    tree_slots_init(); /* before the first fork: the tables the tree's processes share */
    title_init(argc, argv);
    fdpub_init();
    fail_init();
    fail_catch_crashes();
    struct options o;
    options_parse(argc, argv, &o);
    char path[PATH_MAX], why[PATH_MAX + 256];
    int status;
    if (prog_resolve(argv[o.prog_index], path, sizeof path, &status, why, sizeof why) < 0 ||
        prog_check_elf(path, &status, why, sizeof why) < 0)
        fail_exit(status, NULL, "%s", why);
    struct guestmem gm;
    if (gm_init(&gm, o.mem) < 0)
        fail("memory", "cannot reserve %llu MiB of guest RAM", (unsigned long long)(o.mem >> 20));
    struct cpuid_table cpuid;
    cpuid_build(&cpuid);
    struct vcpu *v = make_vcpu(&o, &gm, &cpuid);
    boot_vm(&o, argv, path, &gm, v); /* the path a shell would pass to execve */
    struct hc_ctx *hc = malloc(sizeof *hc);
    if (!hc)
        fail("memory", "out of memory");
    hc_init(hc, &gm, open_trace(&o));
    hc->trace_hostcalls = o.trace_hostcalls;
    hc->vcpu = v;
    int err = lineage_init();
    if (err < 0)
        fail("processes", "cannot become the subreaper of the program's processes: %s", strerror(-err));
    if ((err = ipc_init()) < 0) /* before the program's limits; shared by the processes it forks */
        fail("memory", "cannot make the store of System V IPC objects: %s", strerror(-err));
    limits_apply(&o.limits);
    o.policy.verbose = o.verbose;
    check_init(&o.check);
    check_out_init(&o.check, argc, argv, o.prog_index); /* (its files made before the sandbox closes) */
    if (o.gdb) /* (before the sandbox: a unix socket is a file it makes) */
        gdb_stub_init(o.gdb, path, o.gdb_detach_kill, o.gdb_at_error, o.verbose);
    policy_init(&o.policy, path);
    run_install_signals(v, &gm);
    syscall_filter_install(!policy_sandboxed() || o.policy.net, o.verbose);
    check_syms_user(o.check.alloc_fn, o.check.nalloc_fn, path);
    struct run_result res;
    run_loop(v, hc, &res);
    if (res.kind == BVM_EXIT_STATUS || res.kind == BVM_EXIT_SIGNAL)
        gdb_stub_exit(res.kind == BVM_EXIT_SIGNAL, res.status);
    if (o.stats) {
        struct vcpu_stats st;
        v->ops->stats(v, &st);
        note("stats: backend %s, exits %llu, hostcalls %llu, instructions %llu, tlb misses %llu, dispatches %llu, "
             "memory accesses %llu, translated %llu, decoded %llu, blocks built %llu",
             v->ops->name, (unsigned long long)st.exits, (unsigned long long)hc->calls, (unsigned long long)st.insns,
             (unsigned long long)st.tlb_misses, (unsigned long long)st.dispatches, (unsigned long long)st.mem_accesses,
             (unsigned long long)st.insns_jit, (unsigned long long)st.insns_decoded,
             (unsigned long long)st.blocks_built);
    }
    finish(&res, hc, &o);
}
