/* gdb_target.c: what gdb is told about the target: the x86-64 Linux register set (its description,
 * the g packet's layout from struct bvm_gdb_regs), the signal numbers of the protocol, and the
 * libraries' and threads' documents. */
#include "gdb_target.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- the target description (qXfer:features:read:target.xml) ---- */

static const char target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386:x86-64</architecture>\n"
    "<osabi>GNU/Linux</osabi>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    " <flags id=\"i386_eflags\" size=\"4\">\n"
    "  <field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
    "  <field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
    "  <field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
    "  <field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
    "  <field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
    "  <field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
    "  <field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
    "  <field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
    "  <field name=\"ID\" start=\"21\" end=\"21\"/>\n"
    " </flags>\n"
    " <reg name=\"rax\" bitsize=\"64\" type=\"int64\"/><reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>\n"
    " <reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>\n"
    " <reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>\n"
    " <reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/><reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
    " <reg name=\"r8\" bitsize=\"64\" type=\"int64\"/><reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>\n"
    " <reg name=\"r10\" bitsize=\"64\" type=\"int64\"/><reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>\n"
    " <reg name=\"r12\" bitsize=\"64\" type=\"int64\"/><reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>\n"
    " <reg name=\"r14\" bitsize=\"64\" type=\"int64\"/><reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>\n"
    " <reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
    " <reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
    " <reg name=\"cs\" bitsize=\"32\" type=\"int32\"/><reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
    " <reg name=\"ds\" bitsize=\"32\" type=\"int32\"/><reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
    " <reg name=\"fs\" bitsize=\"32\" type=\"int32\"/><reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
    " <reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    " <reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    " <reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    " <reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    " <reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    " <reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    " <reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    " <reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    " <reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    " <reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    " <reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    " <reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.sse\">\n"
    " <vector id=\"v8bf16\" type=\"bfloat16\" count=\"8\"/><vector id=\"v8h\" type=\"ieee_half\" count=\"8\"/>\n"
    " <vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/><vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
    " <vector id=\"v16i8\" type=\"int8\" count=\"16\"/><vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
    " <vector id=\"v4i32\" type=\"int32\" count=\"4\"/><vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
    " <union id=\"vec128\">\n"
    "  <field name=\"v8_bfloat16\" type=\"v8bf16\"/><field name=\"v8_half\" type=\"v8h\"/>\n"
    "  <field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>\n"
    "  <field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>\n"
    "  <field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>\n"
    "  <field name=\"uint128\" type=\"uint128\"/>\n"
    " </union>\n"
    " <flags id=\"i386_mxcsr\" size=\"4\">\n"
    "  <field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>\n"
    "  <field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>\n"
    "  <field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>\n"
    "  <field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>\n"
    "  <field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>\n"
    "  <field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>\n"
    "  <field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
    " </flags>\n"
    " <reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\" regnum=\"40\"/><reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>\n"
    " <reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>\n"
    " <reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>\n"
    " <reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>\n"
    " <reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>\n"
    " <reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>\n"
    " <reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>\n"
    " <reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>\n"
    " <reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.linux\">\n"
    " <reg name=\"orig_rax\" bitsize=\"64\" type=\"int\" regnum=\"57\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.segments\">\n"
    " <reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/>\n"
    " <reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
    "</feature>\n"
    "</target>\n";

const char *gdb_target_xml(void) { return target_xml; }

/* ---- registers: number n's bytes in the g packet, from and to struct bvm_gdb_regs ---- */

enum { R_RIP = 16, R_EFLAGS, R_CS, R_ST0 = 24, R_FCTRL = 32, R_FTAG = 34, R_XMM0 = 40, R_MXCSR = 56,
       R_ORIG_RAX, R_FS_BASE, R_GS_BASE };

int gdb_reg_size(int n)
{
    if (n < 0 || n >= GDB_NREGS)
        return 0;
    if (n < R_EFLAGS || n >= R_ORIG_RAX)
        return 8;
    if (n >= R_ST0 && n < R_FCTRL)
        return 10;
    if (n >= R_XMM0 && n < R_MXCSR)
        return 16;
    return 4;
}

/* Where a register of the x87/SSE part lies in the FXSAVE image (its first bytes), or -1. */
static int fx_offset(int n)
{
    static const int fpu[8] = {0, 2, 4, 12, 8, 20, 16, 6}; /* fctrl fstat ftag fiseg fioff foseg fooff fop */
    if (n >= R_ST0 && n < R_FCTRL)
        return 32 + 16 * (n - R_ST0);
    if (n >= R_FCTRL && n < R_XMM0)
        return fpu[n - R_FCTRL];
    if (n >= R_XMM0 && n < R_MXCSR)
        return 160 + 16 * (n - R_XMM0);
    return n == R_MXCSR ? 24 : -1;
}

