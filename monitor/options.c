/* options.c: parse `buffervm [options] [--] PROG [ARGS...]`. */
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bvm_abi.h"
#include "check_error.h"
#include "fail.h"

static const char usage[] =
    "usage: buffervm [options] [--] PROG [ARGS...]\n"
    "       buffervm check [check options] [options] [--] PROG [ARGS...]\n"
    "       (options may also come before `check`, as CTest's memcheck puts them)\n"
    "Run the Linux x86-64 program PROG inside a BufferVM virtual machine; `check` also finds its\n"
    "heap bugs (overflows, use after free or realloc, bad frees, leaks) and reports them on stderr.\n"
    "  --backend auto|kvm|soft  vCPU backend (default auto: kvm when /dev/kvm opens)\n"
    "  --mem SIZE               guest RAM, e.g. 512M, 2G (default 1G)\n"
    "  --kernel FILE            boot this shim kernel instead of the built-in one\n"
    "  --trace-syscalls         print every syscall, strace-style, to stderr\n"
    "  --trace-hostcalls        print every hostcall the monitor serves, with its result\n"
    "  --trace-file FILE        ... to FILE instead (syscalls and hostcalls)\n"
    "  --strict-syscalls        an unimplemented syscall ends the run\n"
    "  --verbose                say which backend and why; describe faults\n"
    "  --stats                  print exit and instruction counters at the end\n"
    "Debugging with gdb (the program stops before its first instruction; `target remote` in gdb):\n"
    "  --gdb PORT|ADDR:PORT|unix:PATH  wait for gdb there (a bare PORT listens on 127.0.0.1 only)\n"
    "  --gdb-detach=continue|kill  when gdb goes away without a word: the program runs on (default)\n"
    "                           or is killed\n"
    "Sandbox (the monitor checks what each path names, whatever its spelling):\n"
    "  --sandbox                deny by default: the system's program directories and /etc readable\n"
    "                           (world-readable files only), PROG, /dev/null and friends, the inherited\n"
    "                           stdio, the program's own /proc; nothing writable; no network\n"
    "  --ro PATH, --rw PATH     also grant the tree at PATH, read-only or read-write (imply --sandbox)\n"
    "  --net                    allow internet sockets under the sandbox\n"
    "Limits (for the program's whole process tree; a program cannot raise them):\n"
    "  --timeout SECS           end every process after SECS of wall clock; exit status 124\n"
    "  --cpu-time SECS          RLIMIT_CPU of each process: SIGXCPU, then SIGKILL a second later\n"
    "  --max-procs N            fork and clone fail with EAGAIN while N processes are alive\n"
    "  --max-files N            RLIMIT_NOFILE: descriptors from N on are EMFILE\n"
    "  --max-file-size SIZE     RLIMIT_FSIZE, e.g. 10M: a write past it is EFBIG, with SIGXFSZ\n"
    "Check options (after `check`):\n"
    "  --error-exitcode=N       exit status when errors were found (default 99; 0: the program's)\n"
    "  --leak-check=no|summary|full  leak search at exit (default full: a record per leak)\n"
    "  --show-leak-kinds=SET    leak records printed (default definite,indirect,possible)\n"
    "  --errors-for-leak-kinds=SET  leak records counted as errors (default definite,indirect);\n"
    "                           SET: all, none, or a comma list of definite indirect possible reachable\n"
    "  --num-callers=N          frames recorded and shown per stack (default 12, at most 500)\n"
    "  --alloc-fn=FN=WHERE      FN (malloc, free, calloc, realloc, ...) is the function named WHERE,\n"
    "                           or at address WHERE (0x...) of PROG: an allocator of its own, a\n"
    "                           stripped binary's (repeatable)\n"
    "  -q, --quiet              print errors only, no summaries\n"
    "  --log-file=FILE          the report to FILE instead of stderr (%p: the process id, %q{VAR}:\n"
    "                           an environment variable; each process of the tree writes its own)\n"
    "  --xml=yes, --xml-file=FILE  valgrind's XML (protocol 4), on stderr or to FILE\n"
    "  --json-file=FILE         a JSON document (doc/check-report.schema.json)\n"
    "  --sarif-file=FILE        a SARIF 2.1.0 log, for code-scanning tools\n"
    "  --trace-children=yes|no  check the programs the processes exec (default yes)\n"
    "  --suppressions=FILE      hide the errors FILE's entries match (valgrind's format; repeatable)\n"
    "  --gen-suppressions=no|yes|all  print an entry for each error, ready for such a file (yes: as\n"
    "                           all, without asking)\n"
    "  --gdb-error PORT|ADDR:PORT|unix:PATH  run at full speed to the first error, then stop there\n"
    "                           (after its report) and wait for gdb; each later error stops too\n"
    "Exit status: the program's; 125 buffervm failed, 126 PROG cannot run, 127 PROG not found.\n";

