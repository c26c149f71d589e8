/* mon_check_report.c: the CHECK hostcall: bad addresses, lengths and reports refused (never a crash);
 * the records, summaries and exit status of buffervm check, in memcheck's shape. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_report.h"
#include "check_syms.h"
#include "harness.h"
#include "hostcall.h"
#include "options.h"

#define REQ 0x10000ull
#define BUF 0x20000ull
#define RAM (64ull << 20)
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

static struct guestmem gm;
static struct hc_ctx hc;
static struct bvm_check_report rep;
static char pfx[32]; /* "==PID== " */

static int64_t call(uint32_t op, int32_t fd, uint64_t gpa, uint32_t len)
{
    struct bvm_hostcall r = {.nr = BVM_HC_CHECK, .ret = 12345};
    r.u.check = (struct bvm_hc_check){.op = op, .fd = fd, .buf_gpa = gpa, .buf_len = len};
    gm_write(&gm, REQ, &r, sizeof r);
    if (hc_serve(&hc, REQ) < 0)
        return 99999;
    gm_read(&gm, REQ, &r, sizeof r);
    return r.ret;
}

static int64_t send(const struct bvm_check_report *r)
{
    gm_write(&gm, BUF, r, sizeof *r);
    return call(BVM_CHECK_REPORT, -1, BUF, sizeof *r);
}

/* What the monitor writes on fd 2 while fn runs. */
static char out[1 << 16];
static void capture_begin(int *saved, FILE **f)
{
    fflush(stderr);
    *f = tmpfile();
    *saved = dup(2);
    dup2(fileno(*f), 2);
}

static const char *capture_end(int saved, FILE *f)
{
    dup2(saved, 2);
    close(saved);
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = 0;
    fclose(f);
    return out;
}

/* The captured text with every "==PID== " prefix taken out. */
static const char *plain(void)
{
    static char buf[sizeof out];
    size_t k = 0, pl = strlen(pfx);
    for (const char *p = out; *p;) {
        if (!strncmp(p, pfx, pl))
            p += pl;
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        memcpy(buf + k, p, n);
        k += n, p += n;
    }
    buf[k] = 0;
    return buf;
}

static const char *sent(const struct bvm_check_report *r, int64_t *rc)
{
    int saved;
    FILE *f;
    capture_begin(&saved, &f);
    *rc = send(r);
    capture_end(saved, f);
    return plain();
}

static int64_t send_quiet(void)
{
    int64_t rc;
    sent(&rep, &rc);
    return rc;
}

static void base_report(uint32_t kind)
{
    memset(&rep, 0, sizeof rep);
    rep.kind = kind;
    rep.where.n = 1;
    rep.where.f[0] = (struct bvm_check_frame){.pc = 0x401745, .file = -1};
}

/* ---- validation ---- */