/* The bytes the image holds for it: FCW, FSW and FOP are 16-bit. */
static size_t fx_width(int n)
{
    return n == R_FCTRL || n == R_FCTRL + 1 || n == R_FCTRL + 7 ? 2 : (size_t)gdb_reg_size(n);
}

/* FXSAVE keeps one "not empty" bit per register; gdb wants the full tag word (2 bits each:
 * valid, zero, special, empty), worked out from each register's contents as the CPU would. */
static uint32_t full_tag(const uint8_t *fx)
{
    unsigned top = (unsigned)(fx[3] >> 3) & 7, tags = 0;
    for (unsigned phys = 0; phys < 8; phys++) {
        unsigned tag = 3;
        if (fx[4] & (1u << phys)) {
            const uint8_t *st = fx + 32 + 16 * ((phys - top) & 7);
            unsigned exp = (unsigned)(st[8] | st[9] << 8) & 0x7fff;
            uint64_t mant;
            memcpy(&mant, st, 8);
            tag = exp == 0x7fff ? 2 : exp == 0 ? (mant ? 2 : 1) : (mant >> 63) ? 0 : 2;
        }
        tags |= tag << (2 * phys);
    }
    return tags;
}

void gdb_reg_get(const struct bvm_gdb_regs *r, int n, uint8_t *out)
{
    uint64_t v = 0;
    int size = gdb_reg_size(n), off = fx_offset(n);
    if (n < 16)
        v = r->gpr[n];
    else if (n == R_RIP)
        v = r->rip;
    else if (n == R_EFLAGS)
        v = r->rflags;
    else if (n >= R_CS && n < R_ST0)
        v = (&r->cs)[n - R_CS];
    else if (n == R_FTAG)
        v = full_tag(r->fx);
    else if (n == R_ORIG_RAX)
        v = r->orig_rax;
    else if (n == R_FS_BASE || n == R_GS_BASE)
        v = n == R_FS_BASE ? r->fs_base : r->gs_base;
    if (off >= 0 && n != R_FTAG) {
        memset(out, 0, (size_t)size);
        memcpy(out, r->fx + off, fx_width(n));
        return;
    }
    memcpy(out, &v, (size_t)size);
}

void gdb_reg_set(struct bvm_gdb_regs *r, int n, const uint8_t *in)
{
    uint64_t v = 0;
    int size = gdb_reg_size(n), off = fx_offset(n);
    memcpy(&v, in, size < 8 ? (size_t)size : 8);
    if (n < 16)
        r->gpr[n] = v;
    else if (n == R_RIP)
        r->rip = v;
    else if (n == R_EFLAGS)
        r->rflags = v;
    else if (n == R_FTAG) { /* back to FXSAVE's bits: not empty */
        r->fx[4] = 0;
        for (unsigned phys = 0; phys < 8; phys++)
            if (((v >> (2 * phys)) & 3) != 3)
                r->fx[4] |= (uint8_t)(1u << phys);
    } else if (off >= 0)
        memcpy(r->fx + off, in, fx_width(n));
    else if (n == R_FS_BASE || n == R_GS_BASE)
        *(n == R_FS_BASE ? &r->fs_base : &r->gs_base) = v;
    /* CS ... GS and orig_rax are the kernel's: writes are dropped */
}

size_t gdb_regs_raw(const struct bvm_gdb_regs *r, uint8_t *out)
{
    size_t n = 0;
    for (int i = 0; i < GDB_NREGS; i++) {
        gdb_reg_get(r, i, out + n);
        n += (size_t)gdb_reg_size(i);
    }
    return n;
}

size_t gdb_regs_raw_size(void)
{
    size_t n = 0;
    for (int i = 0; i < GDB_NREGS; i++)
        n += (size_t)gdb_reg_size(i);
    return n;
}

void gdb_regs_from_raw(struct bvm_gdb_regs *r, const uint8_t *in)
{
    size_t n = 0;
    for (int i = 0; i < GDB_NREGS; i++) {
        gdb_reg_set(r, i, in + n);
        n += (size_t)gdb_reg_size(i);
    }
}

/* ---- signals: Linux's numbers and the protocol's (gdb's own list) ---- */

static const unsigned char to_gdb[65] = {
    [1] = 1,   [2] = 2,   [3] = 3,   [4] = 4,   [5] = 5,   [6] = 6,   [7] = 10,  [8] = 8,   [9] = 9,
    [10] = 30, [11] = 11, [12] = 31, [13] = 13, [14] = 14, [15] = 15, [16] = 143, [17] = 20, [18] = 19,
    [19] = 17, [20] = 18, [21] = 21, [22] = 22, [23] = 16, [24] = 24, [25] = 25, [26] = 26, [27] = 27,
    [28] = 28, [29] = 23, [30] = 32, [31] = 12, [32] = 77, [64] = 78,
};

