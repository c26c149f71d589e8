/* mon_symbolize.c: symbolize.c against binutils' addr2line (-f -i) on a small -g program: every
 * instruction of its functions, inlined calls included; symbol names when the DWARF is stripped, and
 * the DWARF found again by build-id under a debug root; memcheck's frame texts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "symbolize.h"

#define MAXA 4096

static char dir[64], prog[128], stripped[128];

static const char source[] =
    "#include <stdio.h>\n"
    "#include <stdlib.h>\n"
    "static inline __attribute__((always_inline)) int twice(int x)\n"
    "{\n"
    "    return x * 2 + (x > 5 ? printf(\"%d\\n\", x) : 0);\n"
    "}\n"
    "static inline __attribute__((always_inline)) int outer(int x)\n"
    "{\n"
    "    return twice(x + 1) + 3;\n"
    "}\n"
    "__attribute__((noinline)) int leaf(int *p, int n)\n"
    "{\n"
    "    int s = 0;\n"
    "    for (int i = 0; i < n; i++)\n"
    "        s += p[i] * outer(i);\n"
    "    return s;\n"
    "}\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    int *p = malloc(16 * sizeof(int));\n"
    "    for (int i = 0; i < 16; i++)\n"
    "        p[i] = i + argc;\n"
    "    int r = leaf(p, argc + 3);\n"
    "    free(p);\n"
    "    return outer(r) & 1;\n"
    "}\n";

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd);
}

/* Executable PT_LOADs of a file, from readelf -lW. */
struct seg {
    unsigned long long off, va, filesz;
};
static struct seg segs[16];
static int nsegs;

static int load_segments(const char *path)
{
    char cmd[512], line[512];
    snprintf(cmd, sizeof cmd, "readelf -lW '%s'", path);
    FILE *f = popen(cmd, "r");
    nsegs = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long off, va, pa, fs, ms;
        int n = 0;
        if (sscanf(line, " LOAD %llx %llx %llx %llx %llx %n", &off, &va, &pa, &fs, &ms, &n) >= 5 && n &&
            strchr(line + n, 'E') && nsegs < 16)
            segs[nsegs++] = (struct seg){off, va, fs};
    }
    return f ? pclose(f) : -1;
}

static int va_to_off(unsigned long long va, unsigned long long *off)
{
    for (int i = 0; i < nsegs; i++)
        if (va >= segs[i].va && va < segs[i].va + segs[i].filesz) {
            *off = va - segs[i].va + segs[i].off;
            return 0;
        }
    return -1;
}

/* Instruction addresses of leaf and main (objdump -d), inside their symbols' extent (nm -S): not
 * the padding after them, which no stack ever names. */
static unsigned long long addrs[MAXA];
static int naddrs;