static void syms_validation(void)
{
    int fd = open(LIBC, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    CHECK_EQ(call(BVM_CHECK_SYMS, fd, BUF, 1024), -EBADF); /* not the guest's */
    hc_fd_grant(&hc, fd);
    CHECK_EQ(call(BVM_CHECK_SYMS, fd, BUF, 0), -EINVAL);
    CHECK_EQ(call(BVM_CHECK_SYMS, fd, BUF, 15), -EINVAL);
    CHECK_EQ(call(BVM_CHECK_SYMS, fd, RAM - 16, 1024), -EFAULT);
    CHECK_EQ(call(BVM_CHECK_SYMS, fd, ~0ull - 8, 1024), -EFAULT);
    CHECK_EQ(call(BVM_CHECK_SYMS, -1, BUF, 1024), -EBADF);
    CHECK_EQ(call(BVM_CHECK_SYMS, 1 << 20, BUF, 1024), -EBADF);
    struct bvm_check_sym want[BVM_CHECK_MAX_SYMS], got[BVM_CHECK_MAX_SYMS];
    int n = check_syms_find(fd, want, BVM_CHECK_MAX_SYMS);
    CHECK(n > 0);
    CHECK_EQ(call(BVM_CHECK_SYMS, fd, BUF, ~0u), n); /* room for more than the maximum: fine */
    gm_read(&gm, BUF, got, (uint64_t)n * sizeof got[0]);
    CHECK(!memcmp(got, want, (size_t)n * sizeof got[0]));
    CHECK_EQ(call(BVM_CHECK_SYMS, fd, BUF, 2 * sizeof got[0]), 2); /* as many as there is room for */
    CHECK_EQ(call(BVM_CHECK_SYMS, fd, RAM - 2 * sizeof got[0], 2 * sizeof got[0]), 2);
    hc_fd_revoke(&hc, fd);
    close(fd);
}

/* UNWIND: the same fd and buffer checks; libc has an .eh_frame_hdr, a text file no tables. */
static void unwind_validation(void)
{
    struct bvm_check_unwind u;
    int fd = open(LIBC, O_RDONLY | O_CLOEXEC), txt = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0 && txt >= 0);
    CHECK_EQ(call(BVM_CHECK_UNWIND, fd, BUF, sizeof u), -EBADF); /* not the guest's */
    hc_fd_grant(&hc, fd);
    hc_fd_grant(&hc, txt);
    CHECK_EQ(call(BVM_CHECK_UNWIND, fd, BUF, sizeof u - 1), -EINVAL);
    CHECK_EQ(call(BVM_CHECK_UNWIND, fd, RAM - 16, sizeof u), -EFAULT);
    CHECK_EQ(call(BVM_CHECK_UNWIND, fd, ~0ull - 8, sizeof u), -EFAULT);
    CHECK_EQ(call(BVM_CHECK_UNWIND, -1, BUF, sizeof u), -EBADF);
    CHECK_EQ(call(BVM_CHECK_UNWIND, fd, BUF, ~0u), 0);
    gm_read(&gm, BUF, &u, sizeof u);
    CHECK(u.hdr_off && u.hdr_len >= 12 && !u.eh_off && !u.eh_len);
    CHECK_EQ(call(BVM_CHECK_UNWIND, txt, BUF, sizeof u), 0);
    gm_read(&gm, BUF, &u, sizeof u);
    CHECK(!u.hdr_off && !u.hdr_len && !u.eh_off && !u.eh_len);
    hc_fd_revoke(&hc, fd);
    hc_fd_revoke(&hc, txt);
    close(fd);
    close(txt);
}

static void report_validation(void)
{
    base_report(BVM_CK_READ);
    gm_write(&gm, BUF, &rep, sizeof rep);
    CHECK_EQ(call(BVM_CHECK_REPORT, -1, BUF, sizeof rep - 8), -EINVAL);
    CHECK_EQ(call(BVM_CHECK_REPORT, -1, BUF, 0), -EINVAL);
    CHECK_EQ(call(BVM_CHECK_REPORT, -1, RAM - 100, sizeof rep), -EFAULT);
    CHECK_EQ(call(BVM_CHECK_REPORT, -1, ~0ull - 100, sizeof rep), -EFAULT);
    CHECK_EQ(call(77, -1, BUF, sizeof rep), -EINVAL);
    CHECK_EQ(call(0, -1, BUF, sizeof rep), -EINVAL);
    base_report(0);
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_COUNT);
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_READ), rep.nfiles = BVM_CHECK_MAX_FILES + 1;
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_READ), rep.where.n = BVM_CHECK_MAX_FRAMES + 1;
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_READ), rep.alloc.n = ~0u;
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_READ), rep.freed.n = 1, rep.freed.f[0].file = 0; /* nfiles 0 */
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_READ), rep.where.f[0].file = -2;
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_READ), rep.nfiles = 1, strcpy(rep.files[0], LIBC), rep.where.f[0].file = 1;
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_READ), rep.nfiles = 2, memset(rep.files[1], 'a', BVM_CHECK_PATH); /* unterminated */
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_READ), rep.insn_len = 17;
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_READ), rep.block = 3;
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_FREE), rep.fn = BVM_CF_COUNT;
    CHECK_EQ(send_quiet(), -EINVAL);
    base_report(BVM_CK_LEAK), rep.leak_kind = BVM_LK_COUNT;
    CHECK_EQ(send_quiet(), -EINVAL);
    CHECK_EQ(check_error_count(), 0); /* nothing refused was counted */
    /* unused paths past nfiles may hold anything */
    base_report(BVM_CK_READ), rep.nfiles = 1, strcpy(rep.files[0], "/nonexistent"), memset(rep.files[5], 'x', 256);
    rep.where.f[0].file = 0;
    CHECK_EQ(send_quiet(), 0);
}