int gdb_sig_from_linux(int sig)
{
    if (sig >= 33 && sig <= 63)
        return 45 + (sig - 33); /* REALTIME_33 ... REALTIME_63 */
    return sig > 0 && sig <= 64 ? to_gdb[sig] : 0;
}

int gdb_sig_to_linux(int gsig)
{
    if (gsig >= 45 && gsig <= 75)
        return 33 + (gsig - 45);
    for (int s = 1; s <= 64; s++)
        if (to_gdb[s] == gsig && gsig != 143)
            return s;
    return 0;
}

/* ---- documents of the qXfer objects the kernel's lists make ---- */

/* printf onto the document at *k, never past cap (the end: cap - 1, a NUL). */
static void put(char *doc, size_t cap, size_t *k, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *doc, size_t cap, size_t *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = *k < cap ? vsnprintf(doc + *k, cap - *k, fmt, ap) : 0;
    va_end(ap);
    *k = n < 0 || *k + (size_t)n >= cap ? cap - 1 : *k + (size_t)n;
}

/* At most max bytes of s as XML attribute text (& < > " escaped, control characters as '?') onto
 * the document at *k, within cap. */
static void put_attr(char *doc, size_t cap, size_t *k, const char *s, size_t max)
{
    for (size_t i = 0; i < max && s[i] && *k + 7 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *e = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : NULL;
        if (e)
            put(doc, cap, k, "%s", e);
        else
            doc[(*k)++] = c < ' ' || c == 0x7f ? '?' : (char)c;
    }
    doc[*k] = 0;
}

size_t gdb_libraries_doc(char *doc, size_t cap, const uint8_t *data, int64_t n)
{
    size_t k = 0;
    put(doc, cap, &k, "<library-list-svr4 version=\"1.0\"");
    for (int64_t i = 0; i < n && i < (int64_t)(BVM_GDB_DATA / sizeof(struct bvm_gdb_lib)); i++) {
        struct bvm_gdb_lib l;
        memcpy(&l, data + i * (int64_t)sizeof l, sizeof l);
        if (i == 0)
            put(doc, cap, &k, " main-lm=\"0x%llx\">\n", (unsigned long long)l.lm);
        if (!l.name[0])
            continue;
        put(doc, cap, &k, "<library name=\"");
        put_attr(doc, cap, &k, l.name, sizeof l.name);
        put(doc, cap, &k, "\" lm=\"0x%llx\" l_addr=\"0x%llx\" l_ld=\"0x%llx\" lmid=\"0x0\"/>\n",
            (unsigned long long)l.lm, (unsigned long long)l.l_addr, (unsigned long long)l.l_ld);
    }
    put(doc, cap, &k, "%s</library-list-svr4>\n", n > 0 ? "" : ">\n");
    return k;
}

/* Thread i of the kernel's list. */
static struct bvm_gdb_thread thread_at(const uint8_t *data, int64_t i)
{
    struct bvm_gdb_thread t;
    memcpy(&t, data + i * (int64_t)sizeof t, sizeof t);
    return t;
}

#define MAX_THREADS ((int64_t)(BVM_GDB_DATA / sizeof(struct bvm_gdb_thread)))

/* Thread tid's id: p<pid>.<tid> when pid is given (the multiprocess extensions), else <tid>. */
static void put_thread(char *doc, size_t cap, size_t *k, int pid, int tid)
{
    if (pid)
        put(doc, cap, k, "p%x.", (unsigned)pid);
    put(doc, cap, k, "%x", (unsigned)tid);
}

size_t gdb_threads_doc(char *doc, size_t cap, const uint8_t *data, int64_t n, int pid)
{
    size_t k = 0;
    put(doc, cap, &k, "<threads>\n");
    for (int64_t i = 0; i < n && i < MAX_THREADS; i++) {
        struct bvm_gdb_thread t = thread_at(data, i);
        put(doc, cap, &k, "<thread id=\"");
        put_thread(doc, cap, &k, pid, t.tid);
        put(doc, cap, &k, "\" core=\"0\" name=\"");
        put_attr(doc, cap, &k, t.name, sizeof t.name);
        put(doc, cap, &k, "\"/>\n");
    }
    put(doc, cap, &k, "</threads>\n");
    return k;
}

size_t gdb_threads_list(char *out, size_t cap, const uint8_t *data, int64_t n, int pid)
{
    size_t k = 0;
    out[0] = 0;
    for (int64_t i = 0; i < n && i < MAX_THREADS; i++) {
        put(out, cap, &k, "%c", i ? ',' : 'm');
        put_thread(out, cap, &k, pid, thread_at(data, i).tid);
    }
    return k;
}