static int function_ranges(const char *path, unsigned long long lo[2], unsigned long long hi[2])
{
    char cmd[512], line[512], name[64];
    unsigned long long a, size;
    int found = 0;
    snprintf(cmd, sizeof cmd, "nm -S '%s'", path);
    FILE *f = popen(cmd, "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "%llx %llx %*s %63s", &a, &size, name) == 3 && (!strcmp(name, "main") || !strcmp(name, "leaf")))
            lo[found] = a, hi[found] = a + size, found += found < 2;
    return f && pclose(f) == 0 && found == 2 ? 0 : -1;
}

static int load_addresses(const char *path)
{
    char cmd[512], line[512];
    unsigned long long lo[2], hi[2];
    if (function_ranges(path, lo, hi) < 0)
        return -1;
    snprintf(cmd, sizeof cmd, "objdump -d --no-show-raw-insn '%s'", path);
    FILE *f = popen(cmd, "r");
    naddrs = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long a;
        if (!strstr(line, ">:") && sscanf(line, " %llx:", &a) == 1 && naddrs < MAXA &&
            ((a >= lo[0] && a < hi[0]) || (a >= lo[1] && a < hi[1])))
            addrs[naddrs++] = a;
    }
    return f ? pclose(f) : -1;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Compare the frames at one address with addr2line's pairs of lines ("fn", "file:line ..."). */
static int same_frames(FILE *a2l, unsigned long long va, int *frames_seen)
{
    unsigned long long off;
    struct sym_frame f[SYM_MAX_INLINE];
    char fn[512], loc[512];
    if (va_to_off(va, &off) < 0)
        return 0;
    int n = sym_lookup(prog, off, 0, f, SYM_MAX_INLINE), k = 0;
    /* addr2line -a prints the address first, then the pairs */
    if (!fgets(fn, sizeof fn, a2l) || strtoull(fn, NULL, 16) != va)
        return 0;
    for (;;) {
        long pos = ftell(a2l);
        if (!fgets(fn, sizeof fn, a2l))
            break;
        if (!strncmp(fn, "0x", 2)) {
            fseek(a2l, pos, SEEK_SET);
            break;
        }
        if (!fgets(loc, sizeof loc, a2l))
            return 0;
        fn[strcspn(fn, "\n")] = 0;
        loc[strcspn(loc, " \n")] = 0; /* "(discriminator N)" off */
        char *colon = strrchr(loc, ':');
        int line = colon ? atoi(colon + 1) : 0;
        if (colon)
            *colon = 0;
        /* addr2line's absolute name is the frame's directory and file (the directory joined with the
         * compilation's, as XML's <dir> wants it) */
        const char *base = base_name(loc);
        int dir_ok = loc[0] != '/' || k >= n ||
                     (strlen(f[k].dir) == (size_t)(base - 1 - loc) && !strncmp(f[k].dir, loc, (size_t)(base - 1 - loc)));
        if (k >= n || strcmp(f[k].fn, fn) || strcmp(f[k].file, base) || f[k].line != line || !dir_ok) {
            fprintf(stderr, "0x%llx frame %d: got %s (%s/%s:%d), addr2line %s (%s:%d)\n", va, k, k < n ? f[k].fn : "-",
                    k < n ? f[k].dir : "-", k < n ? f[k].file : "-", k < n ? f[k].line : 0, fn, loc, line);
            return 0;
        }
        k++;
    }
    *frames_seen += k;
    return k == n;
}

static void matches_addr2line(void)
{
    CHECK(load_segments(prog) == 0 && nsegs > 0);
    CHECK(load_addresses(prog) == 0 && naddrs > 10, "objdump found %d addresses", naddrs);
    char list[] = "/tmp/mon_symbolize_addrs.XXXXXX";
    int fd = mkstemp(list);
    CHECK(fd >= 0);
    FILE *l = fdopen(fd, "w");
    for (int i = 0; i < naddrs; i++)
        fprintf(l, "0x%llx\n", addrs[i]);
    fclose(l);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "addr2line -a -f -i -e '%s' < '%s'", prog, list);
    FILE *a2l = popen(cmd, "r");
    CHECK(a2l != NULL);
    /* popen streams cannot seek: copy into a temporary file first */
    FILE *t = tmpfile();
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, a2l)) > 0)
        fwrite(buf, 1, got, t);
    pclose(a2l);
    unlink(list);
    rewind(t);
    int bad = 0, frames = 0, inlined = 0;
    for (int i = 0; i < naddrs; i++) {
        int before = frames;
        bad += !same_frames(t, addrs[i], &frames);
        inlined += frames - before > 1;
    }
    fclose(t);
    CHECK(bad == 0, "%d of %d addresses differ from addr2line (see stderr)", bad, naddrs);
    CHECK(inlined > 0, "no inlined frames met: the test program lost its inlining");
    CHECK(frames > naddrs);
}

/* A return address names its call: the lookup is of the byte before. */
static void return_address(void)
{
    struct sym_frame a[SYM_MAX_INLINE], b[SYM_MAX_INLINE];
    for (int i = 1; i < naddrs; i++) {
        unsigned long long off;
        if (va_to_off(addrs[i], &off) < 0)
            continue;
        int n = sym_lookup(prog, off, 1, a, SYM_MAX_INLINE), m = sym_lookup(prog, off - 1, 0, b, SYM_MAX_INLINE);
        CHECK(n == m && n > 0);
        for (int k = 0; k < n; k++)
            CHECK(!strcmp(a[k].fn, b[k].fn) && a[k].line == b[k].line);
    }
}

/* Without DWARF: the .symtab name, no file; memcheck's "(in path)". */
static void symtab_only(void)
{
    struct sym_frame f[SYM_MAX_INLINE];
    char text[1024], want[1024];
    unsigned long long off;
    CHECK(load_segments(stripped) == 0 && nsegs > 0);
    int found = 0;
    for (int i = 0; i < naddrs; i++) {
        CHECK(va_to_off(addrs[i], &off) == 0);
        int n = sym_lookup(stripped, off, 0, f, SYM_MAX_INLINE);
        CHECK(n == 1 && !f[0].file[0] && f[0].line == 0);
        CHECK(!strcmp(f[0].fn, "main") || !strcmp(f[0].fn, "leaf"), "0x%llx: %s", addrs[i], f[0].fn);
        found++;
    }
    sym_format(&f[0], sym_object_name(stripped), text, sizeof text);
    snprintf(want, sizeof want, "%s (in %s)", f[0].fn, stripped);
    CHECK(!strcmp(text, want), "%s", text);
    CHECK(found > 10);
}