static void noheap_validation(void)
{
    char text[600];
    memset(text, 'r', sizeof text);
    gm_write(&gm, BUF, text, sizeof text);
    CHECK_EQ(call(BVM_CHECK_NOHEAP, -1, BUF, 0), -EINVAL);
    CHECK_EQ(call(BVM_CHECK_NOHEAP, -1, BUF, 100), -EINVAL); /* no NUL */
    CHECK_EQ(call(BVM_CHECK_NOHEAP, -1, BUF, 513), -EINVAL);
    CHECK_EQ(call(BVM_CHECK_NOHEAP, -1, RAM - 4, 8), -EFAULT);
    gm_write(&gm, BUF, "stripped\033[2J\0", 13);
    int saved;
    FILE *f;
    capture_begin(&saved, &f);
    int64_t rc = call(BVM_CHECK_NOHEAP, -1, BUF, 13);
    capture_end(saved, f);
    CHECK_EQ(rc, 0);
    CHECK(!strcmp(plain(), "buffervm check: heap checking is off for stripped?[2J\n"), "%s", out);
    CHECK(!strncmp(out, pfx, strlen(pfx)));
}

/* Random reports: refused or printed, never a crash. */
static void random_reports(void)
{
    srand(7);
    int saved;
    FILE *f;
    capture_begin(&saved, &f);
    for (int i = 0; i < 3000; i++) {
        uint8_t *b = (uint8_t *)&rep;
        for (size_t k = 0; k < sizeof rep; k++)
            b[k] = (uint8_t)rand();
        if (i % 2) { /* mostly plausible */
            rep.kind = 1 + rand() % (BVM_CK_COUNT - 1), rep.nfiles = rand() % 9, rep.insn_len = rand() % 17;
            rep.block = rand() % 3;
            rep.fn = rand() % BVM_CF_COUNT, rep.leak_kind = rand() % 4;
            for (int k = 0; k < BVM_CHECK_MAX_FILES; k++)
                strcpy(rep.files[k], k % 2 ? LIBC : "/etc/passwd");
            struct bvm_check_stack *s[3] = {&rep.where, &rep.alloc, &rep.freed};
            for (int k = 0; k < 3; k++) {
                s[k]->n = rand() % 17;
                for (int j = 0; j < 16; j++)
                    s[k]->f[j].file = (int32_t)(rand() % (rep.nfiles + 1)) - 1;
            }
        }
        int64_t rc = send(&rep);
        if (rc != 0 && rc != -EINVAL)
            break;
    }
    capture_end(saved, f);
    check_after_fork(); /* forget them */
}

/* ---- formats ---- */

static void invalid_read_formats(void)
{
    int64_t rc;
    check_after_fork();
    base_report(BVM_CK_READ);
    rep.addr = 0x600000001010, rep.size = 0;
    memcpy(rep.insn, "\x8b\x00", 2), rep.insn_len = 2; /* mov eax, [rax] */
    rep.block = BVM_CB_LIVE, rep.block_addr = 0x600000001000, rep.block_size = 16;
    rep.alloc.n = 2, rep.alloc.f[0].pc = 0x41A2B0, rep.alloc.f[0].file = -1, rep.alloc.f[1].pc = 0x401730;
    rep.alloc.f[1].file = -1;
    const char *t = sent(&rep, &rc);
    CHECK_EQ(rc, 0);
    CHECK(!strcmp(t, "Invalid read of size 4\n"
                     "   at 0x401745: ???\n"
                     " Address 0x600000001010 is 0 bytes after a block of size 16 alloc'd\n"
                     "   at 0x41A2B0: ???\n"
                     "   by 0x401730: ???\n"
                     "\n"),
          "%s", t);
    t = sent(&rep, &rc); /* the same context: counted, not printed */
    CHECK(!t[0] && check_error_count() == 2);
    rep.where.f[0].pc = 0x401800, rep.kind = BVM_CK_WRITE, rep.addr = 0x600000000ffc, rep.block_size = 1000000;
    memcpy(rep.insn, "\xf3\x48\xab", 3), rep.insn_len = 3; /* rep stosq */
    t = sent(&rep, &rc);
    CHECK(!strncmp(t, "Invalid write of size 8\n   at 0x401800: ???\n Address 0x600000000ffc is 4 bytes before a "
                      "block of size 1,000,000 alloc'd\n", 108),
          "%s", t);
    rep.addr = 0x600000001004, rep.block = BVM_CB_FREED, rep.block_size = 40, rep.size = 2, rep.where.f[0].pc = 0x401900;
    rep.freed.n = 1, rep.freed.f[0] = (struct bvm_check_frame){.pc = 0x41B000, .file = -1};
    t = sent(&rep, &rc);
    CHECK(!strcmp(t, "Invalid write of size 2\n"
                     "   at 0x401900: ???\n"
                     " Address 0x600000001004 is 4 bytes inside a block of size 40 free'd\n"
                     "   at 0x41B000: ???\n"
                     " Block was alloc'd at\n"
                     "   at 0x41A2B0: ???\n"
                     "   by 0x401730: ???\n"
                     "\n"),
          "%s", t);
    base_report(BVM_CK_READ), rep.addr = 0x10, rep.size = 1;
    t = sent(&rep, &rc);
    CHECK(!strcmp(t, "Invalid read of size 1\n   at 0x401745: ???\n Address 0x10 is not stack'd, malloc'd or "
                     "(recently) free'd\n\n"),
          "%s", t);
    CHECK_EQ(check_error_count(), 5);
}

