/* gdb_stub.c: buffervm --gdb: gdb's remote protocol served while the program stands in a GDB
 * hostcall. What the kernel must do (memory, registers, breakpoints, threads, the auxv) goes back to
 * it as an action; its result comes with the next GDB hostcall and completes gdb's packet. */
#include "gdb_stub.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail.h"
#include "gdb_rsp.h"
#include "gdb_target.h"

/* A packet waiting for the kernel's result. */
enum pending {
    P_NONE,
    P_MEM,       /* m: the bytes read */
    P_WRITE,     /* M, X, Z0, z0, G's second half: OK or an error */
    P_REGS,      /* g: every register */
    P_REG,       /* p n */
    P_SET_REGS,  /* G, P: the registers read, then changed and written (P_WRITE) */
    P_THREADS,   /* qfThreadInfo */
    P_THREADS_XML, /* qXfer:threads:read */
    P_LIBS,      /* qXfer:libraries-svr4:read */
    P_XFER,      /* qXfer:auxv:read, qXfer:siginfo:read: the kernel's object */
};

static struct rsp conn = {.fd = -1};
static int listen_fd = -1;   /* --gdb-error: gdb is let in at the first error */
static const char *listen_spec;
static volatile int io_seen; /* SIGIO came from gdb's connection */
static int kill_on_eof, running, gdb_swbreak, gdb_exec_events;
static int gdb_multi, gdb_fork_events; /* gdb's multiprocess extensions (ids p<pid>.<tid>), fork events */
static int other_pid; /* Hg named another process (a forked child gdb detaches): not ours to serve */
static int forked[64];  /* the children gdb heard of (fork events): the only others vKill may kill */
static char exec_path[PATH_MAX];
static uint64_t pass_set[2]; /* QPassSignals, by Linux signal number */
static int sel_tid;          /* Hg: the thread register packets name (0: the stopped one) */
static struct bvm_gdb_xfer stop_in;  /* the stop being served (its IN fields) */
static struct bvm_gdb_xfer out;      /* the action being given (OUT fields and data) */
static enum pending pending;
static int pending_reg;
static uint32_t pending_len; /* m: the bytes asked for */
static uint64_t xfer_off, xfer_len; /* qXfer:auxv's window */
static char reply[2 * BVM_GDB_DATA + 64];
static uint8_t raw[1024];

void gdb_stub_init(const char *spec, const char *prog, int kill, int at_error, int verbose)
{
    char why[512];
    if (!realpath(prog, exec_path))
        snprintf(exec_path, sizeof exec_path, "%s", prog);
    kill_on_eof = kill;
    listen_spec = spec;
    if ((listen_fd = rsp_listen(spec, why, sizeof why)) < 0)
        fail("gdb", "%s", why);
    if (at_error)
        return; /* (accepted at the first error) */
    if (verbose)
        note("gdb: waiting for gdb on %s", spec);
    if (rsp_accept(&conn, listen_fd, spec, why, sizeof why) < 0)
        fail("gdb", "%s", why);
    listen_fd = -1;
    if (verbose)
        note("gdb: connected");
}

void gdb_stub_use_fd(int fd, const char *prog)
{
    memset(&conn, 0, sizeof conn);
    conn.fd = fd;
    snprintf(exec_path, sizeof exec_path, "%s", prog);
    running = gdb_swbreak = gdb_exec_events = gdb_multi = gdb_fork_events = sel_tid = other_pid = 0;
    memset(forked, 0, sizeof forked);
    pending = P_NONE;
    memset(pass_set, 0, sizeof pass_set);
}

int gdb_stub_on(void) { return conn.fd >= 0; }

int gdb_stub_error_stops(void) { return conn.fd >= 0 || listen_fd >= 0; }

/* --gdb-error: the first error's stop lets gdb in (the report is out already). 0, or -1. */
static int accept_late(void)
{
    char why[512];
    note("gdb: the program stopped at its first error; waiting for gdb on %s", listen_spec);
    int err = rsp_accept(&conn, listen_fd, listen_spec, why, sizeof why);
    listen_fd = -1;
    if (err < 0)
        note("gdb: %s", why);
    return err;
}

