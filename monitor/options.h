/* options.h: buffervm's command line. */
#ifndef BVM_OPTIONS_H
#define BVM_OPTIONS_H

#include <stdint.h>

#include "check_syms.h"
#include "policy.h"
#include "runlimits.h"

enum backend { BACKEND_AUTO, BACKEND_KVM, BACKEND_SOFT };

enum leak_check { LEAK_CHECK_NO, LEAK_CHECK_SUMMARY, LEAK_CHECK_FULL };

#define CHECK_SUPP_FILES_MAX 100

/* `buffervm check`: the heap checker's options, spelled as valgrind spells them. */
struct check_opts {
    int on;                 /* the check subcommand was given */
    int error_exitcode;     /* --error-exitcode=N: the exit status when errors were found (0: keep) */
    enum leak_check leak_check; /* --leak-check=no|summary|full (default full) */
    int quiet;              /* -q: only errors, no summaries */
    unsigned show_kinds;    /* --show-leak-kinds: leak records printed, 1 << enum bvm_leak_kind each */
    unsigned error_kinds;   /* --errors-for-leak-kinds: leak records counted as errors, the same */
    unsigned num_callers;   /* --num-callers=N: frames recorded and shown per stack (default 12, 1 to 500) */
    struct check_alloc_fn alloc_fn[CHECK_ALLOC_FN_MAX]; /* --alloc-fn=FN=WHERE: a program's own allocator */
    int nalloc_fn;
    /* Where reports go (NULL: not there); names may hold %p (the pid), %q{VAR} */
    const char *log_file;   /* --log-file=FILE: the text, in place of stderr */
    int xml;                /* --xml=yes: valgrind's XML (on stderr in place of the text, without --xml-file) */
    const char *xml_file;   /* --xml-file=FILE (implies --xml=yes) */
    const char *json_file;  /* --json-file=FILE */
    const char *sarif_file; /* --sarif-file=FILE */
    int trace_children;     /* --trace-children=yes|no (default yes): programs the processes exec are checked */
    const char *suppressions[CHECK_SUPP_FILES_MAX]; /* --suppressions=FILE (repeatable) */
    int nsuppressions;
    int gen_suppressions;   /* --gen-suppressions=yes|all: an entry printed after each error */
};
/* buffervm check's defaults: definitely, indirectly and possibly lost records are printed,
 * definitely and indirectly lost ones are errors. */
#define CHECK_SHOW_KINDS_DEFAULT 7u  /* definite, indirect, possible */
#define CHECK_ERROR_KINDS_DEFAULT 3u /* definite, indirect */

struct options {
    enum backend backend;
    uint64_t mem;            /* guest RAM bytes */
    const char *kernel_file; /* --kernel FILE, or NULL for the embedded kernel */
    const char *trace_file;  /* --trace-file FILE */
    int trace_syscalls, trace_hostcalls, strict_syscalls, verbose, stats;
    struct policy_opts policy; /* --sandbox, --ro, --rw, --net */
    struct check_opts check; /* buffervm check */
    struct limits limits;    /* --timeout, --cpu-time, --max-procs, --max-files, --max-file-size */
    const char *gdb;         /* --gdb PORT|ADDR:PORT|unix:PATH: stop for gdb before the first instruction */
    int gdb_detach_kill;     /* --gdb-detach=kill: the program dies with gdb's connection (default: runs on) */
    int gdb_at_error;        /* check --gdb-error=SPEC: gdb (on gdb's SPEC) comes in at the first heap error */
    int prog_index;          /* argv index of PROG */
};

/* Parse argv; on a usage error print one line and exit 125. --help/--version exit 0. */
void options_parse(int argc, char **argv, struct options *o);

#endif