static void invalid_free_format(void)
{
    int64_t rc;
    check_after_fork();
    base_report(BVM_CK_FREE);
    rep.fn = BVM_CF_FREE, rep.addr = 0x600000002008, rep.block = BVM_CB_LIVE, rep.block_addr = 0x600000002000;
    rep.block_size = 40, rep.alloc.n = 1, rep.alloc.f[0] = (struct bvm_check_frame){.pc = 0x41A2B0, .file = -1};
    const char *t = sent(&rep, &rc);
    CHECK(!strcmp(t, "Invalid free() / delete / delete[] / realloc()\n"
                     "   at 0x401745: ???\n"
                     " Address 0x600000002008 is 8 bytes inside a block of size 40 alloc'd\n"
                     "   at 0x41A2B0: ???\n"
                     "\n"),
          "%s", t);
}

/* A mismatched free: memcheck's words ("delete []" with a space), the live block's alloc stack;
 * the frames of C++'s operators in libstdc++ (no debug info: mangled symbols) named as memcheck
 * names them. The called function is part of the error's context. */
static void mismatch_format(void)
{
    int64_t rc;
    check_after_fork();
    base_report(BVM_CK_MISMATCH);
    rep.fn = BVM_CF_DELETE_SIZED, rep.addr = 0x600000002000, rep.block = BVM_CB_LIVE, rep.block_addr = 0x600000002000;
    rep.block_size = 40, rep.alloc.n = 1, rep.alloc.f[0] = (struct bvm_check_frame){.pc = 0x41A2B0, .file = -1};
    const char *t = sent(&rep, &rc);
    CHECK_EQ(rc, 0);
    CHECK(!strcmp(t, "Mismatched free() / delete / delete []\n"
                     "   at 0x401745: ???\n"
                     " Address 0x600000002000 is 0 bytes inside a block of size 40 alloc'd\n"
                     "   at 0x41A2B0: ???\n"
                     "\n"),
          "%s", t);
    t = sent(&rep, &rc); /* the same context: counted, not printed */
    CHECK(!t[0]);
    rep.fn = BVM_CF_FREE; /* another function called at the same place: another context */
    t = sent(&rep, &rc);
    CHECK(!strncmp(t, "Mismatched", 10), "%s", t);
    CHECK_EQ(check_error_count(), 3);

    char lib[256] = "";
    FILE *p = popen("g++ -print-file-name=libstdc++.so.6 2>/dev/null", "r");
    int got = p && fgets(lib, sizeof lib, p);
    if (p)
        pclose(p);
    lib[strcspn(lib, "\n")] = 0;
    int fd = got && lib[0] == '/' ? open(lib, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0)
        SKIP("no libstdc++.so.6");
    struct bvm_check_sym s[BVM_CHECK_MAX_SYMS];
    int n = check_syms_find(fd, s, BVM_CHECK_MAX_SYMS), del = -1, anew = -1;
    close(fd);
    for (int k = 0; k < n; k++) {
        if (s[k].fn == BVM_CF_DELETE_SIZED)
            del = k;
        if (s[k].fn == BVM_CF_NEW_ARRAY_ALIGNED_NOTHROW)
            anew = k;
    }
    CHECK(del >= 0 && anew >= 0, "libstdc++'s operators found");
    base_report(BVM_CK_MISMATCH);
    rep.fn = BVM_CF_DELETE_SIZED, rep.addr = 0x600000003000, rep.block = BVM_CB_LIVE, rep.block_addr = 0x600000003000;
    rep.block_size = 16, rep.nfiles = 1, strcpy(rep.files[0], lib);
    rep.where.f[0] = (struct bvm_check_frame){.pc = 0x7FFFF7E4C8E0, .file_off = s[del].offset, .file = 0};
    rep.alloc.n = 1, rep.alloc.f[0] = (struct bvm_check_frame){.pc = 0x7FFFF7E4E6A0, .file_off = s[anew].offset};
    t = sent(&rep, &rc);
    /* (with libstdc++'s debug info installed the frames are DWARF's names, "operator delete") */
    CHECK(strstr(t, "   at 0x7FFFF7E4C8E0: operator delete(void*, unsigned long) (in ") ||
              strstr(t, "   at 0x7FFFF7E4C8E0: operator delete ("),
          "%s", t);
    CHECK(strstr(t, "   at 0x7FFFF7E4E6A0: operator new[](unsigned long, std::align_val_t, std::nothrow_t const&) "
                    "(in ") ||
              strstr(t, "   at 0x7FFFF7E4E6A0: operator new[] ("),
          "%s", t);
}