int gdb_stub_io_signal(int fd)
{
    if (conn.fd < 0 || fd != conn.fd)
        return 0;
    io_seen = 1;
    return 1;
}

int gdb_stub_interrupt_due(void)
{
    if (!io_seen || !running)
        return 0;
    io_seen = 0;
    return rsp_interrupted(&conn);
}

void gdb_stub_fork_child(void)
{
    rsp_close(&conn); /* gdb stays with the parent */
    if (listen_fd >= 0)
        close(listen_fd);
    listen_fd = -1;
    running = 0;
}

static int send_str(const char *s) { return rsp_send_str(&conn, s); }

void gdb_stub_exit(int killed, int status)
{
    if (conn.fd < 0)
        return;
    char b[48];
    int n = snprintf(b, sizeof b, killed ? "X%02x" : "W%02x", killed ? gdb_sig_from_linux(status) : status & 0xff);
    if (gdb_multi)
        snprintf(b + n, sizeof b - (size_t)n, ";process:%x", (unsigned)getpid());
    send_str(b);
    rsp_close(&conn);
}

/* Thread tid as gdb names it: p<pid>.<tid> under the multiprocess extensions, else <tid>. */
static const char *thread_id(int tid)
{
    static char b[2][32];
    static int k;
    k ^= 1;
    if (gdb_multi)
        snprintf(b[k], sizeof b[k], "p%x.%x", (unsigned)getpid(), (unsigned)tid);
    else
        snprintf(b[k], sizeof b[k], "%x", (unsigned)tid);
    return b[k];
}

/* A thread id at *s (advanced past it): [p<pid>.]<tid>, each hex or -1 (all); 0 (any) as the tid
 * too. *pid is this process's when gdb names none. 0, or -1 when malformed. */
static int parse_thread(const char **s, int *pid, int *tid)
{
    uint64_t v;
    *pid = (int)getpid();
    if (**s == 'p') {
        (*s)++;
        if (**s == '-' && (*s)[1] == '1')
            *pid = -1, *s += 2;
        else if (rsp_num(s, &v) < 0)
            return -1;
        else
            *pid = (int)v;
        if (**s != '.') {
            *tid = -1;
            return 0;
        }
        (*s)++;
    }
    if (**s == '-' && (*s)[1] == '1') {
        *tid = -1, *s += 2;
        return 0;
    }
    if (rsp_num(s, &v) < 0)
        return -1;
    *tid = (int)v;
    return 0;
}

/* Whether pid is a child gdb heard of in a fork event. */
static int forked_child(int pid)
{
    for (size_t i = 0; pid > 0 && i < sizeof forked / sizeof forked[0]; i++)
        if (forked[i] == pid)
            return 1;
    return 0;
}

static void note_forked(int pid)
{
    static size_t next;
    forked[next++ % (sizeof forked / sizeof forked[0])] = pid;
}

/* Whether pid names another process than this one (-1 and 0 name any). */
static int not_ours(int pid) { return pid > 0 && pid != (int)getpid(); }

/* The stop reply for the stop being served: the signal, the thread, and why (a breakpoint, an
 * exec with the new program's path, a watchpoint with its address). */
static int send_stop(void)
{
    int sig = gdb_sig_from_linux(stop_in.signo);
    int n = snprintf(reply, sizeof reply, "T%02xthread:%s;", sig ? sig : 5, thread_id(stop_in.tid));
    if (stop_in.flags & BVM_GDB_FORK) { /* (told only to a gdb that asked for fork events) */
        note_forked((int)stop_in.stop_addr);
        snprintf(reply + n, sizeof reply - (size_t)n, "fork:p%x.%x;", (unsigned)stop_in.stop_addr,
                 (unsigned)stop_in.stop_addr);
    } else if ((stop_in.flags & BVM_GDB_SWBREAK) && gdb_swbreak) {
        snprintf(reply + n, sizeof reply - (size_t)n, "swbreak:;");
    } else if ((stop_in.flags & BVM_GDB_EXEC) && gdb_exec_events) {
        n += snprintf(reply + n, sizeof reply - (size_t)n, "exec:");
        size_t len = strnlen(exec_path, BVM_GDB_DATA / 2); /* (so its hex fits the reply) */
        rsp_hex(reply + n, (const uint8_t *)exec_path, len);
        snprintf(reply + n + 2 * len, sizeof reply - (size_t)n - 2 * len, ";");
    } else if (stop_in.flags & BVM_GDB_WATCH) {
        snprintf(reply + n, sizeof reply - (size_t)n, "%s:%llx;",
                 stop_in.flags & BVM_GDB_AWATCH ? "awatch" : stop_in.flags & BVM_GDB_RWATCH ? "rwatch" : "watch",
                 (unsigned long long)stop_in.stop_addr);
    }
    return send_str(reply);
}

