/* mon_check_syms.c: the allocator entries check_syms finds in real libcs and libstdc++ (C++'s
 * operators new and delete), against readelf's reading of the same files (symbols and program
 * headers), how aliases merge, and its safety on damaged files. */
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

#define MAX_NAME 64

/* C++'s operators as g++ mangles them for x86-64, and the entry each must be. */
static const struct {
    const char *name;
    uint32_t fn;
} cxx_names[] = {
    {"_Znwm", BVM_CF_NEW}, {"_ZnwmRKSt9nothrow_t", BVM_CF_NEW_NOTHROW}, {"_ZnwmSt11align_val_t", BVM_CF_NEW_ALIGNED},
    {"_ZnwmSt11align_val_tRKSt9nothrow_t", BVM_CF_NEW_ALIGNED_NOTHROW}, {"_Znam", BVM_CF_NEW_ARRAY},
    {"_ZnamRKSt9nothrow_t", BVM_CF_NEW_ARRAY_NOTHROW}, {"_ZnamSt11align_val_t", BVM_CF_NEW_ARRAY_ALIGNED},
    {"_ZnamSt11align_val_tRKSt9nothrow_t", BVM_CF_NEW_ARRAY_ALIGNED_NOTHROW}, {"_ZdlPv", BVM_CF_DELETE},
    {"_ZdlPvRKSt9nothrow_t", BVM_CF_DELETE}, {"_ZdlPvm", BVM_CF_DELETE_SIZED},
    {"_ZdlPvSt11align_val_t", BVM_CF_DELETE_ALIGNED}, {"_ZdlPvSt11align_val_tRKSt9nothrow_t", BVM_CF_DELETE_ALIGNED},
    {"_ZdlPvmSt11align_val_t", BVM_CF_DELETE_SIZED_ALIGNED}, {"_ZdaPv", BVM_CF_DELETE_ARRAY},
    {"_ZdaPvRKSt9nothrow_t", BVM_CF_DELETE_ARRAY}, {"_ZdaPvm", BVM_CF_DELETE_ARRAY_SIZED},
    {"_ZdaPvSt11align_val_t", BVM_CF_DELETE_ARRAY_ALIGNED},
    {"_ZdaPvSt11align_val_tRKSt9nothrow_t", BVM_CF_DELETE_ARRAY_ALIGNED},
    {"_ZdaPvmSt11align_val_t", BVM_CF_DELETE_ARRAY_SIZED_ALIGNED},
};
#define NCXX (sizeof cxx_names / sizeof cxx_names[0])

static const char *const public_names[] = {"malloc", "free", "cfree", "calloc", "realloc", "reallocarray",
                                           "memalign", "posix_memalign", "aligned_alloc", "valloc", "pvalloc",
                                           "malloc_usable_size", "__libc_freeres"};

/* The entry a C++ operator's name must be, or BVM_CF_NONE when it is not one. */
static uint32_t cxx_fn(const char *name)
{
    for (size_t i = 0; i < NCXX; i++)
        if (!strcmp(name, cxx_names[i].name))
            return cxx_names[i].fn;
    return BVM_CF_NONE;
}
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
    char name[MAX_NAME];
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
        if (!twin && !in_list(name, public_names, sizeof public_names / sizeof public_names[0]) &&
            cxx_fn(name) == BVM_CF_NONE)
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