/* The DWARF moved out (objcopy --only-keep-debug) is found by build-id under the debug root. */
static void debug_by_build_id(void)
{
    char id[128] = "", path[512];
    snprintf(path, sizeof path, "readelf -n '%s' | sed -n 's/.*Build ID: *//p'", prog);
    FILE *f = popen(path, "r");
    CHECK(f && fgets(id, sizeof id, f));
    pclose(f);
    id[strcspn(id, "\n")] = 0;
    CHECK(strlen(id) > 4);
    snprintf(path, sizeof path, "%s/debug/.build-id/%.2s", dir, id);
    CHECK(sh("mkdir -p '%s'%s", path, "") == 0);
    snprintf(path, sizeof path, "%s/debug/.build-id/%.2s/%s.debug", dir, id, id + 2);
    CHECK(sh("objcopy --only-keep-debug '%s' '%s'", prog, path) == 0);
    snprintf(path, sizeof path, "%s/debug", dir);
    sym_set_debug_root(path);
    sym_reset();
    struct sym_frame a[SYM_MAX_INLINE], b[SYM_MAX_INLINE];
    CHECK(load_segments(prog) == 0);
    int with_line = 0;
    for (int i = 0; i < naddrs; i++) {
        unsigned long long off;
        CHECK(va_to_off(addrs[i], &off) == 0);
        int n = sym_lookup(prog, off, 0, a, SYM_MAX_INLINE), m = sym_lookup(stripped, off, 0, b, SYM_MAX_INLINE);
        CHECK(n == m, "0x%llx: %d frames with the DWARF inside, %d with it apart", addrs[i], n, m);
        for (int k = 0; k < n; k++)
            CHECK(!strcmp(a[k].fn, b[k].fn) && !strcmp(a[k].file, b[k].file) && a[k].line == b[k].line);
        with_line += b[0].line > 0;
    }
    CHECK(with_line > 10);
    sym_set_debug_root("/usr/lib/debug");
    sym_reset();
}

static void nothing_known(void)
{
    struct sym_frame f[SYM_MAX_INLINE];
    char text[256];
    CHECK_EQ(sym_lookup("/nonexistent/x", 0x1000, 0, f, SYM_MAX_INLINE), 0);
    CHECK_EQ(sym_lookup("/etc/passwd", 0x10, 0, f, SYM_MAX_INLINE), 0);
    CHECK_EQ(sym_lookup("/dev/null", 0x10, 0, f, SYM_MAX_INLINE), 0);
    CHECK_EQ(sym_lookup(prog, 1ull << 40, 0, f, SYM_MAX_INLINE), 0); /* in no segment */
    CHECK_EQ(sym_lookup(prog, 0, 1, f, SYM_MAX_INLINE), 0);
    sym_format(NULL, NULL, text, sizeof text);
    CHECK(!strcmp(text, "???"));
    sym_format(NULL, "/lib/x.so", text, sizeof text);
    CHECK(!strcmp(text, "??? (in /lib/x.so)"));
    struct sym_frame g = {.fn = "", .file = "bug.c", .line = 3};
    sym_format(&g, "/p", text, sizeof text);
    CHECK(!strcmp(text, "??? (bug.c:3)"));
    struct sym_frame h = {.fn = "main", .file = "bug.c", .line = 12};
    sym_format(&h, "/p", text, sizeof text);
    CHECK(!strcmp(text, "main (bug.c:12)"));
}

/* Of a function's names, memcheck's: malloc rather than __libc_malloc or __GI___libc_malloc. */
static void libc_names(void)
{
    static const char *const libc = "/lib/x86_64-linux-gnu/libc.so.6";
    char cmd[256], line[256];
    if (access(libc, R_OK))
        SKIP("no %s", libc);
    snprintf(cmd, sizeof cmd, "nm -D --defined-only %s | sed -n 's/ T malloc@@.*//p'", libc);
    FILE *f = popen(cmd, "r");
    CHECK(f && fgets(line, sizeof line, f));
    pclose(f);
    unsigned long long va = strtoull(line, NULL, 16), off;
    CHECK(load_segments(libc) == 0 && va_to_off(va, &off) == 0);
    struct sym_frame fr[SYM_MAX_INLINE];
    int n = sym_lookup(libc, off, 0, fr, SYM_MAX_INLINE);
    CHECK(n >= 1 && !strcmp(fr[n - 1].fn, "malloc"), "%s", n ? fr[n - 1].fn : "(none)");
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/mon_symbolize.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    char src[128];
    snprintf(src, sizeof src, "%s/inl.c", dir);
    snprintf(prog, sizeof prog, "%s/inl", dir);
    snprintf(stripped, sizeof stripped, "%s/inl.stripped", dir);
    FILE *f = fopen(src, "w");
    if (!f || fputs(source, f) < 0 || fclose(f))
        return 1;
    if (sh("gcc -g -O2 -o '%s' '%s'", prog, src) || sh("objcopy --strip-debug '%s' '%s'", prog, stripped)) {
        test_report("symbolize", TEST_FAIL, "cannot build the test program with gcc -g");
        return 1;
    }
    RUN(matches_addr2line);
    RUN(return_address);
    RUN(symtab_only);
    RUN(debug_by_build_id);
    RUN(nothing_known);
    RUN(libc_names);
    sh("rm -rf '%s'%s", dir, "");
    return test_failed != 0;
}