static void act(uint32_t action, enum pending p)
{
    out.action = action;
    pending = p;
}

static void act_regs(uint32_t action, enum pending p)
{
    out.arg_tid = sel_tid;
    act(action, p);
}

static const char *err_reply(int64_t e)
{
    static char b[8];
    snprintf(b, sizeof b, "E%02x", (unsigned)(e < 0 && e > -256 ? -e : 1));
    return b;
}

/* "addr,len" at s; 0, or -1 when malformed. */
static int addr_len(const char **s, uint64_t *addr, uint64_t *len)
{
    if (rsp_num(s, addr) < 0 || **s != ',')
        return -1;
    (*s)++;
    return rsp_num(s, len);
}

/* A qXfer answer: the window [off, off+len) of the object's n bytes. */
static int send_window(const char *obj, size_t n, uint64_t off, uint64_t len)
{
    static char b[RSP_MAX];
    if (off > n)
        return send_str("E16");
    size_t k = n - off;
    if (k > len)
        k = len;
    if (k > sizeof b - 1)
        k = sizeof b - 1;
    b[0] = k < n - off ? 'm' : 'l';
    memcpy(b + 1, obj + off, k);
    return rsp_send(&conn, b, k + 1);
}

/* Past the annex at s (up to its ':'), or NULL when there is no ':'. */
static const char *past_annex(const char *s)
{
    const char *colon = strchr(s, ':');
    return colon ? colon + 1 : NULL;
}

/* qXfer:OBJECT:read:ANNEX:OFF,LEN */
static int query_xfer(const char *q)
{
    static const char feat[] = "qXfer:features:read:target.xml:", auxv[] = "qXfer:auxv:read::",
                      exe[] = "qXfer:exec-file:read:", sinfo[] = "qXfer:siginfo:read::",
                      threads[] = "qXfer:threads:read::", libs[] = "qXfer:libraries-svr4:read:";
    uint64_t off, len;
    const char *s;
    if (!strncmp(q, feat, sizeof feat - 1)) {
        s = q + sizeof feat - 1;
        if (addr_len(&s, &off, &len) < 0)
            return send_str("E16");
        return send_window(gdb_target_xml(), strlen(gdb_target_xml()), off, len);
    }
    if (!strncmp(q, exe, sizeof exe - 1)) {
        s = past_annex(q + sizeof exe - 1);
        if (!s || addr_len(&s, &off, &len) < 0)
            return send_str("E16");
        return send_window(exec_path, strlen(exec_path), off, len);
    }
    int is_libs = !strncmp(q, libs, sizeof libs - 1);
    if (is_libs || !strncmp(q, threads, sizeof threads - 1)) { /* (an annex of libraries' is ignored) */
        s = past_annex(q + (is_libs ? sizeof libs - 1 : sizeof threads - 2));
        if (!s || addr_len(&s, &xfer_off, &xfer_len) < 0)
            return send_str("E16");
        act(is_libs ? BVM_GDB_LIBRARIES : BVM_GDB_THREADS, is_libs ? P_LIBS : P_THREADS_XML);
        return 0;
    }
    int is_auxv = !strncmp(q, auxv, sizeof auxv - 1);
    if (is_auxv || !strncmp(q, sinfo, sizeof sinfo - 1)) { /* (both the kernel's) */
        s = q + (is_auxv ? sizeof auxv : sizeof sinfo) - 1;
        if (addr_len(&s, &xfer_off, &xfer_len) < 0)
            return send_str("E16");
        act(is_auxv ? BVM_GDB_AUXV : BVM_GDB_SIGINFO, P_XFER);
        return 0;
    }
    return send_str("");
}