static uint64_t parse_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1ull << 10, end++; break;
    case 'm': case 'M': mul = 1ull << 20, end++; break;
    case 'g': case 'G': mul = 1ull << 30, end++; break;
    case 0: break;
    default: return 0;
    }
    if (*end || end == s || v == 0 || v > BVM_MAX_RAM / mul)
        return 0;
    return ((uint64_t)v * mul + (2ull << 20) - 1) & ~((2ull << 20) - 1); /* 2 MiB multiple */
}

static const char *need_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        fail("usage", "option %s needs an argument", argv[*i]);
    return argv[++*i];
}

/* A count for a limit: a positive decimal number below 2^32 (seconds, processes, files). */
static uint64_t parse_count(const char *opt, const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v == 0 || v >= 1ull << 32)
        fail("usage", "bad %s value '%s' (a whole number from 1)", opt, s);
    return v;
}

/* A byte count with an optional K, M or G: --max-file-size. */
static uint64_t parse_bytes(const char *opt, const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = *end == 'k' || *end == 'K' ? 10 : *end == 'm' || *end == 'M' ? 20 : *end == 'g' || *end == 'G' ? 30 : 0;
    if (shift)
        end++;
    if (*s < '0' || *s > '9' || *end || v == 0 || v > (1ull << 62) >> shift)
        fail("usage", "bad %s size '%s'", opt, s);
    return (uint64_t)v << shift;
}

/* The sandbox options: 1 when a is one (its value taken), else 0. */
static int parse_policy(int argc, char **argv, int *i, struct policy_opts *p)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--sandbox")) {
        p->sandbox = 1;
    } else if (!strcmp(a, "--net")) {
        p->net = 1;
    } else if (!strcmp(a, "--ro") || !strcmp(a, "--rw")) {
        if (p->ngrants == POLICY_GRANTS_MAX)
            fail("usage", "too many --ro/--rw grants (at most %d)", POLICY_GRANTS_MAX);
        p->grant_rw[p->ngrants] = a[3] == 'w';
        p->grant[p->ngrants++] = need_arg(argc, argv, i);
        p->sandbox = 1;
    } else {
        return 0;
    }
    return 1;
}

/* The limit options: 1 when a is one (its value taken), else 0. */
static int parse_limit(int argc, char **argv, int *i, struct limits *l)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--timeout"))
        l->timeout_s = parse_count(a, need_arg(argc, argv, i));
    else if (!strcmp(a, "--cpu-time"))
        l->cpu_s = parse_count(a, need_arg(argc, argv, i));
    else if (!strcmp(a, "--max-procs"))
        l->procs = parse_count(a, need_arg(argc, argv, i));
    else if (!strcmp(a, "--max-files"))
        l->files = parse_count(a, need_arg(argc, argv, i));
    else if (!strcmp(a, "--max-file-size"))
        l->file_size = parse_bytes(a, need_arg(argc, argv, i));
    else
        return 0;
    return 1;
}

/* A set of leak kinds as valgrind spells it: all, none, or some of definite, indirect, possible,
 * reachable separated by commas; as a mask of 1 << enum bvm_leak_kind. A bad one is a usage error. */
static unsigned parse_leak_kinds(const char *opt, const char *s)
{
    if (!strcmp(s, "all"))
        return (1u << BVM_LK_COUNT) - 1;
    if (!strcmp(s, "none"))
        return 0;
    unsigned mask = 0;
    for (const char *p = s;; p++) {
        size_t n = strcspn(p, ",");
        int k = ce_leak_kind(p, n);
        if (k < 0)
            fail("usage", "bad %s value '%s' (all, none, or definite,indirect,possible,reachable)", opt, s);
        mask |= 1u << k;
        p += n;
        if (!*p)
            return mask;
    }
}

