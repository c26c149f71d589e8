/* mon_check_syms.c: the allocator entries check_syms finds in real libcs, against readelf's reading
 * of the same files (symbols and program headers), and its safety on damaged files. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_syms.h"
#include "harness.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define LDSO "/lib64/ld-linux-x86-64.so.2"
#define MAXS 512

static const char *const public_names[] = {"malloc", "free", "cfree", "calloc", "realloc", "reallocarray",
                                           "memalign", "posix_memalign", "aligned_alloc", "valloc", "pvalloc",
                                           "malloc_usable_size"};
static const char *const twin_names[] = {"__libc_malloc", "__libc_free", "__libc_cfree", "__libc_calloc",
                                         "__libc_realloc", "__libc_reallocarray", "__libc_memalign",
                                         "__libc_valloc", "__libc_pvalloc", "__posix_memalign", "__malloc",
                                         "__free", "__calloc", "__realloc", "__memalign"};

static int in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(name, list[i]))
            return 1;
    return 0;
}

/* readelf's view: executable PT_LOADs and the allocator symbols. */
struct seg {
    uint64_t off, vaddr, filesz;
};
struct rsym {
    char name[64];
    uint64_t value;
    int twin;
};
static struct seg segs[32];
static int nsegs;
static struct rsym syms[MAXS];
static int nsyms;

static int read_segments(const char *path)
{
    char cmd[512], line[512];
    snprintf(cmd, sizeof cmd, "readelf -lW '%s' 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    nsegs = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long long off, va, pa, fs, ms;
        char flags[16] = "";
        int n = 0;
        if (sscanf(line, " LOAD %llx %llx %llx %llx %llx %n", &off, &va, &pa, &fs, &ms, &n) < 5 || !n)
            continue;
        snprintf(flags, sizeof flags, "%.8s", line + n); /* "R E 0x1000": flags before the alignment */
        if (strchr(flags, 'E') && nsegs < 32)
            segs[nsegs++] = (struct seg){off, va, fs};
    }
    return f ? pclose(f) : -1;
}