static void pass_signals(const char *s)
{
    memset(pass_set, 0, sizeof pass_set);
    uint64_t g;
    while (*s && rsp_num(&s, &g) == 0) {
        int sig = gdb_sig_to_linux((int)g);
        if (sig > 0 && sig <= 64)
            pass_set[(sig - 1) / 64] |= 1ull << ((sig - 1) % 64);
        if (*s == ';')
            s++;
    }
}

static int passed(int sig) { return sig > 0 && sig <= 64 && (pass_set[0] >> (sig - 1) & 1); }

static int query(const char *q)
{
    if (!strncmp(q, "qSupported", 10)) {
        gdb_swbreak = strstr(q, "swbreak+") != NULL;
        gdb_exec_events = strstr(q, "exec-events+") != NULL;
        gdb_multi = strstr(q, "multiprocess+") != NULL;
        gdb_fork_events = gdb_multi && strstr(q, "fork-events+") != NULL;
        return send_str("PacketSize=c00;qXfer:features:read+;qXfer:auxv:read+;qXfer:exec-file:read+;qXfer:siginfo:read+;qXfer:threads:read+;qXfer:libraries-svr4:read+;"
                        "QStartNoAckMode+;QPassSignals+;swbreak+;vContSupported+;exec-events+;multiprocess+;fork-events+");
    }
    if (!strncmp(q, "qXfer:", 6))
        return query_xfer(q);
    if (!strncmp(q, "qAttached", 9)) /* (qAttached:pid with the multiprocess extensions) */
        return send_str("0");        /* buffervm started it: gdb's quit kills it */
    if (!strcmp(q, "qC")) {
        snprintf(reply, sizeof reply, "QC%s", thread_id(stop_in.tid));
        return send_str(reply);
    }
    if (!strcmp(q, "qfThreadInfo")) {
        act(BVM_GDB_THREADS, P_THREADS);
        return 0;
    }
    if (!strcmp(q, "qsThreadInfo"))
        return send_str("l");
    if (!strncmp(q, "qSymbol", 7))
        return send_str("OK");
    if (!strcmp(q, "QStartNoAckMode")) {
        int r = send_str("OK");
        conn.noack = 1;
        return r;
    }
    if (!strncmp(q, "QPassSignals:", 13)) {
        pass_signals(q + 13);
        return send_str("OK");
    }
    if (!strncmp(q, "QProgramSignals:", 16))
        return send_str("OK"); /* every signal reaches the program as it would */
    return send_str("");
}

/* c, C, s, S, vCont: the resume. A step is the stopped thread's; step BVM_GDB_STEP_ALONE when gdb
 * gave the others no action (they stay stopped meanwhile: gdb steps over a breakpoint it took out). */
static void resume(uint32_t step, int gsig)
{
    out.step = step;
    out.resume_sig = gsig ? gdb_sig_to_linux(gsig) : 0;
    act(BVM_GDB_RESUME, P_NONE);
}

static int vcont(const char *s)
{
    int step = 0, gsig = 0, others = 0;
    while (*s == ';') {
        char k = s[1];
        s += 2;
        uint64_t g = 0;
        if ((k == 'C' || k == 'S') && rsp_num(&s, &g) < 0)
            return send_str("E16");
        if (k == 's' || k == 'S')
            step = 1;
        if (k == 'C' || k == 'S')
            gsig = (int)g;
        else if (k != 'c' && k != 's')
            return send_str("E16");
        if (*s != ':')
            others = 1; /* an action for every thread */
        while (*s && *s != ';')
            s++; /* :thread */
    }
    resume(step ? (others ? BVM_GDB_STEP : BVM_GDB_STEP_ALONE) : 0, gsig);
    return 0;
}