/* --alloc-fn=FN=WHERE: FN a C allocator function's name, WHERE a symbol or a 0x address. */
static void parse_alloc_fn(const char *v, struct check_opts *c)
{
    static const struct {
        const char *name;
        uint32_t fn;
    } fns[] = {
        {"malloc", BVM_CF_MALLOC}, {"free", BVM_CF_FREE}, {"calloc", BVM_CF_CALLOC}, {"realloc", BVM_CF_REALLOC},
        {"reallocarray", BVM_CF_REALLOCARRAY}, {"memalign", BVM_CF_MEMALIGN},
        {"posix_memalign", BVM_CF_POSIX_MEMALIGN}, {"aligned_alloc", BVM_CF_ALIGNED_ALLOC},
        {"valloc", BVM_CF_VALLOC}, {"pvalloc", BVM_CF_PVALLOC}, {"malloc_usable_size", BVM_CF_MALLOC_USABLE_SIZE},
    };
    const char *eq = strchr(v, '=');
    char *end;
    if (c->nalloc_fn == CHECK_ALLOC_FN_MAX)
        fail("usage", "at most %d --alloc-fn options", CHECK_ALLOC_FN_MAX);
    struct check_alloc_fn *f = &c->alloc_fn[c->nalloc_fn];
    for (size_t i = 0; eq && i < sizeof fns / sizeof fns[0]; i++)
        if (strlen(fns[i].name) == (size_t)(eq - v) && !strncmp(v, fns[i].name, (size_t)(eq - v)))
            f->fn = fns[i].fn;
    if (!f->fn)
        fail("usage", "bad --alloc-fn '%s' (FN=SYMBOL or FN=0xADDRESS, FN one of malloc free calloc realloc "
             "reallocarray memalign posix_memalign aligned_alloc valloc pvalloc malloc_usable_size)", v);
    const char *w = eq + 1;
    if (!strncmp(w, "0x", 2) || !strncmp(w, "0X", 2)) {
        f->addr = strtoull(w, &end, 16);
        if (!w[2] || *end)
            fail("usage", "bad --alloc-fn address '%s'", w);
    } else if (!*w || strlen(w) >= sizeof f->sym) {
        fail("usage", "bad --alloc-fn symbol '%s' (1 to %zu characters)", w, sizeof f->sym - 1);
    } else {
        strcpy(f->sym, w);
    }
    c->nalloc_fn++;
}

/* The check options: 1 when a is one, else 0 (only after the check subcommand). */
static int parse_check(const char *a, struct check_opts *c)
{
    char *end;
    if (!c->on)
        return 0;
    if (!strncmp(a, "--error-exitcode=", 17)) {
        long v = strtol(a + 17, &end, 10);
        if (!a[17] || *end || v < 0 || v > 255)
            fail("usage", "bad --error-exitcode value '%s' (0 to 255)", a + 17);
        c->error_exitcode = (int)v;
    } else if (!strcmp(a, "--leak-check=no")) {
        c->leak_check = LEAK_CHECK_NO;
    } else if (!strcmp(a, "--leak-check=summary")) {
        c->leak_check = LEAK_CHECK_SUMMARY;
    } else if (!strcmp(a, "--leak-check=full") || !strcmp(a, "--leak-check=yes")) {
        c->leak_check = LEAK_CHECK_FULL;
    } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
        c->quiet = 1;
    } else if (!strncmp(a, "--show-leak-kinds=", 18)) {
        c->show_kinds = parse_leak_kinds("--show-leak-kinds", a + 18);
    } else if (!strncmp(a, "--errors-for-leak-kinds=", 24)) {
        c->error_kinds = parse_leak_kinds("--errors-for-leak-kinds", a + 24);
    } else if (!strncmp(a, "--num-callers=", 14)) {
        long v = strtol(a + 14, &end, 10);
        if (!a[14] || *end || v < 1 || v > 500)
            fail("usage", "bad --num-callers value '%s' (1 to 500)", a + 14);
        c->num_callers = (unsigned)v;
    } else if (!strcmp(a, "--show-reachable=yes")) {
        c->show_kinds = (1u << BVM_LK_COUNT) - 1;
    } else if (!strncmp(a, "--log-file=", 11) && a[11]) {
        c->log_file = a + 11;
    } else if (!strcmp(a, "--xml=yes") || !strcmp(a, "--xml=no")) {
        c->xml = a[6] == 'y';
    } else if (!strncmp(a, "--xml-file=", 11) && a[11]) {
        c->xml_file = a + 11, c->xml = 1;
    } else if (!strncmp(a, "--json-file=", 12) && a[12]) {
        c->json_file = a + 12;
    } else if (!strncmp(a, "--sarif-file=", 13) && a[13]) {
        c->sarif_file = a + 13;
    } else if (!strcmp(a, "--trace-children=yes") || !strcmp(a, "--trace-children=no")) {
        c->trace_children = a[17] == 'y';
    } else if (!strncmp(a, "--suppressions=", 15) && a[15]) {
        if (c->nsuppressions == CHECK_SUPP_FILES_MAX)
            fail("usage", "at most %d --suppressions files", CHECK_SUPP_FILES_MAX);
        c->suppressions[c->nsuppressions++] = a + 15;
    } else if (!strcmp(a, "--gen-suppressions=no") || !strcmp(a, "--gen-suppressions=yes") ||
               !strcmp(a, "--gen-suppressions=all")) {
        c->gen_suppressions = a[20] != 'n';
    } else if (!strcmp(a, "--tool=memcheck")) { /* (what CTest and scripts made for valgrind pass) */
    } else if (!strncmp(a, "--alloc-fn=", 11)) {
        parse_alloc_fn(a + 11, c);
    } else if (!strncmp(a, "--leak-check=", 13)) {
        fail("usage", "bad --leak-check value '%s' (no, summary or full)", a + 13);
    } else {
        return 0;
    }
    return 1;
}