/* Symbols as "Num: Value Size Type Bind Vis Ndx Name" lines of readelf -sW (both tables). */
static int read_symbols(const char *path)
{
    char cmd[512], line[1024];
    snprintf(cmd, sizeof cmd, "readelf -sW '%s' 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    nsyms = 0;
    while (f && fgets(line, sizeof line, f)) {
        char num[32], val[32], size[32], type[32], bind[32], vis[32], ndx[32], name[256];
        if (sscanf(line, "%31s %31s %31s %31s %31s %31s %31s %255s", num, val, size, type, bind, vis, ndx, name) != 8)
            continue;
        name[strcspn(name, "@")] = 0; /* the version */
        int twin = in_list(name, twin_names, sizeof twin_names / sizeof twin_names[0]);
        if (!twin && !in_list(name, public_names, sizeof public_names / sizeof public_names[0]))
            continue;
        if (strcmp(type, "FUNC") || (strcmp(bind, "GLOBAL") && strcmp(bind, "WEAK")) || !strcmp(ndx, "UND") ||
            strtoull(size, NULL, 0) < 3 || nsyms == MAXS)
            continue;
        snprintf(syms[nsyms].name, sizeof syms[nsyms].name, "%.63s", name);
        syms[nsyms].value = strtoull(val, NULL, 16);
        syms[nsyms++].twin = twin;
    }
    return f ? pclose(f) : -1;
}

static int to_offset(uint64_t v, uint64_t *off)
{
    for (int i = 0; i < nsegs; i++)
        if (v >= segs[i].vaddr && v + 3 <= segs[i].vaddr + segs[i].filesz) {
            *off = v - segs[i].vaddr + segs[i].off;
            return 0;
        }
    return -1;
}

static int found_at(const struct bvm_check_sym *s, int n, uint64_t off)
{
    for (int i = 0; i < n; i++)
        if (s[i].offset == off)
            return 1;
    return 0;
}

static int run_syms(const char *path, struct bvm_check_sym *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int n = check_syms_find(fd, out, BVM_CHECK_MAX_SYMS);
    close(fd);
    return n;
}

/* check_syms against readelf on path: every public name's offset found; twins found exactly when
 * one shares an address with a public name; nothing else. Returns the oracle's verdict on twins. */
static int twins_expected;
static void compare(const char *path, int expect_twins)
{
    struct bvm_check_sym got[BVM_CHECK_MAX_SYMS];
    CHECK(read_segments(path) == 0 && nsegs > 0, "readelf -l %s", path);
    CHECK(read_symbols(path) == 0, "readelf -s %s", path);
    int n = run_syms(path, got);
    CHECK(n > 0, "no entries found in %s", path);
    twins_expected = 0;
    for (int i = 0; i < nsyms; i++)
        for (int j = 0; j < nsyms; j++)
            twins_expected |= syms[i].twin && !syms[j].twin && syms[i].value == syms[j].value;
    CHECK(twins_expected == expect_twins, "%s: twins aliased %d, expected %d", path, twins_expected, expect_twins);
    int expected = 0;
    for (int i = 0; i < nsyms; i++) {
        uint64_t off;
        CHECK(to_offset(syms[i].value, &off) == 0, "%s outside an executable segment", syms[i].name);
        int want = !syms[i].twin || twins_expected;
        CHECK(found_at(got, n, off) == want, "%s at offset 0x%llx: found %d, expected %d", syms[i].name,
              (unsigned long long)off, !want, want);
        int first = 1; /* count distinct expected offsets */
        for (int j = 0; j < i; j++) {
            uint64_t o2;
            if ((!syms[j].twin || twins_expected) && to_offset(syms[j].value, &o2) == 0 && o2 == off)
                first = 0;
        }
        expected += want && first;
    }
    CHECK(n == expected, "%s: %d entries, readelf says %d", path, n, expected);
    for (int i = 1; i < n; i++)
        CHECK(got[i - 1].offset < got[i].offset, "entries sorted and distinct");
}

static char dir[64];

/* Build a static test program with cc; returns its path or NULL. */
static const char *build(const char *cc, const char *name)
{
    static char out[2][128];
    static int k;
    char src[128], cmd[512];
    snprintf(src, sizeof src, "%s/m.c", dir);
    FILE *f = fopen(src, "w");
    if (!f)
        return NULL;
    fputs("#define _GNU_SOURCE\n#include <stdlib.h>\n#include <stdio.h>\n#include <malloc.h>\n#include <time.h>\n"
          "int main(void){ void *p = malloc(10), *q = calloc(2, 3), *a = aligned_alloc(16, 32), *m = memalign(16, 32);\n"
          " void *v = valloc(10), *pm; p = realloc(p, 20); if (posix_memalign(&pm, 32, 64)) return 1;\n"
          " printf(\"%zu\\n\", malloc_usable_size(p)); p = reallocarray(p, 2, 30); time_t t = 0; tzset();\n"
          " localtime(&t); free(p); free(q); free(a); free(m); free(v); free(pm); return 0; }\n",
          f);
    fclose(f);
    char *o = out[k++ % 2];
    snprintf(o, sizeof out[0], "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "%s -static -O1 -o '%s' '%s' >/dev/null 2>&1", cc, o, src);
    return system(cmd) == 0 ? o : NULL;
}

static void glibc_shared(void)
{
    if (access(LIBC, R_OK))
        SKIP("no %s", LIBC);
    compare(LIBC, 1);
}

static void glibc_static(void)
{
    const char *p = build("gcc", "t_glibc");
    if (!p)
        SKIP("gcc -static failed (no static glibc?)");
    compare(p, 1);
}

static void musl_static(void)
{
    if (system("command -v musl-gcc >/dev/null 2>&1"))
        SKIP("no musl-gcc");
    const char *p = build("musl-gcc", "t_musl");
    CHECK(p != NULL, "musl-gcc -static failed");
    compare(p, 0); /* musl's private __libc_malloc set is left alone */
}

static void ldso_nothing(void)
{
    struct bvm_check_sym got[BVM_CHECK_MAX_SYMS];
    if (access(LDSO, R_OK))
        SKIP("no %s", LDSO);
    CHECK(read_symbols(LDSO) == 0);
    CHECK_EQ(nsyms, 0); /* readelf sees no allocator name exported */
    CHECK_EQ(run_syms(LDSO, got), 0);
}

static void not_elf(void)
{
    struct bvm_check_sym got[BVM_CHECK_MAX_SYMS];
    CHECK_EQ(run_syms("/dev/null", got), 0);
    CHECK_EQ(run_syms("/etc/passwd", got), 0);
    CHECK_EQ(run_syms("/", got), 0);
}

/* A copy of the file, damaged: truncated at many points, and bytes changed at random (headers
 * most). Whatever comes back must be entries inside the file, distinct, sorted. */
static void damaged(void)
{
    int src = open(LIBC, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (src < 0 || fstat(src, &st) < 0)
        SKIP("no %s", LIBC);
    size_t len = (size_t)st.st_size;
    uint8_t *orig = mmap(NULL, len, PROT_READ, MAP_PRIVATE, src, 0);
    close(src);
    CHECK(orig != MAP_FAILED);
    int fd = memfd_create("damaged", MFD_CLOEXEC);
    CHECK(fd >= 0);
    uint8_t *img = malloc(len);
    CHECK(img != NULL);
    srand(12345);
    struct bvm_check_sym got[BVM_CHECK_MAX_SYMS];
    for (int round = 0; round < 300; round++) {
        memcpy(img, orig, len);
        size_t n = len;
        if (round % 3 == 0)
            n = (size_t)rand() % len;
        for (int k = round % 3 ? 1 + rand() % 16 : 0; k > 0; k--) {
            size_t at = rand() % 2 ? (size_t)rand() % 4096 : (size_t)rand() % len;
            if (rand() % 4 == 0 && at + 8 <= n) /* a large or wrapping value */
                memset(img + at, rand() % 2 ? 0xff : 0x7f, 8);
            else if (at < n)
                img[at] = (uint8_t)rand();
        }
        CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, img, n, 0) == (ssize_t)n);
        int got_n = check_syms_scan(fd, n, got, BVM_CHECK_MAX_SYMS);
        CHECK(got_n >= 0 && got_n <= BVM_CHECK_MAX_SYMS);
        for (int i = 0; i < got_n; i++) {
            CHECK(got[i].offset + 3 <= n, "entry 0x%llx past the end 0x%zx", (unsigned long long)got[i].offset, n);
            CHECK(got[i].fn > BVM_CF_NONE && got[i].fn < BVM_CF_COUNT);
            CHECK(i == 0 || got[i - 1].offset < got[i].offset);
        }
    }
    free(img);
    close(fd);
    munmap(orig, len);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/mon_check_syms.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(glibc_shared);
    RUN(glibc_static);
    RUN(musl_static);
    RUN(ldso_nothing);
    RUN(not_elf);
    RUN(damaged);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd))
        return 1;
    return test_failed != 0;
}