static int memory(char kind, const char *s)
{
    uint64_t addr, len;
    if (addr_len(&s, &addr, &len) < 0 || (kind != 'm' && *s++ != ':'))
        return send_str("E16");
    if (kind == 'm') {
        out.addr = addr, out.len = pending_len = (uint32_t)(len < BVM_GDB_DATA ? len : BVM_GDB_DATA);
        act(BVM_GDB_READ_MEM, P_MEM);
        return 0;
    }
    if (len > BVM_GDB_DATA)
        return send_str("E16");
    if (!len)
        return send_str("OK");
    size_t have = conn.in_len - (size_t)(s - conn.in);
    if (kind == 'M' ? (have < 2 * len || rsp_unhex(out.data, s, len) < 0) : have < len)
        return send_str("E16");
    if (kind == 'X')
        memcpy(out.data, s, len);
    out.addr = addr, out.len = (uint32_t)len;
    act(BVM_GDB_WRITE_MEM, P_WRITE);
    return 0;
}

/* Z0/z0 (software breakpoints), Z2/z2, Z3/z3, Z4/z4 (write, read, access watchpoints). Hardware
 * breakpoints (Z1) are not offered. */
static int breakpoint(int set, const char *s)
{
    uint64_t addr, kind;
    char type = s[0];
    if ((type != '0' && type != '2' && type != '3' && type != '4') || s[1] != ',')
        return send_str("");
    s += 2;
    if (addr_len(&s, &addr, &kind) < 0 || kind > BVM_GDB_DATA)
        return send_str("E16");
    out.addr = addr;
    if (type == '0') {
        act(set ? BVM_GDB_BREAK_SET : BVM_GDB_BREAK_CLEAR, P_WRITE);
        return 0;
    }
    out.len = (uint32_t)kind;
    out.arg_tid = type == '2' ? BVM_GDB_WATCH_WRITE : type == '3' ? BVM_GDB_WATCH_READ : BVM_GDB_WATCH_ACCESS;
    act(set ? BVM_GDB_WATCH_SET : BVM_GDB_WATCH_CLEAR, P_WRITE);
    return 0;
}

/* G (whole) or P n=v: read the registers first, then write them back changed (finish). */
static int set_regs(const char *s, int whole)
{
    uint64_t n = 0;
    if (!whole && (rsp_num(&s, &n) < 0 || *s++ != '=' || !gdb_reg_size((int)n)))
        return send_str("E16");
    size_t want = whole ? gdb_regs_raw_size() : (size_t)gdb_reg_size((int)n);
    if (strlen(s) < 2 * want || rsp_unhex(raw, s, want) < 0)
        return send_str("E16");
    pending_reg = whole ? -1 : (int)n;
    act_regs(BVM_GDB_GET_REGS, P_SET_REGS);
    return 0;
}

/* A packet for another process than this one (after a fork, gdb takes its breakpoints out of the
 * child it detaches): writes and removals are answered OK, since the child steps over the int3
 * bytes it inherited by itself; what would read it is an error. */
static int packet_other(const char *p)
{
    switch (p[0]) {
    case 'M': case 'X': case 'z': case 'G': case 'P': return send_str("OK");
    case 'm': case 'g': case 'p': case 'Z': return send_str("E01");
    default: return -2;
    }
}