/* Where the check subcommand is among the options before PROG (CTest puts its --log-file before
 * everything in MEMORYCHECK_COMMAND_OPTIONS), or 0. */
static int check_word(int argc, char **argv)
{
    static const char *const with_value[] = {"--backend", "--mem", "--kernel", "--trace-file", "--ro", "--rw",
                                             "--timeout", "--cpu-time", "--max-procs", "--max-files",
                                             "--max-file-size", "--gdb", "--gdb-error"};
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "check"))
            return i;
        if (argv[i][0] != '-')
            return 0;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            if (!strcmp(argv[i], with_value[k])) {
                i++; /* (its value) */
                break;
            }
    }
    return 0;
}

void options_parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->mem = 1ull << 30;
    int i = 1, check_at = check_word(argc, argv);
    if (check_at) {
        o->check.on = 1, o->check.error_exitcode = 99, o->check.leak_check = LEAK_CHECK_FULL;
        o->check.show_kinds = CHECK_SHOW_KINDS_DEFAULT, o->check.error_kinds = CHECK_ERROR_KINDS_DEFAULT;
        o->check.num_callers = 12, o->check.trace_children = 1;
    }
    for (; i < argc && (argv[i][0] == '-' || i == check_at); i++) {
        const char *a = argv[i];
        if (i == check_at || parse_check(a, &o->check)) {
            continue;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("buffervm (ABI %u)\n", BVM_ABI_VERSION);
            exit(0);
        } else if (!strcmp(a, "--backend")) {
            const char *b = need_arg(argc, argv, &i);
            if (!strcmp(b, "auto")) o->backend = BACKEND_AUTO;
            else if (!strcmp(b, "kvm")) o->backend = BACKEND_KVM;
            else if (!strcmp(b, "soft")) o->backend = BACKEND_SOFT;
            else fail("usage", "unknown backend '%s' (auto, kvm or soft)", b);
        } else if (!strcmp(a, "--mem")) {
            const char *m = need_arg(argc, argv, &i);
            if (!(o->mem = parse_size(m)))
                fail("usage", "bad --mem size '%s'", m);
        } else if (!strcmp(a, "--kernel")) {
            o->kernel_file = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "--trace-file")) {
            o->trace_file = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "--trace-syscalls")) {
            o->trace_syscalls = 1;
        } else if (!strcmp(a, "--trace-hostcalls")) {
            o->trace_hostcalls = 1;
        } else if (!strcmp(a, "--strict-syscalls")) {
            o->strict_syscalls = 1;
        } else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
            o->verbose = 1;
        } else if (!strcmp(a, "--stats")) {
            o->stats = 1;
        } else if (!strcmp(a, "--gdb") || !strncmp(a, "--gdb=", 6) ||
                   (o->check.on && (!strcmp(a, "--gdb-error") || !strncmp(a, "--gdb-error=", 12)))) {
            o->gdb_at_error = a[5] == '-';
            const char *eq = strchr(a, '=');
            o->gdb = eq ? eq + 1 : need_arg(argc, argv, &i);
            if (!o->gdb[0])
                fail("usage", "%.11s needs a port, ADDRESS:PORT or unix:PATH", a);
        } else if (!strcmp(a, "--gdb-detach=continue") || !strcmp(a, "--gdb-detach=kill")) {
            o->gdb_detach_kill = a[13] == 'k';
        } else if (!parse_limit(argc, argv, &i, &o->limits) && !parse_policy(argc, argv, &i, &o->policy)) {
            fail("usage", "unknown option '%s' (see buffervm --help)", a);
        }
    }
    if (i >= argc)
        fail("usage", "no program given (see buffervm --help)");
    if (o->trace_file && !o->trace_hostcalls)
        o->trace_syscalls = 1; /* --trace-file alone traces syscalls, as it always has */
    o->prog_index = i;
}
