/* kern_cfi.c: the checker's CFI reader (guest/kernel/check_cfi.c) against readelf's reading of the
 * same .eh_frame (--debug-dump=frames-interp, an independent oracle), on real files: at the first
 * and last byte of every row of every FDE, both through .eh_frame_hdr and through the table
 * cfi_scan makes. Then the same files' tables with random bytes changed: no crash, no hang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bvm_elf.h"
#include "check_cfi.h"
#include "kern_test.h"

#define PT_GNU_EH_FRAME 0x6474e550
#define MAX_ROWS 512
#define MAX_COLS 24 /* LOC, CFA and the 17 registers */

/* A file read whole, addressed by its link-time addresses through its PT_LOADs. */
struct image {
    uint8_t *data;
    uint64_t size;
    const struct elf64_ehdr *eh;
    const struct elf64_phdr *ph;
    uint64_t hdr_va, hdr_len, eh_va, eh_len;
};

static bool image_read(void *ctx, uint64_t va, void *buf, uint32_t len)
{
    const struct image *im = ctx;
    for (unsigned i = 0; i < im->eh->e_phnum; i++) {
        const struct elf64_phdr *p = &im->ph[i];
        if (p->p_type == PT_LOAD && va >= p->p_vaddr && va - p->p_vaddr <= p->p_filesz &&
            len <= p->p_filesz - (va - p->p_vaddr)) {
            memcpy(buf, im->data + p->p_offset + (va - p->p_vaddr), len);
            return true;
        }
    }
    return false;
}

static void find_eh_frame(struct image *im)
{
    const struct elf64_shdr *sh = (const struct elf64_shdr *)(im->data + im->eh->e_shoff);
    const char *names = (const char *)im->data + sh[im->eh->e_shstrndx].sh_offset;
    for (unsigned i = 0; i < im->eh->e_shnum; i++)
        if (!strcmp(names + sh[i].sh_name, ".eh_frame"))
            im->eh_va = sh[i].sh_addr, im->eh_len = sh[i].sh_size;
}

static bool image_load(const char *path, struct image *im)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fseek(f, 0, SEEK_END);
    memset(im, 0, sizeof *im);
    im->size = (uint64_t)ftell(f);
    im->data = malloc(im->size);
    rewind(f);
    bool ok = fread(im->data, 1, im->size, f) == im->size;
    fclose(f);
    im->eh = (const struct elf64_ehdr *)im->data;
    im->ph = (const struct elf64_phdr *)(im->data + im->eh->e_phoff);
    for (unsigned i = 0; ok && i < im->eh->e_phnum; i++)
        if (im->ph[i].p_type == PT_GNU_EH_FRAME)
            im->hdr_va = im->ph[i].p_vaddr, im->hdr_len = im->ph[i].p_filesz;
    find_eh_frame(im);
    return ok;
}

/* ---- readelf's rows ---- */

struct want {
    enum cfi_result result;
    struct cfi_rule rule;
};

/* "rsp+16", "c-8", ...: the number after the prefix, or false. */
static bool num_after(const char *s, const char *prefix, int32_t *v)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n))
        return false;
    char *end;
    long x = strtol(s + n, &end, 10);
    *v = (int32_t)x;
    return *end == 0;
}

/* One row of readelf's table into what check_cfi must say there. */
static struct want row_want(char cols[][48], int ncols, int rbp_col, int ra_col)
{
    struct want w = {CFI_NONE, {0}};
    const char *ra = ra_col >= 0 ? cols[ra_col] : "u";
    if (!strcmp(ra, "u"))
        return (struct want){CFI_OUTER, {0}};
    if (num_after(cols[1], "rsp+", &w.rule.cfa_off))
        w.rule.cfa_reg = CFI_RSP;
    else if (num_after(cols[1], "rbp+", &w.rule.cfa_off))
        w.rule.cfa_reg = CFI_RBP;
    else
        return w; /* exp, or a register we do not follow */
    if (!num_after(ra, "c", &w.rule.ra_off))
        return w;
    const char *rbp = rbp_col >= 0 ? cols[rbp_col] : "u";
    if (!strcmp(rbp, "u") || !strcmp(rbp, "s"))
        w.rule.rbp = CFI_RBP_SAME;
    else if (num_after(rbp, "c", &w.rule.rbp_off))
        w.rule.rbp = CFI_RBP_AT;
    else
        w.rule.rbp = CFI_RBP_LOST;
    w.result = CFI_FOUND;
    return w;
}