/* One packet: 0 when answered (or handed to the kernel through `out`), -1 when gdb is gone. */
static int packet(const char *p)
{
    uint64_t v;
    const char *s = p + 1;
    int r;
    if (other_pid && (r = packet_other(p)) != -2)
        return r;
    switch (p[0]) {
    case '?': return send_stop();
    case 'q': case 'Q': return query(p);
    case 'H':
        if (p[1] == 'g') {
            const char *t = p + 2;
            int pid, tid;
            if (parse_thread(&t, &pid, &tid) < 0)
                return send_str("E16");
            other_pid = not_ours(pid) ? pid : 0;
            sel_tid = tid > 0 ? tid : 0; /* -1, 0: any thread */
        }
        return send_str("OK");
    case 'T': return send_str("OK");
    case 'g': act_regs(BVM_GDB_GET_REGS, P_REGS); return 0;
    case 'G': return set_regs(s, 1);
    case 'p':
        if (rsp_num(&s, &v) < 0 || !gdb_reg_size((int)v))
            return send_str("E16");
        pending_reg = (int)v;
        act_regs(BVM_GDB_GET_REGS, P_REG);
        return 0;
    case 'P': return set_regs(s, 0);
    case 'm': case 'M': case 'X': return memory(p[0], s);
    case 'Z': case 'z': return breakpoint(p[0] == 'Z', s);
    case 'c': case 's': resume(p[0] == 's' ? BVM_GDB_STEP_ALONE : 0, 0); return 0;
    case 'C': case 'S':
        if (rsp_num(&s, &v) < 0)
            return send_str("E16");
        resume(p[0] == 'S' ? BVM_GDB_STEP_ALONE : 0, (int)v);
        return 0;
    case 'D': {
        uint64_t pid = 0;
        if (p[1] == ';' && (s = p + 2, rsp_num(&s, &v) == 0))
            pid = v;
        if (not_ours((int)pid))
            return send_str("OK"); /* a forked child: it runs on its own already */
        send_str("OK");
        act(BVM_GDB_DETACH, P_NONE);
        return 0;
    }
    case 'k': act(BVM_GDB_KILL, P_NONE); return 0;
    case 'v':
        if (!strcmp(p, "vCont?"))
            return send_str("vCont;c;C;s;S");
        if (!strncmp(p, "vCont;", 5))
            return vcont(p + 5);
        if (!strncmp(p, "vKill", 5)) {
            if (p[5] == ';' && (s = p + 6, rsp_num(&s, &v) == 0) && not_ours((int)v)) /* a forked child */
                return send_str(forked_child((int)v) && kill((pid_t)v, SIGKILL) == 0 ? "OK" : "E03");
            send_str("OK");
            act(BVM_GDB_KILL, P_NONE);
            return 0;
        }
        return send_str("");
    default: return send_str("");
    }
}

/* The loaded objects (the kernel's list of n) as gdb's svr4 library list. */
static int libs_reply(int64_t n, const uint8_t *data)
{
    static char doc[BVM_GDB_DATA / sizeof(struct bvm_gdb_lib) * 800 + 128];
    return send_window(doc, gdb_libraries_doc(doc, sizeof doc, data, n), xfer_off, xfer_len);
}

/* The process's threads (the kernel's list of n): qfThreadInfo's list, or qXfer:threads' document. */
static int threads_reply(int xml, int64_t n, const uint8_t *data)
{
    static char doc[BVM_GDB_DATA / sizeof(struct bvm_gdb_thread) * 200 + 64];
    if (!xml)
        return send_str(gdb_threads_list(reply, sizeof reply, data, n, gdb_multi ? getpid() : 0) ? reply : "l");
    return send_window(doc, gdb_threads_doc(doc, sizeof doc, data, n, gdb_multi ? getpid() : 0), xfer_off, xfer_len);
}

/* The kernel's result for the pending packet: the reply, or the next action (G, P). */
static int finish(int64_t result, const uint8_t *data)
{
    enum pending p = pending;
    pending = P_NONE;
    if (result < 0 && p != P_NONE)
        return send_str(err_reply(result));
    switch (p) {
    case P_MEM: {
        size_t n = (size_t)result < pending_len ? (size_t)result : pending_len;
        rsp_hex(reply, data, n);
        return send_str(reply);
    }
    case P_WRITE: return send_str("OK");
    case P_REGS:
    case P_REG: {
        struct bvm_gdb_regs r;
        memcpy(&r, data, sizeof r);
        if (p == P_REGS) {
            rsp_hex(reply, raw, gdb_regs_raw(&r, raw));
        } else {
            gdb_reg_get(&r, pending_reg, raw);
            rsp_hex(reply, raw, (size_t)gdb_reg_size(pending_reg));
        }
        return send_str(reply);
    }
    case P_SET_REGS: {
        struct bvm_gdb_regs r;
        memcpy(&r, data, sizeof r);
        if (pending_reg < 0)
            gdb_regs_from_raw(&r, raw);
        else
            gdb_reg_set(&r, pending_reg, raw);
        memcpy(out.data, &r, sizeof r);
        act_regs(BVM_GDB_SET_REGS, P_WRITE);
        return 0;
    }
    case P_THREADS:
    case P_THREADS_XML: return threads_reply(p == P_THREADS_XML, result, data);
    case P_LIBS: return libs_reply(result, data);
    case P_XFER:
        return send_window((const char *)data, (size_t)result < BVM_GDB_DATA ? (size_t)result : BVM_GDB_DATA, xfer_off,
                           xfer_len);
    default: return 0;
    }
}