/* A frame in a real file is named: libc's malloc entry. */
static void named_frame(void)
{
    int64_t rc;
    struct bvm_check_sym s[BVM_CHECK_MAX_SYMS];
    int fd = open(LIBC, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        SKIP("no %s", LIBC);
    int n = check_syms_find(fd, s, BVM_CHECK_MAX_SYMS);
    close(fd);
    int k = 0;
    while (k < n && s[k].fn != BVM_CF_MALLOC)
        k++;
    CHECK(k < n);
    check_after_fork();
    base_report(BVM_CK_READ), rep.size = 4, rep.nfiles = 1, strcpy(rep.files[0], LIBC);
    rep.where.f[0] = (struct bvm_check_frame){.pc = 0x7FFFF7E75930, .file_off = s[k].offset, .file = 0};
    const char *t = sent(&rep, &rc);
    CHECK(!strncmp(t, "Invalid read of size 4\n   at 0x7FFFF7E75930: malloc (", 53), "%s", t);
}

static void leak(uint32_t kind, uint64_t bytes, uint64_t blocks, uint64_t pc)
{
    base_report(BVM_CK_LEAK);
    rep.where.n = 0, rep.leak_kind = kind, rep.bytes = bytes, rep.blocks = blocks;
    rep.alloc.n = 1, rep.alloc.f[0] = (struct bvm_check_frame){.pc = pc, .file = -1};
    CHECK_EQ(send(&rep), 0);
}

static void summary(void)
{
    base_report(BVM_CK_SUMMARY);
    rep.where.n = 0;
    uint64_t b[4] = {1040, 16, 100, 72704}, n[4] = {2, 1, 1, 1};
    memcpy(rep.leak_bytes, b, sizeof b), memcpy(rep.leak_blocks, n, sizeof n);
    rep.allocs = 1501, rep.frees = 1496, rep.bytes_allocated = 1520000;
    CHECK_EQ(send(&rep), 0);
}

static const char *finish(int kind, int status, int *got)
{
    int saved;
    FILE *f;
    capture_begin(&saved, &f);
    *got = check_finish((uint32_t)kind, status);
    capture_end(saved, f);
    return plain();
}

/* --show-leak-kinds and --errors-for-leak-kinds: the records printed and those counted. */
static void leak_kind_options(void)
{
    struct check_opts o = {.on = 1, .error_exitcode = 99, .leak_check = LEAK_CHECK_FULL,
                           .show_kinds = 1u << BVM_LK_DEFINITE | 1u << BVM_LK_REACHABLE,
                           .error_kinds = 1u << BVM_LK_POSSIBLE};
    check_init(&o);
    check_after_fork();
    leak(BVM_LK_DEFINITE, 40, 1, 0x401000);
    leak(BVM_LK_POSSIBLE, 100, 1, 0x402000);
    leak(BVM_LK_REACHABLE, 200, 2, 0x403000);
    summary();
    int st;
    const char *t = finish(BVM_EXIT_STATUS, 0, &st);
    CHECK_EQ(st, 99);
    CHECK(strstr(t, "40 bytes in 1 blocks are definitely lost in loss record 1 of 3\n"), "%s", t);
    CHECK(strstr(t, "200 bytes in 2 blocks are still reachable in loss record 3 of 3\n"), "%s", t);
    CHECK(!strstr(t, "possibly lost in loss record"), "%s", t);
    CHECK(strstr(t, "ERROR SUMMARY: 1 errors from 1 contexts"), "%s", t); /* the possibly lost one */
    /* --num-callers=2: a three-frame stack shows two */
    o.num_callers = 2, o.error_kinds = 1u << BVM_LK_DEFINITE, check_init(&o), check_after_fork();
    base_report(BVM_CK_LEAK);
    rep.where.n = 0, rep.leak_kind = BVM_LK_DEFINITE, rep.bytes = 8, rep.blocks = 1, rep.alloc.n = 3;
    for (int k = 0; k < 3; k++)
        rep.alloc.f[k] = (struct bvm_check_frame){.pc = 0x401000 + 0x100 * (uint64_t)k, .file = -1};
    CHECK_EQ(send(&rep), 0);
    summary();
    t = finish(BVM_EXIT_STATUS, 0, &st);
    CHECK(strstr(t, "   at 0x401000: ???\n   by 0x401100: ???\n\n"), "%s", t);
    CHECK(!strstr(t, "0x401200"), "%s", t);
    o.num_callers = 12, o.error_kinds = 0, check_init(&o), check_after_fork();
    leak(BVM_LK_DEFINITE, 40, 1, 0x401000);
    summary();
    CHECK(!finish(BVM_EXIT_STATUS, 5, &st)[0] && st == 5); /* no errors: nothing printed */
}

static void leaks_and_summaries(void)
{
    struct check_opts o = {.on = 1, .error_exitcode = 42, .leak_check = LEAK_CHECK_FULL,
                           .show_kinds = CHECK_SHOW_KINDS_DEFAULT, .error_kinds = CHECK_ERROR_KINDS_DEFAULT};
    check_init(&o);
    check_after_fork();
    leak(BVM_LK_DEFINITE, 1000, 1, 0x401000);
    leak(BVM_LK_INDIRECT, 16, 1, 0x402000);
    leak(BVM_LK_POSSIBLE, 100, 1, 0x403000);
    leak(BVM_LK_DEFINITE, 40, 1, 0x404000);
    summary();
    int st;
    const char *t = finish(BVM_EXIT_STATUS, 3, &st);
    CHECK_EQ(st, 42);
    CHECK(!strcmp(t, "\n"
                     "HEAP SUMMARY:\n"
                     "    in use at exit: 73,860 bytes in 5 blocks\n"
                     "  total heap usage: 1,501 allocs, 1,496 frees, 1,520,000 bytes allocated\n"
                     "\n"
                     "16 bytes in 1 blocks are indirectly lost in loss record 1 of 4\n"
                     "   at 0x402000: ???\n"
                     "\n"
                     "40 bytes in 1 blocks are definitely lost in loss record 2 of 4\n"
                     "   at 0x404000: ???\n"
                     "\n"
                     "100 bytes in 1 blocks are possibly lost in loss record 3 of 4\n"
                     "   at 0x403000: ???\n"
                     "\n"
                     "1,000 bytes in 1 blocks are definitely lost in loss record 4 of 4\n"
                     "   at 0x401000: ???\n"
                     "\n"
                     "LEAK SUMMARY:\n"
                     "   definitely lost: 1,040 bytes in 2 blocks\n"
                     "   indirectly lost: 16 bytes in 1 blocks\n"
                     "     possibly lost: 100 bytes in 1 blocks\n"
                     "   still reachable: 72,704 bytes in 1 blocks\n"
                     "        suppressed: 0 bytes in 0 blocks\n"
                     "\n"
                     "ERROR SUMMARY: 3 errors from 3 contexts (suppressed: 0 from 0)\n"), /* definite and indirect */
          "%s", t);
    CHECK(!strncmp(out, pfx, strlen(pfx)));
    t = finish(BVM_EXIT_STATUS, 3, &st); /* once per process */
    CHECK(!t[0] && st == 42);
    CHECK_EQ(finish(BVM_EXIT_SIGNAL, 11, &st)[0], 0);
    CHECK_EQ(st, 11); /* a death by signal keeps its signal */
}

static void quiet_and_modes(void)
{
    int st;
    struct check_opts o = {.on = 1, .error_exitcode = 99, .leak_check = LEAK_CHECK_FULL, .quiet = 1,
                           .show_kinds = CHECK_SHOW_KINDS_DEFAULT, .error_kinds = CHECK_ERROR_KINDS_DEFAULT};
    check_init(&o);
    check_after_fork();
    leak(BVM_LK_DEFINITE, 40, 1, 0x404000);
    summary();
    const char *t = finish(BVM_EXIT_STATUS, 0, &st);
    CHECK(!strcmp(t, "40 bytes in 1 blocks are definitely lost in loss record 1 of 1\n   at 0x404000: ???\n\n"), "%s", t);
    CHECK_EQ(st, 99);

    o.quiet = 0, o.leak_check = LEAK_CHECK_SUMMARY, check_init(&o), check_after_fork();
    leak(BVM_LK_DEFINITE, 40, 1, 0x404000); /* not an error in a summary-only search, as memcheck */
    summary();
    t = finish(BVM_EXIT_STATUS, 5, &st);
    CHECK(!t[0] && st == 5, "%s", t);

    check_after_fork();
    base_report(BVM_CK_READ), rep.size = 1;
    int64_t rc;
    sent(&rep, &rc);
    leak(BVM_LK_DEFINITE, 40, 1, 0x404000);
    summary();
    t = finish(BVM_EXIT_STATUS, 5, &st);
    CHECK(strstr(t, "LEAK SUMMARY:\n") && strstr(t, "Rerun with --leak-check=full to see details of leaked memory\n\n"
                                                    "ERROR SUMMARY: 1 errors from 1 contexts"),
          "%s", t);
    CHECK(!strstr(t, "loss record"));

    o.leak_check = LEAK_CHECK_NO, check_init(&o), check_after_fork();
    base_report(BVM_CK_READ), rep.size = 1;
    sent(&rep, &rc);
    summary();
    t = finish(BVM_EXIT_STATUS, 5, &st);
    CHECK(!strstr(t, "LEAK SUMMARY") && strstr(t, "For a detailed leak analysis, rerun with: --leak-check=full\n"),
          "%s", t);

    o.leak_check = LEAK_CHECK_FULL, o.error_exitcode = 0, check_init(&o), check_after_fork();
    base_report(BVM_CK_READ), rep.size = 1;
    sent(&rep, &rc);
    t = finish(BVM_EXIT_STATUS, 5, &st); /* --error-exitcode=0: the program's status */
    CHECK_EQ(st, 5);
    CHECK(!strcmp(t, "\nERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)\n"), "%s", t);
}

static void clean_run_is_silent(void)
{
    int st;
    struct check_opts o = {.on = 1, .error_exitcode = 99, .leak_check = LEAK_CHECK_FULL,
                           .show_kinds = CHECK_SHOW_KINDS_DEFAULT, .error_kinds = CHECK_ERROR_KINDS_DEFAULT};
    check_init(&o);
    check_after_fork();
    leak(BVM_LK_POSSIBLE, 16, 1, 0x402000); /* not an error alone */
    summary();
    CHECK_EQ(finish(BVM_EXIT_STATUS, 0, &st)[0], 0);
    CHECK_EQ(st, 0);
    o.on = 0, check_init(&o), check_after_fork(); /* not buffervm check: never a status changed */
    int64_t rc;
    base_report(BVM_CK_READ), rep.size = 1;
    sent(&rep, &rc);
    CHECK_EQ(finish(BVM_EXIT_STATUS, 0, &st)[0], 0);
    CHECK_EQ(st, 0);
}

int main(void)
{
    if (gm_init(&gm, RAM) < 0) {
        perror("gm_init");
        return 1;
    }
    hc_init(&hc, &gm, -1);
    snprintf(pfx, sizeof pfx, "==%d== ", (int)getpid());
    RUN(syms_validation);
    RUN(unwind_validation);
    RUN(report_validation);
    RUN(noheap_validation);
    RUN(random_reports);
    RUN(invalid_read_formats);
    RUN(invalid_free_format);
    RUN(named_frame);
    RUN(mismatch_format);
    RUN(leaks_and_summaries);
    RUN(leak_kind_options);
    RUN(quiet_and_modes);
    RUN(clean_run_is_silent);
    return test_failed != 0;
}