static bool same(const struct want *w, enum cfi_result got, const struct cfi_rule *r)
{
    if (got != w->result)
        return false;
    if (got != CFI_FOUND)
        return true;
    return r->cfa_reg == w->rule.cfa_reg && r->cfa_off == w->rule.cfa_off && r->ra_off == w->rule.ra_off &&
           r->rbp == w->rule.rbp && (r->rbp != CFI_RBP_AT || r->rbp_off == w->rule.rbp_off);
}

struct tally {
    long checked, wrong;
    struct cfi_entry *table;
    uint32_t n, max;
};

/* check_cfi's answer at pc both ways, against w. */
static void check_pc(struct image *im, struct tally *t, uint64_t pc, const struct want *w, const char *path)
{
    struct cfi_mem m = {image_read, im};
    for (int way = 0; way < 2; way++) {
        uint64_t fde;
        struct cfi_rule r = {0};
        bool found = way == 0 ? im->hdr_len && cfi_hdr_search(&m, im->hdr_va, im->hdr_len, pc, &fde)
                              : cfi_table_search(t->table, t->n, im->eh_va, pc, &fde);
        if (way == 0 && !im->hdr_len)
            continue;
        enum cfi_result got = found ? cfi_rule_at(&m, fde, pc, &r) : CFI_NONE;
        t->checked++;
        if (!same(w, got, &r) && t->wrong++ < 5)
            test_report("kern_cfi", TEST_FAIL, "%s pc 0x%llx (%s): got %d cfa r%u%+d ra %+d rbp %u/%+d, want %d "
                        "cfa r%u%+d ra %+d rbp %u/%+d", path, (unsigned long long)pc, way ? "scan" : "hdr", got,
                        r.cfa_reg, r.cfa_off, r.ra_off, r.rbp, r.rbp_off, w->result, w->rule.cfa_reg,
                        w->rule.cfa_off, w->rule.ra_off, w->rule.rbp, w->rule.rbp_off);
    }
}

/* One FDE's rows (their locs, and what each must give), checked at each row's first and last byte. */
static void check_fde(struct image *im, struct tally *t, uint64_t end, const uint64_t *loc, const struct want *w,
                      int n, const char *path)
{
    for (int i = 0; i < n; i++) {
        uint64_t last = (i + 1 < n ? loc[i + 1] : end) - 1;
        if (last < loc[i])
            continue;
        check_pc(im, t, loc[i], &w[i], path);
        check_pc(im, t, last, &w[i], path);
    }
}