/* Packets until one needs the kernel or resumes: 0, or -1 when gdb is gone. */
static int serve(void)
{
    out.action = 0;
    while (!out.action) {
        if (rsp_recv(&conn) < 0)
            return -1;
        if (packet(conn.in) < 0)
            return -1;
    }
    return 0;
}

/* gdb went away without detaching: --gdb-detach says whether the program goes on. */
static void gdb_gone(void)
{
    rsp_close(&conn);
    running = 0;
    pending = P_NONE;
    out.action = kill_on_eof ? BVM_GDB_KILL : BVM_GDB_DETACH;
    out.resume_sig = 0;
}

/* A new stop: told to gdb if it waits for one; a signal gdb passes goes on untold. */
static int stop_begins(void)
{
    if (stop_in.why == BVM_GDB_SIGNAL && passed(stop_in.signo)) {
        resume(0, gdb_sig_from_linux(stop_in.signo));
        return 1;
    }
    if ((stop_in.flags & BVM_GDB_FORK) && !gdb_fork_events) {
        resume(0, 0); /* a gdb without fork events is not told */
        return 1;
    }
    if (running) {
        running = 0;
        if (send_stop() < 0)
            return -1;
    }
    return 0;
}

int64_t hc_gdb(struct hc_ctx *c, const struct bvm_hostcall *r)
{
    struct bvm_gdb_xfer *x = gm_ptr_w(c->gm, r->u.out.out_gpa, sizeof *x);
    if (r->u.out.out_len != sizeof *x || !x)
        return -EFAULT;
    if (conn.fd < 0 && (listen_fd < 0 || accept_late() < 0))
        return -ENOTCONN; /* no gdb: the kernel lets the program go on alone */
    rsp_async(&conn, 0);
    uint32_t why = x->why;
    int64_t result = x->result;
    int err = 0, resumed = 0;
    memset(&out, 0, offsetof(struct bvm_gdb_xfer, data));
    if (why == BVM_GDB_DONE) {
        err = finish(result, x->data); /* (the kernel's data read once, here) */
    } else {
        memcpy(&stop_in, x, offsetof(struct bvm_gdb_xfer, action));
        pending = P_NONE;
        if (stop_in.flags & BVM_GDB_EXEC) { /* the new program's path, read once (its hex fits a reply) */
            size_t max = BVM_GDB_DATA / 2 < sizeof exec_path ? BVM_GDB_DATA / 2 : sizeof exec_path - 1;
            memcpy(exec_path, x->data, max);
            exec_path[strnlen(exec_path, max)] = 0;
        }
        sel_tid = other_pid = 0; /* gdb takes a stop's thread as the one its register packets name now */
        err = stop_begins();
        resumed = err > 0;
    }
    if (err >= 0 && !resumed && !out.action)
        err = serve();
    if (err < 0)
        gdb_gone();
    memcpy((uint8_t *)x + offsetof(struct bvm_gdb_xfer, action), (uint8_t *)&out + offsetof(struct bvm_gdb_xfer, action),
           sizeof out - offsetof(struct bvm_gdb_xfer, action));
    gm_written(c->gm, r->u.out.out_gpa, sizeof *x);
    if (out.action == BVM_GDB_RESUME) {
        running = 1;
        rsp_async(&conn, 1);
    } else if (out.action == BVM_GDB_DETACH || out.action == BVM_GDB_KILL) {
        rsp_close(&conn);
    }
    return 0;
}