/* The fn of the entry at off, or BVM_CF_NONE. */
static uint32_t fn_at(const struct bvm_check_sym *s, int n, uint64_t off)
{
    for (int i = 0; i < n; i++)
        if (s[i].offset == off)
            return s[i].fn;
    return BVM_CF_NONE;
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
static int ncxx_found; /* C++ operators compare() saw and checked */
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
    ncxx_found = 0;
    for (int i = 0; i < nsyms; i++) { /* each operator its own entry (no alias in these files) */
        uint64_t off;
        uint32_t want = cxx_fn(syms[i].name);
        if (want == BVM_CF_NONE || to_offset(syms[i].value, &off) < 0)
            continue;
        CHECK(fn_at(got, n, off) == want, "%s: entry fn %u, expected %u", syms[i].name, fn_at(got, n, off), want);
        ncxx_found++;
    }
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

/* Build a C++ program using every operator new and delete, with g++ (flags: "-static" or ""). */
static const char *build_cxx(const char *flags, const char *name)
{
    static char out[128];
    char src[128], cmd[512];
    snprintf(src, sizeof src, "%s/m.cc", dir);
    FILE *f = fopen(src, "w");
    if (!f)
        return NULL;
    fputs("#include <new>\n#include <cstdlib>\n"
          "struct alignas(64) L { char b[64]; }; struct D { long v; ~D() { v = 0; } };\n"
          "using std::align_val_t; using std::nothrow;\n"
          "int main() { void *v[4]; L *l = new L; delete l; l = new L[2]; delete[] l; D *d = new D[2]; delete[] d;\n"
          " int *i = new int; delete i; i = new int[3]; delete[] i;\n"
          " i = new (nothrow) int; ::operator delete(i, nothrow);\n"
          " i = new (nothrow) int[2]; ::operator delete[](i, nothrow);\n"
          " v[0] = ::operator new(8); ::operator delete(v[0]);\n"
          " v[1] = ::operator new(8, align_val_t(32)); ::operator delete(v[1], align_val_t(32));\n"
          " v[2] = ::operator new(8, align_val_t(32), nothrow); ::operator delete(v[2], align_val_t(32), nothrow);\n"
          " v[3] = ::operator new[](8, align_val_t(32), nothrow); ::operator delete[](v[3], align_val_t(32), nothrow);\n"
          " v[0] = ::operator new[](8, align_val_t(32)); ::operator delete[](v[0], 8, align_val_t(32));\n"
          " v[0] = ::operator new[](8); ::operator delete[](v[0], 8);\n"
          " v[0] = ::operator new(64, align_val_t(64)); ::operator delete(v[0], 64, align_val_t(64)); return 0; }\n",
          f);
    fclose(f);
    snprintf(out, sizeof out, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "g++ %s -O1 -o '%s' '%s' >/dev/null 2>&1", flags, out, src);
    return system(cmd) == 0 ? out : NULL;
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

/* libstdc++.so: its operators new and delete, each with its fn (its .dynsym has no malloc). */
static void libstdcxx_shared(void)
{
    char path[256] = "";
    FILE *f = popen("g++ -print-file-name=libstdc++.so.6 2>/dev/null", "r");
    int got = f && fgets(path, sizeof path, f);
    if (f)
        pclose(f);
    if (!got)
        SKIP("no g++");
    path[strcspn(path, "\n")] = 0;
    if (path[0] != '/' || access(path, R_OK))
        SKIP("no libstdc++.so.6");
    compare(path, 0);
    CHECK(ncxx_found == (int)NCXX, "%s: %d of the %d operators", path, ncxx_found, (int)NCXX);
}

/* g++ -static: the operators the program uses, from libstdc++.a, in its .symtab, and glibc's
 * malloc family; a dynamic C++ program has none (they are libstdc++'s). */
static void cxx_static(void)
{
    const char *p = build_cxx("-static", "t_cxxs");
    if (!p)
        SKIP("g++ -static failed (no static libstdc++?)");
    compare(p, 1);
    CHECK(ncxx_found == (int)NCXX, "%s: %d of the %d operators", p, ncxx_found, (int)NCXX);
    struct bvm_check_sym got[BVM_CHECK_MAX_SYMS];
    p = build_cxx("", "t_cxx");
    CHECK(p != NULL, "g++ failed");
    CHECK_EQ(run_syms(p, got), 0);
}

/* Rule 4 on operators that are aliases (as some allocator libraries define them): new merges
 * into malloc and delete into free (malloc's family names them: no mismatch can be told apart),
 * new[] at free's offset is of another calling convention and the offset is dropped. */
static void cxx_aliases(void)
{
    char src[128], so[128], cmd[512];
    snprintf(src, sizeof src, "%s/alias.c", dir);
    snprintf(so, sizeof so, "%s/alias.so", dir);
    FILE *f = fopen(src, "w");
    CHECK(f != NULL);
    fputs("static char pool[4096]; static unsigned long used;\n"
          "void *my_malloc(unsigned long n) { void *p = pool + used; used += (n + 15) & ~15ul; return p; }\n"
          "void my_free(void *p) { (void)p; used = 0; }\n"
          "void my_noop(void *p) { (void)p; pool[0] = 1; }\n"
          "void *my_new_aligned(unsigned long n, unsigned long a) { return pool + n + a; }\n"
          "void *malloc(unsigned long) __attribute__((alias(\"my_malloc\")));\n"
          "void *_Znwm(unsigned long) __attribute__((alias(\"my_malloc\")));\n"
          "void free(void *) __attribute__((alias(\"my_free\")));\n"
          "void _ZdlPv(void *) __attribute__((alias(\"my_free\")));\n"
          "void _ZdaPvm(void *) __attribute__((alias(\"my_noop\")));\n"
          "void *_Znam(unsigned long) __attribute__((alias(\"my_noop\")));\n"
          "void *_ZnwmSt11align_val_t(unsigned long, unsigned long) __attribute__((alias(\"my_new_aligned\")));\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "gcc -shared -fPIC -O1 -fno-builtin -o '%s' '%s' >/dev/null 2>&1", so, src);
    if (system(cmd))
        SKIP("gcc -shared failed");
    CHECK(read_segments(so) == 0 && read_symbols(so) == 0);
    uint64_t m = 0, fr = 0, na = 0, al = 0;
    for (int i = 0; i < nsyms; i++) {
        uint64_t off;
        CHECK(to_offset(syms[i].value, &off) == 0);
        if (!strcmp(syms[i].name, "malloc"))
            m = off;
        else if (!strcmp(syms[i].name, "free"))
            fr = off;
        else if (!strcmp(syms[i].name, "_Znam"))
            na = off;
        else if (!strcmp(syms[i].name, "_ZnwmSt11align_val_t"))
            al = off;
    }
    CHECK(m && fr && na && al, "readelf finds the four offsets");
    struct bvm_check_sym got[BVM_CHECK_MAX_SYMS];
    int n = run_syms(so, got);
    CHECK_EQ(n, 3);
    CHECK_EQ(fn_at(got, n, m), BVM_CF_MALLOC);
    CHECK_EQ(fn_at(got, n, fr), BVM_CF_FREE);
    CHECK_EQ(fn_at(got, n, na), BVM_CF_NONE);
    CHECK_EQ(fn_at(got, n, al), BVM_CF_NEW_ALIGNED);
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
    RUN(libstdcxx_shared);
    RUN(cxx_static);
    RUN(cxx_aliases);
    RUN(ldso_nothing);
    RUN(not_elf);
    RUN(damaged);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd))
        return 1;
    return test_failed != 0;
}