/* Runs readelf on path and checks every row of its .eh_frame; returns rows checked, -1 on failure. */
static long against_readelf(struct image *im, struct tally *t, const char *path)
{
    char cmd[600], line[1024], cols[MAX_COLS][48];
    static uint64_t loc[MAX_ROWS];
    static struct want w[MAX_ROWS];
    snprintf(cmd, sizeof cmd, "readelf --wide --debug-dump=frames-interp '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    int n = 0, rbp_col = -1, ra_col = -1, in_eh = 0;
    unsigned long long a = 0, b = 0;
    while (fgets(line, sizeof line, p)) {
        if (strstr(line, "Contents of the "))
            in_eh = strstr(line, ".eh_frame ") != NULL;
        int k = 0;
        for (char *tok = strtok(line, " \t\n"); tok && k < MAX_COLS; tok = strtok(NULL, " \t\n"))
            if (tok[0] != '(') /* "r10 (r10)": a register rule's name, in a token of its own */
                snprintf(cols[k++], sizeof cols[0], "%s", tok);
        if (k >= 4 && !strcmp(cols[3], "FDE")) {
            check_fde(im, t, b, loc, w, n, path);
            n = 0;
            if (!in_eh || k < 6 || sscanf(cols[5], "pc=%llx..%llx", &a, &b) != 2)
                a = b = 0;
        } else if (k >= 4 && !strcmp(cols[3], "CIE")) {
            check_fde(im, t, b, loc, w, n, path);
            n = 0, a = b = 0;
        } else if (k >= 2 && !strcmp(cols[0], "LOC")) {
            rbp_col = ra_col = -1;
            for (int i = 1; i < k; i++)
                rbp_col = !strcmp(cols[i], "rbp") ? i : rbp_col, ra_col = !strcmp(cols[i], "ra") ? i : ra_col;
        } else if (k >= 2 && b > a && n < MAX_ROWS && strlen(cols[0]) == 16) {
            loc[n] = strtoull(cols[0], NULL, 16);
            w[n++] = row_want(cols, k, rbp_col, ra_col);
        }
    }
    check_fde(im, t, b, loc, w, n, path);
    pclose(p); /* its status: 1 after a mere warning (libc's .debug_* links) */
    return t->checked;
}

/* Random bytes changed in the tables and FDEs: every answer is allowed, a crash or hang is not. */
static void mutate(struct image *im, struct tally *t, unsigned seed)
{
    struct cfi_mem m = {image_read, im};
    uint64_t lo = im->hdr_len ? MIN(im->hdr_va, im->eh_va) : im->eh_va;
    uint64_t hi = MAX(im->hdr_va + im->hdr_len, im->eh_va + im->eh_len);
    uint8_t *base = NULL;
    for (unsigned i = 0; i < im->eh->e_phnum; i++)
        if (im->ph[i].p_type == PT_LOAD && lo >= im->ph[i].p_vaddr && hi <= im->ph[i].p_vaddr + im->ph[i].p_filesz)
            base = im->data + im->ph[i].p_offset + (lo - im->ph[i].p_vaddr);
    if (!base)
        return;
    srand(seed);
    for (int round = 0; round < 300; round++) {
        for (int k = 0; k < 20; k++)
            base[(uint64_t)rand() % (hi - lo)] = (uint8_t)rand();
        t->n = cfi_scan(&m, im->eh_va, im->eh_len, t->table, t->max);
        for (int q = 0; q < 200; q++) {
            uint64_t pc = (uint64_t)rand() % hi, fde;
            struct cfi_rule r;
            if (im->hdr_len && cfi_hdr_search(&m, im->hdr_va, im->hdr_len, pc, &fde))
                cfi_rule_at(&m, fde, pc, &r);
            if (cfi_table_search(t->table, t->n, im->eh_va, pc, &fde))
                cfi_rule_at(&m, fde, pc, &r);
        }
    }
}

static void one_file(const char *path, const char *name, bool need_hdr)
{
    struct image im;
    struct tally t = {0};
    if (!image_load(path, &im)) {
        test_report(name, TEST_SKIP, "%s not readable", path);
        return;
    }
    if (!im.eh_len || (need_hdr && !im.hdr_len)) {
        test_report(name, TEST_FAIL, "%s: no .eh_frame%s", path, need_hdr ? "_hdr" : "");
        free(im.data);
        return;
    }
    t.max = (uint32_t)(im.eh_len / 16 + 1);
    t.table = calloc(t.max, sizeof *t.table);
    t.n = cfi_scan(&(struct cfi_mem){image_read, &im}, im.eh_va, im.eh_len, t.table, t.max);
    long rows = against_readelf(&im, &t, path);
    if (rows <= 0)
        test_report(name, TEST_FAIL, "%s: readelf gave no rows", path);
    else if (t.wrong)
        test_report(name, TEST_FAIL, "%s: %ld of %ld answers differ from readelf's", path, t.wrong, t.checked);
    else
        test_report(name, TEST_PASS, "%s: %ld answers (%u FDEs) as readelf reads them", path, t.checked, t.n);
    mutate(&im, &t, 1);
    free(t.table);
    free(im.data);
}

int main(int argc, char **argv)
{
    one_file("/lib/x86_64-linux-gnu/libc.so.6", "kern_cfi_libc", true);
    one_file("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "kern_cfi_libstdcxx", true);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1); /* readelf's own would be its own */
    self[n > 0 ? n : 0] = 0;
    one_file(self, "kern_cfi_self", true);
    for (int i = 1; i < argc; i++) /* more files, e.g. static links (no .eh_frame_hdr) */
        one_file(argv[i], "kern_cfi_file", false);
    return test_failed ? 1 : 0;
}
